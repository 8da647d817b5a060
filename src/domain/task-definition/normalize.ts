// Builds the TaskDefinition that RegisterTaskDefinition and DescribeTaskDefinition
// return, in the normalised form real ECS echoes (see ECS-SEMANTICS.md and the aws-cli
// examples register-task-definition.rst / describe-task-definition.rst). Call only on
// input that passed validateTaskDefinition. Tags are not part of it: ECS returns them
// beside the task definition.
import type {
  ContainerDefinition,
  HealthCheck,
  PortMapping,
  RegisterTaskDefinitionRequest,
  TaskDefinition,
  Volume,
} from "@aws-sdk/client-ecs";
import { taskDefinitionArn } from "../arn.js";
import { requiredAttributesOf } from "./attributes.js";
import { compatibilitiesOf, effectiveNetworkMode } from "./compat.js";
import { parseTaskCpu, parseTaskMemory } from "./fargate.js";

export interface TaskDefinitionContext {
  region: string;
  accountId: string;
  revision: number;
  registeredAt: Date;
  registeredBy: string;
}

function normalizePortMapping(p: PortMapping, mode: string): PortMapping {
  // A port range gets its host ports at run time; there is no single hostPort to echo.
  const hostPort = p.containerPortRange !== undefined ? undefined : mode === "bridge" ? (p.hostPort ?? 0) : p.containerPort;
  // Same key order as ECS prints: containerPort, hostPort, protocol, then the rest.
  const out: PortMapping = { containerPort: p.containerPort, hostPort, protocol: p.protocol ?? "tcp" };
  for (const [key, value] of Object.entries(p)) {
    if (!(key in out)) (out as Record<string, unknown>)[key] = value;
  }
  if (out.containerPort === undefined) delete out.containerPort;
  if (out.hostPort === undefined) delete out.hostPort;
  return out;
}

function normalizeHealthCheck(h: HealthCheck): HealthCheck {
  // ECS fills interval/timeout/retries but echoes startPeriod only when it was given.
  const out: HealthCheck = { command: h.command, interval: h.interval ?? 30, timeout: h.timeout ?? 5, retries: h.retries ?? 3 };
  if (h.startPeriod !== undefined) out.startPeriod = h.startPeriod;
  return out;
}

function normalizeContainer(c: ContainerDefinition, mode: string): ContainerDefinition {
  // Key order follows what ECS prints (name, image, cpu, memory…, portMappings, essential,
  // …, environment, mountPoints, volumesFrom) so CLI output reads the same; everything
  // else the caller sent follows unchanged.
  const out: ContainerDefinition = {
    name: c.name,
    image: c.image,
    ...(c.repositoryCredentials !== undefined && { repositoryCredentials: c.repositoryCredentials }),
    cpu: c.cpu ?? 0,
    ...(c.memory !== undefined && { memory: c.memory }),
    ...(c.memoryReservation !== undefined && { memoryReservation: c.memoryReservation }),
    ...(c.links !== undefined && { links: c.links }),
    portMappings: (c.portMappings ?? []).map((p) => normalizePortMapping(p, mode)),
    essential: c.essential ?? true,
    ...(c.restartPolicy !== undefined && { restartPolicy: c.restartPolicy }),
    ...(c.entryPoint !== undefined && { entryPoint: c.entryPoint }),
    ...(c.command !== undefined && { command: c.command }),
    environment: c.environment ?? [],
    ...(c.environmentFiles !== undefined && { environmentFiles: c.environmentFiles }),
    mountPoints: c.mountPoints ?? [],
    volumesFrom: c.volumesFrom ?? [],
  };
  for (const [key, value] of Object.entries(c) as [keyof ContainerDefinition, unknown][]) {
    if (!(key in out) && value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  if (c.healthCheck !== undefined) out.healthCheck = normalizeHealthCheck(c.healthCheck);
  // Current ECS (2025 onwards) echoes an empty systemControls list on every container.
  out.systemControls = c.systemControls ?? [];
  return out;
}

function normalizeVolume(v: Volume): Volume {
  if (v.efsVolumeConfiguration === undefined) return v;
  // ECS mounts the file system root when rootDirectory is omitted and echoes "/".
  return { ...v, efsVolumeConfiguration: { ...v.efsVolumeConfiguration, rootDirectory: v.efsVolumeConfiguration.rootDirectory ?? "/" } };
}

/** The normalised TaskDefinition for a validated request. */
export function buildTaskDefinition(input: RegisterTaskDefinitionRequest, ctx: TaskDefinitionContext): TaskDefinition {
  // Deep copy so the stored definition never aliases the caller's request objects.
  const req = structuredClone(input);
  const mode = effectiveNetworkMode(req);
  const family = req.family!;
  const attributes = requiredAttributesOf(req);
  const td: TaskDefinition = {
    taskDefinitionArn: taskDefinitionArn({ region: ctx.region, accountId: ctx.accountId }, family, ctx.revision),
    containerDefinitions: (req.containerDefinitions ?? []).map((c) => normalizeContainer(c, mode)),
    family,
    ...(req.taskRoleArn !== undefined && { taskRoleArn: req.taskRoleArn }),
    ...(req.executionRoleArn !== undefined && { executionRoleArn: req.executionRoleArn }),
    // Real ECS leaves networkMode out of the response when the request left it out.
    ...(req.networkMode !== undefined && { networkMode: req.networkMode }),
    revision: ctx.revision,
    volumes: (req.volumes ?? []).map(normalizeVolume),
    status: "ACTIVE",
    ...(attributes.length > 0 && { requiresAttributes: attributes }),
    placementConstraints: req.placementConstraints ?? [],
    compatibilities: compatibilitiesOf(req),
    ...(req.requiresCompatibilities !== undefined && { requiresCompatibilities: req.requiresCompatibilities }),
    ...(req.runtimePlatform !== undefined && { runtimePlatform: req.runtimePlatform }),
    ...(req.cpu !== undefined && { cpu: String(parseTaskCpu(req.cpu) ?? req.cpu) }),
    ...(req.memory !== undefined && { memory: String(parseTaskMemory(req.memory) ?? req.memory) }),
    ...(req.inferenceAccelerators !== undefined && { inferenceAccelerators: req.inferenceAccelerators }),
    ...(req.pidMode !== undefined && { pidMode: req.pidMode }),
    ...(req.ipcMode !== undefined && { ipcMode: req.ipcMode }),
    ...(req.proxyConfiguration !== undefined && { proxyConfiguration: req.proxyConfiguration }),
    registeredAt: ctx.registeredAt,
    registeredBy: ctx.registeredBy,
    ...(req.ephemeralStorage !== undefined && { ephemeralStorage: req.ephemeralStorage }),
    ...(req.enableFaultInjection !== undefined && { enableFaultInjection: req.enableFaultInjection }),
  };
  return td;
}
