// RunTask and StartTask: check the request against ECS's rules, decide where each task
// runs, and record the tasks; their agents learn of them through their channels.
import type {
  Failure,
  RunTaskRequest,
  RunTaskResponse,
  StartTaskRequest,
  StartTaskResponse,
  Task,
  TaskDefinition,
  TaskOverride,
} from "@aws-sdk/client-ecs";
import { idFromRef } from "../../domain/arn.js";
import { availabilityZoneOf } from "../../domain/container-instance.js";
import { clientException, invalidParameter } from "../../domain/errors.js";
import { newResourceId, newTimeOrderedId, newUuid } from "../../domain/ids.js";
import { checkCompatibility, checkNetworkConfiguration, chooseLaunch, taskTags, type LaunchChoice } from "../../domain/task/launch-rules.js";
import { newTask, type TaskNetwork } from "../../domain/task/lifecycle.js";
import { freeAddress, freeLoopback, macFor, planSubnet } from "../../domain/task/network.js";
import { reservationOf } from "../../domain/task/reservation.js";
import { scopeKey } from "../../domain/scope.js";
import { NO_CONTAINER_INSTANCES, PlacementError, QueryError, place, type PlacementFailure } from "../../scheduler/placement/index.js";
import { runTaskTokenId, type StoredInstance, type StoredTask, type StoredTaskDefinition } from "../../state/ecs-state.js";
import { agentConnected, clusterPlacementViews } from "./container-instances.js";
import type { RequestContext } from "./context.js";
import { activeCluster } from "./lookup.js";
import { findTaskDefinition } from "./task-definitions.js";

/** Where a host runs a task: a container instance (EC2) or berth's FARGATE capacity. */
export interface Target {
  host: StoredInstance;
  availabilityZone: string;
}

async function fargateHosts(ctx: RequestContext): Promise<StoredInstance[]> {
  const hosts = await ctx.state.instances.list(ctx.scope, { parent: "", status: "ACTIVE" });
  return hosts.filter((h) => h.fargateHost && agentConnected(ctx, h));
}

/** The addresses live tasks hold: read once per RunTask, then kept as tasks are added. */
interface AddressesInUse {
  ipv4: Map<string, Set<string>>;
  loopback: Set<string>;
}

async function addressesInUse(ctx: RequestContext): Promise<AddressesInUse> {
  const inUse: AddressesInUse = { ipv4: new Map(), loopback: new Set() };
  for (const network of await ctx.state.liveTasks.networks(ctx.scope)) holdAddresses(inUse, network);
  return inUse;
}

function holdAddresses(inUse: AddressesInUse, network: TaskNetwork): void {
  let subnet = inUse.ipv4.get(network.subnetId);
  if (!subnet) inUse.ipv4.set(network.subnetId, (subnet = new Set()));
  subnet.add(network.ipv4Address);
  inUse.loopback.add(network.loopbackAddress);
}

async function allocateNetwork(ctx: RequestContext, subnetId: string, inUse: AddressesInUse): Promise<TaskNetwork> {
  let subnet = await ctx.state.subnets.get(ctx.scope, subnetId);
  if (!subnet) {
    const index = await ctx.state.subnets.count(ctx.scope);
    subnet = (await ctx.state.subnets.write(ctx.scope, subnetId, (cur) => cur ?? { subnetId, ...planSubnet(subnetId, index) }))!;
  }
  const ipv4Address = freeAddress(subnet.cidr, inUse.ipv4.get(subnetId) ?? new Set());
  if (!ipv4Address) throw clientException(`Subnet ${subnetId} has no free IP addresses.`);
  const loopbackAddress = freeLoopback(inUse.loopback)!;
  const eni = newResourceId().slice(0, 17);
  return {
    subnetId,
    networkName: subnet.networkName,
    cidr: subnet.cidr,
    gateway: subnet.gateway,
    ipv4Address,
    loopbackAddress,
    attachmentId: newUuid(),
    networkInterfaceId: `eni-${eni}`,
    macAddress: macFor(ipv4Address),
  };
}

export interface Launch {
  cluster: string;
  td: TaskDefinition;
  overrides?: TaskOverride;
  launch: LaunchChoice;
  subnetId?: string;
  group: string;
  startedBy?: string;
  tags?: Task["tags"];
  platformVersion?: string;
  enableExecuteCommand?: boolean;
}

export async function createTasks(ctx: RequestContext, l: Launch, targets: readonly Target[]): Promise<Task[]> {
  const created: Task[] = [];
  const records: { id: string; doc: StoredTask }[] = [];
  const inUse = l.subnetId && targets.length ? await addressesInUse(ctx) : undefined;
  for (const target of targets) {
    const network = l.subnetId && inUse ? await allocateNetwork(ctx, l.subnetId, inUse) : undefined;
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
      availabilityZone: target.availabilityZone,
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
    records.push({ id: taskId, doc: stored });
    created.push(task);
  }
  // One transaction for the lot: a service scaling out by thousands commits once.
  await ctx.state.tasks.putMany(ctx.scope, records);
  for (const { id, doc } of records) ctx.hosts.bump(ctx.scope, doc.hostId, id);
  return created;
}

export async function resolveDefinition(ctx: RequestContext, ref: string): Promise<StoredTaskDefinition> {
  const stored = await findTaskDefinition(ctx, ref);
  if (!stored) throw clientException("Unable to describe task definition.");
  if (stored.taskDefinition.status !== "ACTIVE") {
    throw clientException(`TaskDefinition is inactive: ${stored.taskDefinition.taskDefinitionArn}`);
  }
  return stored;
}

export async function runTask(ctx: RequestContext, input: RunTaskRequest): Promise<RunTaskResponse> {
  const cluster = await activeCluster(ctx, input.cluster);
  const count = input.count ?? 1;
  if (count < 1 || count > 10) throw invalidParameter("The count parameter must be between 1 and 10.");
  const definition = await resolveDefinition(ctx, input.taskDefinition!);
  const td = definition.taskDefinition;
  const tags = taskTags(input.tags, input.propagateTags, definition.tags);
  const launch = chooseLaunch(input, cluster.defaultCapacityProviderStrategy ?? []);
  checkCompatibility(td, launch, input.overrides);
  const subnetId = checkNetworkConfiguration(td, input.networkConfiguration);
  const name = cluster.clusterName!;
  return ctx.placementLock.run(scopeKey(ctx.scope), async () => {
    const tokenId = input.clientToken ? runTaskTokenId(name, input.clientToken) : undefined;
    if (tokenId) {
      const earlier = await ctx.state.runTaskTokens.get(ctx.scope, tokenId);
      if (earlier) {
        const found = await ctx.state.tasks.getMany(ctx.scope, earlier.taskIds);
        return { tasks: earlier.taskIds.flatMap((id) => found.get(id)?.task ?? []), failures: [] };
      }
    }
    const failures: Failure[] = [];
    let targets: Target[];
    if (launch.launchType === "FARGATE") {
      targets = await placeOnFargate(ctx, count);
      if (!targets.length) return { tasks: [], failures: [{ reason: FARGATE_CAPACITY_UNAVAILABLE }] };
    } else {
      const outcome = await placeOnInstances(ctx, name, td, { ...input, group: input.group ?? `family:${td.family}` }, count);
      if (outcome.noContainerInstances) throw invalidParameter(NO_CONTAINER_INSTANCES);
      failures.push(...outcome.failures);
      targets = outcome.targets;
    }
    const tasks = await createTasks(ctx, {
      cluster: name,
      td,
      overrides: input.overrides,
      launch,
      subnetId,
      group: input.group ?? `family:${td.family}`,
      startedBy: input.startedBy,
      tags,
      platformVersion: input.platformVersion,
      enableExecuteCommand: input.enableExecuteCommand,
    }, targets);
    if (tokenId && tasks.length) {
      // After the tasks: a crash in between costs a retry a second launch, never a lost task.
      const taskIds = tasks.map((t) => idFromRef(t.taskArn!));
      await ctx.state.runTaskTokens.write(ctx.scope, tokenId, () => ({ cluster: name, clientToken: input.clientToken!, taskIds, createdAt: ctx.now }));
    }
    return { tasks, failures };
  });
}

export interface PlacementAsk {
  group: string;
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
  ctx: RequestContext,
  cluster: string,
  td: TaskDefinition,
  ask: PlacementAsk,
  count: number,
): Promise<PlacementOutcome> {
  const { instances, views } = await clusterPlacementViews(ctx, cluster);
  const reservation = reservationOf(td, ask.overrides);
  let result;
  try {
    result = place(views, {
      count,
      needs: {
        cpu: reservation.cpu,
        memory: reservation.memory,
        hostPorts: [
          ...reservation.ports.map((port) => ({ port, protocol: "tcp" as const })),
          ...reservation.portsUdp.map((port) => ({ port, protocol: "udp" as const })),
        ],
        requiresAttributes: (td.requiresAttributes ?? []).map((a) => ({ name: a.name!, ...(a.value ? { value: a.value } : {}) })),
        group: ask.group,
        family: td.family!,
      },
      strategy: (ask.placementStrategy ?? []).map((s) => ({ type: s.type!, ...(s.field ? { field: s.field } : {}) })),
      constraints: [...(td.placementConstraints ?? []), ...(ask.placementConstraints ?? [])].map((c) => ({
        type: c.type as "distinctInstance" | "memberOf",
        ...(c.expression ? { expression: c.expression } : {}),
      })),
    }, Math.random);
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

export const FARGATE_CAPACITY_UNAVAILABLE =
  "Capacity is unavailable at this time. Please try again later or in a different availability zone";

/** FARGATE tasks go to the least busy FARGATE host; none connected: no capacity. */
export async function placeOnFargate(ctx: RequestContext, count: number): Promise<Target[]> {
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

export async function startTask(ctx: RequestContext, input: StartTaskRequest): Promise<StartTaskResponse> {
  const cluster = await activeCluster(ctx, input.cluster);
  const refs = input.containerInstances ?? [];
  if (refs.length < 1 || refs.length > 10) throw invalidParameter("containerInstances must have between 1 and 10 items.");
  const definition = await resolveDefinition(ctx, input.taskDefinition!);
  const td = definition.taskDefinition;
  const tags = taskTags(input.tags, input.propagateTags, definition.tags);
  const launch: LaunchChoice = { launchType: "EC2" };
  checkCompatibility(td, launch, input.overrides);
  const subnetId = checkNetworkConfiguration(td, input.networkConfiguration);
  const name = cluster.clusterName!;
  return ctx.placementLock.run(scopeKey(ctx.scope), async () => {
    const failures: Failure[] = [];
    const targets: Target[] = [];
    for (const ref of refs) {
      const host = await ctx.state.instances.get(ctx.scope, idFromRef(ref));
      if (!host || host.cluster !== name || host.fargateHost) failures.push({ arn: ref, reason: "MISSING" });
      else if (host.instance.status !== "ACTIVE") failures.push({ arn: host.instance.containerInstanceArn, reason: "INACTIVE" });
      else targets.push({ host, availabilityZone: availabilityZoneOf(host.instance) });
    }
    const tasks = await createTasks(ctx, {
      cluster: name, td, overrides: input.overrides, launch, subnetId,
      group: input.group ?? `family:${td.family}`, startedBy: input.startedBy, tags,
      enableExecuteCommand: input.enableExecuteCommand,
    }, targets);
    return { tasks, failures };
  });
}
