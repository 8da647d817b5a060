// EC2's errors carry a code and no modeled shape: its model lists no exceptions, and every
// client error answers HTTP 400 with `<Response><Errors><Error><Code>`. The codes berth
// answers with are listed here (EC2's own spelling, from its API reference's error codes), so
// a misspelt one does not compile.
import type { ServiceErrors } from "../../aws/errors.js";

export type Ec2ErrorCode =
  | "InvalidParameterValue"
  | "InvalidParameter"
  | "InvalidParameterCombination"
  | "MissingParameter"
  | "UnsupportedOperation"
  | "InvalidVpcID.NotFound"
  | "InvalidSubnetID.NotFound"
  | "InvalidGroup.NotFound"
  | "InvalidGroupId.Malformed"
  | "InvalidGroup.Duplicate"
  | "InvalidGroup.Reserved"
  | "InvalidPermission.Duplicate"
  | "InvalidPermission.NotFound"
  | "InvalidPermission.Malformed"
  | "InvalidSecurityGroupRuleId.NotFound"
  | "InvalidSecurityGroupRuleId.Malformed"
  | "RulesPerSecurityGroupLimitExceeded"
  | "SecurityGroupLimitExceeded"
  | "InvalidNetworkInterfaceID.NotFound"
  | "InvalidVpc.Range"
  | "InvalidSubnet.Range"
  | "InvalidSubnet.Conflict"
  | "InvalidID"
  | "InvalidNextToken"
  | "InvalidFilter"
  | "InvalidAvailabilityZone"
  | "DependencyViolation"
  | "DefaultVpcAlreadyExists"
  | "DefaultSubnetAlreadyExistsInAvailabilityZone"
  | "NoDefaultVpcForAvailabilityZone"
  | "VpcLimitExceeded"
  | "TagLimitExceeded"
  | "InvalidTagKey.Malformed"
  | "CannotDelete"
  | "OperationNotPermitted"
  | "VPCIdNotSpecified"
  | "DryRunOperation";

export class Ec2Error extends Error {
  constructor(
    readonly code: Ec2ErrorCode,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export const ec2Errors: ServiceErrors = {
  describe: (err) => (err instanceof Ec2Error ? { status: err.status, type: err.code, message: err.message } : undefined),
  internalErrorCode: "InternalError",
};
