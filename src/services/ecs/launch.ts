// Launching tasks, for RunTask, StartTask and the service scheduler alike: where each task
// goes (placement among a cluster's instances, or berth's FARGATE capacity), the task
// definition it runs, and the tasks themselves with their addresses.
import type { RunTaskRequest, Task, TaskDefinition, TaskOverride } from "@aws-sdk/client-ecs";
import { availabilityZoneOf } from "../../domain/container-instance.js";
import { clientException, invalidParameter } from "../../domain/errors.js";
import { newResourceId, newTimeOrderedId, newUuid } from "../../domain/ids.js";
import type { LaunchChoice } from "../../domain/task/launch-rules.js";
import { newTask, type TaskNetwork } from "../../domain/task/lifecycle.js";
import { chooseSubnet, zonesOf, type AwsvpcPlacement, type AwsvpcSubnet } from "../../domain/task/awsvpc.js";
import { freeLoopback, freeSubnetAddress, macFor } from "../../domain/task/network.js";
import { vpcGateway, vpcNetworkName } from "../../domain/ec2/vpc-network.js";
import { reservationOf } from "../../domain/task/reservation.js";
import { PlacementError, QueryError, place, type PlacementFailure, type TaskNeeds } from "../../scheduler/placement/index.js";
import type { StoredInstance, StoredTask, StoredTaskDefinition } from "../../state/ecs-state.js";
import { agentConnected, clusterPlacementViews } from "./container-instances.js";
import type { LaunchScope, ScopedState } from "./context.js";
import { findTaskDefinition } from "./task-definitions.js";

/** Where a host runs a task: a container instance (EC2) or berth's FARGATE capacity. */
export interface Target {
  host: StoredInstance;
  availabilityZone: string;
}

/** The ACTIVE task definition `ref` names, or the ClientException RunTask and CreateService answer. */
export async function resolveDefinition(ctx: Pick<ScopedState, "scope" | "state">, ref: string): Promise<StoredTaskDefinition> {
  const stored = await findTaskDefinition(ctx, ref);
  if (!stored) throw clientException("Unable to describe task definition.");
  if (stored.taskDefinition.status !== "ACTIVE") {
    throw clientException(`TaskDefinition is inactive: ${stored.taskDefinition.taskDefinitionArn}`);
  }
  return stored;
}

export interface PlacementAsk {
  group: string;
  /** An awsvpc task's: only instances in its subnets' zones can take its interface, as on ECS. */
  awsvpc?: AwsvpcPlacement;
  overrides?: TaskOverride;
  placementStrategy?: RunTaskRequest["placementStrategy"];
  placementConstraints?: RunTaskRequest["placementConstraints"];
}

export interface PlacementOutcome {
  targets: Target[];
  failures: PlacementFailure[];
  noContainerInstances: boolean;
}

/** Where `count` tasks of `td` go among the cluster's container instances (EC2). */
export async function placeOnInstances(
  ctx: ScopedState,
  cluster: string,
  td: TaskDefinition,
  ask: PlacementAsk,
  count: number,
): Promise<PlacementOutcome> {
  const { instances, views } = await clusterPlacementViews(ctx, cluster);
  const reservation = reservationOf(td, ask.overrides);
  let result;
  try {
    result = place(
      views,
      {
        count,
        needs: {
          cpu: reservation.cpu,
          memory: reservation.memory,
          hostPorts: [
            ...reservation.ports.map((port) => ({ port, protocol: "tcp" as const })),
            ...reservation.portsUdp.map((port) => ({ port, protocol: "udp" as const })),
          ],
          requiresAttributes: requiredAttributes(td),
          group: ask.group,
          family: td.family!,
        },
        strategy: (ask.placementStrategy ?? []).map((s) => ({ type: s.type!, ...(s.field ? { field: s.field } : {}) })),
        constraints: [
          ...[...(td.placementConstraints ?? []), ...(ask.placementConstraints ?? [])].map((c) => ({
            type: c.type as "distinctInstance" | "memberOf",
            ...(c.expression ? { expression: c.expression } : {}),
          })),
          ...(ask.awsvpc ? [inSubnetZones(ask.awsvpc)] : []),
        ],
      },
      Math.random,
    );
  } catch (err) {
    if (err instanceof PlacementError || err instanceof QueryError) throw invalidParameter(err.message);
    throw err;
  }
  return {
    targets: result.placedAt.map((i) => {
      const host = instances[i]!;
      return { host, availabilityZone: availabilityZoneOf(host.instance) };
    }),
    failures: result.failures,
    noContainerInstances: result.noContainerInstances,
  };
}

/** The constraint that keeps an awsvpc task on instances in its subnets' zones. */
function inSubnetZones(awsvpc: AwsvpcPlacement): { type: "memberOf"; expression: string } {
  return { type: "memberOf", expression: `attribute:ecs.availability-zone in [${zonesOf(awsvpc).join(", ")}]` };
}

export const FARGATE_CAPACITY_UNAVAILABLE =
  "Capacity is unavailable at this time. Please try again later or in a different availability zone";

/** FARGATE tasks go to the least busy FARGATE host; none connected: no capacity. */
export async function placeOnFargate(ctx: ScopedState, count: number): Promise<Target[]> {
  const hosts = await fargateHosts(ctx);
  if (!hosts.length) return [];
  const load = new Map<string, number>();
  for (const h of hosts) load.set(h.id, (await ctx.state.liveTasks.tasksOn(ctx.scope, h.id)).size);
  return Array.from({ length: count }, () => {
    const host = [...hosts].sort((a, b) => (load.get(a.id) ?? 0) - (load.get(b.id) ?? 0))[0]!;
    load.set(host.id, (load.get(host.id) ?? 0) + 1);
    return { host, availabilityZone: availabilityZoneOf(host.instance) };
  });
}

/** The instance attributes a task definition requires, as placement matches them. */
export function requiredAttributes(td: TaskDefinition): TaskNeeds["requiresAttributes"] {
  return (td.requiresAttributes ?? []).map((a) => ({ name: a.name!, ...(a.value ? { value: a.value } : {}) }));
}

async function fargateHosts(ctx: ScopedState): Promise<StoredInstance[]> {
  const hosts = await ctx.state.instances.list(ctx.scope, { parent: "", status: "ACTIVE" });
  return hosts.filter((h) => h.fargateHost && agentConnected(ctx, h));
}

/** The addresses live tasks hold, and where each group's tasks are: read once per batch, then kept as tasks are added. */
interface AddressesInUse {
  ipv4: Map<string, Set<string>>;
  loopback: Set<string>;
  /** Live tasks by cluster and group ("cluster|group"), then by availability zone. */
  zones: Map<string, Map<string, number>>;
}

async function addressesInUse(ctx: ScopedState): Promise<AddressesInUse> {
  const inUse: AddressesInUse = { ipv4: new Map(), loopback: new Set(), zones: new Map() };
  for (const network of await ctx.state.liveTasks.networks(ctx.scope)) holdAddresses(inUse, network);
  // Load balancers hold an address in each of their subnets too (taken under the same lock).
  for (const i of await ctx.state.interfaces.list(ctx.scope))
    if (i.owner.kind === "load-balancer") holdSubnetAddress(inUse, i.subnetId, i.privateIpAddress);
  return inUse;
}

function holdSubnetAddress(inUse: AddressesInUse, subnetId: string, address: string): void {
  let subnet = inUse.ipv4.get(subnetId);
  if (!subnet) inUse.ipv4.set(subnetId, (subnet = new Set()));
  subnet.add(address);
}

function holdAddresses(inUse: AddressesInUse, network: TaskNetwork): void {
  holdSubnetAddress(inUse, network.subnetId, network.ipv4Address);
  inUse.loopback.add(network.loopbackAddress);
}

/** How many live tasks of `cluster`'s `group` each zone holds, read on the group's first task of the batch. */
async function groupZones(ctx: ScopedState, inUse: AddressesInUse, cluster: string, group: string): Promise<Map<string, number>> {
  const key = `${cluster}|${group}`;
  let zones = inUse.zones.get(key);
  if (!zones) inUse.zones.set(key, (zones = await ctx.state.liveTasks.groupZones(ctx.scope, cluster, group)));
  return zones;
}

const subnetFull = (s: AwsvpcSubnet) =>
  `There are not enough free addresses in subnet '${s.subnetId}' to satisfy the requested number of network interfaces (ErrorCode: InsufficientFreeAddressesInSubnet)`;

/**
 * The interface of a new task of `l` on `target`: in the subnet whose zone holds the fewest of
 * the group's tasks (an EC2 task: among its instance's zone's subnets) and has a free address.
 */
function allocateNetwork(
  l: Launch,
  awsvpc: AwsvpcPlacement,
  target: Target,
  inUse: AddressesInUse,
  zones: Map<string, number>,
): { network: TaskNetwork; availabilityZone: string } {
  const inZone = (s: AwsvpcSubnet) => l.launch.launchType === "FARGATE" || s.availabilityZone === target.availabilityZone;
  const hasRoom = (s: AwsvpcSubnet) => freeSubnetAddress(s.cidr, inUse.ipv4.get(s.subnetId) ?? new Set()) !== undefined;
  const candidates = awsvpc.subnets.filter(inZone);
  if (!candidates.length) {
    throw invalidParameter(
      `The container instance ${target.host.instance.containerInstanceArn} is in ${target.availabilityZone}, where none of the subnets [${awsvpc.subnets
        .map((s) => s.subnetId)
        .join(", ")}] is: an awsvpc task's instance must be in the zone of one of its subnets.`,
    );
  }
  const subnet = chooseSubnet(candidates, (zone) => zones.get(zone) ?? 0, hasRoom);
  if (!subnet) throw invalidParameter(subnetFull(candidates[0]!));
  const ipv4Address = freeSubnetAddress(subnet.cidr, inUse.ipv4.get(subnet.subnetId) ?? new Set())!;
  const loopbackAddress = freeLoopback(inUse.loopback)!;
  const eni = newResourceId().slice(0, 17);
  zones.set(subnet.availabilityZone, (zones.get(subnet.availabilityZone) ?? 0) + 1);
  return {
    availabilityZone: subnet.availabilityZone,
    network: {
      subnetId: subnet.subnetId,
      vpcId: awsvpc.vpcId,
      securityGroupIds: [...awsvpc.securityGroupIds],
      networkName: vpcNetworkName(awsvpc.vpcId),
      cidr: awsvpc.vpcCidr,
      subnetCidr: subnet.cidr,
      gateway: vpcGateway(awsvpc.vpcCidr),
      ipv4Address,
      loopbackAddress,
      attachmentId: newUuid(),
      networkInterfaceId: `eni-${eni}`,
      macAddress: macFor(ipv4Address),
    },
  };
}

export interface Launch {
  cluster: string;
  td: TaskDefinition;
  overrides?: TaskOverride;
  launch: LaunchChoice;
  /** An awsvpc task's subnets and groups, checked (awsvpcPlacement). */
  awsvpc?: AwsvpcPlacement;
  group: string;
  startedBy?: string;
  tags?: Task["tags"];
  platformVersion?: string;
  enableExecuteCommand?: boolean;
}

/**
 * New tasks gathered before any is written: a RunTask's, or every start of a service's plan,
 * so that the lot is written at once. Addresses are read when the first awsvpc task is built
 * and kept as each task takes its own, so no two tasks of a batch share one.
 */
export class TaskBatch {
  readonly records: { id: string; doc: StoredTask }[] = [];
  private inUse?: AddressesInUse;

  constructor(private readonly ctx: LaunchScope) {}

  /** Builds the tasks of `l` on `targets` and adds them; nothing is written. */
  async add(l: Launch, targets: readonly Target[]): Promise<Task[]> {
    const { ctx } = this;
    const created: Task[] = [];
    if (l.awsvpc && targets.length) this.inUse ??= await addressesInUse(ctx);
    const inUse = l.awsvpc ? this.inUse : undefined;
    const zones = l.awsvpc && inUse ? await groupZones(ctx, inUse, l.cluster, l.group) : undefined;
    for (const target of targets) {
      const allocated = l.awsvpc && inUse && zones ? allocateNetwork(l, l.awsvpc, target, inUse, zones) : undefined;
      const network = allocated?.network;
      if (network && inUse) holdAddresses(inUse, network);
      const taskId = newTimeOrderedId(ctx.now.getTime());
      const task = newTask({
        scope: ctx.scope,
        clusterName: l.cluster,
        taskId,
        taskDefinition: l.td,
        overrides: l.overrides,
        launchType: l.launch.launchType,
        capacityProviderName: l.launch.capacityProviderName,
        containerInstanceArn: l.launch.launchType === "EC2" ? target.host.instance.containerInstanceArn : undefined,
        // An awsvpc task is where its subnet is.
        availabilityZone: allocated?.availabilityZone ?? target.availabilityZone,
        group: l.group,
        startedBy: l.startedBy,
        tags: l.tags,
        network,
        platformVersion: l.platformVersion,
        enableExecuteCommand: l.enableExecuteCommand,
        containerIds: (l.td.containerDefinitions ?? []).map(() => newUuid()),
        now: ctx.now,
      });
      const stored: StoredTask = {
        task,
        cluster: l.cluster,
        hostId: target.host.id,
        taskDefinition: l.td,
        reservation: reservationOf(l.td, l.overrides),
        ...(network ? { network } : {}),
      };
      this.records.push({ id: taskId, doc: stored });
      created.push(task);
    }
    return created;
  }
}

/** Tells each new task's host that it has one more to run. */
export function announceTasks(ctx: LaunchScope, records: readonly { id: string; doc: StoredTask }[]): void {
  for (const { id, doc } of records) ctx.hosts.bump(ctx.scope, doc.hostId, id);
}

/** Creates the tasks of `l` on `targets` and tells their hosts. */
export async function createTasks(ctx: LaunchScope, l: Launch, targets: readonly Target[]): Promise<Task[]> {
  const batch = new TaskBatch(ctx);
  const created = await batch.add(l, targets);
  // One transaction for the lot: a RunTask of ten tasks commits once.
  await ctx.state.tasks.putMany(ctx.scope, batch.records);
  announceTasks(ctx, batch.records);
  return created;
}
