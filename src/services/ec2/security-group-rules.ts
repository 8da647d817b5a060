// The rules of security groups: Authorize*, Revoke*, DescribeSecurityGroupRules,
// ModifySecurityGroupRules and UpdateSecurityGroupRuleDescriptions*. Every change to a group's
// rules is one write of its document whose mutate checks against the rules as they are then,
// and throws to change nothing: a call adds, removes or rewrites all it asks for, or none.
import type { IpPermission, RevokedSecurityGroupRule, SecurityGroupRule, TagSpecification } from "@aws-sdk/client-ec2";
import type { StoredSecurityGroup } from "../../domain/ec2/documents.js";
import {
  checkAdditions,
  matchRules,
  permissionOf,
  ruleDescription,
  ruleWith,
  specFromRuleRequest,
  specsFromPermissions,
  type RuleSpec,
} from "../../domain/ec2/security-group-rules.js";
import { tagsFromSpecifications } from "../../domain/ec2/tags.js";
import type { Ec2Context, Ec2Handlers } from "./context.js";
import { Ec2Error } from "./errors.js";
import { dryRunDone, filtered, paged } from "./common.js";
import {
  checkRuleId,
  groupHandler,
  groupById,
  groupNotFound,
  groupResolver,
  namedGroup,
  newRule,
  ruleNotFound,
  ruleOut,
} from "./security-group-support.js";

/** The top-level parameters older clients send instead of IpPermissions (AWS CLI's --protocol/--port/--cidr among them). */
interface LegacyPermission {
  IpProtocol?: string;
  FromPort?: number;
  ToPort?: number;
  CidrIp?: string;
  SourceSecurityGroupName?: string;
  SourceSecurityGroupOwnerId?: string;
  IpPermissions?: IpPermission[];
}

const LEGACY = ["IpProtocol", "FromPort", "ToPort", "CidrIp", "SourceSecurityGroupName", "SourceSecurityGroupOwnerId"] as const;

/**
 * The permissions a call asks for. For ingress, the legacy parameters make one permission,
 * and a source group named alone allows all of ICMP, TCP and UDP from it, as EC2 documents.
 * Egress takes IpPermissions only (EC2 does not support the legacy form there).
 */
function permissionsOfCall(input: LegacyPermission, isEgress: boolean): IpPermission[] {
  const legacy = LEGACY.filter((k) => input[k] !== undefined);
  if (legacy.length > 0 && isEgress)
    throw new Ec2Error("InvalidParameterCombination", `The parameter ${legacy[0]} is not supported for egress rules; use IpPermissions.`);
  if (legacy.length > 0 && input.IpPermissions?.length)
    throw new Ec2Error("InvalidParameterCombination", `The parameter ${legacy[0]} cannot be used in combination with IpPermissions.`);
  if (legacy.length === 0) {
    if (!input.IpPermissions?.length) throw new Ec2Error("MissingParameter", "The request must contain the parameter ipPermissions");
    return input.IpPermissions;
  }
  if (input.SourceSecurityGroupName !== undefined) {
    const other = legacy.find((k) => k !== "SourceSecurityGroupName" && k !== "SourceSecurityGroupOwnerId");
    if (other)
      throw new Ec2Error(
        "InvalidParameterCombination",
        `The parameter ${other} cannot be used in combination with SourceSecurityGroupName.`,
      );
    const pairs = [{ GroupName: input.SourceSecurityGroupName, UserId: input.SourceSecurityGroupOwnerId }];
    return [
      { IpProtocol: "icmp", FromPort: -1, ToPort: -1, UserIdGroupPairs: pairs },
      { IpProtocol: "tcp", FromPort: 0, ToPort: 65535, UserIdGroupPairs: pairs },
      { IpProtocol: "udp", FromPort: 0, ToPort: 65535, UserIdGroupPairs: pairs },
    ];
  }
  return [
    {
      IpProtocol: input.IpProtocol,
      FromPort: input.FromPort,
      ToPort: input.ToPort,
      IpRanges: input.CidrIp === undefined ? [] : [{ CidrIp: input.CidrIp }],
    },
  ];
}

/**
 * Writes `group`'s document with `change` applied to its current rules; a throw leaves it as
 * it was. A dry run throws once every check has passed, so it answers as the call would.
 */
async function changeRules(
  ctx: Ec2Context,
  group: StoredSecurityGroup,
  dryRun: boolean | undefined,
  change: (rules: SecurityGroupRule[]) => SecurityGroupRule[],
): Promise<void> {
  const groupId = group.group.GroupId!;
  await ctx.state.securityGroups.write(ctx.scope, groupId, (current) => {
    if (!current) throw groupNotFound(groupId);
    const rules = change(current.rules);
    if (dryRun) throw dryRunDone();
    return { ...current, rules };
  });
}

type AuthorizeInput = LegacyPermission & { GroupId?: string; GroupName?: string; TagSpecifications?: TagSpecification[]; DryRun?: boolean };

async function authorize(ctx: Ec2Context, input: AuthorizeInput, isEgress: boolean) {
  const group = await namedGroup(ctx, input);
  const permissions = permissionsOfCall(input, isEgress);
  const tags = tagsFromSpecifications(input.TagSpecifications, "security-group-rule");
  const specs = specsFromPermissions(permissions, isEgress, await groupResolver(ctx, group.group.VpcId!));
  const made = specs.map((spec) => newRule(ctx.scope, group.group.GroupId!, spec, tags));
  await changeRules(ctx, group, input.DryRun, (rules) => {
    checkAdditions(rules, specs);
    return [...rules, ...made];
  });
  return { Return: true, SecurityGroupRules: made.map((r) => ruleOut(ctx.scope, r)) };
}

const revokedOut = (rule: SecurityGroupRule): RevokedSecurityGroupRule => ({
  SecurityGroupRuleId: rule.SecurityGroupRuleId,
  GroupId: rule.GroupId,
  IsEgress: rule.IsEgress,
  IpProtocol: rule.IpProtocol,
  FromPort: rule.FromPort,
  ToPort: rule.ToPort,
  CidrIpv4: rule.CidrIpv4,
  CidrIpv6: rule.CidrIpv6,
  PrefixListId: rule.PrefixListId,
  ReferencedGroupId: rule.ReferencedGroupInfo?.GroupId,
  Description: rule.Description,
});

const NO_SUCH_RULE = "The specified rule does not exist in this security group.";

/** The rules of `rules` whose ids are `ids`, in `isEgress`'s direction; any other id is not found. */
function rulesWithIds(rules: readonly SecurityGroupRule[], ids: readonly string[], isEgress: boolean): SecurityGroupRule[] {
  return ids.map((id) => {
    const rule = rules.find((r) => r.SecurityGroupRuleId === id && r.IsEgress === isEgress);
    if (!rule) throw ruleNotFound(id);
    return rule;
  });
}

type RevokeInput = LegacyPermission & { GroupId?: string; GroupName?: string; SecurityGroupRuleIds?: string[]; DryRun?: boolean };

async function revoke(ctx: Ec2Context, input: RevokeInput, isEgress: boolean) {
  const group = await namedGroup(ctx, input);
  let removed: SecurityGroupRule[] = [];
  let unknown: RuleSpec[] = [];
  if (input.SecurityGroupRuleIds?.length) {
    if (input.IpPermissions?.length || LEGACY.some((k) => input[k] !== undefined))
      throw new Ec2Error("InvalidParameterCombination", "Specify either SecurityGroupRuleIds or the rules' properties, not both.");
    input.SecurityGroupRuleIds.forEach(checkRuleId);
    const ids = input.SecurityGroupRuleIds;
    await changeRules(ctx, group, input.DryRun, (rules) => {
      removed = rulesWithIds(rules, ids, isEgress);
      return rules.filter((r) => !removed.includes(r));
    });
  } else {
    const specs = specsFromPermissions(permissionsOfCall(input, isEgress), isEgress, await groupResolver(ctx, group.group.VpcId!));
    // EC2 forgives rules that match nothing in a default VPC (answering them as unknown), not elsewhere.
    const inDefaultVpc = (await ctx.state.vpcs.get(ctx.scope, group.group.VpcId!))?.vpc.IsDefault === true;
    await changeRules(ctx, group, input.DryRun, (rules) => {
      const { matched, unmatched } = matchRules(rules, specs);
      if (unmatched.length > 0 && !inDefaultVpc) throw new Ec2Error("InvalidPermission.NotFound", NO_SUCH_RULE);
      [removed, unknown] = [matched, unmatched];
      return rules.filter((r) => !matched.includes(r));
    });
  }
  return {
    Return: true,
    RevokedSecurityGroupRules: removed.map(revokedOut),
    ...(unknown.length > 0 ? { UnknownIpPermissions: unknown.map(permissionOf) } : {}),
  };
}

type DescriptionsInput = {
  GroupId?: string;
  GroupName?: string;
  IpPermissions?: IpPermission[];
  SecurityGroupRuleDescriptions?: { SecurityGroupRuleId?: string; Description?: string }[];
  DryRun?: boolean;
};

async function updateDescriptions(ctx: Ec2Context, input: DescriptionsInput, isEgress: boolean) {
  const group = await namedGroup(ctx, input);
  if (input.SecurityGroupRuleDescriptions?.length) {
    if (input.IpPermissions?.length)
      throw new Ec2Error("InvalidParameterCombination", "Specify either SecurityGroupRuleDescriptions or IpPermissions, not both.");
    const wanted = input.SecurityGroupRuleDescriptions.map((d) => {
      if (d.SecurityGroupRuleId === undefined)
        throw new Ec2Error("MissingParameter", "The request must contain the parameter SecurityGroupRuleId");
      checkRuleId(d.SecurityGroupRuleId);
      return { id: d.SecurityGroupRuleId, description: ruleDescription(d.Description) };
    });
    await changeRules(ctx, group, input.DryRun, (rules) => {
      rulesWithIds(
        rules,
        wanted.map((w) => w.id),
        isEgress,
      );
      return rules.map((r) => {
        const change = wanted.find((w) => w.id === r.SecurityGroupRuleId);
        return change ? withDescription(r, change.description) : r;
      });
    });
    return { Return: true };
  }
  if (!input.IpPermissions?.length)
    throw new Ec2Error("MissingParameter", "The request must contain either IpPermissions or SecurityGroupRuleDescriptions");
  const specs = specsFromPermissions(input.IpPermissions, isEgress, await groupResolver(ctx, group.group.VpcId!));
  await changeRules(ctx, group, input.DryRun, (rules) => {
    const { matched, unmatched } = matchRules(rules, specs);
    if (unmatched.length > 0) throw new Ec2Error("InvalidPermission.NotFound", NO_SUCH_RULE);
    return rules.map((r) => {
      const at = matched.indexOf(r);
      return at < 0 ? r : withDescription(r, specs[at]!.Description);
    });
  });
  return { Return: true };
}

function withDescription(rule: SecurityGroupRule, description: string | undefined): SecurityGroupRule {
  const { Description: _old, ...rest } = rule;
  return description === undefined ? rest : { ...rest, Description: description };
}

export const securityGroupRulesOperations = {
  AuthorizeSecurityGroupIngress: groupHandler((ctx, input) => authorize(ctx, input, false)),
  AuthorizeSecurityGroupEgress: groupHandler((ctx, input) => authorize(ctx, input, true)),
  RevokeSecurityGroupIngress: groupHandler((ctx, input) => revoke(ctx, input, false)),
  RevokeSecurityGroupEgress: groupHandler((ctx, input) => revoke(ctx, input, true)),
  UpdateSecurityGroupRuleDescriptionsIngress: groupHandler((ctx, input) => updateDescriptions(ctx, input, false)),
  UpdateSecurityGroupRuleDescriptionsEgress: groupHandler((ctx, input) => updateDescriptions(ctx, input, true)),

  DescribeSecurityGroupRules: groupHandler(async (ctx, input) => {
    let rules = (await ctx.state.securityGroups.list(ctx.scope)).flatMap((g) => g.rules);
    if (input.SecurityGroupRuleIds?.length) {
      input.SecurityGroupRuleIds.forEach(checkRuleId);
      const known = new Set(rules.map((r) => r.SecurityGroupRuleId));
      const missing = input.SecurityGroupRuleIds.find((id) => !known.has(id));
      if (missing !== undefined) throw ruleNotFound(missing);
      const wanted = new Set(input.SecurityGroupRuleIds);
      rules = rules.filter((r) => wanted.has(r.SecurityGroupRuleId!));
    }
    const matching = filtered<SecurityGroupRule>(
      rules,
      input.Filters,
      { "group-id": (r) => r.GroupId, "security-group-rule-id": (r) => r.SecurityGroupRuleId },
      (r) => r.Tags,
    );
    const page = paged(matching, (r) => r.SecurityGroupRuleId!, input);
    if (input.DryRun) throw dryRunDone();
    return { SecurityGroupRules: page.items.map((r) => ruleOut(ctx.scope, r)), NextToken: page.nextToken };
  }),

  ModifySecurityGroupRules: groupHandler(async (ctx, input) => {
    const group = await groupById(ctx, input.GroupId ?? "");
    const updates = input.SecurityGroupRules ?? [];
    if (updates.length === 0) throw new Ec2Error("MissingParameter", "The request must contain the parameter SecurityGroupRules");
    const resolve = await groupResolver(ctx, group.group.VpcId!);
    updates.forEach((u) => checkRuleId(u.SecurityGroupRuleId ?? ""));
    const ids = updates.map((u) => u.SecurityGroupRuleId!);
    if (new Set(ids).size !== ids.length)
      throw new Ec2Error("InvalidParameterValue", "The same security group rule must not appear multiple times");
    await changeRules(ctx, group, input.DryRun, (rules) => {
      const targets = ids.map((id) => {
        const rule = rules.find((r) => r.SecurityGroupRuleId === id);
        if (!rule) throw ruleNotFound(id);
        return rule;
      });
      const specs = updates.map((u, i) => {
        if (!u.SecurityGroupRule) throw new Ec2Error("MissingParameter", "The request must contain the parameter SecurityGroupRule");
        return specFromRuleRequest(u.SecurityGroupRule, targets[i]!.IsEgress === true, resolve);
      });
      checkAdditions(rules, specs, new Set(ids));
      return rules.map((r) => {
        const at = targets.indexOf(r);
        return at < 0 ? r : ruleWith(r, specs[at]!);
      });
    });
    return { Return: true };
  }),
} satisfies Ec2Handlers;
