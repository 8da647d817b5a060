// CreateSecurityGroup, DescribeSecurityGroups and DeleteSecurityGroup. A group lives in one
// VPC, its name unique there; its rules (security-group-rules.ts) are stored one per peer
// and answered here grouped into IpPermissions, the form EC2 has always answered.
import type { DeleteSecurityGroupRequest, DeleteSecurityGroupResult, SecurityGroup, SecurityGroupRule } from "@aws-sdk/client-ec2";
import type { StoredSecurityGroup } from "../../domain/ec2/documents.js";
import type { FilterFields } from "../../domain/ec2/filters.js";
import { newSecurityGroup } from "../../domain/ec2/security-group.js";
import { permissionsOf } from "../../domain/ec2/security-group-rules.js";
import { tagsFromSpecifications } from "../../domain/ec2/tags.js";
import { defaultVpc } from "../../state/default-vpc.js";
import type { Ec2Context, Ec2Handlers } from "./context.js";
import { Ec2Error } from "./errors.js";
import { deletingNetwork, dryRunDone, filtered, paged } from "./common.js";
import { checkGroupId, groupHandler, groupInDefaultVpc, groupNotFound, namedGroup } from "./security-group-support.js";

/** Security groups per VPC, EC2's default quota. */
export const MAX_GROUPS_PER_VPC = 2500;

// EC2's character set for the names and descriptions of VPC security groups.
const GROUP_TEXT = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/;

function groupText(parameter: "GroupName" | "GroupDescription", value: string): string {
  if (value.length === 0) throw new Ec2Error("MissingParameter", `The request must contain the parameter ${parameter}`);
  if (value.length > 255)
    throw new Ec2Error("InvalidParameterValue", `Value for parameter ${parameter} is invalid: it is longer than 255 characters.`);
  if (!GROUP_TEXT.test(value))
    throw new Ec2Error(
      "InvalidParameterValue",
      `Value (${value}) for parameter ${parameter} is invalid. Valid characters are a-z, A-Z, 0-9, spaces, and ._-:/()#,@[]+=&;{}!$*`,
    );
  return value;
}

/** A group as DescribeSecurityGroups answers it: its rules grouped by protocol and ports. */
export function groupOut(stored: StoredSecurityGroup): SecurityGroup {
  return {
    ...stored.group,
    Tags: stored.group.Tags ?? [],
    IpPermissions: permissionsOf(stored.rules.filter((r) => !r.IsEgress)),
    IpPermissionsEgress: permissionsOf(stored.rules.filter((r) => r.IsEgress)),
  };
}

/** Values of a rule field over one direction's rules, for the ip-permission.* filters. */
const ruleValues =
  (egress: boolean, value: (rule: SecurityGroupRule) => string | number | undefined) =>
  (g: StoredSecurityGroup): (string | number | undefined)[] =>
    g.rules.filter((r) => r.IsEgress === egress).map(value);

function groupFilters(nameOf: (groupId: string) => string | undefined): FilterFields<StoredSecurityGroup> {
  const fields: FilterFields<StoredSecurityGroup> = {
    "group-id": (g) => g.group.GroupId,
    "group-name": (g) => g.group.GroupName,
    description: (g) => g.group.Description,
    "vpc-id": (g) => g.group.VpcId,
    "owner-id": (g) => g.group.OwnerId,
  };
  for (const [prefix, egress] of [
    ["ip-permission", false],
    ["egress.ip-permission", true],
  ] as const) {
    fields[`${prefix}.cidr`] = ruleValues(egress, (r) => r.CidrIpv4);
    fields[`${prefix}.ipv6-cidr`] = ruleValues(egress, (r) => r.CidrIpv6);
    fields[`${prefix}.prefix-list-id`] = ruleValues(egress, (r) => r.PrefixListId);
    fields[`${prefix}.from-port`] = ruleValues(egress, (r) => r.FromPort);
    fields[`${prefix}.to-port`] = ruleValues(egress, (r) => r.ToPort);
    fields[`${prefix}.protocol`] = ruleValues(egress, (r) => r.IpProtocol);
    fields[`${prefix}.group-id`] = ruleValues(egress, (r) => r.ReferencedGroupInfo?.GroupId);
    fields[`${prefix}.group-name`] = ruleValues(egress, (r) => nameOf(r.ReferencedGroupInfo?.GroupId ?? ""));
    fields[`${prefix}.user-id`] = ruleValues(egress, (r) => r.ReferencedGroupInfo?.UserId);
  }
  return fields;
}

export const securityGroupsOperations = {
  CreateSecurityGroup: groupHandler(async (ctx, input) => {
    const name = groupText("GroupName", input.GroupName ?? "");
    const description = groupText("GroupDescription", input.Description ?? "");
    if (name.toLowerCase().startsWith("sg-"))
      throw new Ec2Error("InvalidParameterValue", `Invalid value '${name}' for groupName. Group names may not be in the format sg-*.`);
    if (name === "default") throw new Ec2Error("InvalidGroup.Reserved", "The security group name 'default' is reserved.");
    const tags = tagsFromSpecifications(input.TagSpecifications, "security-group");
    const vpcId = input.VpcId ?? (await defaultVpc(ctx.state, ctx.scope, ctx.now))?.vpc.VpcId;
    if (vpcId === undefined) throw new Ec2Error("VPCIdNotSpecified", "No default VPC for this user");
    if (!(await ctx.state.vpcs.get(ctx.scope, vpcId))) throw new Ec2Error("InvalidVpcID.NotFound", `The vpc ID '${vpcId}' does not exist`);
    const siblings = await ctx.state.securityGroups.list(ctx.scope, { parent: vpcId });
    if (siblings.some((g) => g.group.GroupName === name))
      throw new Ec2Error("InvalidGroup.Duplicate", `The security group '${name}' already exists for VPC '${vpcId}'`);
    if (siblings.length >= MAX_GROUPS_PER_VPC)
      throw new Ec2Error("SecurityGroupLimitExceeded", "The maximum number of security groups has been reached.");
    if (input.DryRun) throw dryRunDone();
    const made = newSecurityGroup({ scope: ctx.scope, groupName: name, description, vpcId, tags, now: ctx.now });
    await ctx.state.securityGroups.write(ctx.scope, made.group.GroupId!, (current) => {
      if (current) throw new Error(`security group id ${made.group.GroupId} is taken`);
      return made;
    });
    return { GroupId: made.group.GroupId, Tags: made.group.Tags, SecurityGroupArn: made.group.SecurityGroupArn };
  }),

  DescribeSecurityGroups: groupHandler(async (ctx, input) => {
    if (input.MaxResults !== undefined && (input.GroupIds?.length ?? 0) > 0)
      throw new Ec2Error("InvalidParameterCombination", "The parameter groupIds cannot be used with the parameter maxResults");
    let groups = await ctx.state.securityGroups.list(ctx.scope);
    const names = new Map(groups.map((g) => [g.group.GroupId!, g.group.GroupName!]));
    if (input.GroupIds?.length) {
      for (const id of input.GroupIds) checkGroupId(id);
      const wanted = new Set(input.GroupIds);
      const missing = input.GroupIds.find((id) => !names.has(id));
      if (missing !== undefined) throw groupNotFound(missing);
      groups = groups.filter((g) => wanted.has(g.group.GroupId!));
    }
    if (input.GroupNames?.length) {
      const named = new Set<string>();
      for (const name of input.GroupNames) named.add((await groupInDefaultVpc(ctx, name)).group.GroupId!);
      groups = groups.filter((g) => named.has(g.group.GroupId!));
    }
    const matching = filtered(
      groups,
      input.Filters,
      groupFilters((id) => names.get(id)),
      (g) => g.group.Tags,
    );
    const page = paged(matching, (g) => g.group.GroupId!, input);
    if (input.DryRun) throw dryRunDone();
    return { SecurityGroups: page.items.map(groupOut), NextToken: page.nextToken };
  }),

  DeleteSecurityGroup: groupHandler((ctx, input) => deletingNetwork(ctx, () => deleteGroup(ctx, input))),
} satisfies Ec2Handlers;

async function deleteGroup(ctx: Ec2Context, input: DeleteSecurityGroupRequest): Promise<DeleteSecurityGroupResult> {
  const target = await namedGroup(ctx, input);
  const groupId = target.group.GroupId!;
  const vpc = await ctx.state.vpcs.get(ctx.scope, target.group.VpcId!);
  if (target.group.GroupName === "default" && vpc?.defaultSecurityGroupId === groupId)
    throw new Ec2Error("CannotDelete", `the specified group: "${groupId}" name: "default" cannot be deleted by a user`);
  const inUse = (await ctx.interfaces.list(ctx.scope)).some((eni) => eni.securityGroupIds.includes(groupId));
  const referenced = (await ctx.state.securityGroups.list(ctx.scope)).some(
    (g) => g.group.GroupId !== groupId && g.rules.some((r) => r.ReferencedGroupInfo?.GroupId === groupId),
  );
  if (inUse || referenced) throw new Ec2Error("DependencyViolation", `resource ${groupId} has a dependent object`);
  if (input.DryRun) throw dryRunDone();
  await ctx.state.securityGroups.remove(ctx.scope, groupId);
  return { Return: true, GroupId: groupId };
}
