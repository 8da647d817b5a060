// awsvpc networking: the task's address lives on a berth-managed Docker network (one per
// subnet, shared by its tasks, kept when a task ends) and belongs to a pause container that
// holds the network namespace; the task's containers join that namespace. The pause container
// also publishes the task's ports on the task's loopback address, so the host reaches the task
// at 127.1.x.y:<containerPort> as it would reach an ENI's address.
import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import type { TaskAssignment } from "../../wire/agent-channel.js";
import { type ContainerSpec, type ContainerState, type NetworkAttachment, type RuntimeDriver } from "../../runtime/driver.js";
import { createOwned } from "./create.js";
import { failure, TaskFailure } from "./failure.js";
import { dockerName, ecsLabels, PAUSE_CONTAINER_NAME, type TaskIdentity } from "./identity.js";
import { pausePortBindings } from "./ports.js";
import { ensureVpcNetwork } from "./vpc-network.js";

/** How a task container attaches, given the task's network mode (and the pause container for awsvpc). */
export function attachmentFor(task: TaskIdentity, pauseId?: string): NetworkAttachment {
  switch (task.networkMode) {
    case "awsvpc":
      if (!pauseId) throw new TaskFailure("ResourceInitializationError: the task's network namespace is not set up");
      return { mode: "container", containerId: pauseId };
    case "host":
      return { mode: "host" };
    case "none":
      return { mode: "none" };
    case "bridge":
      return { mode: "bridge" };
  }
}

export function pauseSpec(
  assignment: TaskAssignment,
  task: TaskIdentity,
  defs: readonly ContainerDefinition[],
  image: string,
): ContainerSpec {
  const net = assignment.network;
  if (!net) throw new TaskFailure("ResourceInitializationError: an awsvpc task arrived without its network attachment");
  const td = assignment.taskDefinition;
  return {
    name: dockerName(task, PAUSE_CONTAINER_NAME),
    image,
    env: {},
    cpuShares: 2,
    portBindings: pausePortBindings(defs, net.loopbackAddress),
    network: { mode: "network", name: net.networkName, ipv4Address: net.ipv4Address },
    mounts: [],
    labels: ecsLabels(task, PAUSE_CONTAINER_NAME),
    stopTimeoutSeconds: 1,
    // ipcMode "task" makes the task's containers share the pause container's IPC namespace.
    ...(td.ipcMode === "task" ? { ipcMode: "shareable" } : {}),
  };
}

/**
 * Makes the VPC's network (see vpc-network.ts) and starts the task's pause
 * container (adopting one left by an earlier agent run); returns its id. Failures are
 * ResourceInitializationErrors.
 */
export async function startPause(
  driver: RuntimeDriver,
  assignment: TaskAssignment,
  task: TaskIdentity,
  defs: readonly ContainerDefinition[],
  image: string,
  existing?: ContainerState,
): Promise<string> {
  const spec = pauseSpec(assignment, task, defs, image);
  const net = assignment.network!;
  try {
    if (existing?.status === "running") return existing.id;
    if (existing) await driver.destroy(existing.id);
    await ensureVpcNetwork(driver, net);
    const id = await createOwned(driver, spec, task.taskArn);
    await driver.start(id);
    return id;
  } catch (err) {
    throw failure("ResourceInitializationError: failed to set up the task network", err);
  }
}

/** What task-level pidMode / ipcMode mean for a task container. */
export function namespaceModes(assignment: TaskAssignment, pauseId?: string): { pidMode?: string; ipcMode?: string } {
  const td = assignment.taskDefinition;
  const share = (mode: string | undefined): string | undefined => {
    if (mode === "host") return "host";
    if (mode === "none") return "none";
    if (mode === "task" && pauseId) return `container:${pauseId}`;
    return undefined;
  };
  const pidMode = share(td.pidMode);
  const ipcMode = share(td.ipcMode);
  return { ...(pidMode ? { pidMode } : {}), ...(ipcMode ? { ipcMode } : {}) };
}
