// A security group as EC2 makes it: a new group allows all egress (one rule, -1 to
// 0.0.0.0/0) and no ingress; a VPC's default group also allows all traffic from its own
// members. Rules are stored one per source or destination, each with its sgr- id.
import type { SecurityGroupRule, Tag } from "@aws-sdk/client-ec2";
import type { Scope } from "../scope.js";
import type { StoredSecurityGroup } from "./documents.js";
import { newEc2Id } from "./ids.js";

export interface NewGroupInput {
  scope: Scope;
  groupName: string;
  description: string;
  vpcId: string;
  tags?: Tag[];
  now: Date;
}

export const securityGroupArn = (scope: Scope, groupId: string): string =>
  `arn:aws:ec2:${scope.region}:${scope.accountId}:security-group/${groupId}`;

/** The egress rule every new group starts with: all protocols to 0.0.0.0/0. */
export function allowAllEgress(scope: Scope, groupId: string): SecurityGroupRule {
  return {
    SecurityGroupRuleId: newEc2Id("sgr"),
    GroupId: groupId,
    GroupOwnerId: scope.accountId,
    IsEgress: true,
    IpProtocol: "-1",
    FromPort: -1,
    ToPort: -1,
    CidrIpv4: "0.0.0.0/0",
    Tags: [],
  };
}

/** The default group's ingress rule: all protocols from the group's own members. */
export function allowFromSelf(scope: Scope, groupId: string, vpcId: string): SecurityGroupRule {
  return {
    SecurityGroupRuleId: newEc2Id("sgr"),
    GroupId: groupId,
    GroupOwnerId: scope.accountId,
    IsEgress: false,
    IpProtocol: "-1",
    FromPort: -1,
    ToPort: -1,
    ReferencedGroupInfo: { GroupId: groupId, UserId: scope.accountId, VpcId: vpcId },
    Tags: [],
  };
}

export function newSecurityGroup(input: NewGroupInput): StoredSecurityGroup {
  const groupId = newEc2Id("sg");
  return {
    group: {
      GroupId: groupId,
      GroupName: input.groupName,
      Description: input.description,
      VpcId: input.vpcId,
      OwnerId: input.scope.accountId,
      SecurityGroupArn: securityGroupArn(input.scope, groupId),
      Tags: input.tags ?? [],
    },
    rules: [allowAllEgress(input.scope, groupId)],
    createdAt: input.now.getTime(),
  };
}

/** A VPC's "default" group: all egress, and all ingress from itself. */
export function defaultSecurityGroup(scope: Scope, vpcId: string, now: Date): StoredSecurityGroup {
  const group = newSecurityGroup({ scope, groupName: "default", description: "default VPC security group", vpcId, now });
  return { ...group, rules: [allowFromSelf(scope, group.group.GroupId!, vpcId), ...group.rules] };
}
