// What the security group handlers share: finding the group a call names (by id, or by name
// in the default VPC as EC2 does for names), resolving the groups a rule references, making
// rules, and turning the pure rules' errors into EC2's.
import type { SecurityGroupRule, Tag } from "@aws-sdk/client-ec2";
import type { StoredSecurityGroup } from "../../domain/ec2/documents.js";
import { isEc2Id, newEc2Id } from "../../domain/ec2/ids.js";
import { type GroupResolver, type RuleSpec } from "../../domain/ec2/security-group-rules.js";
import type { Scope } from "../../domain/scope.js";
import { defaultVpc } from "../../state/default-vpc.js";
import type { Ec2Context } from "./context.js";
import { Ec2Error } from "./errors.js";
import { ec2Handler } from "./common.js";

export const groupNotFound = (groupId: string): Ec2Error =>
  new Ec2Error("InvalidGroup.NotFound", `The security group '${groupId}' does not exist`);

export function checkGroupId(groupId: string): void {
  if (!isEc2Id("sg", groupId)) throw new Ec2Error("InvalidGroupId.Malformed", `Invalid id: "${groupId}" (expecting "sg-...")`);
}

export function checkRuleId(ruleId: string): void {
  if (!isEc2Id("sgr", ruleId)) throw new Ec2Error("InvalidSecurityGroupRuleId.Malformed", `Invalid id: "${ruleId}" (expecting "sgr-...")`);
}

export const ruleNotFound = (ruleId: string): Ec2Error =>
  new Ec2Error("InvalidSecurityGroupRuleId.NotFound", `The security group rule ID '${ruleId}' does not exist`);

export async function groupById(ctx: Ec2Context, groupId: string): Promise<StoredSecurityGroup> {
  checkGroupId(groupId);
  const group = await ctx.state.securityGroups.get(ctx.scope, groupId);
  if (!group) throw groupNotFound(groupId);
  return group;
}

/** The group named `name` in the default VPC: what EC2 means by a group name given without a VPC. */
export async function groupInDefaultVpc(ctx: Ec2Context, name: string): Promise<StoredSecurityGroup> {
  const vpc = await defaultVpc(ctx.state, ctx.scope, ctx.now);
  const groups = vpc ? await ctx.state.securityGroups.list(ctx.scope, { parent: vpc.vpc.VpcId! }) : [];
  const group = groups.find((g) => g.group.GroupName === name);
  if (!group)
    throw new Ec2Error("InvalidGroup.NotFound", `The security group '${name}' does not exist in default VPC '${vpc?.vpc.VpcId ?? "none"}'`);
  return group;
}

/** The group a call names with GroupId, or else GroupName (in the default VPC). */
export async function namedGroup(ctx: Ec2Context, input: { GroupId?: string; GroupName?: string }): Promise<StoredSecurityGroup> {
  if (input.GroupId !== undefined) return groupById(ctx, input.GroupId);
  if (input.GroupName !== undefined) return groupInDefaultVpc(ctx, input.GroupName);
  throw new Ec2Error("MissingParameter", "The request must contain the parameter groupName or groupId");
}

/**
 * Resolves the groups rules of a group in `vpcId` reference: by GroupId anywhere in the
 * account and region, refused when of another VPC (a group can only name its own VPC's
 * groups without peering, which berth has not), or by GroupName within that VPC.
 */
export async function groupResolver(ctx: Ec2Context, vpcId: string): Promise<GroupResolver> {
  const groups = await ctx.state.securityGroups.list(ctx.scope);
  const byId = new Map(groups.map((g) => [g.group.GroupId!, g]));
  return (pair) => {
    let found: StoredSecurityGroup | undefined;
    if (pair.GroupId !== undefined) {
      checkGroupId(pair.GroupId);
      found = byId.get(pair.GroupId);
      if (!found || (pair.UserId !== undefined && pair.UserId !== ctx.scope.accountId)) throw groupNotFound(pair.GroupId);
      if (found.group.VpcId !== vpcId)
        throw new Ec2Error("InvalidGroup.NotFound", "You have specified two resources that belong to different networks.");
    } else {
      const name = pair.GroupName ?? "";
      found = groups.find((g) => g.group.VpcId === vpcId && g.group.GroupName === name);
      if (!found) throw new Ec2Error("InvalidGroup.NotFound", `The security group '${name}' does not exist in VPC '${vpcId}'`);
    }
    return { GroupId: found.group.GroupId!, UserId: ctx.scope.accountId, VpcId: vpcId };
  };
}

export function newRule(scope: Scope, groupId: string, spec: RuleSpec, tags: readonly Tag[]): SecurityGroupRule {
  return { SecurityGroupRuleId: newEc2Id("sgr"), GroupId: groupId, GroupOwnerId: scope.accountId, ...spec, Tags: [...tags] };
}

/** A stored rule as EC2 answers it: with its ARN. */
export const ruleOut = (scope: Scope, rule: SecurityGroupRule): SecurityGroupRule => ({
  ...rule,
  Tags: rule.Tags ?? [],
  SecurityGroupRuleArn: `arn:aws:ec2:${scope.region}:${scope.accountId}:security-group-rule/${rule.SecurityGroupRuleId}`,
});

/** The security group calls check their input before they answer a dry run (see HandlerOptions). */
export const groupHandler = <I extends object, O>(work: (ctx: Ec2Context, input: I) => Promise<O>) =>
  ec2Handler(work, { dryRun: "checked" });
