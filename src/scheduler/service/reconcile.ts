// The service reconciler: one pure step from a snapshot to a plan. In order —
// 1. observe what changed since the last run (tasks running, healthy, stopped);
// 2. the circuit breaker counts failures of the deployments and may fail (and roll back) the PRIMARY;
// 3. the throttle counts launch failures and may hold launches back, and a PAUSE lifecycle
//    hook may hold the rolling deployment at its stage (pause.ts);
// 4. REPLICA or DAEMON scheduling picks the tasks to start and to stop within the bounds;
// 5. the deployments' counts and states, the steady state, the events and the memory follow.
// No I/O and no clock: `now`, a fresh deployment id and a fresh hook id come with the input.
import { type Throttle, isThrottled, launchAllowed } from "./backoff.js";
import { applyCircuitBreaker } from "./circuit-breaker.js";
import { daemonInstances, scheduleDaemon } from "./daemon.js";
import { completedReason, deploymentBounds, orderDeployments, primaryComplete, refreshDeployments, stampUpdated } from "./deployment.js";
import {
  REPEAT_AFTER_MS,
  deploymentCompletedMessage,
  deploymentConfigurationStuckMessage,
  unhealthyInTargetGroupMessage,
  steadyStateMessage,
  stoppedTasksMessage,
} from "./events.js";
import { reconcileExternal } from "./external.js";
import { withTargetWork } from "./load-balancing.js";
import { observe } from "./observe.js";
import { type PauseDecision, decidePause } from "./pause.js";
import { type Schedule, scheduleReplica } from "./replica.js";
import { PLACEMENT, RunEvents, STEADY, THROTTLED, throttleLaunches } from "./run-events.js";
import { graceEndsAt, isCounted, isLive, isPending, isPresent, isProtected, isRunning, isUp } from "./task-state.js";
import { ruleTraffic } from "./traffic.js";
import { shiftsTraffic } from "../../domain/deployment-strategy.js";
import { type ShiftDecision, decideShift } from "./traffic-shift.js";
import type { DeploymentRecord, Plan, ReconcileInput, ReconcilerMemory, TaskStart } from "./types.js";

/** The key of the event a deployment stuck between its percentages emits, once while it lasts. */
const STUCK = "deployment-configuration";

export function reconcile(input: ReconcileInput): Plan {
  return withTargetWork(input, reconcileService(input));
}

function reconcileService(input: ReconcileInput): Plan {
  const { service, now, memory } = input;
  const nowMs = now.getTime();
  const name = service.serviceName;
  const active = service.status === "ACTIVE";
  const daemon = service.schedulingStrategy === "DAEMON";
  const grace = service.healthCheckGracePeriodSeconds ?? 0;
  if (service.status === "INACTIVE") return idlePlan(input);
  // EXTERNAL deployment controller: task sets instead of deployments.
  if (input.taskSets) return reconcileExternal(input, input.taskSets);

  const desired = !active ? 0 : daemon ? daemonInstances(input.instances).length : Math.max(0, service.desiredCount);
  const bounds = deploymentBounds(service.schedulingStrategy, service.deploymentConfiguration, desired);
  const events = new RunEvents(memory.conditions, nowMs);

  // 1–2. What happened, and what the circuit breaker makes of it.
  const observation = observe(input.tasks, memory, nowMs);
  const breaker = applyCircuitBreaker({
    deployments: input.deployments.filter((d) => d.status !== "INACTIVE"),
    outcomes: observation.outcomes,
    breaker: service.deploymentConfiguration?.deploymentCircuitBreaker,
    desired,
    serviceName: name,
    lastCompleted: memory.lastCompleted,
    nextDeploymentId: input.nextDeploymentId,
    now,
    // Blue/green: blue's tasks still run, so a rollback brings them back rather than new ones.
    restoreInPlace: shiftsTraffic(service.deploymentConfiguration?.strategy),
  });
  events.add(...breaker.messages);
  const primary = breaker.deployments.find((d) => d.status === "PRIMARY");

  // 3. The throttle: a new PRIMARY starts it afresh, as ECS does.
  const throttle: Throttle = throttleLaunches(input, observation.outcomes, primary?.id !== memory.primaryId, events);

  const others = breaker.deployments.filter((d) => d.status === "ACTIVE");
  const canLaunch = active && launchAllowed(throttle, nowMs);
  // Blue/green, linear and canary: a deployment replacing others moves traffic (traffic-shift.ts).
  const shift: ShiftDecision | undefined =
    !daemon &&
    active &&
    primary?.rolloutState === "IN_PROGRESS" &&
    !primary.restored &&
    shiftsTraffic(service.deploymentConfiguration?.strategy) &&
    (others.length > 0 || primary.traffic !== undefined)
      ? decideShift({
          serviceName: name,
          primary,
          others,
          loadBalancers: service.loadBalancers ?? [],
          config: service.deploymentConfiguration,
          tasks: input.tasks,
          desired,
          now,
          graceSeconds: grace,
          canLaunch,
          nextHookId: input.nextHookId,
        })
      : undefined;

  // The pause state is part of the PRIMARY's record; DAEMON services and a service being deleted run no hooks.
  const pause: PauseDecision = shift
    ? {
        hold: "none",
        rollback: shift.rollback,
        ...(shift.wakeAt !== undefined ? { wakeAt: shift.wakeAt } : {}),
        messages: shift.messages,
      }
    : daemon || !active
      ? { ...(primary?.lifecycle ? { lifecycle: primary.lifecycle } : {}), hold: "none", rollback: false }
      : decidePause({
          primary,
          others,
          config: service.deploymentConfiguration,
          tasks: input.tasks,
          bounds,
          now,
          graceSeconds: grace,
          nextHookId: input.nextHookId,
          serviceName: name,
        });
  events.add(...(pause.messages ?? []));

  // 4. Scheduling.
  const ctx = {
    primary,
    bounds,
    now,
    graceSeconds: grace,
    canLaunch: canLaunch && pause.hold !== "launches",
    deleting: service.status === "DRAINING",
    hold: pause.hold,
  };
  const schedule: Schedule = shift
    ? { startCount: shift.startCount, startOn: [], stops: shift.stops, unhealthy: shift.unhealthy, stuck: false }
    : daemon
      ? scheduleDaemon(input.tasks, input.instances, !active, ctx)
      : scheduleReplica(input.tasks, new Set(input.instances.filter((i) => i.status === "DRAINING").map((i) => i.arn)), ctx);
  for (const arn of schedule.unhealthy)
    events.add(
      unhealthyInTargetGroupMessage(
        name,
        input.tasks.find((t) => t.taskArn === arn)!,
      ),
    );
  if (schedule.stops.length > 0)
    events.add(
      stoppedTasksMessage(
        name,
        schedule.stops.map((s) => s.taskArn),
      ),
    );
  if (schedule.stuck) events.once(STUCK, deploymentConfigurationStuckMessage(name));

  const start: TaskStart[] = !primary
    ? []
    : daemon
      ? schedule.startOn.map((instanceArn) => ({ deploymentId: primary.id, taskDefinition: primary.taskDefinition, count: 1, instanceArn }))
      : schedule.startCount > 0
        ? [{ deploymentId: primary.id, taskDefinition: primary.taskDefinition, count: schedule.startCount }]
        : [];

  // 5. Deployments, steady state, events, memory.
  // The tasks this plan stops are asked to stop, not stopped: they count until they have.
  const stopping = new Set(schedule.stops.map((s) => s.taskArn));
  const remaining = input.tasks.filter(isCounted).map((t) => (stopping.has(t.taskArn) ? { ...t, desiredStatus: "STOPPED" } : t));
  let deployments = refreshDeployments(breaker.deployments, remaining, desired).map((d): DeploymentRecord => {
    if (d.id !== primary?.id) return d;
    if (shift)
      return { ...d, lifecycle: shift.primary.lifecycle, traffic: shift.primary.traffic, targetGroupArns: shift.primary.targetGroupArns };
    return pause.lifecycle ? { ...d, lifecycle: pause.lifecycle } : d;
  });
  const idle = start.length === 0 && stopping.size === 0;
  // A paused deployment is not complete, even when nothing older is left to hold.
  const settled =
    active &&
    idle &&
    pause.hold === "none" &&
    !pause.rollback &&
    (!shift || shift.cleaningUp) &&
    primaryComplete(deployments, remaining, desired, nowMs);
  if (settled && primary?.rolloutState === "IN_PROGRESS") {
    deployments = deployments.map((d): DeploymentRecord =>
      d.id === primary.id ? { ...d, rolloutState: "COMPLETED", rolloutStateReason: completedReason(d.id) } : d,
    );
    events.add(deploymentCompletedMessage(name, primary.id));
  }
  const finalPrimary = deployments.find((d) => d.status === "PRIMARY");
  const steady = settled && finalPrimary?.rolloutState === "COMPLETED";
  if (steady) events.once(STEADY, steadyStateMessage(name));

  const progressed = steady || observation.outcomes.some((o) => o.kind === "running");
  events.end(
    (key) =>
      (key === STEADY && !steady) ||
      (key === THROTTLED && !isThrottled(throttle)) ||
      (key === STUCK && !schedule.stuck) ||
      (key.startsWith(PLACEMENT) && progressed),
  );

  const nextMemory: ReconcilerMemory = {
    ...observation.seen,
    launchFailures: throttle.launchFailures,
    ...(throttle.nextLaunchAt !== undefined ? { nextLaunchAt: throttle.nextLaunchAt } : {}),
    conditions: events.conditions,
    ...(finalPrimary?.rolloutState === "COMPLETED"
      ? { lastCompleted: { id: finalPrimary.id, taskDefinition: finalPrimary.taskDefinition } }
      : memory.lastCompleted
        ? { lastCompleted: memory.lastCompleted }
        : {}),
    ...(finalPrimary ? { primaryId: finalPrimary.id } : {}),
  };

  const traffic = ruleTraffic(service.loadBalancers ?? [], deployments);
  const drained = !active && start.length === 0 && input.tasks.every((t) => !isPresent(t));
  // A hook's expiry wakes the loop; a timed-out hook's rollback is applied by the loop, which then runs again.
  const wakes = [nextWake(input, throttle, events.conditions[STEADY], grace, nowMs), pause.wakeAt, pause.rollback ? nowMs : undefined];
  const wakeAt = wakes.reduce<number | undefined>(
    (min, w) => (w === undefined ? min : min === undefined ? w : Math.min(min, w)),
    undefined,
  );
  return {
    start,
    stop: schedule.stops,
    deployments: [
      ...orderDeployments(stampUpdated(input.deployments, deployments, now)),
      ...input.deployments.filter((d) => d.status === "INACTIVE"),
    ],
    events: events.messages.map((message) => ({ message })),
    memory: nextMemory,
    ...(wakeAt !== undefined ? { wakeAt: new Date(wakeAt) } : {}),
    ...(drained && service.status === "DRAINING" ? { serviceStatus: "INACTIVE" as const } : {}),
    ...(pause.rollback && primary ? { hookRollback: primary.id } : {}),
    ...(traffic.length ? { traffic } : {}),
    desiredCount: desired,
    runningCount: remaining.filter(isRunning).length,
    pendingCount: remaining.filter(isPending).length,
  };
}

/** The earliest future moment the plan could differ with nothing else changing. */
function nextWake(
  input: ReconcileInput,
  throttle: Throttle,
  steadySince: number | undefined,
  grace: number,
  nowMs: number,
): number | undefined {
  const now = new Date(nowMs);
  const candidates: number[] = [];
  if (throttle.nextLaunchAt !== undefined && throttle.nextLaunchAt > nowMs) candidates.push(throttle.nextLaunchAt);
  if (steadySince !== undefined) candidates.push(steadySince + REPEAT_AFTER_MS);
  for (const t of input.tasks) {
    if (input.service.status === "ACTIVE" && isLive(t) && isProtected(t, now)) candidates.push(t.protectedUntil!.getTime());
    if (!isUp(t) || !t.hasHealthCheck || t.healthStatus === "HEALTHY") continue;
    const end = graceEndsAt(t, grace);
    if (end !== undefined && end > nowMs) candidates.push(end);
  }
  return candidates.length > 0 ? Math.min(...candidates) : undefined;
}

function idlePlan(input: ReconcileInput): Plan {
  return {
    start: [],
    stop: [],
    deployments: [...input.deployments],
    events: [],
    memory: input.memory,
    desiredCount: 0,
    runningCount: 0,
    pendingCount: 0,
  };
}
