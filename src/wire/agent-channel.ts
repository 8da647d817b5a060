// The channel between the control plane and an agent: a WebSocket the agent opens with a
// SigV4-signed upgrade request, as the ECS agent opens its ACS connection. Over it the
// control plane pushes the host's task assignments whenever they change, and the agent
// sends its task state reports (the ECS API's agent operations, answered as over HTTP)
// and its containers' health, as the ECS agent sends health over its telemetry connection.
// One open connection per host instead of a request per change: a long poll cost the control
// plane a request (HTTP parse, signature check, answer) for every task it placed, and the
// agent a signed request too.
import type { TaskDefinition, TaskOverride } from "@aws-sdk/client-ecs";
import type { TaskNetwork } from "../domain/task/lifecycle.js";
import type { ExecRequest } from "./agent-exec.js";
import type { FirewallPolicy } from "./firewall.js";
import type { TaskCredentials } from "./task-credentials.js";

/** A host's place in the stream of changes to its tasks; a push names the one it brings. */
export interface HostVersion {
  /** Changes when the control plane restarts, so an agent's remembered counter is void. */
  epoch: string;
  n: number;
}

/** Upgraded to a WebSocket; the query names the host: `?containerInstance=<ARN>`. */
export const CHANNEL_PATH = "/agent/v1/connect";

/** Close code the control plane ends a channel with when it no longer knows the host. */
export const CLOSE_NOT_REGISTERED = 4404;

/** The ECS operations an agent may call over its channel (any other is answered with an error). */
export const CHANNEL_OPERATIONS: ReadonlySet<string> = new Set([
  "SubmitTaskStateChange",
  "SubmitContainerStateChange",
  "SubmitAttachmentStateChanges",
]);

export interface ContainerHealth {
  taskArn: string;
  containerName: string;
  healthStatus: "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
}

/** What an agent sends. */
export type AgentMessage =
  /**
   * First on every connection, and again whenever the agent could not act on a push: send
   * what changed since `seen` (everything, without it). Carries the current health, and the
   * occupied pools once the agent has looked.
   */
  | { type: "sync"; seen?: HostVersion; health?: ContainerHealth[]; pools?: string[] }
  /** Health of containers that have health checks, as Docker reports it, whenever it changes. */
  | { type: "health"; health: ContainerHealth[] }
  /**
   * The IPv4 address space (CIDRs) in use on the host, whenever it changes: the pools Docker
   * networks hold that the agent cannot take back (not berth's, or joined by containers), and
   * the host's routes (not the default one, nor those on Docker's and berth's VPC bridges). A
   * new VPC's CIDR must not overlap them: Docker would refuse its network, or the host's
   * traffic to those addresses would go to the VPC. Agents before the routes sent pools only.
   */
  | { type: "pools"; pools: string[] }
  /** One ECS API call (one of CHANNEL_OPERATIONS); `id` pairs it with its answer. */
  | { type: "call"; id: number; operation: string; input: unknown };

/** What the control plane sends. */
export type ControlPlaneMessage =
  | ({ type: "assignments" } & PushedAssignments)
  | { type: "result"; id: number; output: unknown }
  | { type: "error"; id: number; error: { __type: string; message: string } }
  /** Start an ECS Exec session: the agent opens the session's own socket (see agent-exec.ts). */
  | ({ type: "exec" } & ExecRequest)
  /**
   * The security groups of the host's network interfaces, in full, after the agent's first sync
   * and whenever they change: the agent replaces what it enforces with it.
   */
  | { type: "firewall"; policy: FirewallPolicy }
  /**
   * The role credentials of tasks on the host: a task's come before the first push of its
   * assignment on a connection, and again whenever they are refreshed (well before they
   * expire). A task without roles has none.
   */
  | { type: "credentials"; credentials: TaskCredentials[] };

/** One task the host should run (desiredStatus RUNNING) or stop (STOPPED). */
export interface TaskAssignment {
  taskArn: string;
  clusterArn: string;
  desiredStatus: "RUNNING" | "STOPPED";
  lastStatus: string;
  launchType: string;
  group: string;
  taskDefinition: TaskDefinition;
  overrides: TaskOverride;
  containers: { name: string; containerArn: string }[];
  network?: TaskNetwork;
  /** Address that published ports bind to when the task has no loopback address of its own. */
  hostPortBindIp: string;
  version: number;
}

export interface Assignments {
  version: HostVersion;
  /**
   * The tasks assigned to the host that changed since the version the agent had seen:
   * every assigned task when it had seen none, or one from before a control-plane restart.
   */
  tasks: TaskAssignment[];
  /** The ARN of every task assigned to the host; a task missing here was taken away from it. */
  assigned: string[];
}

/**
 * Assignments as a push carries them: each task names its definition by ARN, and a definition
 * goes over a connection in full only the first time (`taskDefinitions`). A definition is the
 * bulk of an assignment (every container's image, environment, secrets and settings), and a
 * host runs many tasks of few definitions. A new connection starts over on both ends.
 */
export interface PushedAssignments extends Omit<Assignments, "tasks"> {
  tasks: PushedTaskAssignment[];
  /** The definitions this push's tasks name that the connection has not carried before. */
  taskDefinitions?: TaskDefinition[];
}

export type PushedTaskAssignment = Omit<TaskAssignment, "taskDefinition"> & { taskDefinitionArn: string };

// The two ends of PushedAssignments, side by side: the control plane's (asPushed) and the
// agent's (withDefinitions).

/**
 * The assignments as pushed over a connection that has carried the definitions in `carried`
 * (by ARN): each task names its definition, and those not carried yet go along in full and
 * join `carried`.
 */
export function asPushed({ tasks, ...rest }: Assignments, carried: Set<string>): PushedAssignments {
  const taskDefinitions: TaskDefinition[] = [];
  const pushed = tasks.map(({ taskDefinition, ...task }) => {
    const taskDefinitionArn = taskDefinition.taskDefinitionArn!;
    if (!carried.has(taskDefinitionArn)) {
      carried.add(taskDefinitionArn);
      taskDefinitions.push(taskDefinition);
    }
    return { ...task, taskDefinitionArn };
  });
  return { ...rest, tasks: pushed, ...(taskDefinitions.length ? { taskDefinitions } : {}) };
}

/** The push with each task's definition in full, or undefined if one names a definition never carried. */
export function withDefinitions(
  { type: _type, taskDefinitions, tasks, ...rest }: PushedAssignments & { type: "assignments" },
  carried: Map<string, TaskDefinition>,
): Assignments | undefined {
  for (const td of taskDefinitions ?? []) carried.set(td.taskDefinitionArn!, td);
  const resolved = [];
  for (const { taskDefinitionArn, ...task } of tasks) {
    const taskDefinition = carried.get(taskDefinitionArn);
    if (!taskDefinition) return undefined;
    resolved.push({ ...task, taskDefinition });
  }
  return { ...rest, tasks: resolved };
}
