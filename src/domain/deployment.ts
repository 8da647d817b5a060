// What a service keeps between runs of its reconciler, as the store persists it: its
// deployments, what the reconciler remembers, and what the last plan could not place. The
// scheduler reads and returns these; the store holds them in the service's document.
import type { Deployment, DeploymentRolloutState } from "@aws-sdk/client-ecs";
import type { DeploymentLifecycle } from "./lifecycle-hooks.js";
import type { PlacementFailure } from "./placement-failure.js";

export type DeploymentStatus = "PRIMARY" | "ACTIVE" | "INACTIVE";

/** An ECS `Deployment` whose bookkeeping fields are always present. Other fields pass through. */
export interface DeploymentRecord extends Deployment {
  /** "ecs-svc/" + 19 digits; the service's tasks carry it as `startedBy`. */
  id: string;
  status: DeploymentStatus;
  /** Task definition ARN. */
  taskDefinition: string;
  desiredCount: number;
  pendingCount: number;
  runningCount: number;
  /** Failed launches (and health-check failures) counted by the circuit breaker. */
  failedTasks: number;
  rolloutState: DeploymentRolloutState;
  rolloutStateReason: string;
  createdAt: Date;
  updatedAt: Date;
  /** Set once a deployment that replaces others starts through its lifecycle stages (PAUSE hooks). */
  lifecycle?: DeploymentLifecycle;
  /** A rollback deployment: it runs no lifecycle hooks (pausing a rollback would hold the service on the revision being left). */
  skipHooks?: boolean;
  /**
   * Blue/green, linear and canary: the target group each of the service's load balancers
   * registers this deployment's tasks in — the primary or the alternate, whichever the
   * deployment it replaced was not in. Unset: the service's own target groups.
   */
  targetGroupArns?: string[];
  /** Blue/green, linear and canary: how far this deployment has taken traffic from the one it replaces. */
  traffic?: TrafficShift;
  /** Brought back as PRIMARY by a rollback while its tasks still ran: traffic returns to it and the others stop. */
  restored?: boolean;
}

/** The traffic a blue/green (linear, canary) deployment has taken over, as its record keeps it. */
export interface TrafficShift {
  /** The deployment whose tasks took production traffic when this one began (blue). */
  blueId?: string;
  /** Production traffic on this deployment's target groups, in tenths of a percent (0–1000). */
  tenths: number;
  /** Test traffic goes to this deployment. */
  testShifted: boolean;
  /** The end of the current wait (a canary or linear step's bake, the bake time), epoch ms. */
  waitUntil?: number;
}

/** Tasks the loop could not place when it applied the previous plan. */
export interface UnplacedTasks {
  deploymentId: string;
  count: number;
  /** From `PlacementResult`: the first entry is taken as "the closest matching" instance. */
  failures: readonly PlacementFailure[];
  noContainerInstances: boolean;
}

/**
 * What the reconciler remembers between runs; the loop persists it as it is (JSON-safe:
 * times are epoch milliseconds). `emptyMemory()` is the value for a new service.
 */
export interface ReconcilerMemory {
  /** Task ARNs already seen running, healthy and stopped; pruned to the tasks still in the snapshot. */
  seenRunning: string[];
  seenHealthy: string[];
  seenStopped: string[];
  /** Consecutive launch failures (throttle), and the earliest time the next launch may happen. */
  launchFailures: number;
  nextLaunchAt?: number;
  /** Conditions whose event was emitted: message key → when. Cleared when the condition ends. */
  conditions: Record<string, number>;
  /** Where the circuit breaker rolls back to. */
  lastCompleted?: { id: string; taskDefinition: string };
  /** The PRIMARY of the previous run: a new one resets the throttle, as ECS does. */
  primaryId?: string;
}

export const emptyMemory = (): ReconcilerMemory => ({
  seenRunning: [],
  seenHealthy: [],
  seenStopped: [],
  launchFailures: 0,
  conditions: {},
});
