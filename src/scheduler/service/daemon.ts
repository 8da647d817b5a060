// DAEMON scheduling: exactly one task on every ACTIVE container instance that meets the
// service's constraints (`eligible`) and whose agent is connected, instances that join
// later included. Tasks on DRAINING, ineligible or vanished instances are stopped. A new
// deployment replaces the task of each instance in place — stop the old one, start the
// new one once the old is gone (the instance's ports and memory are free again) — as far
// as minimumHealthyPercent allows (DAEMON default 0%: all at once).
import { type Schedule, type ScheduleContext, scalingActivityReason } from "./replica.js";
import { healthStopReason, byAge, isHealthy, isLive, isPresent, isUnhealthy } from "./task-state.js";
import type { ObservedTask, ServiceInstance, TaskStop } from "./types.js";

/** ACTIVE instances that meet the constraints: the service's desired count. */
export const daemonInstances = (instances: readonly ServiceInstance[]): ServiceInstance[] =>
  instances.filter((i) => i.status === "ACTIVE" && i.eligible);

export function scheduleDaemon(
  tasks: readonly ObservedTask[],
  instances: readonly ServiceInstance[],
  serviceDraining: boolean,
  ctx: ScheduleContext,
): Schedule {
  const healthy = (t: ObservedTask) => isHealthy(t, ctx.now, ctx.graceSeconds);
  const primaryId = ctx.primary?.id;
  const reason = scalingActivityReason(primaryId);
  const frozen = ctx.primary?.rolloutState === "FAILED";
  const canReplace = ctx.canLaunch && !frozen && ctx.primary !== undefined && !serviceDraining;
  const targets = serviceDraining ? [] : daemonInstances(instances);
  const targetSet = new Set(targets.map((i) => i.arn));

  const counted = tasks.filter(isLive).sort(byAge);
  const unhealthy = counted.filter((t) => isUnhealthy(t, ctx.now, ctx.graceSeconds));
  const stops: TaskStop[] = unhealthy.map((t) => ({ taskArn: t.taskArn, reason: healthStopReason(t) }));
  const remaining = counted.filter((t) => !unhealthy.includes(t));

  const onInstance = new Map<string, ObservedTask[]>();
  for (const t of remaining) {
    const arn = t.containerInstanceArn;
    if (arn !== undefined && targetSet.has(arn)) onInstance.set(arn, [...(onInstance.get(arn) ?? []), t]);
    else stops.push({ taskArn: t.taskArn, reason });
  }

  // Best first: the PRIMARY's, healthy, oldest.
  const preference = (a: ObservedTask, b: ObservedTask) =>
    Number(b.deploymentId === primaryId) - Number(a.deploymentId === primaryId) || Number(healthy(b)) - Number(healthy(a)) || byAge(a, b);
  const kept: ObservedTask[] = [];
  for (const list of onInstance.values()) {
    const [best, ...duplicates] = [...list].sort(preference);
    kept.push(best!);
    for (const t of duplicates) stops.push({ taskArn: t.taskArn, reason });
  }

  let healthyCount = kept.filter(healthy).length;
  const outdated = kept.filter((t) => t.deploymentId !== primaryId).sort((a, b) => Number(healthy(a)) - Number(healthy(b)) || byAge(a, b));
  let replaced = 0;
  if (canReplace) {
    for (const t of outdated) {
      if (healthy(t)) {
        if (healthyCount - 1 < ctx.bounds.minHealthy) continue;
        healthyCount -= 1;
      }
      replaced += 1;
      stops.push({ taskArn: t.taskArn, reason });
    }
  }

  // An instance gets its task once nothing of the service is left on it, stopping or not.
  const occupied = new Set(tasks.filter(isPresent).map((t) => t.containerInstanceArn));
  const startOn = canReplace ? targets.filter((i) => i.agentConnected && !occupied.has(i.arn)).map((i) => i.arn) : [];
  const stuck = canReplace && stops.length === 0 && startOn.length === 0 && outdated.length > 0 && replaced === 0 && kept.every(healthy);
  return { startCount: startOn.length, startOn, stops, unhealthy: unhealthy.map((t) => t.taskArn), stuck };
}
