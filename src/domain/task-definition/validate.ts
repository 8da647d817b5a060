// The registration rules of RegisterTaskDefinition. Each failure throws the exception
// real ECS returns (ClientException for semantic rules, InvalidParameterException for
// malformed members and enum values). Rules run in a fixed order so a request with
// several faults always reports the same one.
import type { ContainerDefinition, RegisterTaskDefinitionRequest } from "@aws-sdk/client-ecs";
import { clientException, invalidParameter } from "../errors.js";
import { effectiveNetworkMode, launchTypeProblem } from "./compat.js";
import { checkContainerName, checkHealthCheck, checkImage, checkMemory, checkPortMappings, checkTimeouts } from "./container-rules.js";
import { parseTaskCpu, parseTaskMemory } from "./fargate.js";
import { checkRequestShape } from "./shape.js";

const FAMILY = /^[A-Za-z0-9_-]+$/;
export const MAX_CONTAINERS = 10;
const NETWORK_MODES = ["bridge", "host", "awsvpc", "none"];
const COMPATIBILITIES = ["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"];
const CONDITIONS = ["START", "COMPLETE", "SUCCESS", "HEALTHY"];
/** EC2 task-level cpu bounds: 0.125 vCPU to 192 vCPU (ECS developer guide, "Task size"). */
const EC2_TASK_CPU = [128, 196608] as const;

function enumCheck(value: string | undefined, allowed: string[], member: string): void {
  if (value !== undefined && !allowed.includes(value)) {
    throw invalidParameter(`Invalid value '${value}' for ${member}. Valid values: ${allowed.join(", ")}.`);
  }
}

/** Throws the ECS exception for the first rule the request breaks; returns when it is valid. */
export function validateTaskDefinition(input: RegisterTaskDefinitionRequest): void {
  checkRequestShape(input);
  checkFamily(input.family);

  const containers = input.containerDefinitions ?? [];
  // (ECS) "Container list cannot be empty."
  if (containers.length === 0) throw clientException("Container list cannot be empty.");
  if (containers.length > MAX_CONTAINERS) {
    throw clientException(`Too many containers. A task definition can have at most ${MAX_CONTAINERS} containers.`);
  }

  enumCheck(input.networkMode, NETWORK_MODES, "networkMode");
  enumCheck(input.pidMode, ["host", "task"], "pidMode");
  enumCheck(input.ipcMode, ["host", "task", "none"], "ipcMode");
  for (const t of input.requiresCompatibilities ?? []) enumCheck(t, COMPATIBILITIES, "requiresCompatibilities");
  const mode = effectiveNetworkMode(input);

  const taskMemory = checkTaskSize(input);
  const volumeNames = checkVolumes(input);

  const byName = new Map<string, ContainerDefinition>();
  const hostPorts = new Set<string>();
  for (const c of containers) {
    checkContainerName(c);
    if (byName.has(c.name!)) throw clientException(`Duplicate container name '${c.name}'. Container names must be unique.`);
    byName.set(c.name!, c);
  }
  for (const c of containers) {
    checkImage(c);
    checkMemory(c, taskMemory);
    checkPortMappings(c, mode, hostPorts);
    checkHealthCheck(c);
    checkTimeouts(c);
    checkLinks(c, mode, byName);
    checkMounts(c, volumeNames, byName);
  }
  // "essential" defaults to true, so only an explicit false opts a container out.
  if (!containers.some((c) => c.essential !== false)) {
    throw clientException("Task definition does not have an essential container. At least one container must be essential.");
  }
  checkDependencies(containers, byName);
  // The agent reads secrets as the task's execution role, so ECS refuses them without one.
  if (input.executionRoleArn === undefined && containers.some((c) => (c.secrets?.length ?? 0) > 0)) {
    throw clientException("When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.");
  }

  for (const t of input.requiresCompatibilities ?? []) {
    const problem = launchTypeProblem(input, t);
    if (problem !== undefined) throw clientException(problem);
  }
}

function checkFamily(family: string | undefined): void {
  // Fog's ECS mock, which copies real responses, says "Family can not be blank."
  if (family === undefined || family === "") throw clientException("Family can not be blank.");
  if (family.length > 255) throw clientException("Family name must be 255 characters or fewer.");
  // (ECS) "Family contains invalid characters."
  if (!FAMILY.test(family)) throw clientException("Family contains invalid characters.");
}

/** Checks task-level cpu/memory and returns the memory in MiB when set. */
function checkTaskSize(input: RegisterTaskDefinitionRequest): number | undefined {
  let cpu: number | undefined;
  if (input.cpu !== undefined) {
    cpu = parseTaskCpu(input.cpu);
    // (ECS) "Invalid 'cpu' setting for task."
    if (cpu === undefined) throw clientException("Invalid 'cpu' setting for task.");
    const fargateOnly = (input.requiresCompatibilities ?? []).includes("FARGATE");
    if (!fargateOnly && (cpu < EC2_TASK_CPU[0] || cpu > EC2_TASK_CPU[1])) {
      throw clientException("Invalid 'cpu' setting for task.");
    }
  }
  if (input.memory === undefined) return undefined;
  const memory = parseTaskMemory(input.memory);
  if (memory === undefined) throw clientException("Invalid 'memory' setting for task.");
  return memory;
}

const VOLUME_NAME = /^[A-Za-z0-9_-]{1,255}$/;

function checkVolumes(input: RegisterTaskDefinitionRequest): Set<string> {
  const names = new Set<string>();
  for (const v of input.volumes ?? []) {
    if (v.name === undefined || !VOLUME_NAME.test(v.name)) {
      throw clientException(`Invalid volume name '${v.name ?? ""}'. Up to 255 letters, numbers, hyphens and underscores are allowed.`);
    }
    if (names.has(v.name)) throw clientException(`Duplicate volume name '${v.name}'. Volume names must be unique.`);
    const kinds = [v.host, v.dockerVolumeConfiguration, v.efsVolumeConfiguration, v.fsxWindowsFileServerVolumeConfiguration].filter(
      (k) => k !== undefined,
    ).length;
    if (kinds > 1) throw clientException(`Invalid volume '${v.name}'. Specify only one volume type.`);
    if (v.efsVolumeConfiguration !== undefined && !v.efsVolumeConfiguration.fileSystemId) {
      throw clientException(`Invalid volume '${v.name}'. efsVolumeConfiguration requires a fileSystemId.`);
    }
    names.add(v.name);
  }
  return names;
}

function checkLinks(c: ContainerDefinition, mode: string, byName: Map<string, ContainerDefinition>): void {
  const links = c.links ?? [];
  if (links.length === 0) return;
  if (mode !== "bridge") throw clientException(`Links are not supported when networkMode=${mode}.`);
  for (const link of links) {
    // A link is "name" or "name:alias".
    const target = link.split(":")[0]!;
    if (target === c.name || !byName.has(target)) {
      throw clientException(`Invalid link '${link}' in container '${c.name}'. Links must name another container in the task definition.`);
    }
  }
}

function checkMounts(c: ContainerDefinition, volumes: Set<string>, byName: Map<string, ContainerDefinition>): void {
  for (const m of c.mountPoints ?? []) {
    if (m.sourceVolume === undefined || !volumes.has(m.sourceVolume)) {
      throw clientException(
        `Invalid 'mountPoints' setting for container '${c.name}'. sourceVolume '${m.sourceVolume ?? ""}' is not a volume of the task definition.`,
      );
    }
    if (m.containerPath === undefined || m.containerPath === "") {
      throw clientException(`Invalid 'mountPoints' setting for container '${c.name}'. containerPath must be specified.`);
    }
  }
  for (const v of c.volumesFrom ?? []) {
    if (v.sourceContainer === undefined || v.sourceContainer === c.name || !byName.has(v.sourceContainer)) {
      throw clientException(
        `Invalid 'volumesFrom' setting for container '${c.name}'. sourceContainer '${v.sourceContainer ?? ""}' is not another container of the task definition.`,
      );
    }
  }
}

function checkDependencies(containers: ContainerDefinition[], byName: Map<string, ContainerDefinition>): void {
  for (const c of containers) {
    for (const d of c.dependsOn ?? []) {
      const target = d.containerName === undefined ? undefined : byName.get(d.containerName);
      if (target === undefined || target === c) {
        throw clientException(
          `Invalid 'dependsOn' setting for container '${c.name}'. '${d.containerName ?? ""}' is not another container of the task definition.`,
        );
      }
      if (d.condition === undefined || !CONDITIONS.includes(d.condition)) {
        throw invalidParameter(
          `Invalid dependsOn condition '${d.condition ?? ""}' for container '${c.name}'. Valid values: ${CONDITIONS.join(", ")}.`,
        );
      }
      if ((d.condition === "COMPLETE" || d.condition === "SUCCESS") && target.essential !== false) {
        throw clientException(
          `Invalid 'dependsOn' setting for container '${c.name}'. A container with a ${d.condition} dependency condition cannot be essential: '${target.name}'.`,
        );
      }
      if (d.condition === "HEALTHY" && target.healthCheck === undefined) {
        throw clientException(
          `Invalid 'dependsOn' setting for container '${c.name}'. Container '${target.name}' must have a health check to be a HEALTHY dependency.`,
        );
      }
    }
  }
  // A cycle would leave every container in it waiting for another forever.
  const state = new Map<string, 1 | 2>();
  const visit = (c: ContainerDefinition): void => {
    if (state.get(c.name!) === 2) return;
    if (state.get(c.name!) === 1) throw clientException(`Container dependencies contain a cycle involving '${c.name}'.`);
    state.set(c.name!, 1);
    for (const d of c.dependsOn ?? []) visit(byName.get(d.containerName!)!);
    state.set(c.name!, 2);
  };
  containers.forEach(visit);
}
