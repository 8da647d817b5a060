// EC2's networking on berth's front door: VPCs, subnets, security groups and the network
// interfaces of awsvpc tasks, the objects ECS's awsvpcConfiguration names. The security
// groups' rules are enforced on the hosts by their agents (src/agent/firewall).
import type * as Ec2Sdk from "@aws-sdk/client-ec2";
import { defineService, type AwsService } from "../../aws/service.js";
import { availabilityZonesOperations } from "./availability-zones.js";
import type { Ec2Context, Ec2Deps, Ec2Handlers } from "./context.js";
import { Ec2Error, ec2Errors } from "./errors.js";
import { ec2Model } from "./model.js";
import { networkInterfacesOperations } from "./network-interfaces.js";
import { securityGroupRulesOperations } from "./security-group-rules.js";
import { securityGroupsOperations } from "./security-groups.js";
import { subnetsOperations } from "./subnets.js";
import { tagsOperations } from "./tags.js";
import { vpcsOperations } from "./vpcs.js";

export const ec2Operations: Ec2Handlers = {
  ...availabilityZonesOperations,
  ...vpcsOperations,
  ...subnetsOperations,
  ...securityGroupsOperations,
  ...securityGroupRulesOperations,
  ...networkInterfacesOperations,
  ...tagsOperations,
};

export function ec2Service(deps: Ec2Deps): AwsService {
  return defineService<typeof Ec2Sdk, Ec2Context>({
    model: ec2Model(),
    handlers: ec2Operations,
    context: (caller, now) => ({
      scope: caller.scope,
      log: caller.log,
      now,
      state: deps.state,
      interfaces: deps.interfaces,
      occupiedCidrs: () => deps.occupiedCidrs(),
      placementLock: deps.placementLock,
    }),
    errors: ec2Errors,
    violation: (message) => new Ec2Error("InvalidParameterValue", message),
    notImplemented: (operation) =>
      new Ec2Error("UnsupportedOperation", `${operation} is part of the EC2 API but is not implemented by berth.`),
  });
}
