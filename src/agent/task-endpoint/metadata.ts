// Task metadata v3 and v4 as the ECS agent writes them (field names, which are left out when
// empty, statuses), built from what the agent knows: the task's assignment, its runner's view
// of the containers, and the engine's inspection of each. Pure.
import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import type { TaskAssignment } from "../../wire/agent-channel.js";
import type { ContainerState } from "../../runtime/driver.js";
import { effectiveContainers, taskCpu, taskMemory } from "../../domain/task/reservation.js";

export type MetadataVersion = 3 | 4;
export type KnownStatus = "PENDING" | "RUNNING" | "STOPPED";

/** What the task's runner knows now. */
export interface TaskSnapshot {
  knownStatus: KnownStatus;
  pullStartedAt?: Date;
  pullStoppedAt?: Date;
  executionStoppedAt?: Date;
  containers: { name: string; dockerId?: string; knownStatus: KnownStatus; exitCode?: number }[];
}

export interface TaskView {
  assignment: TaskAssignment;
  snapshot: TaskSnapshot;
  availabilityZone: string;
}

type Json = Record<string, unknown>;

/** Go's time.Time in JSON: RFC 3339 with the fraction Docker gave (here: milliseconds). */
const time = (d: Date | undefined) => d?.toISOString();

/** Drops undefined and empty fields, as the agent's `omitempty` tags do. */
function compact(o: Json): Json {
  return Object.fromEntries(
    Object.entries(o).filter(
      ([, v]) =>
        v !== undefined &&
        v !== "" &&
        !(Array.isArray(v) && v.length === 0) &&
        !(v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0),
    ),
  );
}

const clusterName = (clusterArn: string) => clusterArn.slice(clusterArn.indexOf("/") + 1);

export function taskMetadata(view: TaskView, inspected: ReadonlyMap<string, ContainerState>, version: MetadataVersion): Json {
  const { assignment: a, snapshot } = view;
  const td = a.taskDefinition;
  const cpu = taskCpu(td, a.overrides);
  const memory = taskMemory(td, a.overrides);
  const service = a.group.startsWith("service:") ? a.group.slice("service:".length) : undefined;
  const containers = effectiveContainers(td, a.overrides).map((def) => containerMetadata(view, def, inspected, version));
  return compact({
    // On EC2 the agent knows its cluster by the name it was configured with; Fargate says the ARN.
    Cluster: a.launchType === "FARGATE" ? a.clusterArn : clusterName(a.clusterArn),
    TaskARN: a.taskArn,
    Family: td.family,
    Revision: String(td.revision ?? ""),
    DesiredStatus: a.desiredStatus,
    KnownStatus: snapshot.knownStatus,
    Containers: containers,
    Limits: compact({ CPU: cpu !== undefined ? cpu / 1024 : undefined, Memory: memory }),
    PullStartedAt: time(snapshot.pullStartedAt),
    PullStoppedAt: time(snapshot.pullStoppedAt),
    ExecutionStoppedAt: time(snapshot.executionStoppedAt),
    AvailabilityZone: view.availabilityZone,
    LaunchType: a.launchType,
    ...(version === 4 ? { VPCID: a.network?.vpcId, ServiceName: service, FaultInjectionEnabled: false } : {}),
  });
}

/** One container of the task, as the agent knows it and the engine inspected it. */
export function containerMetadata(
  view: TaskView,
  def: ContainerDefinition,
  inspected: ReadonlyMap<string, ContainerState>,
  version: MetadataVersion,
): Json {
  const { assignment: a, snapshot } = view;
  const known = snapshot.containers.find((c) => c.name === def.name);
  const state = known?.dockerId ? inspected.get(known.dockerId) : undefined;
  const log = def.logConfiguration;
  return compact({
    DockerId: known?.dockerId ?? "",
    Name: def.name,
    DockerName: state?.name ?? "",
    Image: def.image,
    ImageID: state?.imageId ?? "",
    Ports: state?.ports.map((p) => ({ ContainerPort: p.containerPort, Protocol: p.protocol, HostPort: p.hostPort, HostIp: p.hostIp })),
    Labels: state?.labels,
    DesiredStatus: a.desiredStatus,
    KnownStatus: known?.knownStatus ?? "PENDING",
    ExitCode: known?.exitCode,
    Limits: { CPU: def.cpu ?? 0, Memory: def.memory ?? 0 },
    CreatedAt: time(state?.createdAt),
    StartedAt: time(state?.startedAt),
    FinishedAt: time(state?.finishedAt),
    Type: "NORMAL",
    Networks: networks(view, state, version),
    Health: def.healthCheck ? { status: state?.health ?? "UNKNOWN" } : undefined,
    LogDriver: log?.logDriver,
    LogOptions: log?.options,
    ContainerARN: a.containers.find((c) => c.name === def.name)?.containerArn,
  });
}

function networks(view: TaskView, state: ContainerState | undefined, version: MetadataVersion): Json[] {
  const { assignment: a } = view;
  const mode = a.taskDefinition.networkMode ?? "bridge";
  const net = a.network;
  if (mode === "awsvpc" && net) {
    const base: Json = { NetworkMode: "awsvpc", IPv4Addresses: [net.ipv4Address] };
    if (version === 3) return [base];
    // The gateway the task really uses: its VPC network's, on the VPC's block.
    const prefix = net.cidr.split("/")[1];
    return [
      {
        ...base,
        AttachmentIndex: 0,
        MACAddress: net.macAddress,
        IPv4SubnetCIDRBlock: net.subnetCidr ?? net.cidr,
        PrivateDNSName: `ip-${net.ipv4Address.replaceAll(".", "-")}.${a.taskArn.split(":")[3]}.compute.internal`,
        SubnetGatewayIpv4Address: `${net.gateway}/${prefix}`,
      },
    ];
  }
  if (mode === "host" || mode === "none") return [{ NetworkMode: mode }];
  // Bridge: the addresses Docker gave the container on its networks (none once stopped).
  return Object.entries(state?.networks ?? {}).map(([name, n]) =>
    compact({ NetworkMode: name === "bridge" ? "bridge" : name, IPv4Addresses: n.ipv4Address ? [n.ipv4Address] : [] }),
  );
}
