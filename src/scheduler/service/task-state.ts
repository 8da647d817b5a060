// How the service scheduler reads one task: counted toward the service or not, pending or
// running, healthy for the deployment math, failed for the circuit breaker and the throttle.
import type { Task } from "@aws-sdk/client-ecs";
import { idFromRef } from "../../domain/arn.js";
import { TASK_STATUS_ORDER, type TaskStatus } from "../../domain/task/lifecycle.js";
import type { ObservedTask, TaskTargetsView } from "./types.js";

const rank = (status: string) => TASK_STATUS_ORDER.indexOf(status as TaskStatus);
const RUNNING = rank("RUNNING");

/** ECS's stoppedReason when the scheduler stops a task whose container health check failed. */
export const HEALTH_CHECK_STOP_REASON = "Task failed container health checks";

/**
 * Counted toward the service, its deployment and its maximumPercent until it has stopped:
 * on ECS a task being stopped is still RUNNING (its containers run out their stopTimeout),
 * so its replacement waits, its deployment stays listed and `services-stable` waits for it.
 */
export const isCounted = (t: ObservedTask): boolean => t.lastStatus !== "STOPPED";

/** Not yet STOPPED: the task still holds its instance's resources, stopping or not. */
export const isPresent = isCounted;

/** Counted but already asked to stop: neither kept, nor healthy, nor stopped a second time. */
export const isStopping = (t: ObservedTask): boolean => isCounted(t) && t.desiredStatus === "STOPPED";

/** Counted and not asked to stop: the tasks the scheduler keeps, or chooses to stop. */
export const isLive = (t: ObservedTask): boolean => isCounted(t) && t.desiredStatus !== "STOPPED";

/** The counts DescribeServices shows: a task is pending until it has run, then running until it has stopped. */
export const isPending = (t: ObservedTask): boolean => isCounted(t) && rank(t.lastStatus) < RUNNING;
export const isRunning = (t: ObservedTask): boolean => isCounted(t) && rank(t.lastStatus) >= RUNNING;

/** Running and meant to keep running: the only tasks that can count as healthy. */
export const isUp = (t: ObservedTask): boolean => isLive(t) && t.lastStatus === "RUNNING";

/** Scale-in protected (UpdateTaskProtection) at `now`: neither scale-in nor a deployment stops it. */
export const isProtected = (t: ObservedTask, now: Date): boolean =>
  t.protectedUntil !== undefined && t.protectedUntil.getTime() > now.getTime();

/** End of the health check grace period, which runs from the moment the task started. */
export function graceEndsAt(t: ObservedTask, graceSeconds: number): number | undefined {
  if (!t.startedAt || graceSeconds <= 0) return undefined;
  return t.startedAt.getTime() + graceSeconds * 1000;
}

const inGrace = (t: ObservedTask, now: Date, graceSeconds: number): boolean => {
  const end = graceEndsAt(t, graceSeconds);
  return end !== undefined && now.getTime() < end;
};

/**
 * Healthy in every target group it belongs in (true without load balancers). The grace period
 * gives no benefit of the doubt here: a target still in its initial checks takes no traffic,
 * and counting it would let a rolling deployment stop the tasks that do.
 */
export const isElbHealthy = (t: ObservedTask): boolean => !t.loadBalancer || t.loadBalancer.health === "healthy";

/** Healthy as the deployment math counts it: running, and healthy or still inside the grace period, and taking traffic. */
export const isHealthy = (t: ObservedTask, now: Date, graceSeconds: number): boolean =>
  isUp(t) && (!t.hasHealthCheck || t.healthStatus === "HEALTHY" || inGrace(t, now, graceSeconds)) && isElbHealthy(t);

/**
 * Healthy with no benefit of the doubt: what a completed deployment and a steady state need.
 * Without a health check, a task proves itself by staying up through the startup window.
 */
export const isProvenHealthy = (t: ObservedTask, nowMs: number): boolean =>
  isUp(t) &&
  isElbHealthy(t) &&
  (t.hasHealthCheck
    ? t.healthStatus === "HEALTHY"
    : t.loadBalancer !== undefined || (t.startedAt !== undefined && nowMs - t.startedAt.getTime() >= STARTUP_WINDOW_MS));

/** UNHEALTHY after the grace period: the scheduler stops and replaces it. */
export const isUnhealthy = (t: ObservedTask, now: Date, graceSeconds: number): boolean =>
  isUp(t) && !inGrace(t, now, graceSeconds) && ((t.hasHealthCheck && t.healthStatus === "UNHEALTHY") || failsElbChecks(t));

/** Unhealthy in one of its target groups (the grace period aside). */
const failsElbChecks = (t: ObservedTask): boolean => t.loadBalancer?.health === "unhealthy" && t.loadBalancer.unhealthyIn !== undefined;

/** ECS's stoppedReason for a task that failed its target group's health checks. */
export const elbHealthCheckStopReason = (targetGroupArn: string) => `Task failed ELB health checks in (target-group ${targetGroupArn})`;

/** Why the scheduler stops an unhealthy task: its container health check first, else its target group's. */
export function healthStopReason(t: ObservedTask): string {
  if (t.hasHealthCheck && t.healthStatus === "UNHEALTHY") return HEALTH_CHECK_STOP_REASON;
  return failsElbChecks(t) ? elbHealthCheckStopReason(t.loadBalancer!.unhealthyIn!.targetGroupArn) : HEALTH_CHECK_STOP_REASON;
}

/**
 * A task that cannot stay up this long did not really start: a container that crashes at
 * boot reaches RUNNING for an instant, and ECS's circuit breaker counts such tasks too.
 */
export const STARTUP_WINDOW_MS = 10_000;

/** Stopped before reaching RUNNING (or crashed right after), not because someone asked it to. */
export function failedToStart(t: ObservedTask): boolean {
  if (t.lastStatus !== "STOPPED") return false;
  if (t.stopCode === "TaskFailedToStart") return true;
  if (t.stopCode === "ServiceSchedulerInitiated" || t.stopCode === "UserInitiated") return false;
  if (!t.startedAt) return true;
  return t.stoppedAt !== undefined && t.stoppedAt.getTime() - t.startedAt.getTime() < STARTUP_WINDOW_MS;
}

/** Stopped because its container or load balancer health checks failed (stage 2 of the circuit breaker). */
export const failedHealthChecks = (t: ObservedTask): boolean =>
  t.lastStatus === "STOPPED" && /failed (container|ELB) health checks/i.test(t.stoppedReason ?? "");

export const taskIdOf: (taskArn: string) => string = idFromRef;

/**
 * The reconciler's view of an ECS task; `hasHealthCheck` comes from its task definition,
 * `protectedUntil` from its stored scale-in protection.
 */
export function observeTask(task: Task, hasHealthCheck: boolean, protectedUntil?: Date, loadBalancer?: TaskTargetsView): ObservedTask {
  const startedBy = task.startedBy;
  return {
    taskArn: task.taskArn!,
    deploymentId: startedBy?.startsWith("ecs-svc/") ? startedBy : undefined,
    lastStatus: task.lastStatus ?? "PROVISIONING",
    desiredStatus: task.desiredStatus ?? "RUNNING",
    healthStatus: task.healthStatus,
    hasHealthCheck,
    createdAt: task.createdAt ?? new Date(0),
    startedAt: task.startedAt,
    stoppedAt: task.stoppedAt,
    stopCode: task.stopCode,
    stoppedReason: task.stoppedReason,
    containerInstanceArn: task.containerInstanceArn,
    ...(protectedUntil ? { protectedUntil } : {}),
    ...(loadBalancer ? { loadBalancer } : {}),
  };
}

/** Deterministic order: oldest first, ties by ARN. */
export const byAge = (a: ObservedTask, b: ObservedTask): number =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.taskArn < b.taskArn ? -1 : a.taskArn > b.taskArn ? 1 : 0);
