// The deployment circuit breaker ("How the Amazon ECS deployment circuit breaker detects
// failures"): it counts the PRIMARY deployment's tasks that fail to reach RUNNING (stage 1)
// and that fail their health checks (stage 2); a task that reaches a healthy state resets
// the count (resetOnHealthyTask, default true). At the threshold — 0.5 × desired count,
// rounded up, at least 3 and at most 200 by default — the deployment is FAILED and launches
// nothing more; with rollback a new PRIMARY brings back the last COMPLETED deployment's
// task definition.
import type { DeploymentCircuitBreaker } from "@aws-sdk/client-ecs";
import { CIRCUIT_BREAKER_FAILED_REASON, rollbackReason } from "./deployment.js";
import { deploymentFailedMessage, rollingBackMessage } from "./events.js";
import type { TaskOutcome } from "./observe.js";
import { failedHealthChecks, failedToStart } from "./task-state.js";
import type { DeploymentRecord, ReconcilerMemory } from "./types.js";

export const MIN_FAILURE_THRESHOLD = 3;
export const MAX_FAILURE_THRESHOLD = 200;

/** The failure count at which the deployment fails (ThresholdConfiguration, default BOUNDED_PERCENT 50). */
export function failureThreshold(desired: number, breaker?: DeploymentCircuitBreaker): number {
  const type = breaker?.thresholdConfiguration?.type ?? "BOUNDED_PERCENT";
  const value = breaker?.thresholdConfiguration?.value ?? 50;
  if (type === "COUNT") return Math.max(1, value);
  const computed = Math.max(0, Math.ceil((desired * value) / 100 - 1e-9));
  if (type === "UNBOUNDED_PERCENT") return Math.max(1, computed);
  return Math.min(MAX_FAILURE_THRESHOLD, Math.max(MIN_FAILURE_THRESHOLD, computed));
}

export interface BreakerInput {
  deployments: readonly DeploymentRecord[];
  outcomes: readonly TaskOutcome[];
  breaker?: DeploymentCircuitBreaker;
  desired: number;
  serviceName: string;
  lastCompleted?: ReconcilerMemory["lastCompleted"];
  nextDeploymentId: string;
  now: Date;
  /**
   * Blue/green: the deployment rolled back to still has its tasks (they ran beside the failed
   * one), so it becomes the PRIMARY again instead of a new deployment of its task definition.
   */
  restoreInPlace?: boolean;
}

export interface BreakerResult {
  deployments: DeploymentRecord[];
  messages: string[];
}

const countsAsFailure = (outcome: TaskOutcome) =>
  outcome.kind === "stopped" && (failedToStart(outcome.task) || failedHealthChecks(outcome.task));

/** failedTasks of every deployment in progress after this run's outcomes; trips the PRIMARY at the threshold. */
export function applyCircuitBreaker(input: BreakerInput): BreakerResult {
  const enabled = input.breaker?.enable === true;
  const resetOnHealthy = input.breaker?.resetOnHealthyTask !== false;
  const threshold = failureThreshold(input.desired, input.breaker);
  let tripped: DeploymentRecord | undefined;

  const deployments = input.deployments.map((d) => {
    if (d.rolloutState !== "IN_PROGRESS" || d.status === "INACTIVE") return d;
    const trips = enabled && d.status === "PRIMARY";
    let failed = d.failedTasks;
    for (const outcome of input.outcomes) {
      if (outcome.task.deploymentId !== d.id) continue;
      if (outcome.kind === "healthy" && resetOnHealthy) failed = 0;
      else if (countsAsFailure(outcome)) failed += 1;
      if (trips && failed >= threshold) break;
    }
    if (!(trips && failed >= threshold)) return failed === d.failedTasks ? d : { ...d, failedTasks: failed };
    tripped = { ...d, failedTasks: failed, rolloutState: "FAILED", rolloutStateReason: CIRCUIT_BREAKER_FAILED_REASON };
    return tripped;
  });
  if (!tripped) return { deployments, messages: [] };

  const messages = [deploymentFailedMessage(input.serviceName, tripped.id)];
  const target = input.lastCompleted;
  // A rollback that fails itself is not rolled back again: that would loop for ever.
  const wasRollback = input.deployments
    .find((d) => d.id === tripped!.id)
    ?.rolloutStateReason.startsWith("ECS deployment circuit breaker: rolling back");
  if (!input.breaker?.rollback || !target || target.id === tripped.id || wasRollback) return { deployments, messages };

  const failedId = tripped.id;
  const standing = input.restoreInPlace ? deployments.find((d) => d.id === target.id && d.status === "ACTIVE") : undefined;
  if (standing) {
    messages.push(rollingBackMessage(input.serviceName, target.id));
    const restored = restoreDeployment(standing, rollbackReason(target.id), input.now);
    const rest = deployments
      .filter((d) => d.id !== target.id)
      .map((d): DeploymentRecord => (d.id === failedId ? { ...d, status: "ACTIVE" } : d));
    return { deployments: [restored, ...rest], messages };
  }
  const template = deployments.find((d) => d.id === target.id) ?? tripped;
  const rollback: DeploymentRecord = {
    ...template,
    id: input.nextDeploymentId,
    status: "PRIMARY",
    taskDefinition: target.taskDefinition,
    desiredCount: input.desired,
    pendingCount: 0,
    runningCount: 0,
    failedTasks: 0,
    rolloutState: "IN_PROGRESS",
    rolloutStateReason: rollbackReason(target.id),
    skipHooks: true,
    lifecycle: undefined,
    createdAt: input.now,
    updatedAt: input.now,
  };
  messages.push(rollingBackMessage(input.serviceName, target.id));
  const demoted = deployments.map((d): DeploymentRecord => (d.id === failedId ? { ...d, status: "ACTIVE" } : d));
  return { deployments: [rollback, ...demoted], messages };
}

/**
 * `d`, still running its tasks, as the PRIMARY again: traffic returns to it and the reconciler
 * stops the others (a rollback runs no hooks and shifts nothing).
 */
export function restoreDeployment(d: DeploymentRecord, reason: string, now: Date): DeploymentRecord {
  const { lifecycle: _lifecycle, traffic: _traffic, ...rest } = d;
  return {
    ...rest,
    status: "PRIMARY",
    rolloutState: "IN_PROGRESS",
    rolloutStateReason: reason,
    failedTasks: 0,
    skipHooks: true,
    restored: true,
    updatedAt: now,
  };
}
