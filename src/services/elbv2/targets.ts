// A target group's targets: RegisterTargets, DeregisterTargets (the target drains for the
// group's deregistration delay) and DescribeTargetHealth, which tells ELB's state of each from
// its registration, the group's use by a load balancer and the data plane's health checks.
// A registration whose drain has ended counts as gone here even while its document still
// holds it (the data plane removes those on its own timer).
import type {
  DeregisterTargetsInput,
  DescribeTargetHealthInput,
  DescribeTargetHealthOutput,
  RegisterTargetsInput,
  TargetDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { elbIdOf } from "../../domain/elbv2/arns.js";
import type { StoredTargetGroup } from "../../domain/elbv2/documents.js";
import { isLive, targetHealthDescription } from "../../domain/elbv2/health-description.js";
import { healthKey } from "../../domain/elbv2/target-health.js";
import {
  checkTargetCount,
  targetsToDeregister,
  targetsToRegister,
  type RegistrationWorld,
} from "../../domain/elbv2/target-registration.js";
import { withDrainedRemoved, withTargetsDeregistered, withTargetsRegistered } from "../../domain/elbv2/targets.js";
import { availabilityZones } from "../../domain/ec2/zones.js";
import { availabilityZoneOf } from "../../domain/container-instance.js";
import type { Elbv2Context, Elbv2Handlers } from "./context.js";
import { Elbv2Error } from "./errors.js";
import { requireTargetGroup, targetGroupNotFound } from "./lookup.js";
import { targetGroupInUse } from "./target-group-usage.js";

/** berth's container instances of the account and region (not its FARGATE hosts), by EC2 instance id. */
async function containerInstances(ctx: Elbv2Context): Promise<Map<string, { zone: string }>> {
  const instances = new Map<string, { zone: string }>();
  for (const i of await ctx.state.instances.list(ctx.scope)) {
    if (i.fargateHost || !i.instance.ec2InstanceId) continue;
    instances.set(i.instance.ec2InstanceId, { zone: availabilityZoneOf(i.instance) });
  }
  return instances;
}

async function registrationWorld(ctx: Elbv2Context, group: StoredTargetGroup): Promise<RegistrationWorld> {
  const vpcId = group.targetGroup.VpcId!;
  const ip = group.targetGroup.TargetType === "ip";
  const [vpc, subnets, instances] = await Promise.all([
    ctx.state.ec2.vpcs.get(ctx.scope, vpcId),
    ip ? ctx.state.ec2.subnets.list(ctx.scope, { parent: vpcId }) : [],
    ip ? new Map<string, { zone: string }>() : containerInstances(ctx),
  ]);
  return {
    vpcCidr: vpc?.vpc.CidrBlock ?? "",
    subnets: subnets.map((s) => ({ cidr: s.subnet.CidrBlock!, zone: s.subnet.AvailabilityZone! })),
    zones: availabilityZones(ctx.scope.region).map((z) => z.ZoneName!),
    instances,
    hostPortBindIp: ctx.hostPortBindIp,
    now: ctx.now.getTime(),
  };
}

async function registerTargets(ctx: Elbv2Context, input: RegisterTargetsInput): Promise<object> {
  const arn = input.TargetGroupArn!;
  const group = await requireTargetGroup(ctx, arn);
  const targets = targetsToRegister(group, input.Targets!, await registrationWorld(ctx, group));
  const now = ctx.now.getTime();
  await ctx.state.elbv2.targetGroups.write(ctx.scope, elbIdOf(arn), (cur) => {
    if (!cur) throw targetGroupNotFound();
    const base = withDrainedRemoved(cur, now) ?? cur;
    const next = withTargetsRegistered(base, targets) ?? base;
    checkTargetCount(next);
    return next === cur ? undefined : next;
  });
  ctx.log.info("targets registered", { targetGroupArn: arn, targets: targets.map((t) => `${t.id}:${t.port}`) });
  return {};
}

async function deregisterTargets(ctx: Elbv2Context, input: DeregisterTargetsInput): Promise<object> {
  const arn = input.TargetGroupArn!;
  await requireTargetGroup(ctx, arn);
  const now = ctx.now.getTime();
  await ctx.state.elbv2.targetGroups.write(ctx.scope, elbIdOf(arn), (cur) => {
    if (!cur) throw targetGroupNotFound();
    const refs = targetsToDeregister(cur, input.Targets!, now);
    const base = withDrainedRemoved(cur, now) ?? cur;
    const next = withTargetsDeregistered(base, refs, now) ?? base;
    return next === cur ? undefined : next;
  });
  ctx.log.info("targets deregistered", { targetGroupArn: arn, targets: input.Targets!.map((t) => t.Id) });
  return {};
}

async function describeTargetHealth(ctx: Elbv2Context, input: DescribeTargetHealthInput): Promise<DescribeTargetHealthOutput> {
  const arn = input.TargetGroupArn!;
  const group = await requireTargetGroup(ctx, arn);
  const tg = group.targetGroup;
  const now = ctx.now.getTime();
  const live = group.targets.filter((t) => isLive(t, now));
  const asked = input.Targets?.length ? await askedTargets(ctx, group, input.Targets, live) : live;
  const inUse = (await targetGroupInUse(ctx, arn)) !== undefined;
  const healthCheck = { enabled: tg.HealthCheckEnabled !== false, port: tg.HealthCheckPort ?? "traffic-port" };
  return {
    TargetHealthDescriptions: asked.map((t) =>
      targetHealthDescription({
        target: t,
        registered: live.find((r) => r.id === t.id && r.port === t.port),
        inUse,
        healthCheck,
        observed: ctx.health.get(healthKey(elbIdOf(arn), t.id, t.port)),
        now,
      }),
    ),
  };
}

/**
 * The targets a DescribeTargetHealth names: one without a port stands for each of its live
 * registrations (or for the group's port when it has none). An instance group's ids must be
 * instances berth knows, as ELB answers InvalidTarget for an id of no instance.
 */
async function askedTargets(
  ctx: Elbv2Context,
  group: StoredTargetGroup,
  targets: readonly TargetDescription[],
  live: readonly { id: string; port: number; availabilityZone?: string }[],
): Promise<{ id: string; port: number; availabilityZone?: string }[]> {
  if (group.targetGroup.TargetType === "instance") {
    const known = await containerInstances(ctx);
    const unknown = targets.filter((t) => !known.has(t.Id!) && !live.some((r) => r.id === t.Id));
    if (unknown.length > 0)
      throw new Elbv2Error(
        "InvalidTargetException",
        `The following targets are not valid instances: ${unknown.map((t) => `'${t.Id}'`).join(", ")}`,
      );
  }
  return targets.flatMap((t) => {
    if (t.Port !== undefined) return [{ id: t.Id!, port: t.Port, availabilityZone: t.AvailabilityZone }];
    const registered = live.filter((r) => r.id === t.Id);
    return registered.length > 0 ? registered : [{ id: t.Id!, port: group.targetGroup.Port!, availabilityZone: t.AvailabilityZone }];
  });
}

export const targetsOperations: Elbv2Handlers = {
  RegisterTargets: registerTargets,
  DeregisterTargets: deregisterTargets,
  DescribeTargetHealth: describeTargetHealth,
};
