// A task's life as the control plane records it: created by RunTask/StartTask, moved on by
// what its agent reports, stopped by a user, its essential containers or the scheduler.
// Pure: every function takes the task and `now` and returns the next task.
import type { Attachment, Container, ContainerDefinition, Task, TaskDefinition, TaskOverride } from "@aws-sdk/client-ecs";
import { ecsArn } from "../arn.js";
import type { Scope } from "../scope.js";
import { effectiveContainers, taskCpu, taskMemory } from "./reservation.js";
import { sameJson } from "../same-json.js";
import { withExecuteCommandAgents } from "../exec.js";
import { privateDnsName } from "./network.js";

/** The order of lastStatus; a task never moves backwards through it. */
export const TASK_STATUS_ORDER = [
  "PROVISIONING",
  "PENDING",
  "ACTIVATING",
  "RUNNING",
  "DEACTIVATING",
  "STOPPING",
  "DEPROVISIONING",
  "STOPPED",
] as const;
export type TaskStatus = (typeof TASK_STATUS_ORDER)[number];
const rank = (s: string | undefined) => TASK_STATUS_ORDER.indexOf((s ?? "PROVISIONING") as TaskStatus);

export type StopCode =
  | "TaskFailedToStart"
  | "EssentialContainerExited"
  | "UserInitiated"
  | "ServiceSchedulerInitiated"
  | "SpotInterruption"
  | "TerminationNotice";

/** What berth attaches to an awsvpc task: its own address in an EC2 subnet, on its VPC's network. */
export interface TaskNetwork {
  subnetId: string;
  /** The subnet's VPC: its Docker network is the one the task joins. */
  vpcId: string;
  /** The security groups of the task's network interface (the VPC's default group when none was named). */
  securityGroupIds: string[];
  networkName: string;
  /** The VPC's block: the pool of its Docker network. */
  cidr: string;
  /** The subnet's block, for the task metadata endpoint (absent for tasks placed before it was kept). */
  subnetCidr?: string;
  gateway: string;
  ipv4Address: string;
  /** 127.x.y.z on which the host reaches the task's ports (hostPort = containerPort). */
  loopbackAddress: string;
  attachmentId: string;
  networkInterfaceId: string;
  macAddress: string;
}

export interface NewTaskInput {
  scope: Scope;
  clusterName: string;
  taskId: string;
  taskDefinition: TaskDefinition;
  overrides?: TaskOverride;
  launchType: "EC2" | "FARGATE" | "EXTERNAL";
  capacityProviderName?: string;
  containerInstanceArn?: string;
  availabilityZone: string;
  group: string;
  startedBy?: string;
  tags?: Task["tags"];
  network?: TaskNetwork;
  platformVersion?: string;
  enableExecuteCommand?: boolean;
  containerIds: string[];
  now: Date;
}

export const taskArnOf = (scope: Scope, cluster: string, taskId: string) => ecsArn(scope, `task/${cluster}/${taskId}`);

function eniAttachment(net: TaskNetwork, region: string): Attachment {
  return {
    id: net.attachmentId,
    type: "ElasticNetworkInterface",
    status: "PRECREATED",
    details: [
      { name: "subnetId", value: net.subnetId },
      { name: "networkInterfaceId", value: net.networkInterfaceId },
      { name: "macAddress", value: net.macAddress },
      { name: "privateDnsName", value: privateDnsName(net.ipv4Address, region) },
      { name: "privateIPv4Address", value: net.ipv4Address },
    ],
  };
}

function newContainer(input: NewTaskInput, def: ContainerDefinition, index: number, taskArn: string): Container {
  return {
    containerArn: ecsArn(input.scope, `container/${input.clusterName}/${input.taskId}/${input.containerIds[index]}`),
    taskArn,
    name: def.name,
    image: def.image,
    lastStatus: "PENDING",
    networkInterfaces: input.network ? [{ attachmentId: input.network.attachmentId, privateIpv4Address: input.network.ipv4Address }] : [],
    healthStatus: "UNKNOWN",
    cpu: String(def.cpu ?? 0),
    ...(def.memory !== undefined ? { memory: String(def.memory) } : {}),
    ...(def.memoryReservation !== undefined ? { memoryReservation: String(def.memoryReservation) } : {}),
  };
}

export function newTask(input: NewTaskInput): Task {
  const td = input.taskDefinition;
  const taskArn = taskArnOf(input.scope, input.clusterName, input.taskId);
  const created = effectiveContainers(td, input.overrides).map((c, i) => newContainer(input, c, i, taskArn));
  const containers = input.enableExecuteCommand ? withExecuteCommandAgents(created, input.now) : created;
  const fargate = input.launchType === "FARGATE";
  const cpu = taskCpu(td, input.overrides);
  const memory = taskMemory(td, input.overrides);
  return {
    attachments: input.network ? [eniAttachment(input.network, input.scope.region)] : [],
    attributes: [{ name: "ecs.cpu-architecture", value: "x86_64" }],
    availabilityZone: input.availabilityZone,
    ...(input.capacityProviderName ? { capacityProviderName: input.capacityProviderName } : {}),
    clusterArn: ecsArn(input.scope, `cluster/${input.clusterName}`),
    ...(input.containerInstanceArn ? { containerInstanceArn: input.containerInstanceArn } : {}),
    containers,
    ...(cpu !== undefined ? { cpu: String(cpu) } : {}),
    ...(memory !== undefined ? { memory: String(memory) } : {}),
    createdAt: input.now,
    desiredStatus: "RUNNING",
    enableExecuteCommand: input.enableExecuteCommand ?? false,
    group: input.group,
    healthStatus: "UNKNOWN",
    // An ENI is attached before anything else happens to an awsvpc task.
    lastStatus: input.network ? "PROVISIONING" : "PENDING",
    launchType: input.launchType,
    overrides: {
      containerOverrides: input.overrides?.containerOverrides ?? (td.containerDefinitions ?? []).map((c) => ({ name: c.name })),
      inferenceAcceleratorOverrides: input.overrides?.inferenceAcceleratorOverrides ?? [],
      ...(input.overrides?.cpu ? { cpu: input.overrides.cpu } : {}),
      ...(input.overrides?.memory ? { memory: input.overrides.memory } : {}),
      ...(input.overrides?.taskRoleArn ? { taskRoleArn: input.overrides.taskRoleArn } : {}),
      ...(input.overrides?.executionRoleArn ? { executionRoleArn: input.overrides.executionRoleArn } : {}),
    },
    ...(fargate
      ? {
          platformVersion: input.platformVersion && input.platformVersion !== "LATEST" ? input.platformVersion : "1.4.0",
          platformFamily: "Linux",
          ephemeralStorage: { sizeInGiB: input.overrides?.ephemeralStorage?.sizeInGiB ?? td.ephemeralStorage?.sizeInGiB ?? 20 },
        }
      : {}),
    ...(input.startedBy ? { startedBy: input.startedBy } : {}),
    tags: input.tags ?? [],
    taskArn,
    taskDefinitionArn: td.taskDefinitionArn,
    version: 1,
  };
}

export interface ContainerReport {
  containerName: string;
  status?: "PENDING" | "RUNNING" | "STOPPED";
  runtimeId?: string;
  exitCode?: number;
  reason?: string;
  imageDigest?: string;
  networkBindings?: Container["networkBindings"];
  healthStatus?: "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
}

export interface TaskReport {
  status?: "PENDING" | "RUNNING" | "STOPPED";
  reason?: string;
  containers?: ContainerReport[];
  pullStartedAt?: Date;
  pullStoppedAt?: Date;
  executionStoppedAt?: Date;
}

/** Task health: UNHEALTHY if any essential container with a health check is, else UNKNOWN if any is unknown. */
export function taskHealth(
  containers: readonly Container[],
  withHealthCheck: ReadonlySet<string>,
  essential: ReadonlySet<string>,
): Task["healthStatus"] {
  const watched = containers.filter((c) => essential.has(c.name!) && withHealthCheck.has(c.name!));
  if (watched.length === 0) return "UNKNOWN";
  if (watched.some((c) => c.healthStatus === "UNHEALTHY")) return "UNHEALTHY";
  if (watched.some((c) => c.healthStatus !== "HEALTHY")) return "UNKNOWN";
  return "HEALTHY";
}

const FAILED_TO_START =
  /^(CannotPullContainerError|ResourceInitializationError|CannotStartContainerError|CannotCreateContainerError|DependencyTimeoutError)/;

/** The task after its agent reported `report`. */
export function applyTaskReport(task: Task, td: TaskDefinition, report: TaskReport, now: Date): Task {
  const essential = new Set((td.containerDefinitions ?? []).filter((c) => c.essential !== false).map((c) => c.name!));
  const withHealthCheck = new Set((td.containerDefinitions ?? []).filter((c) => c.healthCheck).map((c) => c.name!));
  const next: Task = { ...task, containers: mergeContainers(task.containers ?? [], report.containers ?? []) };
  if (report.pullStartedAt && !next.pullStartedAt) next.pullStartedAt = report.pullStartedAt;
  if (report.pullStoppedAt) next.pullStoppedAt = report.pullStoppedAt;
  next.healthStatus = taskHealth(next.containers!, withHealthCheck, essential);

  const essentialStopped = (report.containers ?? []).find((c) => c.status === "STOPPED" && essential.has(c.containerName));
  if (essentialStopped && next.desiredStatus !== "STOPPED") {
    const failedToStart = FAILED_TO_START.test(essentialStopped.reason ?? report.reason ?? "");
    Object.assign(
      next,
      stopFields(
        next,
        failedToStart ? "TaskFailedToStart" : "EssentialContainerExited",
        failedToStart ? (essentialStopped.reason ?? report.reason)! : "Essential container in task exited",
        now,
      ),
    );
  }
  const status = report.status;
  if (status && rank(status) > rank(next.lastStatus)) {
    next.lastStatus = status;
    if (status === "RUNNING") {
      next.startedAt ??= now;
      next.connectivity = "CONNECTED";
      next.connectivityAt ??= now;
      next.attachments = (next.attachments ?? []).map((a) => ({ ...a, status: "ATTACHED" }));
    }
  }
  if (status === "STOPPED") {
    if (next.desiredStatus !== "STOPPED") {
      const failed = FAILED_TO_START.test(report.reason ?? "") || !next.startedAt;
      Object.assign(
        next,
        stopFields(
          next,
          failed ? "TaskFailedToStart" : "EssentialContainerExited",
          report.reason ?? (failed ? "Task failed to start" : "Essential container in task exited"),
          now,
        ),
      );
    }
    next.lastStatus = "STOPPED";
    next.executionStoppedAt = report.executionStoppedAt ?? next.executionStoppedAt ?? now;
    next.stoppedAt ??= now;
    next.attachments = (next.attachments ?? []).map((a) => ({ ...a, status: "DELETED" }));
    next.connectivity = undefined;
    next.containers = next.containers!.map((c) => (c.lastStatus === "STOPPED" ? c : { ...c, lastStatus: "STOPPED" }));
  }
  if (next.enableExecuteCommand) next.containers = withExecuteCommandAgents(next.containers!, now);
  return bumpIfChanged(task, next);
}

function mergeContainers(current: readonly Container[], reports: readonly ContainerReport[]): Container[] {
  return current.map((c) => {
    const r = reports.find((x) => x.containerName === c.name);
    if (!r) return c;
    const merged: Container = { ...c };
    if (r.status && rank(r.status) >= rank(c.lastStatus)) merged.lastStatus = r.status;
    if (r.runtimeId) merged.runtimeId = r.runtimeId;
    if (r.exitCode !== undefined) merged.exitCode = r.exitCode;
    if (r.reason) merged.reason = r.reason;
    if (r.imageDigest) merged.imageDigest = r.imageDigest;
    if (r.networkBindings) merged.networkBindings = r.networkBindings;
    if (r.healthStatus) merged.healthStatus = r.healthStatus;
    return merged;
  });
}

function stopFields(task: Task, stopCode: StopCode, reason: string, now: Date): Partial<Task> {
  return { desiredStatus: "STOPPED", stopCode, stoppedReason: reason, stoppingAt: task.stoppingAt ?? now };
}

/** StopTask, the scheduler or a lost instance asks the task to stop; a stopped task stays as it is. */
export function requestStop(task: Task, stopCode: StopCode, reason: string, now: Date): Task {
  if (task.desiredStatus === "STOPPED") return task;
  const next: Task = { ...task, ...stopFields(task, stopCode, reason, now) };
  // Nothing started yet: there is nothing for an agent to stop.
  if (rank(task.lastStatus) >= rank("RUNNING")) next.lastStatus = "DEACTIVATING";
  return bumpIfChanged(task, next);
}

/** Why a task is asked to stop, and by whom. */
export interface StopOrder {
  code: StopCode;
  reason: string;
  /** Its host is gone (taken for terminated): no agent there will ever stop it. */
  hostGone?: boolean;
}

/**
 * A task asked to stop, by a user, the service scheduler or the loss of its host. One that no
 * agent will stop — none holds it (`onHost` false), or its host is gone — is STOPPED at once.
 */
export function applyStop(task: Task, order: StopOrder, now: Date, onHost: boolean): Task {
  const next = requestStop(task, order.code, order.reason, now);
  return onHost && !order.hostGone ? next : markStopped(next, now);
}

/** A task whose agent confirmed nothing of it runs any more (or never will). */
export function markStopped(task: Task, now: Date): Task {
  if (task.lastStatus === "STOPPED") return task;
  return applyTaskReport(task, { containerDefinitions: [] }, { status: "STOPPED" }, now);
}

function bumpIfChanged(before: Task, after: Task): Task {
  return sameJson(before, after) ? before : { ...after, version: (before.version ?? 0) + 1 };
}
