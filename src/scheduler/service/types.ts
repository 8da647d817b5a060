// The plain data the service reconciler reads and returns. The control-plane loop builds a
// snapshot (service, deployments, tasks, instances, memory, `now`), calls `reconcile`, and
// applies the plan: it places and starts tasks, stops tasks, writes the deployments, the
// events and the memory. Nothing here knows about storage, the wire or the clock.
import type { DeploymentConfiguration, LoadBalancer, ServiceEvent } from "@aws-sdk/client-ecs";
import type { DeploymentRecord, ReconcilerMemory, UnplacedTasks } from "../../domain/deployment.js";
import type { TaskSetRecord } from "../../domain/task-set.js";
import type { InstanceStatus } from "../placement/types.js";

// What the store persists of a service lives in src/domain (the store may not import the scheduler).
export type { TaskSetRecord } from "../../domain/task-set.js";
export {
  emptyMemory,
  type DeploymentRecord,
  type DeploymentStatus,
  type ReconcilerMemory,
  type TrafficShift,
  type UnplacedTasks,
} from "../../domain/deployment.js";

export type ServiceStatus = "ACTIVE" | "DRAINING" | "INACTIVE";
export type SchedulingStrategy = "REPLICA" | "DAEMON";

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
  /** The service has target groups: its RUNNING tasks are registered in them, and count only once healthy there. */
  loadBalanced?: boolean;
  /** Its load balancers; those with advancedConfiguration have their listener rules' weights set by the reconciler. */
  loadBalancers?: readonly LoadBalancer[];
}

/** A task of a service behind load balancers, as its target groups see it. */
export interface TaskTargetsView {
  /** Its targets are registered (false: not yet, or deregistered). */
  registered: boolean;
  /** Across its target groups: healthy only when healthy in every one. */
  health: "initial" | "healthy" | "unhealthy";
  /** Where it first fails its checks, while unhealthy. */
  unhealthyIn?: { targetGroupArn: string; targetGroupName: string; port: number; instanceId?: string; reason: string };
  /** Deregistered and draining: its agent is told to stop it at this time. */
  drainUntil?: Date;
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
  /** Scale-in protected until then (UpdateTaskProtection); unset when not protected. */
  protectedUntil?: Date;
  /** Set for a task of a service behind load balancers, or one still registered or draining. */
  loadBalancer?: TaskTargetsView;
}

export interface ServiceInstance {
  arn: string;
  status: InstanceStatus;
  agentConnected: boolean;
  /** DAEMON only: the instance meets the service's placement constraints (the caller decides). */
  eligible: boolean;
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
  /** A fresh PAUSE hook id ("ecs-pause-…"), used only if this run pauses the PRIMARY at a hook. */
  nextHookId: string;
  /** What the previous plan's placement could not place. */
  unplaced?: readonly UnplacedTasks[];
  /**
   * Present exactly when the service has the EXTERNAL deployment controller: its task sets,
   * which the reconciler keeps instead of deployments (src/scheduler/service/task-sets.ts).
   */
  taskSets?: readonly TaskSetRecord[];
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
  /**
   * A PAUSE hook of this deployment timed out with the ROLLBACK action: the loop rolls it back
   * to the previous service revision, as StopServiceDeployment does.
   */
  hookRollback?: string;
  /** Set when the service's status changes (DRAINING → INACTIVE once no task is left). */
  serviceStatus?: ServiceStatus;
  /** The service's desiredCount (computed for DAEMON) and its counts after this plan's stops. */
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  /** RUNNING tasks to register in their service's target groups. */
  register?: string[];
  /** Tasks whose targets have drained: their agents may now stop them. */
  release?: string[];
  /**
   * Blue/green, linear and canary services: the forward weights their production and test
   * listener rules are to have after this run (the loop writes those that differ).
   */
  traffic?: RuleTraffic[];
  /** EXTERNAL services: the task sets after this run, their counts and stability; DRAINING ones with no task left are gone. */
  taskSets?: TaskSetRecord[];
}

/** The target groups a listener rule (or an NLB listener) forwards to, with their weights. */
export interface RuleTraffic {
  /** A listener rule ARN, or a listener ARN (its default rule). */
  ruleArn: string;
  targetGroups: { targetGroupArn: string; weight: number }[];
}
