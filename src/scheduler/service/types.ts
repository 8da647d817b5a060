// The plain data the service reconciler reads and returns. The control-plane loop builds a
// snapshot (service, deployments, tasks, instances, memory, `now`), calls `reconcile`, and
// applies the plan: it places and starts tasks, stops tasks, writes the deployments, the
// events and the memory. Nothing here knows about storage, the wire or the clock.
import type { Deployment, DeploymentConfiguration, DeploymentRolloutState, ServiceEvent } from "@aws-sdk/client-ecs";
import type { InstanceStatus, PlacementFailure } from "../placement/types.js";

export type ServiceStatus = "ACTIVE" | "DRAINING" | "INACTIVE";
export type SchedulingStrategy = "REPLICA" | "DAEMON";
export type DeploymentStatus = "PRIMARY" | "ACTIVE" | "INACTIVE";

export interface ServiceSpec {
  serviceName: string;
  serviceArn: string;
  /** DRAINING (DeleteService) means desired 0: everything stops, then the service is INACTIVE. */
  status: ServiceStatus;
  /** REPLICA only; a DAEMON's desired count is the number of instances it belongs on. */
  desiredCount: number;
  schedulingStrategy: SchedulingStrategy;
  /** Missing percentages take ECS's defaults: REPLICA 100/200, DAEMON 0/100. */
  deploymentConfiguration?: DeploymentConfiguration;
  healthCheckGracePeriodSeconds?: number;
}

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
}

/** What the reconciler needs of a task of the service (`observeTask` builds it from an ECS `Task`). */
export interface ObservedTask {
  taskArn: string;
  /** The deployment that started it: the task's `startedBy` ("ecs-svc/…"). */
  deploymentId?: string;
  lastStatus: string;
  desiredStatus: string;
  healthStatus?: "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
  /** Whether an essential container of its task definition has a health check. */
  hasHealthCheck: boolean;
  createdAt: Date;
  /** Set when the task reached RUNNING; a task stopped without it never started. */
  startedAt?: Date;
  stoppedAt?: Date;
  stopCode?: string;
  stoppedReason?: string;
  containerInstanceArn?: string;
}

export interface ServiceInstance {
  arn: string;
  status: InstanceStatus;
  agentConnected: boolean;
  /** DAEMON only: the instance meets the service's placement constraints (the caller decides). */
  eligible: boolean;
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

export interface ReconcileInput {
  service: ServiceSpec;
  /** PRIMARY first. INACTIVE ones are passed through untouched. */
  deployments: readonly DeploymentRecord[];
  /** The service's tasks, including STOPPED ones still retained. */
  tasks: readonly ObservedTask[];
  /** Every container instance of the cluster (DAEMON placement and draining). */
  instances: readonly ServiceInstance[];
  memory: ReconcilerMemory;
  now: Date;
  /** A fresh deployment id, used only if this run creates a deployment (circuit-breaker rollback). */
  nextDeploymentId: string;
  /** What the previous plan's placement could not place. */
  unplaced?: readonly UnplacedTasks[];
}

export interface TaskStart {
  deploymentId: string;
  taskDefinition: string;
  count: number;
  /** DAEMON: the instance this task belongs on (count is then 1). REPLICA: the loop places. */
  instanceArn?: string;
}

export interface TaskStop {
  taskArn: string;
  /** The task's stoppedReason; the loop applies stopCode ServiceSchedulerInitiated. */
  reason: string;
}

/** A service event without its id and time, which the loop adds when it writes it. */
export type ServiceEventIntent = Required<Pick<ServiceEvent, "message">>;

export interface Plan {
  start: TaskStart[];
  stop: TaskStop[];
  /**
   * The deployments after this run, PRIMARY first, then ACTIVE ones, then those that are
   * INACTIVE (DescribeServices does not show them; keep them as history or drop them).
   */
  deployments: DeploymentRecord[];
  /** Oldest first: insert each at the head of the service's events (newest first, 100 kept). */
  events: ServiceEventIntent[];
  memory: ReconcilerMemory;
  /** Run again at this time even if nothing changes (throttle expiry, grace period end, 6-hour event). */
  wakeAt?: Date;
  /** Set when the service's status changes (DRAINING → INACTIVE once no task is left). */
  serviceStatus?: ServiceStatus;
  /** The service's desiredCount (computed for DAEMON) and its counts after this plan's stops. */
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
}

export const emptyMemory = (): ReconcilerMemory => ({
  seenRunning: [],
  seenHealthy: [],
  seenStopped: [],
  launchFailures: 0,
  conditions: {},
});
