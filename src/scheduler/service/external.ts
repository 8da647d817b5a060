// The reconciler's step for a service with the EXTERNAL deployment controller: no deployments,
// no rolling update and no circuit breaker — the external controller decides those — only its
// task sets, each kept at its computedDesiredCount (task-sets.ts). What it shares with an
// ECS-controlled service: the throttle on tasks that fail to start, the placement and health
// events, the steady-state event once every set is STEADY_STATE, and DRAINING → INACTIVE.
import { isThrottled, launchAllowed, updateThrottle } from "./backoff.js";
import {
  REPEAT_AFTER_MS,
  conditionEvent,
  endConditions,
  failedHealthChecksMessage,
  steadyStateMessage,
  stoppedTasksMessage,
  throttledMessage,
  unableToPlaceMessage,
} from "./events.js";
import { observe } from "./observe.js";
import { scheduleTaskSets } from "./task-sets.js";
import { graceEndsAt, isPending, isPresent, isRunning } from "./task-state.js";
import type { Plan, ReconcileInput, ReconcilerMemory, TaskSetRecord } from "./types.js";

const STEADY = "steady";
const THROTTLED = "throttled";
const PLACEMENT = "placement:";

export function reconcileExternal(input: ReconcileInput, taskSets: readonly TaskSetRecord[]): Plan {
  const { service, now, memory } = input;
  const nowMs = now.getTime();
  const name = service.serviceName;
  const active = service.status === "ACTIVE";
  const desired = active ? Math.max(0, service.desiredCount) : 0;
  const grace = service.healthCheckGracePeriodSeconds ?? 0;
  const messages: string[] = [];
  let conditions = memory.conditions;
  const once = (key: string, message: string) => {
    const result = conditionEvent(conditions, key, nowMs);
    conditions = result.conditions;
    if (result.emit) messages.push(message);
  };

  const observation = observe(input.tasks, memory, nowMs);
  const unplaced = (input.unplaced ?? []).filter((u) => u.count > 0);
  const throttle = updateThrottle(
    { launchFailures: memory.launchFailures, nextLaunchAt: memory.nextLaunchAt },
    observation.outcomes,
    unplaced.reduce((sum, u) => sum + u.count, 0),
    false,
    nowMs,
  );
  for (const u of unplaced) {
    const message = unableToPlaceMessage(name, u);
    once(PLACEMENT + message, message);
  }
  if (isThrottled(throttle)) once(THROTTLED, throttledMessage(name));

  const schedule = scheduleTaskSets({
    taskSets,
    tasks: input.tasks,
    desired,
    drainingInstances: new Set(input.instances.filter((i) => i.status === "DRAINING").map((i) => i.arn)),
    now,
    graceSeconds: grace,
    canLaunch: active && launchAllowed(throttle, nowMs),
  });
  for (const arn of schedule.unhealthy) messages.push(failedHealthChecksMessage(name, arn));
  if (schedule.stop.length > 0)
    messages.push(
      stoppedTasksMessage(
        name,
        schedule.stop.map((s) => s.taskArn),
      ),
    );

  const idle = schedule.start.length === 0 && schedule.stop.length === 0;
  const steady = active && idle && schedule.taskSets.every((s) => s.stabilityStatus === "STEADY_STATE");
  if (steady) once(STEADY, steadyStateMessage(name));
  const progressed = steady || observation.outcomes.some((o) => o.kind === "running");
  conditions = endConditions(
    conditions,
    (key) => (key === STEADY && !steady) || (key === THROTTLED && !isThrottled(throttle)) || (key.startsWith(PLACEMENT) && progressed),
  );

  const nextMemory: ReconcilerMemory = {
    ...observation.seen,
    launchFailures: throttle.launchFailures,
    ...(throttle.nextLaunchAt !== undefined ? { nextLaunchAt: throttle.nextLaunchAt } : {}),
    conditions,
  };
  const wakes: number[] = [];
  if (throttle.nextLaunchAt !== undefined && throttle.nextLaunchAt > nowMs) wakes.push(throttle.nextLaunchAt);
  if (conditions[STEADY] !== undefined) wakes.push(conditions[STEADY] + REPEAT_AFTER_MS);
  for (const t of input.tasks) {
    const end = isRunning(t) && t.hasHealthCheck && t.healthStatus !== "HEALTHY" ? graceEndsAt(t, grace) : undefined;
    if (end !== undefined && end > nowMs) wakes.push(end);
  }
  const drained = !active && schedule.start.length === 0 && input.tasks.every((t) => !isPresent(t));
  return {
    start: schedule.start,
    stop: schedule.stop,
    deployments: [...input.deployments],
    events: messages.map((message) => ({ message })),
    memory: nextMemory,
    ...(wakes.length ? { wakeAt: new Date(Math.min(...wakes)) } : {}),
    ...(drained && service.status === "DRAINING" ? { serviceStatus: "INACTIVE" as const } : {}),
    desiredCount: desired,
    runningCount: schedule.remaining.filter(isRunning).length,
    pendingCount: schedule.remaining.filter(isPending).length,
    taskSets: schedule.taskSets,
  };
}
