// Container instance operations and attributes. Resource figures are derived from the
// tasks each instance holds, never stored twice.
import type {
  Attribute,
  ContainerInstance,
  DeleteAttributesRequest,
  DeleteAttributesResponse,
  DeregisterContainerInstanceRequest,
  DeregisterContainerInstanceResponse,
  DescribeContainerInstancesRequest,
  DescribeContainerInstancesResponse,
  Failure,
  ListAttributesRequest,
  ListAttributesResponse,
  ListContainerInstancesRequest,
  ListContainerInstancesResponse,
  PutAttributesRequest,
  PutAttributesResponse,
  UpdateContainerInstancesStateRequest,
  UpdateContainerInstancesStateResponse,
} from "@aws-sdk/client-ecs";
import {
  containerInstanceArnOf,
  containerInstanceView,
  deregistered,
  isAgentConnected,
  validateAttribute,
  type HostUsage,
} from "../../domain/container-instance.js";
import { idFromRef } from "../../domain/arn.js";
import { EcsError, invalidParameter } from "../../domain/errors.js";
import { paginate } from "../../domain/pagination.js";
import { QueryError, matches, parseExpression } from "../../scheduler/placement/index.js";
import type { StoredInstance, StoredTask } from "../../state/ecs-state.js";
import type { EcsHandlers, RequestContext, ScopedState } from "./context.js";
import { activeCluster } from "./lookup.js";
import { placementBoards, placementView, type PlacementViews } from "./placement-boards.js";

const MAX_CUSTOM_ATTRIBUTES = 10;

/** Tasks that hold resources on a host: everything not yet STOPPED. */
export async function tasksOnHost(ctx: RequestContext, hostId: string): Promise<StoredTask[]> {
  const ids = [...(await ctx.state.liveTasks.tasksOn(ctx.scope, hostId)).keys()];
  return [...(await ctx.state.tasks.getMany(ctx.scope, ids)).values()];
}

/** Whether the host's agent is connected, by the freshest heartbeat this control plane knows. */
export function agentConnected(ctx: ScopedState, stored: StoredInstance): boolean {
  // Asked of every instance of the cluster per RunTask: epoch ms, no Date made.
  return isAgentConnected(stored.instance, ctx.state.heartbeats.lastSeenMs(ctx.scope, stored), ctx.now, ctx.options.agentTimeoutMs);
}

export async function describeInstance(ctx: ScopedState, stored: StoredInstance, usage?: HostUsage): Promise<ContainerInstance> {
  return instanceView(ctx, stored, usage ?? (await ctx.state.liveTasks.usage(ctx.scope, stored.id)));
}

function instanceView(ctx: ScopedState, stored: StoredInstance, usage: HostUsage): ContainerInstance {
  return containerInstanceView(
    stored.instance,
    usage,
    ctx.state.heartbeats.lastSeen(ctx.scope, stored),
    ctx.now,
    ctx.options.agentTimeoutMs,
  );
}

/**
 * The placement view of every container instance of a cluster (FARGATE capacity excluded),
 * in the order of `instances`, from the cluster's placement board.
 */
export function clusterPlacementViews(ctx: ScopedState, cluster: string): Promise<PlacementViews> {
  return placementBoards(ctx.state).views(ctx.scope, cluster, ctx.now, ctx.options.agentTimeoutMs);
}

/** Container instances of a cluster (FARGATE capacity excluded), each with what its tasks hold. */
export async function clusterInstances(ctx: ScopedState, cluster: string): Promise<{ stored: StoredInstance; usage: HostUsage }[]> {
  const instances = await ctx.state.instancesByCluster.list(ctx.scope, cluster);
  const usageOf = await ctx.state.liveTasks.usages(ctx.scope);
  return instances.map((stored) => ({ stored, usage: usageOf(stored.id) }));
}

async function findInstance(ctx: RequestContext, cluster: string, ref: string): Promise<StoredInstance | undefined> {
  const stored = await ctx.state.instances.get(ctx.scope, idFromRef(ref));
  return stored && stored.cluster === cluster && !stored.fargateHost ? stored : undefined;
}

async function describeContainerInstances(
  ctx: RequestContext,
  input: DescribeContainerInstancesRequest,
): Promise<DescribeContainerInstancesResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).clusterName!;
  const refs = input.containerInstances ?? [];
  // ECS's own words for these limits (the model sets none).
  if (refs.length === 0) throw invalidParameter("Container instance cannot be empty.");
  if (refs.length > 100) throw invalidParameter("instanceIds can have at most 100 items.");
  const containerInstances: ContainerInstance[] = [];
  const failures: Failure[] = [];
  for (const ref of refs) {
    const stored = await findInstance(ctx, cluster, ref);
    if (!stored) {
      failures.push({ arn: ref.startsWith("arn:") ? ref : containerInstanceArnOf(ctx.scope, cluster, ref), reason: "MISSING" });
      continue;
    }
    const view = await describeInstance(ctx, stored);
    if (!input.include?.includes("TAGS")) view.tags = undefined;
    containerInstances.push(view);
  }
  return { containerInstances, failures };
}

async function listContainerInstances(ctx: RequestContext, input: ListContainerInstancesRequest): Promise<ListContainerInstancesResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).clusterName!;
  let expression;
  try {
    expression = input.filter ? parseExpression(input.filter) : undefined;
  } catch (err) {
    if (err instanceof QueryError) throw invalidParameter(`Invalid filter: ${err.message}`);
    throw err;
  }
  const all = await clusterInstances(ctx, cluster);
  const arns: string[] = [];
  for (const { stored, usage } of all) {
    if (input.status ? stored.instance.status !== input.status : stored.instance.status === "INACTIVE") continue;
    const view = await describeInstance(ctx, stored, usage);
    if (expression && !matches(expression, placementView(stored.instance, usage, view.agentConnected ?? false))) continue;
    arns.push(view.containerInstanceArn!);
  }
  const page = paginate(arns, (a) => a, { ...input, defaultMax: 100, limit: 100 });
  return { containerInstanceArns: page.items, nextToken: page.nextToken };
}

async function updateContainerInstancesState(
  ctx: RequestContext,
  input: UpdateContainerInstancesStateRequest,
): Promise<UpdateContainerInstancesStateResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).clusterName!;
  if (input.status !== "ACTIVE" && input.status !== "DRAINING") {
    throw invalidParameter("Container instances can only be set to ACTIVE or DRAINING.");
  }
  const containerInstances: ContainerInstance[] = [];
  const failures: Failure[] = [];
  for (const ref of input.containerInstances ?? []) {
    const found = await findInstance(ctx, cluster, ref);
    if (!found || found.instance.status === "INACTIVE") {
      failures.push({ arn: ref, reason: "MISSING" });
      continue;
    }
    const stored = await ctx.state.instances.write(ctx.scope, found.id, (cur) =>
      cur && cur.instance.status !== input.status
        ? { ...cur, instance: { ...cur.instance, status: input.status, version: (cur.instance.version ?? 0) + 1 } }
        : undefined,
    );
    containerInstances.push(await describeInstance(ctx, stored!));
  }
  await ctx.scheduler.pokeCluster(ctx.scope, cluster);
  return { containerInstances, failures };
}

async function deregisterContainerInstance(
  ctx: RequestContext,
  input: DeregisterContainerInstanceRequest,
): Promise<DeregisterContainerInstanceResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).clusterName!;
  const found = await findInstance(ctx, cluster, input.containerInstance!);
  if (!found) throw invalidParameter("The referenced container instance was not found.");
  const held = await tasksOnHost(ctx, found.id);
  if (held.some((t) => t.task.desiredStatus === "RUNNING") && !input.force) {
    throw invalidParameter(
      "Found running tasks on the instance. Stop them first, or deregister with force to leave them running unmanaged.",
    );
  }
  const stored = await ctx.state.instances.write(ctx.scope, found.id, (cur) =>
    cur ? { ...cur, instance: deregistered(cur.instance) } : undefined,
  );
  await ctx.scheduler.pokeCluster(ctx.scope, cluster);
  return { containerInstance: await describeInstance(ctx, stored!) };
}

async function attributeTarget(ctx: RequestContext, cluster: string, a: Attribute): Promise<StoredInstance> {
  if ((a.targetType ?? "container-instance") !== "container-instance" || !a.targetId) {
    throw invalidParameter("Attributes need a targetId, and targetType container-instance.");
  }
  const found = await findInstance(ctx, cluster, a.targetId);
  if (!found) throw new EcsError("TargetNotFoundException", `Could not find ${a.targetId}.`);
  return found;
}

async function putAttributes(ctx: RequestContext, input: PutAttributesRequest): Promise<PutAttributesResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).clusterName!;
  const attributes = input.attributes ?? [];
  if (attributes.length > MAX_CUSTOM_ATTRIBUTES) {
    throw new EcsError("AttributeLimitExceededException", "You can apply up to 10 custom attributes per resource.");
  }
  attributes.forEach(validateAttribute);
  const targets = await Promise.all(attributes.map((a) => attributeTarget(ctx, cluster, a)));
  for (const [i, a] of attributes.entries()) {
    await ctx.state.instances.write(ctx.scope, targets[i]!.id, (cur) => {
      if (!cur) return undefined;
      const rest = (cur.instance.attributes ?? []).filter((x) => x.name !== a.name);
      const custom = rest.filter((x) => !x.name!.startsWith("ecs.") && !x.name!.startsWith("com.amazonaws.ecs."));
      if (custom.length >= MAX_CUSTOM_ATTRIBUTES) {
        throw new EcsError("AttributeLimitExceededException", "You can apply up to 10 custom attributes per resource.");
      }
      const attribute: Attribute = a.value === undefined ? { name: a.name } : { name: a.name, value: a.value };
      return { ...cur, instance: { ...cur.instance, attributes: [...rest, attribute] } };
    });
  }
  await ctx.scheduler.pokeCluster(ctx.scope, cluster);
  return { attributes };
}

async function deleteAttributes(ctx: RequestContext, input: DeleteAttributesRequest): Promise<DeleteAttributesResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).clusterName!;
  const attributes = input.attributes ?? [];
  const targets = await Promise.all(attributes.map((a) => attributeTarget(ctx, cluster, a)));
  for (const [i, a] of attributes.entries()) {
    await ctx.state.instances.write(ctx.scope, targets[i]!.id, (cur) =>
      cur ? { ...cur, instance: { ...cur.instance, attributes: cur.instance.attributes!.filter((x) => x.name !== a.name) } } : undefined,
    );
  }
  await ctx.scheduler.pokeCluster(ctx.scope, cluster);
  return { attributes };
}

async function listAttributes(ctx: RequestContext, input: ListAttributesRequest): Promise<ListAttributesResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).clusterName!;
  if (input.attributeValue !== undefined && input.attributeName === undefined) {
    throw invalidParameter("attributeValue can only be given with attributeName.");
  }
  const all: Attribute[] = [];
  for (const stored of await ctx.state.instances.list(ctx.scope, { parent: cluster })) {
    if (stored.instance.status === "INACTIVE") continue;
    for (const a of stored.instance.attributes ?? []) {
      if (input.attributeName !== undefined && a.name !== input.attributeName) continue;
      if (input.attributeValue !== undefined && a.value !== input.attributeValue) continue;
      all.push({ ...a, targetType: "container-instance", targetId: stored.instance.containerInstanceArn });
    }
  }
  const page = paginate(all, (a) => `${a.targetId}|${a.name}`, { ...input, defaultMax: 100, limit: 100 });
  return { attributes: page.items, nextToken: page.nextToken };
}

export const containerInstanceOperations = {
  DescribeContainerInstances: describeContainerInstances,
  ListContainerInstances: listContainerInstances,
  UpdateContainerInstancesState: updateContainerInstancesState,
  DeregisterContainerInstance: deregisterContainerInstance,
  PutAttributes: putAttributes,
  DeleteAttributes: deleteAttributes,
  ListAttributes: listAttributes,
} satisfies EcsHandlers;
