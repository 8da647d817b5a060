// A service task behind load balancers: the targets ECS registers it as when it reaches
// RUNNING (awsvpc: its ENI address and the container port; bridge/host: its instance and the
// host port bound to that container port), and the drain that holds its stop back. When the
// scheduler (or StopTask) stops such a task, its targets are deregistered first and the task
// shows DEACTIVATING; its agent is told to stop it only once the longest deregistration delay
// of its groups has passed (then STOPPING, then STOPPED). What is held is stored, so a
// restarted control plane holds it as well.
import type { LoadBalancer, Task } from "@aws-sdk/client-ecs";

/** One target a task was registered as, in one target group. */
export interface TaskTarget {
  targetGroupArn: string;
  id: string;
  port: number;
}

/** What the task document keeps of its load balancing. */
export interface TaskLoadBalancing {
  /** The targets it was registered as (one per load balancer of its service). */
  targets: TaskTarget[];
  /** When its targets were deregistered (ms); unset while they are registered. */
  deregisteredAt?: number;
  /** While set, the agent is not told to stop the task: its targets drain until then (ms). */
  drainUntil?: number;
}

/** The task's stop is held back from its agent: it is being stopped, and its targets still drain. */
export function heldForDraining(doc: { task: Task; loadBalancing?: TaskLoadBalancing }): boolean {
  return doc.loadBalancing?.drainUntil !== undefined && doc.task.desiredStatus === "STOPPED" && doc.task.lastStatus !== "STOPPED";
}

/** The task once its targets have drained: its agent may now stop it (STOPPING until it has). */
export function releasedFromDraining<T extends { task: Task; loadBalancing?: TaskLoadBalancing }>(doc: T): T | undefined {
  if (!heldForDraining(doc)) return undefined;
  const { drainUntil: _drained, ...rest } = doc.loadBalancing!;
  const status = doc.task.lastStatus === "DEACTIVATING" ? "STOPPING" : doc.task.lastStatus;
  return { ...doc, loadBalancing: rest, task: { ...doc.task, lastStatus: status, version: (doc.task.version ?? 0) + 1 } };
}

/** Where a task's load-balanced port is reached, as the target group registers it. */
export interface TargetEndpoint {
  id: string;
  port: number;
  /** Where the data plane connects. */
  address: string;
}

/**
 * The target a task is registered as for `lb`: awsvpc by its address and the container port;
 * bridge and host by its instance and the host port bound to the container port, reached at
 * the address published ports bind to (0.0.0.0 is reached at 127.0.0.1). Undefined when the
 * task has no such binding (yet).
 */
export function taskEndpoint(
  task: Task,
  lb: LoadBalancer,
  where: { ipv4Address?: string; ec2InstanceId?: string; hostPortBindIp: string },
): TargetEndpoint | undefined {
  const containerPort = lb.containerPort!;
  if (where.ipv4Address) return { id: where.ipv4Address, port: containerPort, address: where.ipv4Address };
  if (!where.ec2InstanceId) return undefined;
  const container = task.containers?.find((c) => c.name === lb.containerName);
  const binding = container?.networkBindings?.find((b) => b.containerPort === containerPort && (b.protocol ?? "tcp") === "tcp");
  const hostPort = binding?.hostPort;
  if (hostPort === undefined) return undefined;
  const bind = binding?.bindIP && binding.bindIP !== "0.0.0.0" ? binding.bindIP : where.hostPortBindIp;
  return { id: where.ec2InstanceId, port: hostPort, address: bind === "0.0.0.0" || bind === "::" ? "127.0.0.1" : bind };
}
