// REPLICA scheduling: keep `desired` tasks of the PRIMARY deployment, replace the tasks of
// older deployments and of DRAINING instances, stop UNHEALTHY tasks — while the service's
// counted tasks stay ≤ maxTotal and its healthy tasks ≥ minHealthy (Bounds). New tasks are
// started up to the maximum; old ones are stopped only as far as the minimum allows, those
// that are not healthy first (stopping them costs no healthy task). A task being stopped
// still counts toward the maximum until it has stopped, as its containers still run; a
// scale-in protected task is not stopped by a scale-in or a deployment, which wait for it.
import type { Bounds } from "./deployment.js";
import type { PauseHold } from "./pause.js";
import { healthStopReason, byAge, isCounted, isHealthy, isLive, isPending, isProtected, isStopping, isUnhealthy } from "./task-state.js";
import type { DeploymentRecord, ObservedTask, TaskStop } from "./types.js";

/**
 * ECS's stoppedReason for every task its service scheduler stops, whether replaced, scaled in
 * or drained (health-check failures excepted), naming the PRIMARY deployment.
 */
export const scalingActivityReason = (deploymentId: string | undefined) =>
  deploymentId ? `Scaling activity initiated by (deployment ${deploymentId})` : "Scaling activity initiated";

export interface ScheduleContext {
  primary?: DeploymentRecord;
  bounds: Bounds;
  now: Date;
  graceSeconds: number;
  /** False while the throttle holds launches back (or the service is not ACTIVE). */
  canLaunch: boolean;
  /** The service is being deleted: every task goes, protected or not (protection guards against scale-in). */
  deleting?: boolean;
  /** A PAUSE lifecycle hook holds the older deployments' tasks (launches are held through canLaunch). */
  hold?: PauseHold;
}

export interface Schedule {
  /** REPLICA: how many PRIMARY tasks to place. DAEMON: the instances to start one on. */
  startCount: number;
  startOn: string[];
  stops: TaskStop[];
  /** Tasks stopped because they failed their health checks (each gets its own event). */
  unhealthy: string[];
  /** Work is left but the percentages allow neither a start nor a stop. */
  stuck: boolean;
}

/** Pending, then running but not (yet) healthy, then healthy: the order in which tasks are given up. */
const usefulness = (t: ObservedTask, healthy: (t: ObservedTask) => boolean) => (isPending(t) ? 0 : healthy(t) ? 2 : 1);

export function scheduleReplica(tasks: readonly ObservedTask[], drainingInstances: ReadonlySet<string>, ctx: ScheduleContext): Schedule {
  const { desired, minHealthy, maxTotal } = ctx.bounds;
  const healthy = (t: ObservedTask) => isHealthy(t, ctx.now, ctx.graceSeconds);
  const onDraining = (t: ObservedTask) => t.containerInstanceArn !== undefined && drainingInstances.has(t.containerInstanceArn);
  const primaryId = ctx.primary?.id;
  const frozen = ctx.primary?.rolloutState === "FAILED" && desired > 0;

  const live = tasks.filter(isLive).sort(byAge);
  const unhealthy = live.filter((t) => isUnhealthy(t, ctx.now, ctx.graceSeconds));
  const stops: TaskStop[] = unhealthy.map((t) => ({ taskArn: t.taskArn, reason: healthStopReason(t) }));
  const remaining = live.filter((t) => !unhealthy.includes(t));
  // Protection holds against scale-in and deployments, not against a drained instance or DeleteService.
  const guarded = (t: ObservedTask) => !ctx.deleting && isProtected(t, ctx.now) && !onDraining(t);

  let keepers = remaining.filter((t) => primaryId !== undefined && t.deploymentId === primaryId && !onDraining(t));
  const excess = new Set<ObservedTask>();
  if (keepers.length > desired) {
    // Scale-in gives up unprotected tasks first; protected ones beyond `desired` stay, held.
    const leastUseful = [...keepers].sort(
      (a, b) => Number(guarded(a)) - Number(guarded(b)) || usefulness(a, healthy) - usefulness(b, healthy) || byAge(b, a),
    );
    for (const t of leastUseful.slice(0, keepers.length - desired)) excess.add(t);
    keepers = keepers.filter((t) => !excess.has(t));
  }
  const keeperSet = new Set(keepers);
  // A FAILED deployment launches nothing, so nothing of the older ones is given up for it.
  // A paused deployment leaves the older tasks running (those on a draining instance still move).
  const paused = ctx.hold !== undefined && ctx.hold !== "none";
  const candidates = remaining
    .filter((t) => !keeperSet.has(t))
    .filter((t) => !frozen || excess.has(t) || onDraining(t))
    .filter((t) => !paused || excess.has(t) || onDraining(t));
  const held = candidates.filter(guarded);
  const retire = candidates.filter((t) => !guarded(t)).sort((a, b) => usefulness(a, healthy) - usefulness(b, healthy) || byAge(a, b));

  let healthyCount = remaining.filter(healthy).length;
  for (const t of retire) {
    if (healthy(t)) {
      if (healthyCount - 1 < minHealthy) continue;
      healthyCount -= 1;
    }
    stops.push({ taskArn: t.taskArn, reason: scalingActivityReason(primaryId) });
  }

  // Every task not yet STOPPED takes room, those this plan stops and those already stopping too.
  const need = frozen || !ctx.primary ? 0 : Math.max(0, desired - keepers.length);
  const room = Math.max(0, maxTotal - tasks.filter(isCounted).length);
  const startCount = ctx.canLaunch ? Math.min(need, room) : 0;
  const waiting = tasks.some(isStopping) || held.length > 0;
  const stuck =
    stops.length === 0 &&
    startCount === 0 &&
    ctx.canLaunch &&
    !frozen &&
    !paused &&
    !waiting &&
    (need > 0 || retire.length > 0) &&
    remaining.every(healthy);
  return { startCount, startOn: [], stops, unhealthy: unhealthy.map((t) => t.taskArn), stuck };
}
