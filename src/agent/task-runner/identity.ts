// Who a task and its containers are on the host: Docker names, the ECS labels every container
// carries (how an agent finds its containers again after a restart) and the ids inside ARNs. Pure.
import type { TaskAssignment } from "../../wire/agent-channel.js";
import { idFromRef } from "../../domain/arn.js";

/** The container-name label of an awsvpc task's network-namespace holder, as the ECS agent names it. */
export const PAUSE_CONTAINER_NAME = "~internal~ecs~pause";

export const LABEL = {
  cluster: "com.amazonaws.ecs.cluster",
  containerName: "com.amazonaws.ecs.container-name",
  taskArn: "com.amazonaws.ecs.task-arn",
  family: "com.amazonaws.ecs.task-definition-family",
  version: "com.amazonaws.ecs.task-definition-version",
  managed: "berth.managed",
  /** The container instance whose agent created it: what a restarted agent may clean up as its own. */
  owner: "berth.container-instance",
} as const;

export interface TaskIdentity {
  clusterArn: string;
  taskArn: string;
  /** The 32-hex id that ends the task ARN. */
  taskId: string;
  family: string;
  revision: number;
  networkMode: "bridge" | "host" | "none" | "awsvpc";
  /** The container instance ARN of the agent that runs it (several agents may share one engine). */
  owner?: string;
}

export function taskIdentity(assignment: TaskAssignment, owner?: string): TaskIdentity {
  const td = assignment.taskDefinition;
  const mode = td.networkMode ?? "bridge";
  return {
    clusterArn: assignment.clusterArn,
    taskArn: assignment.taskArn,
    taskId: idFromRef(assignment.taskArn),
    family: td.family ?? "task",
    revision: td.revision ?? 0,
    networkMode: mode === "host" || mode === "none" || mode === "awsvpc" ? mode : "bridge",
    ...(owner ? { owner } : {}),
  };
}

/** "ecs-<family>-<revision>-<container>-<task id>": unique per task, stable across agent restarts. */
export function dockerName(task: TaskIdentity, containerName: string): string {
  const safe = containerName === PAUSE_CONTAINER_NAME ? "internalecspause" : containerName.replace(/[^a-zA-Z0-9_.-]/g, "");
  return `ecs-${task.family}-${task.revision}-${safe}-${task.taskId}`;
}

/** The labels ECS puts on every container of a task; berth.managed marks what berth may clean up. */
export function ecsLabels(task: TaskIdentity, containerName: string): Record<string, string> {
  return {
    [LABEL.cluster]: task.clusterArn,
    [LABEL.containerName]: containerName,
    [LABEL.taskArn]: task.taskArn,
    [LABEL.family]: task.family,
    [LABEL.version]: String(task.revision),
    [LABEL.managed]: "1",
    ...(task.owner ? { [LABEL.owner]: task.owner } : {}),
  };
}

/** The uuid ending a container ARN (…:container/<cluster>/<task id>/<uuid>): the metadata endpoint's key. */
export function containerUuid(assignment: TaskAssignment, containerName: string): string {
  const arn = assignment.containers.find((c) => c.name === containerName)?.containerArn;
  return arn ? idFromRef(arn) : `${idFromRef(assignment.taskArn)}-${containerName}`;
}
