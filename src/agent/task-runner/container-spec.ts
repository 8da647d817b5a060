// ECS container definition → the driver's ContainerSpec. Pure: everything that needs I/O (host
// ports, network ids, volume names, environment files) is resolved beforehand and passed in.
import type { ContainerDefinition, HealthCheck as EcsHealthCheck } from "@aws-sdk/client-ecs";
import type { ContainerSpec, HealthCheck, Mount, NetworkAttachment, PortBinding } from "../../runtime/driver.js";
import { dockerName, ecsLabels, type TaskIdentity } from "./identity.js";
import { TaskFailure } from "./failure.js";

/** Seconds between SIGTERM and SIGKILL when a container definition sets no stopTimeout. */
export const DEFAULT_STOP_TIMEOUT_SECONDS = 30;
const METADATA_HOST = "http://169.254.170.2";
/** Log drivers that need AWS on the far side; berth keeps their logs in Docker's json-file instead. */
const LOCAL_INSTEAD = new Set(["awslogs", "awsfirelens"]);

/** Where each task volume lives on this host, keyed by the task definition's volume name. */
export type VolumeSources = ReadonlyMap<string, { type: "bind" | "volume"; source: string }>;

export interface SpecContext {
  task: TaskIdentity;
  launchType: string;
  /** The container's token on the task metadata endpoint (ECS_CONTAINER_METADATA_URI_V4=…/v4/<token>). */
  metadataToken: string;
  /** The id of the task role's credentials on the endpoint, when the task has a role. */
  credentialsId?: string;
  network: NetworkAttachment;
  portBindings: PortBinding[];
  volumes: VolumeSources;
  /** Variables read from the container's environmentFiles (lower precedence than `environment`). */
  fileEnvironment?: Record<string, string>;
  /** The values of the container's `secrets` (over `environment`, as the ECS agent merges them last). */
  secretEnvironment?: Record<string, string>;
  /** The values of its log configuration's `secretOptions`, added to the log driver's options. */
  logSecretOptions?: Record<string, string>;
  /** Task-level cpu units and MiB, when the task definition (or an override) sets them. */
  taskCpu?: number;
  taskMemory?: number;
  /** The host's cpus: Docker refuses a cpu limit above them, so a bigger task cpu is capped. */
  hostCpus?: number;
  /** Task-level pidMode / ipcMode already resolved to the engine's words ("host", "container:<id>"). */
  pidMode?: string;
  ipcMode?: string;
}

export function containerSpec(def: ContainerDefinition, ctx: SpecContext): ContainerSpec {
  const name = def.name!;
  const awsvpc = ctx.task.networkMode === "awsvpc";
  const bridge = ctx.task.networkMode === "bridge";
  const linux = def.linuxParameters ?? {};
  const spec: ContainerSpec = {
    name: dockerName(ctx.task, name),
    image: def.image!,
    env: environment(def, ctx),
    cpuShares: def.cpu ?? 0,
    portBindings: def.disableNetworking ? [] : ctx.portBindings,
    network: def.disableNetworking && bridge ? { mode: "none" } : ctx.network,
    mounts: [...mounts(def, ctx.volumes), ...tmpfsMounts(def)],
    // ECS's labels win over dockerLabels of the same name: the agent relies on them.
    labels: { ...(def.dockerLabels ?? {}), ...ecsLabels(ctx.task, name) },
    stopTimeoutSeconds: def.stopTimeout ?? DEFAULT_STOP_TIMEOUT_SECONDS,
  };
  if (def.command?.length) spec.command = def.command;
  if (def.entryPoint?.length) spec.entryPoint = def.entryPoint;
  if (def.workingDirectory) spec.workingDirectory = def.workingDirectory;
  if (def.user) spec.user = def.user;
  // A container sharing the pause container's namespace cannot set its own hostname, DNS or hosts.
  if (def.hostname && !awsvpc && ctx.task.networkMode !== "host") spec.hostname = def.hostname;
  // A container without a hard limit of its own is held to the task's memory.
  const memory = def.memory ?? ctx.taskMemory;
  if (memory !== undefined) spec.memoryMiB = memory;
  if (def.memoryReservation !== undefined) spec.memoryReservationMiB = def.memoryReservation;
  if (ctx.taskCpu !== undefined) spec.nanoCpus = Math.round(Math.min(ctx.taskCpu / 1024, ctx.hostCpus ?? Infinity) * 1e9);
  if (linux.maxSwap !== undefined) spec.maxSwapMiB = linux.maxSwap;
  if (linux.swappiness !== undefined) spec.swappiness = linux.swappiness;
  if (linux.sharedMemorySize !== undefined) spec.shmSizeMiB = linux.sharedMemorySize;
  if (linux.initProcessEnabled) spec.init = true;
  if (linux.capabilities?.add?.length) spec.capAdd = linux.capabilities.add;
  if (linux.capabilities?.drop?.length) spec.capDrop = linux.capabilities.drop;
  if (linux.devices?.length) {
    spec.devices = linux.devices.map((d) => ({
      hostPath: d.hostPath!,
      ...(d.containerPath ? { containerPath: d.containerPath } : {}),
      ...(d.permissions?.length ? { permissions: d.permissions.map((p) => p[0]).join("") } : {}),
    }));
  }
  if (bridge && def.links?.length) spec.links = def.links.map((link) => resolveLink(ctx.task, link));
  if (def.volumesFrom?.length) {
    spec.volumesFrom = def.volumesFrom.map((v) => `${dockerName(ctx.task, v.sourceContainer!)}${v.readOnly ? ":ro" : ""}`);
  }
  if (def.ulimits?.length) spec.ulimits = def.ulimits.map((u) => ({ name: u.name!, soft: u.softLimit!, hard: u.hardLimit! }));
  if (def.privileged) spec.privileged = true;
  if (def.readonlyRootFilesystem) spec.readonlyRootfs = true;
  if (!awsvpc && def.extraHosts?.length) spec.extraHosts = def.extraHosts.map((h) => `${h.hostname}:${h.ipAddress}`);
  if (!awsvpc && def.dnsServers?.length) spec.dns = def.dnsServers;
  if (!awsvpc && def.dnsSearchDomains?.length) spec.dnsSearch = def.dnsSearchDomains;
  if (def.dockerSecurityOptions?.length) spec.securityOptions = def.dockerSecurityOptions;
  if (def.systemControls?.length) {
    spec.sysctls = Object.fromEntries(def.systemControls.filter((s) => s.namespace).map((s) => [s.namespace!, s.value ?? ""]));
  }
  if (def.pseudoTerminal) spec.tty = true;
  if (def.interactive) spec.openStdin = true;
  if (ctx.pidMode) spec.pidMode = ctx.pidMode;
  if (ctx.ipcMode) spec.ipcMode = ctx.ipcMode;
  const log = logConfig(def, ctx.logSecretOptions);
  if (log) spec.log = log;
  if (def.healthCheck) spec.healthCheck = healthCheck(def.healthCheck);
  return spec;
}

/**
 * `environmentFiles`, then `environment`, then `secrets` (each wins over the one before), then
 * what the ECS agent injects: the endpoint's URIs and the credentials' path replace the
 * definition's, AWS_EXECUTION_ENV does not.
 */
function environment(def: ContainerDefinition, ctx: SpecContext): Record<string, string> {
  const env: Record<string, string> = { AWS_EXECUTION_ENV: ctx.launchType === "FARGATE" ? "AWS_ECS_FARGATE" : "AWS_ECS_EC2" };
  Object.assign(env, ctx.fileEnvironment ?? {});
  for (const pair of def.environment ?? []) if (pair.name) env[pair.name] = pair.value ?? "";
  Object.assign(env, ctx.secretEnvironment);
  env.ECS_CONTAINER_METADATA_URI_V4 = `${METADATA_HOST}/v4/${ctx.metadataToken}`;
  env.ECS_CONTAINER_METADATA_URI = `${METADATA_HOST}/v3/${ctx.metadataToken}`;
  if (ctx.credentialsId) env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI = `/v2/credentials/${ctx.credentialsId}`;
  return env;
}

function mounts(def: ContainerDefinition, volumes: VolumeSources): Mount[] {
  return (def.mountPoints ?? []).map((m) => {
    const volume = volumes.get(m.sourceVolume ?? "");
    if (!volume)
      throw new TaskFailure(`ResourceInitializationError: container ${def.name} mounts unknown volume '${m.sourceVolume}'`, def.name);
    return { type: volume.type, source: volume.source, target: m.containerPath!, ...(m.readOnly ? { readOnly: true } : {}) };
  });
}

function tmpfsMounts(def: ContainerDefinition): Mount[] {
  return (def.linuxParameters?.tmpfs ?? []).map((t) => ({
    type: "tmpfs" as const,
    target: t.containerPath!,
    ...(t.size !== undefined ? { sizeMiB: t.size } : {}),
    ...(t.mountOptions?.length ? { options: t.mountOptions } : {}),
  }));
}

/** "db" or "db:alias" → "<docker name of db>:<alias>". */
function resolveLink(task: TaskIdentity, link: string): string {
  const [target, alias] = link.split(":", 2) as [string, string | undefined];
  return `${dockerName(task, target)}:${alias ?? target}`;
}

function logConfig(def: ContainerDefinition, secretOptions: Record<string, string> | undefined): ContainerSpec["log"] {
  const config = def.logConfiguration;
  if (!config?.logDriver) return undefined;
  if (LOCAL_INSTEAD.has(config.logDriver)) return { driver: "json-file" };
  const options = { ...config.options, ...secretOptions };
  return { driver: config.logDriver, ...(Object.keys(options).length ? { options } : {}) };
}

/** ECS's health check (seconds, defaults 30/5/3/0) in the driver's form. */
export function healthCheck(check: EcsHealthCheck): HealthCheck {
  return {
    command: check.command ?? [],
    intervalSeconds: check.interval ?? 30,
    timeoutSeconds: check.timeout ?? 5,
    retries: check.retries ?? 3,
    ...(check.startPeriod ? { startPeriodSeconds: check.startPeriod } : {}),
  };
}
