// The plain data that placement reads and returns. Nothing here knows about storage,
// the wire or the clock: the caller builds a snapshot, placement returns a plan.
import type { PlacementFailure } from "../../domain/placement-failure.js";

// A stored service keeps its placement failures too (UnplacedTasks), so they live in src/domain.
export { FailureReason, type PlacementFailure, type PlacementFailureReason } from "../../domain/placement-failure.js";

export type InstanceStatus = "ACTIVE" | "DRAINING" | "INACTIVE" | "REGISTERING" | "DEREGISTERING" | "REGISTRATION_FAILED";

export interface InstanceView {
  arn: string;
  ec2InstanceId: string;
  status: InstanceStatus;
  agentConnected: boolean;
  registeredAt: Date;
  /**
   * Attribute name → value; a name mapped to `undefined` is present without a value
   * (capabilities). Never changed once made (a changed instance gets a new record): verdicts of
   * memberOf expressions over attributes are remembered per record.
   */
  attributes: Readonly<Record<string, string | undefined>>;
  /** `ports`/`portsUdp` are host ports already in use on the instance. */
  remaining: { cpu: number; memory: number; ports: number[]; portsUdp: number[] };
  /** Tasks that hold resources on the instance (pending and running). */
  tasks: { group: string; family: string }[];
  /** Optional: `tasks` counted by group, when the caller keeps that count anyway. */
  tasksByGroup?: ReadonlyMap<string, number>;
  /** For the query subject `agentVersion` (e.g. "1.80.0"); absent → the subject does not exist. */
  agentVersion?: string;
  /** For the query subject `runningTasksCount`; defaults to `tasks.length`. */
  runningTasksCount?: number;
}

export interface TaskNeeds {
  cpu: number;
  memory: number;
  /** Static host ports only; dynamic (0/unset) host ports never conflict. */
  hostPorts: { port: number; protocol: "tcp" | "udp" }[];
  /** The task definition's requiresAttributes; a value, when given, must match exactly. */
  requiresAttributes: { name: string; value?: string }[];
  /** Task group, e.g. "family:web" or "service:web". */
  group: string;
  family: string;
}

export type StrategyType = "binpack" | "spread" | "random";
export type ConstraintType = "distinctInstance" | "memberOf";

export interface PlacementStrategy {
  type: StrategyType;
  field?: string;
}

export interface PlacementConstraint {
  type: ConstraintType;
  expression?: string;
}

export interface PlacementRequest {
  count: number;
  needs: TaskNeeds;
  /** Applied in order, each one breaking the ties the previous left. Empty → random. */
  strategy: PlacementStrategy[];
  /** From the request and the task definition together. */
  constraints: PlacementConstraint[];
}

/** What ECS answers (as InvalidParameterException) when a cluster has no usable instance. */
export const NO_CONTAINER_INSTANCES = "No Container Instances were found in your cluster.";

export interface PlacementResult {
  /** Container instance ARN per placed task, in placement order (length ≤ count). */
  placements: string[];
  /** Where each of `placements` sits in the instances given, so callers need not look ARNs up. */
  placedAt: number[];
  /**
   * Empty when every task was placed. Otherwise one entry per ACTIVE instance, in input
   * order, with the reason of the first filter that rejected the next task.
   */
  failures: PlacementFailure[];
  /**
   * True when there is no ACTIVE instance at all. ECS does not answer that with
   * `failures`: RunTask fails with InvalidParameterException and NO_CONTAINER_INSTANCES.
   */
  noContainerInstances: boolean;
}
