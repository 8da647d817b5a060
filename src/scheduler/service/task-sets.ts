// Scheduling the task sets of an EXTERNAL service: each set keeps computedDesiredCount tasks
// of its own (ceil(service desiredCount × scale %)), told apart by startedBy = the set's id.
// An external controller moves traffic and scale between sets itself, so there are no
// rolling-update bounds here: a set scaled up starts its tasks at once, a set scaled down or
// deleted (DRAINING) stops its surplus at once. UNHEALTHY tasks and tasks on DRAINING
// instances are replaced, as for any service. A DRAINING set with no task left is gone.
import type { StabilityStatus } from "@aws-sdk/client-ecs";
import { computedDesiredCount, type TaskSetRecord } from "../../domain/task-set.js";
import { scalingActivityReason } from "./replica.js";
import { healthStopReason, byAge, isHealthy, isLive, isPending, isPresent, isRunning, isUnhealthy } from "./task-state.js";
import type { ObservedTask, TaskStart, TaskStop } from "./types.js";

export interface TaskSetScheduleInput {
  taskSets: readonly TaskSetRecord[];
  /** The service's tasks, STOPPED ones included. */
  tasks: readonly ObservedTask[];
  /** The service's desiredCount; 0 while the service is DRAINING. */
  desired: number;
  drainingInstances: ReadonlySet<string>;
  now: Date;
  graceSeconds: number;
  /** False while the throttle holds launches back (or the service is not ACTIVE). */
  canLaunch: boolean;
}

export interface TaskSetSchedule {
  start: TaskStart[];
  stop: TaskStop[];
  /** Tasks stopped because they failed their health checks (each gets its own event). */
  unhealthy: string[];
  /** The sets after this run: counts and stability refreshed, DRAINING sets with no task left dropped. */
  taskSets: TaskSetRecord[];
  /** The tasks that stay counted after the stops. */
  remaining: ObservedTask[];
}

/** Pending first, then running but not healthy, then healthy; newest first within each: the order surplus is given up in. */
const surplusOrder = (healthy: (t: ObservedTask) => boolean) => (a: ObservedTask, b: ObservedTask) =>
  rankOf(a, healthy) - rankOf(b, healthy) || byAge(b, a);
const rankOf = (t: ObservedTask, healthy: (t: ObservedTask) => boolean) => (isPending(t) ? 0 : healthy(t) ? 2 : 1);

export function scheduleTaskSets(input: TaskSetScheduleInput): TaskSetSchedule {
  const { now, graceSeconds, drainingInstances } = input;
  const healthy = (t: ObservedTask) => isHealthy(t, now, graceSeconds);
  const onDraining = (t: ObservedTask) => t.containerInstanceArn !== undefined && drainingInstances.has(t.containerInstanceArn);
  // Tasks already asked to stop are neither kept nor stopped again.
  const counted = input.tasks.filter(isLive).sort(byAge);
  const ids = new Set(input.taskSets.map((s) => s.id));
  const start: TaskStart[] = [];
  const stop: TaskStop[] = [];
  const unhealthy: string[] = [];
  const remaining: ObservedTask[] = [];
  const taskSets: TaskSetRecord[] = [];

  // Tasks of no set (their set is gone): nothing keeps them.
  for (const t of counted)
    if (t.deploymentId === undefined || !ids.has(t.deploymentId))
      stop.push({ taskArn: t.taskArn, reason: scalingActivityReason(undefined) });

  for (const set of input.taskSets) {
    const target = set.status === "DRAINING" ? 0 : computedDesiredCount(input.desired, set.scale);
    const reason = scalingActivityReason(set.id);
    const own = counted.filter((t) => t.deploymentId === set.id);
    const kept: ObservedTask[] = [];
    for (const t of own) {
      if (isUnhealthy(t, now, graceSeconds)) {
        unhealthy.push(t.taskArn);
        stop.push({ taskArn: t.taskArn, reason: healthStopReason(t) });
      } else if (onDraining(t)) stop.push({ taskArn: t.taskArn, reason });
      else kept.push(t);
    }
    if (kept.length > target) {
      const surplus = [...kept].sort(surplusOrder(healthy)).slice(0, kept.length - target);
      for (const t of surplus) stop.push({ taskArn: t.taskArn, reason });
      kept.splice(0, kept.length, ...kept.filter((t) => !surplus.includes(t)));
    }
    const need = Math.max(0, target - kept.length);
    if (need > 0 && input.canLaunch) start.push({ deploymentId: set.id, taskDefinition: set.taskDefinition, count: need });
    remaining.push(...kept);

    const stillPresent = input.tasks.some((t) => t.deploymentId === set.id && isPresent(t));
    if (set.status === "DRAINING" && !stillPresent) continue;
    const runningCount = kept.filter(isRunning).length;
    const pendingCount = kept.filter(isPending).length;
    const steady =
      set.status !== "DRAINING" &&
      need === 0 &&
      runningCount === target &&
      pendingCount === 0 &&
      kept.length === own.length &&
      kept.every(healthy);
    taskSets.push(
      withCounts(set, { computedDesiredCount: target, runningCount, pendingCount }, steady ? "STEADY_STATE" : "STABILIZING", now),
    );
  }
  return { start, stop, unhealthy, taskSets, remaining };
}

/** The set with its new counts and stability; stabilityStatusAt and updatedAt move only when they change. */
function withCounts(
  set: TaskSetRecord,
  counts: Pick<TaskSetRecord, "computedDesiredCount" | "runningCount" | "pendingCount">,
  stability: StabilityStatus,
  now: Date,
): TaskSetRecord {
  const sameCounts =
    set.computedDesiredCount === counts.computedDesiredCount &&
    set.runningCount === counts.runningCount &&
    set.pendingCount === counts.pendingCount;
  const sameStability = set.stabilityStatus === stability;
  if (sameCounts && sameStability) return set;
  return {
    ...set,
    ...counts,
    stabilityStatus: stability,
    ...(sameStability ? {} : { stabilityStatusAt: now }),
    updatedAt: now,
  };
}
