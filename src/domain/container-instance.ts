// Container instances: what RegisterContainerInstance records, and how Describe shows an
// instance with the resources its tasks hold and whether its agent is connected.
import type { Attribute, ContainerInstance, RegisterContainerInstanceRequest, Resource, VersionInfo } from "@aws-sdk/client-ecs";
import { createHash } from "node:crypto";
import { ecsArn } from "./arn.js";
import { invalidParameter } from "./errors.js";
import type { Scope } from "./scope.js";
import type { Reservation } from "./task/reservation.js";

/** By default, an agent that has not been heard from for this long shows agentConnected: false. */
export const AGENT_TIMEOUT_MS = 30_000;

/** Where an instance is when neither its identity document nor its attributes say. */
export const DEFAULT_AVAILABILITY_ZONE = "us-east-1a";

/** The availability zone of an instance, as its ecs.availability-zone attribute says. */
export function availabilityZoneOf(instance: ContainerInstance): string {
  return instance.attributes?.find((a) => a.name === "ecs.availability-zone")?.value ?? DEFAULT_AVAILABILITY_ZONE;
}

/** Marks an agent registration as berth's FARGATE capacity rather than an EC2 instance. */
export const FARGATE_HOST_ATTRIBUTE = "berth.capacity";

export const containerInstanceArnOf = (scope: Scope, cluster: string, id: string) => ecsArn(scope, `container-instance/${cluster}/${id}`);

export function identityDocumentInstanceId(doc: string | undefined): string | undefined {
  if (!doc) return undefined;
  try {
    const parsed = JSON.parse(doc) as { instanceId?: unknown };
    return typeof parsed.instanceId === "string" ? parsed.instanceId : undefined;
  } catch {
    throw invalidParameter("The instance identity document is not valid JSON.");
  }
}

export function identityDocumentField(doc: string | undefined, field: string): string | undefined {
  if (!doc) return undefined;
  const value = (JSON.parse(doc) as Record<string, unknown>)[field];
  return typeof value === "string" ? value : undefined;
}

const resource = (name: string, type: string, value: Partial<Resource>): Resource => ({
  name,
  type,
  doubleValue: 0,
  longValue: 0,
  integerValue: 0,
  ...value,
});

export function registeredResources(total: readonly Resource[] | undefined): Resource[] {
  const get = (name: string) => total?.find((r) => r.name === name);
  const cpu = get("CPU")?.integerValue ?? 1024;
  const memory = get("MEMORY")?.integerValue ?? 1024;
  if (cpu <= 0 || memory <= 0) throw invalidParameter("CPU and MEMORY resources must be positive.");
  return [
    resource("CPU", "INTEGER", { integerValue: cpu }),
    resource("MEMORY", "INTEGER", { integerValue: memory }),
    resource("PORTS", "STRINGSET", { stringSetValue: get("PORTS")?.stringSetValue ?? ["22", "2375", "2376", "51678", "51679"] }),
    resource("PORTS_UDP", "STRINGSET", { stringSetValue: get("PORTS_UDP")?.stringSetValue ?? [] }),
  ];
}

/**
 * The image a berth host runs, in AMI form. ECS sets ecs.ami-id from the instance identity
 * document's imageId; a berth host runs no AMI, so it is named after what it does run: berth's
 * agent release on a CPU architecture. Hosts running the same release share it, as instances
 * launched from one AMI do, and an upgraded agent gets a new one, as each ECS-optimized AMI
 * release does; it never changes for a host that keeps running the same berth.
 */
export function berthImageId(agentVersion: string | undefined, cpuArchitecture: string): string {
  const digest = createHash("sha256")
    .update(`berth-agent/${agentVersion ?? "unknown"}/linux/${cpuArchitecture}`)
    .digest("hex");
  return `ami-${digest.slice(0, 17)}`;
}

export function defaultAttributes(doc: string | undefined, given: readonly Attribute[], versionInfo?: VersionInfo): Attribute[] {
  const byName = new Map<string, Attribute>();
  const put = (name: string, value?: string) => byName.set(name, value === undefined ? { name } : { name, value });
  const architecture = given.find((a) => a.name === "ecs.cpu-architecture")?.value ?? "x86_64";
  put("ecs.os-type", "linux");
  put("ecs.os-family", "LINUX");
  put("ecs.cpu-architecture", architecture);
  put("ecs.ami-id", identityDocumentField(doc, "imageId") ?? berthImageId(versionInfo?.agentVersion, architecture));
  put("ecs.availability-zone", identityDocumentField(doc, "availabilityZone") ?? DEFAULT_AVAILABILITY_ZONE);
  put("ecs.instance-type", identityDocumentField(doc, "instanceType") ?? "berth.local");
  for (const a of given) put(a.name!, a.value);
  return [...byName.values()].map((a) => ({ ...a }));
}

export function newContainerInstance(args: {
  scope: Scope;
  cluster: string;
  id: string;
  ec2InstanceId: string;
  request: RegisterContainerInstanceRequest;
  now: Date;
}): ContainerInstance {
  const { request } = args;
  return {
    containerInstanceArn: containerInstanceArnOf(args.scope, args.cluster, args.id),
    ec2InstanceId: args.ec2InstanceId,
    version: 1,
    versionInfo: request.versionInfo ?? {},
    registeredResources: registeredResources(request.totalResources),
    status: "ACTIVE",
    agentConnected: true,
    attributes: defaultAttributes(request.instanceIdentityDocument, request.attributes ?? [], request.versionInfo),
    registeredAt: args.now,
    tags: request.tags ?? [],
    attachments: [],
  };
}

/** A task as the host holding it counts it. */
export interface HeldTask {
  reservation: Reservation;
  lastStatus: string;
  group: string;
  family: string;
}

/** What the tasks on one host hold: the figures Describe shows and placement weighs. */
export interface HostUsage {
  cpu: number;
  memory: number;
  ports: number[];
  portsUdp: number[];
  running: number;
  pending: number;
  /** Group and family of each task, for distinctInstance and spread by group. */
  tasks: { group: string; family: string }[];
  /** How many of `tasks` are in each group. */
  byGroup: Map<string, number>;
}

/** Task states ECS counts as pending (pendingTasksCount). */
export const PENDING_STATES: ReadonlySet<string> = new Set(["PROVISIONING", "PENDING", "ACTIVATING"]);

/** Sums what `held` reserves; STOPPED tasks hold nothing. */
export function usageOf(held: Iterable<HeldTask>): HostUsage {
  const usage: HostUsage = { cpu: 0, memory: 0, ports: [], portsUdp: [], running: 0, pending: 0, tasks: [], byGroup: new Map() };
  for (const t of held) {
    if (t.lastStatus === "STOPPED") continue;
    usage.cpu += t.reservation.cpu;
    usage.memory += t.reservation.memory;
    usage.ports.push(...t.reservation.ports);
    usage.portsUdp.push(...t.reservation.portsUdp);
    if (t.lastStatus === "RUNNING") usage.running++;
    else if (PENDING_STATES.has(t.lastStatus)) usage.pending++;
    usage.tasks.push({ group: t.group, family: t.family });
    usage.byGroup.set(t.group, (usage.byGroup.get(t.group) ?? 0) + 1);
  }
  return usage;
}

/** The instance as Describe shows it: remaining resources and counts from what its tasks hold. */
export function containerInstanceView(
  instance: ContainerInstance,
  usage: HostUsage,
  lastSeenAt: Date,
  now: Date,
  agentTimeoutMs = AGENT_TIMEOUT_MS,
): ContainerInstance {
  const registered = instance.registeredResources ?? [];
  const remaining = registered.map((r) => {
    switch (r.name) {
      case "CPU":
        return { ...r, integerValue: r.integerValue! - usage.cpu };
      case "MEMORY":
        return { ...r, integerValue: r.integerValue! - usage.memory };
      case "PORTS":
        return { ...r, stringSetValue: [...(r.stringSetValue ?? []), ...usage.ports.map(String)] };
      case "PORTS_UDP":
        return { ...r, stringSetValue: [...(r.stringSetValue ?? []), ...usage.portsUdp.map(String)] };
      default:
        return r;
    }
  });
  return {
    ...instance,
    remainingResources: remaining,
    runningTasksCount: usage.running,
    pendingTasksCount: usage.pending,
    agentConnected: isAgentConnected(instance, lastSeenAt, now, agentTimeoutMs),
  };
}

/** The instance deregistered: INACTIVE, as DeregisterContainerInstance or a terminated host leaves it. */
export function deregistered(instance: ContainerInstance): ContainerInstance {
  return { ...instance, status: "INACTIVE", version: (instance.version ?? 0) + 1 };
}

/** An agent is connected while it has been heard from within the timeout (lastSeenAt: a Date or epoch ms). */
export function isAgentConnected(instance: ContainerInstance, lastSeenAt: Date | number, now: Date, agentTimeoutMs: number): boolean {
  const seenMs = typeof lastSeenAt === "number" ? lastSeenAt : lastSeenAt.getTime();
  return instance.status !== "INACTIVE" && now.getTime() - seenMs < agentTimeoutMs;
}

const ATTRIBUTE_NAME = /^[a-zA-Z0-9_\-./\\]{1,128}$/;
const ATTRIBUTE_VALUE = /^[a-zA-Z0-9_\-.@/\\: ]{1,128}$/;

export function validateAttribute(a: Attribute): void {
  if (!ATTRIBUTE_NAME.test(a.name ?? "")) {
    throw invalidParameter(
      `Attribute name '${a.name}' is not valid: up to 128 letters, numbers, hyphens, underscores, periods and slashes.`,
    );
  }
  if (a.value !== undefined && !ATTRIBUTE_VALUE.test(a.value)) {
    throw invalidParameter(`Attribute value '${a.value}' of '${a.name}' is not valid.`);
  }
}
