// Target groups: CreateTargetGroup (idempotent for the same name and settings, as ELB is),
// DescribeTargetGroups with the load balancers that forward to each, ModifyTargetGroup (the
// health check), DeleteTargetGroup (refused while a listener or rule forwards to it), and the
// group's attributes. Their targets are registered by ./targets.ts.
import type {
  CreateTargetGroupInput,
  CreateTargetGroupOutput,
  DeleteTargetGroupInput,
  DescribeTargetGroupAttributesInput,
  DescribeTargetGroupAttributesOutput,
  DescribeTargetGroupsInput,
  DescribeTargetGroupsOutput,
  ModifyTargetGroupAttributesInput,
  ModifyTargetGroupAttributesOutput,
  ModifyTargetGroupInput,
  ModifyTargetGroupOutput,
  TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { elbIdOf, newElbId, targetGroupArn } from "../../domain/elbv2/arns.js";
import type { StoredTargetGroup } from "../../domain/elbv2/documents.js";
import { healthCheckOf, newTargetGroupSettings, sameSettings, type HealthCheckSettings } from "../../domain/elbv2/target-group.js";
import { defaultTargetGroupAttributes, withAttributesChanged } from "../../domain/elbv2/target-group-attributes.js";
import { ensureDefaultVpc } from "../../state/default-vpc.js";
import type { Elbv2Context, Elbv2Handlers } from "./context.js";
import { Elbv2Error } from "./errors.js";
import { findTargetGroup, requireLoadBalancer, requireTargetGroup, targetGroupIdOf, targetGroupNotFound } from "./lookup.js";
import { requestedPage } from "./paging.js";
import { routingChange } from "./routing.js";
import { loadBalancerArnsByTargetGroup, loadBalancerArnsOf, targetGroupInUse } from "./target-group-usage.js";

/** ELB's default quota of target groups per account and region. */
export const MAX_TARGET_GROUPS = 3000;

/** A group as Describe answers it: with the load balancers that forward to it. */
function described(doc: StoredTargetGroup, loadBalancerArns: readonly string[] | undefined): TargetGroup {
  return { ...doc.targetGroup, LoadBalancerArns: [...(loadBalancerArns ?? [])] };
}

async function createTargetGroup(ctx: Elbv2Context, input: CreateTargetGroupInput): Promise<CreateTargetGroupOutput> {
  const settings = newTargetGroupSettings(input);
  await ensureDefaultVpc(ctx.state.ec2, ctx.scope, ctx.now);
  if (!(await ctx.state.ec2.vpcs.get(ctx.scope, settings.VpcId!)))
    throw new Elbv2Error("ValidationError", `The VPC ID '${settings.VpcId}' is not found`);
  // Under the routing lock: a name stays unique, and a group being deleted is not forwarded to meanwhile.
  return routingChange(ctx, async () => {
    const all = await ctx.state.elbv2.targetGroups.list(ctx.scope);
    const same = all.find((g) => g.targetGroup.TargetGroupName === settings.TargetGroupName);
    if (same) {
      if (!sameSettings(same.targetGroup, settings))
        throw new Elbv2Error(
          "DuplicateTargetGroupNameException",
          `A target group with the same name '${settings.TargetGroupName}' exists, but with different settings`,
        );
      return { TargetGroups: [described(same, await loadBalancerArnsOf(ctx, same.targetGroup.TargetGroupArn!))] };
    }
    if (all.length >= MAX_TARGET_GROUPS)
      throw new Elbv2Error(
        "TooManyTargetGroupsException",
        "You have reached the limit on the number of target groups for your AWS account",
      );
    const id = newElbId();
    const doc: StoredTargetGroup = {
      targetGroup: { TargetGroupArn: targetGroupArn(ctx.scope, settings.TargetGroupName!, id), ...settings },
      attributes: defaultTargetGroupAttributes({ protocol: settings.Protocol!, targetType: settings.TargetType! }),
      tags: input.Tags ?? [],
      targets: [],
      createdAt: ctx.now.getTime(),
    };
    await ctx.state.elbv2.targetGroups.putMany(ctx.scope, [{ id, doc }]);
    ctx.log.info("target group created", { targetGroupArn: doc.targetGroup.TargetGroupArn });
    return { TargetGroups: [{ ...doc.targetGroup, LoadBalancerArns: [] }] };
  });
}

async function describeTargetGroups(ctx: Elbv2Context, input: DescribeTargetGroupsInput): Promise<DescribeTargetGroupsOutput> {
  const arns = input.TargetGroupArns ?? [];
  const names = input.Names ?? [];
  const given = [arns.length > 0, names.length > 0, input.LoadBalancerArn !== undefined].filter(Boolean).length;
  if (given > 1) throw new Elbv2Error("ValidationError", "Only one of TargetGroupArns, Names or LoadBalancerArn can be specified");
  const usage = await loadBalancerArnsByTargetGroup(ctx);
  let chosen = [...(await ctx.state.elbv2.targetGroups.list(ctx.scope))].sort(byName);
  if (arns.length > 0) {
    for (const arn of arns) targetGroupIdOf(ctx, arn);
    const byArn = new Map(chosen.map((g) => [g.targetGroup.TargetGroupArn!, g]));
    if (arns.some((a) => !byArn.has(a))) throw targetGroupNotFound();
    chosen = chosen.filter((g) => arns.includes(g.targetGroup.TargetGroupArn!));
  } else if (names.length > 0) {
    const missing = names.filter((n) => !chosen.some((g) => g.targetGroup.TargetGroupName === n));
    if (missing.length > 0) throw targetGroupNotFound();
    chosen = chosen.filter((g) => names.includes(g.targetGroup.TargetGroupName!));
  } else if (input.LoadBalancerArn !== undefined) {
    const lbArn = input.LoadBalancerArn;
    await requireLoadBalancer(ctx, lbArn);
    chosen = chosen.filter((g) => (usage.get(g.targetGroup.TargetGroupArn!) ?? []).includes(lbArn));
  }
  const page = requestedPage(chosen, (g) => g.targetGroup.TargetGroupArn!, input, 400);
  return { TargetGroups: page.items.map((g) => described(g, usage.get(g.targetGroup.TargetGroupArn!))), NextMarker: page.NextMarker };
}

const byName = (a: StoredTargetGroup, b: StoredTargetGroup) =>
  a.targetGroup.TargetGroupName! < b.targetGroup.TargetGroupName!
    ? -1
    : a.targetGroup.TargetGroupName! > b.targetGroup.TargetGroupName!
      ? 1
      : 0;

const HEALTH_CHECK_KEYS: (keyof HealthCheckSettings)[] = [
  "HealthCheckEnabled",
  "HealthCheckProtocol",
  "HealthCheckPort",
  "HealthCheckPath",
  "HealthCheckIntervalSeconds",
  "HealthCheckTimeoutSeconds",
  "HealthyThresholdCount",
  "UnhealthyThresholdCount",
  "Matcher",
];

async function modifyTargetGroup(ctx: Elbv2Context, input: ModifyTargetGroupInput): Promise<ModifyTargetGroupOutput> {
  const doc = await requireTargetGroup(ctx, input.TargetGroupArn!);
  const written = await ctx.state.elbv2.targetGroups.write(ctx.scope, elbIdOf(input.TargetGroupArn!), (cur) => {
    if (!cur) throw targetGroupNotFound();
    const tg = cur.targetGroup;
    const check = healthCheckOf(tg.Protocol!, tg.TargetType!, input, tg);
    const rest = Object.fromEntries(Object.entries(tg).filter(([k]) => !(HEALTH_CHECK_KEYS as string[]).includes(k)));
    return { ...cur, targetGroup: { ...rest, ...check } };
  });
  ctx.log.info("target group modified", { targetGroupArn: doc.targetGroup.TargetGroupArn });
  return { TargetGroups: [described(written!, await loadBalancerArnsOf(ctx, written!.targetGroup.TargetGroupArn!))] };
}

async function deleteTargetGroup(ctx: Elbv2Context, input: DeleteTargetGroupInput): Promise<object> {
  const arn = input.TargetGroupArn!;
  targetGroupIdOf(ctx, arn);
  // Under the routing lock, so that no listener or rule starts forwarding to the group between the check and the deletion.
  return routingChange(ctx, async () => {
    // Deleting a group that is not there (any more) succeeds, as on ELB.
    const doc = await findTargetGroup(ctx, arn);
    if (!doc) return {};
    if ((await targetGroupInUse(ctx, arn)) !== undefined)
      throw new Elbv2Error("ResourceInUseException", `Target group '${arn}' is currently in use by a listener or a rule`);
    await ctx.state.elbv2.targetGroups.remove(ctx.scope, elbIdOf(arn));
    ctx.log.info("target group deleted", { targetGroupArn: arn });
    return {};
  });
}

async function describeTargetGroupAttributes(
  ctx: Elbv2Context,
  input: DescribeTargetGroupAttributesInput,
): Promise<DescribeTargetGroupAttributesOutput> {
  return { Attributes: (await requireTargetGroup(ctx, input.TargetGroupArn!)).attributes };
}

async function modifyTargetGroupAttributes(
  ctx: Elbv2Context,
  input: ModifyTargetGroupAttributesInput,
): Promise<ModifyTargetGroupAttributesOutput> {
  await requireTargetGroup(ctx, input.TargetGroupArn!);
  const written = await ctx.state.elbv2.targetGroups.write(ctx.scope, elbIdOf(input.TargetGroupArn!), (cur) => {
    if (!cur) throw targetGroupNotFound();
    const kind = { protocol: cur.targetGroup.Protocol!, targetType: cur.targetGroup.TargetType! };
    return { ...cur, attributes: withAttributesChanged(kind, cur.attributes, input.Attributes!) };
  });
  return { Attributes: written!.attributes };
}

export const targetGroupsOperations: Elbv2Handlers = {
  CreateTargetGroup: createTargetGroup,
  DescribeTargetGroups: describeTargetGroups,
  ModifyTargetGroup: modifyTargetGroup,
  DeleteTargetGroup: deleteTargetGroup,
  DescribeTargetGroupAttributes: describeTargetGroupAttributes,
  ModifyTargetGroupAttributes: modifyTargetGroupAttributes,
};
