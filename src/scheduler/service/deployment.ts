// Deployment math and bookkeeping: the bounds minimumHealthyPercent and maximumPercent put
// on a rolling update, the records' counts and states, and a new deployment for
// CreateService/UpdateService. rolloutStateReason strings are ECS's (AWS CLI examples).
import type { Deployment, DeploymentConfiguration } from "@aws-sdk/client-ecs";
import { isCounted, isLive, isPending, isProvenHealthy, isRunning, isStopping } from "./task-state.js";
import type { DeploymentRecord, ObservedTask, SchedulingStrategy } from "./types.js";

export const DEFAULT_PERCENTS: Record<SchedulingStrategy, { minimumHealthyPercent: number; maximumPercent: number }> = {
  REPLICA: { minimumHealthyPercent: 100, maximumPercent: 200 },
  DAEMON: { minimumHealthyPercent: 0, maximumPercent: 100 },
};

export const inProgressReason = (id: string) => `ECS deployment ${id} in progress.`;
export const completedReason = (id: string) => `ECS deployment ${id} completed.`;
export const CIRCUIT_BREAKER_FAILED_REASON = "ECS deployment circuit breaker: tasks failed to start.";
export const rollbackReason = (targetId: string) => `ECS deployment circuit breaker: rolling back to deploymentId ${targetId}.`;

export interface Bounds {
  desired: number;
  /** Healthy tasks the scheduler keeps at every moment: ceil(desired × minimumHealthyPercent / 100). */
  minHealthy: number;
  /** Tasks (pending + running, all deployments) never exceeded: floor(desired × maximumPercent / 100). */
  maxTotal: number;
}

export function deploymentBounds(strategy: SchedulingStrategy, config: DeploymentConfiguration | undefined, desired: number): Bounds {
  const defaults = DEFAULT_PERCENTS[strategy];
  const min = config?.minimumHealthyPercent ?? defaults.minimumHealthyPercent;
  const max = config?.maximumPercent ?? defaults.maximumPercent;
  // Integer arithmetic: 3 × 110 / 100 must not become 3.3000000000000003.
  return {
    desired,
    minHealthy: desired > 0 ? Math.max(0, Math.ceil((desired * min) / 100 - 1e-9)) : 0,
    maxTotal: Math.max(0, Math.floor((desired * max) / 100 + 1e-9)),
  };
}

/**
 * The deployments after CreateService/UpdateService started `next`: it becomes the PRIMARY
 * (IN_PROGRESS), the previous PRIMARY becomes ACTIVE and keeps its rollout state.
 */
export function startDeployment(
  current: readonly DeploymentRecord[],
  next: Deployment & { id: string; taskDefinition: string; desiredCount: number; skipHooks?: boolean },
  now: Date,
): DeploymentRecord[] {
  const primary: DeploymentRecord = {
    ...next,
    status: "PRIMARY",
    pendingCount: 0,
    runningCount: 0,
    failedTasks: 0,
    rolloutState: "IN_PROGRESS",
    rolloutStateReason: next.rolloutStateReason ?? inProgressReason(next.id),
    createdAt: now,
    updatedAt: now,
  };
  const others = current
    .filter((d) => d.status !== "INACTIVE")
    .map((d): DeploymentRecord => (d.status === "PRIMARY" ? { ...d, status: "ACTIVE", updatedAt: now } : d));
  return [primary, ...others];
}

/**
 * Counts from the tasks still counted after this plan (being stopped included: they run
 * until they have stopped); an old deployment becomes INACTIVE once its last task has
 * stopped, and its desired count is what it has left that is not being stopped.
 */
export function refreshDeployments(
  deployments: readonly DeploymentRecord[],
  remaining: readonly ObservedTask[],
  desired: number,
): DeploymentRecord[] {
  return deployments.map((d) => {
    const own = remaining.filter((t) => t.deploymentId === d.id && isCounted(t));
    const pendingCount = own.filter(isPending).length;
    const runningCount = own.filter(isRunning).length;
    if (d.status === "PRIMARY") return { ...d, desiredCount: desired, pendingCount, runningCount };
    const status = own.length === 0 ? "INACTIVE" : d.status;
    return { ...d, status, desiredCount: own.filter(isLive).length, pendingCount, runningCount };
  });
}

/**
 * A deployment is complete when it is the only one left, its tasks are all running and
 * healthy (no grace-period benefit of the doubt), none is being stopped, and there are
 * exactly `desired` of them.
 */
export function primaryComplete(
  deployments: readonly DeploymentRecord[],
  remaining: readonly ObservedTask[],
  desired: number,
  nowMs: number,
): boolean {
  const primary = deployments.find((d) => d.status === "PRIMARY");
  if (!primary || deployments.some((d) => d.status === "ACTIVE")) return false;
  const counted = remaining.filter(isCounted);
  if (counted.some((t) => t.deploymentId !== primary.id || isStopping(t))) return false;
  return counted.length === desired && counted.every((t) => isProvenHealthy(t, nowMs));
}

/** Stamps `updatedAt` on the records whose state or counts changed. */
export function stampUpdated(before: readonly DeploymentRecord[], after: readonly DeploymentRecord[], now: Date): DeploymentRecord[] {
  const key = (d: DeploymentRecord) =>
    [
      d.status,
      d.taskDefinition,
      d.desiredCount,
      d.pendingCount,
      d.runningCount,
      d.failedTasks,
      d.rolloutState,
      d.rolloutStateReason,
      JSON.stringify(d.lifecycle ?? null),
    ].join("|");
  const previous = new Map(before.map((d) => [d.id, key(d)]));
  return after.map((d) => (previous.get(d.id) === key(d) ? d : { ...d, updatedAt: now }));
}

/** PRIMARY first, then ACTIVE, then INACTIVE; creation order (newest first) within each. */
export function orderDeployments(deployments: readonly DeploymentRecord[]): DeploymentRecord[] {
  const rank = { PRIMARY: 0, ACTIVE: 1, INACTIVE: 2 } as const;
  return [...deployments].sort((a, b) => rank[a.status] - rank[b.status] || b.createdAt.getTime() - a.createdAt.getTime());
}
