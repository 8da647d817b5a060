// The reconciler's step for a service with the EXTERNAL deployment controller: no deployments,
// no rolling update and no circuit breaker — the external controller decides those — only its
// task sets, each kept at its computedDesiredCount (task-sets.ts). What it shares with an
// ECS-controlled service: the throttle on tasks that fail to start, the placement and health
// events, the steady-state event once every set is STEADY_STATE, and DRAINING → INACTIVE.
import { isThrottled, launchAllowed } from "./backoff.js";
import { REPEAT_AFTER_MS, unhealthyInTargetGroupMessage, steadyStateMessage, stoppedTasksMessage } from "./events.js";
import { PLACEMENT, RunEvents, STEADY, THROTTLED, throttleLaunches } from "./run-events.js";
import { observe } from "./observe.js";
import { scheduleTaskSets } from "./task-sets.js";
import { graceEndsAt, isPending, isPresent, isRunning } from "./task-state.js";
import type { Plan, ReconcileInput, ReconcilerMemory, TaskSetRecord } from "./types.js";

export function reconcileExternal(input: ReconcileInput, taskSets: readonly TaskSetRecord[]): Plan {
  const { service, now, memory } = input;
  const nowMs = now.getTime();
  const name = service.serviceName;
  const active = service.status === "ACTIVE";
  const desired = active ? Math.max(0, service.desiredCount) : 0;
  const grace = service.healthCheckGracePeriodSeconds ?? 0;
  const events = new RunEvents(memory.conditions, nowMs);

  const observation = observe(input.tasks, memory, nowMs);
  const throttle = throttleLaunches(input, observation.outcomes, false, events);

  const schedule = scheduleTaskSets({
    taskSets,
    tasks: input.tasks,
    desired,
    drainingInstances: new Set(input.instances.filter((i) => i.status === "DRAINING").map((i) => i.arn)),
    now,
    graceSeconds: grace,
    canLaunch: active && launchAllowed(throttle, nowMs),
  });
  for (const arn of schedule.unhealthy)
    events.add(
      unhealthyInTargetGroupMessage(
        name,
        input.tasks.find((t) => t.taskArn === arn)!,
      ),
    );
  if (schedule.stop.length > 0)
    events.add(
      stoppedTasksMessage(
        name,
        schedule.stop.map((s) => s.taskArn),
      ),
    );

  const idle = schedule.start.length === 0 && schedule.stop.length === 0;
  const steady = active && idle && schedule.taskSets.every((s) => s.stabilityStatus === "STEADY_STATE");
  if (steady) events.once(STEADY, steadyStateMessage(name));
  const progressed = steady || observation.outcomes.some((o) => o.kind === "running");
  events.end(
    (key) => (key === STEADY && !steady) || (key === THROTTLED && !isThrottled(throttle)) || (key.startsWith(PLACEMENT) && progressed),
  );

  const nextMemory: ReconcilerMemory = {
    ...observation.seen,
    launchFailures: throttle.launchFailures,
    ...(throttle.nextLaunchAt !== undefined ? { nextLaunchAt: throttle.nextLaunchAt } : {}),
    conditions: events.conditions,
  };
  const wakes: number[] = [];
  if (throttle.nextLaunchAt !== undefined && throttle.nextLaunchAt > nowMs) wakes.push(throttle.nextLaunchAt);
  const steadySince = events.conditions[STEADY];
  if (steadySince !== undefined) wakes.push(steadySince + REPEAT_AFTER_MS);
  for (const t of input.tasks) {
    const end = isRunning(t) && t.hasHealthCheck && t.healthStatus !== "HEALTHY" ? graceEndsAt(t, grace) : undefined;
    if (end !== undefined && end > nowMs) wakes.push(end);
  }
  const drained = !active && schedule.start.length === 0 && input.tasks.every((t) => !isPresent(t));
  return {
    start: schedule.start,
    stop: schedule.stop,
    deployments: [...input.deployments],
    events: events.messages.map((message) => ({ message })),
    memory: nextMemory,
    ...(wakes.length ? { wakeAt: new Date(Math.min(...wakes)) } : {}),
    ...(drained && service.status === "DRAINING" ? { serviceStatus: "INACTIVE" as const } : {}),
    desiredCount: desired,
    runningCount: schedule.remaining.filter(isRunning).length,
    pendingCount: schedule.remaining.filter(isPending).length,
    taskSets: schedule.taskSets,
  };
}
