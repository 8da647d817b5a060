// Task set operations (EXTERNAL deployment controller): CreateTaskSet, DescribeTaskSets,
// UpdateTaskSet, DeleteTaskSet, UpdateServicePrimaryTaskSet. The sets live in their service's
// document; every change runs under the lock the service scheduler takes, then pokes it to
// start or stop the sets' tasks.
import type {
  CreateTaskSetRequest,
  CreateTaskSetResponse,
  DeleteTaskSetRequest,
  DeleteTaskSetResponse,
  DescribeTaskSetsRequest,
  DescribeTaskSetsResponse,
  Failure,
  TaskSet,
  UpdateServicePrimaryTaskSetRequest,
  UpdateServicePrimaryTaskSetResponse,
  UpdateTaskSetRequest,
  UpdateTaskSetResponse,
} from "@aws-sdk/client-ecs";
import { invalidParameter } from "../../domain/errors.js";
import { scopeKey } from "../../domain/scope.js";
import { validateLoadBalancers, validateServiceRegistries } from "../../domain/service.js";
import { checkTargetGroups } from "./load-balancing.js";
import { validateTags } from "../../domain/tags.js";
import { checkCompatibility, chooseLaunch } from "../../domain/task/launch-rules.js";
import { awsvpcPlacement } from "./awsvpc.js";
import {
  MAX_TASK_SETS,
  checkScale,
  externalOnly,
  isExternal,
  taskSetArnOf,
  taskSetIdFromRef,
  taskSetNotFound,
  taskSetView,
  tooManyTaskSets,
} from "../../domain/task-set.js";
import { drained, newTaskSet, primaryFields, withPrimary, withScale } from "../../domain/task-set-changes.js";
import { newDeploymentId } from "../../scheduler/service/index.js";
import type { StoredService } from "../../state/ecs-state.js";
import type { EcsHandlers, RequestContext } from "./context.js";
import { resolveDefinition } from "./launch.js";
import { activeCluster } from "./lookup.js";
import { serviceId, serviceNotActive, serviceNotFound } from "./service-refs.js";
import { findService } from "./services.js";

/** The EXTERNAL service a task set request names, with ECS's errors; `active`: DRAINING services refuse changes. */
async function externalService(ctx: RequestContext, clusterRef: string | undefined, ref: string, active: boolean) {
  const cluster = (await activeCluster(ctx, clusterRef)).clusterName!;
  const found = await findService(ctx, clusterRef, ref);
  if (!found) throw serviceNotFound();
  if (found.service.status === "INACTIVE" || (active && found.service.status !== "ACTIVE")) throw serviceNotActive();
  if (!isExternal(found)) throw externalOnly();
  return { cluster, found, id: serviceId(cluster, found.service.serviceName!) };
}

/** Runs `change` on the service's current document under the scheduler's lock, then pokes the scheduler. */
async function changeService(
  ctx: RequestContext,
  id: string,
  change: (cur: StoredService) => StoredService | undefined,
): Promise<StoredService | undefined> {
  const stored = await ctx.placementLock.run(scopeKey(ctx.scope), () =>
    ctx.state.services.write(ctx.scope, id, (cur) => {
      if (!cur) throw serviceNotFound();
      if (cur.service.status !== "ACTIVE") throw serviceNotActive();
      return change(cur);
    }),
  );
  ctx.scheduler.poke(ctx.scope, id);
  return stored;
}

function setOf(stored: StoredService, ref: string, cluster: string): NonNullable<StoredService["taskSets"]>[number] {
  const id = taskSetIdFromRef(ref, cluster, stored.service.serviceName!);
  const set = stored.taskSets?.find((s) => s.id === id);
  if (!set) throw taskSetNotFound();
  return set;
}

async function createTaskSet(ctx: RequestContext, input: CreateTaskSetRequest): Promise<CreateTaskSetResponse> {
  const clusterDoc = await activeCluster(ctx, input.cluster);
  const { cluster, found, id } = await externalService(ctx, input.cluster, input.service!, true);
  validateTags(input.tags ?? []);
  const scale = checkScale(input.scale);
  const td = (await resolveDefinition(ctx, input.taskDefinition!)).taskDefinition;
  const launch = chooseLaunch(input, clusterDoc.defaultCapacityProviderStrategy ?? []);
  checkCompatibility(td, launch, undefined);
  await awsvpcPlacement(ctx, td, input.networkConfiguration, launch.launchType);
  validateLoadBalancers(input.loadBalancers ?? [], td);
  await checkTargetGroups(ctx, input.loadBalancers ?? [], td);
  validateServiceRegistries(input.serviceRegistries ?? []);
  const taskSetId = newDeploymentId(Math.random);
  let created: TaskSet | undefined;
  await changeService(ctx, id, (cur) => {
    const sets = cur.taskSets ?? [];
    const retried = input.clientToken ? sets.find((s) => s.clientToken === input.clientToken) : undefined;
    if (retried) {
      created = taskSetView(retried, true);
      return undefined;
    }
    if (sets.length >= MAX_TASK_SETS) throw tooManyTaskSets(sets.length);
    const set = newTaskSet({
      input,
      id: taskSetId,
      arn: taskSetArnOf(ctx.scope, cluster, found.service.serviceName!, taskSetId),
      service: cur.service,
      taskDefinitionArn: td.taskDefinitionArn!,
      launchType: input.capacityProviderStrategy?.length ? undefined : launch.launchType,
      scale,
      now: ctx.now,
    });
    created = taskSetView(set, true);
    return { ...cur, taskSets: [...sets, set] };
  });
  return { taskSet: created! };
}

async function describeTaskSets(ctx: RequestContext, input: DescribeTaskSetsRequest): Promise<DescribeTaskSetsResponse> {
  const { cluster, found } = await externalService(ctx, input.cluster, input.service!, false);
  const withTags = input.include?.includes("TAGS") ?? false;
  const sets = found.taskSets ?? [];
  if (!input.taskSets?.length) return { taskSets: sets.map((s) => taskSetView(s, withTags)), failures: [] };
  const taskSets: TaskSet[] = [];
  const failures: Failure[] = [];
  for (const ref of input.taskSets) {
    const setId = taskSetIdFromRef(ref, cluster, found.service.serviceName!);
    const set = sets.find((s) => s.id === setId);
    if (set) taskSets.push(taskSetView(set, withTags));
    else failures.push({ arn: ref, reason: "MISSING" });
  }
  return { taskSets, failures };
}

async function updateTaskSet(ctx: RequestContext, input: UpdateTaskSetRequest): Promise<UpdateTaskSetResponse> {
  const { cluster, id } = await externalService(ctx, input.cluster, input.service!, true);
  const scale = checkScale(input.scale);
  let updated: TaskSet | undefined;
  await changeService(ctx, id, (cur) => {
    const set = setOf(cur, input.taskSet!, cluster);
    if (set.status === "DRAINING") throw invalidParameter("The task set is being deleted and cannot be updated.");
    const next = withScale(set, scale, cur.service.desiredCount ?? 0, ctx.now);
    updated = taskSetView(next, false);
    return { ...cur, taskSets: cur.taskSets!.map((s) => (s.id === set.id ? next : s)) };
  });
  return { taskSet: updated! };
}

async function deleteTaskSet(ctx: RequestContext, input: DeleteTaskSetRequest): Promise<DeleteTaskSetResponse> {
  const { cluster, id } = await externalService(ctx, input.cluster, input.service!, true);
  let deleted: TaskSet | undefined;
  await changeService(ctx, id, (cur) => {
    const set = setOf(cur, input.taskSet!, cluster);
    if (set.status === "DRAINING") {
      deleted = taskSetView(set, false);
      return undefined;
    }
    if (!input.force && (set.status === "PRIMARY" || set.scale.value > 0 || set.runningCount + set.pendingCount > 0)) {
      throw invalidParameter(
        set.status === "PRIMARY"
          ? "The primary task set of a service cannot be deleted unless force is true."
          : "The task set has not been scaled down to zero; scale it to 0 or set force to true.",
      );
    }
    const next = drained(set, ctx.now);
    deleted = taskSetView(next, false);
    return { ...cur, taskSets: cur.taskSets!.map((s) => (s.id === set.id ? next : s)) };
  });
  return { taskSet: deleted! };
}

async function updateServicePrimaryTaskSet(
  ctx: RequestContext,
  input: UpdateServicePrimaryTaskSetRequest,
): Promise<UpdateServicePrimaryTaskSetResponse> {
  const { cluster, id } = await externalService(ctx, input.cluster, input.service!, true);
  let primary: TaskSet | undefined;
  await changeService(ctx, id, (cur) => {
    const set = setOf(cur, input.primaryTaskSet!, cluster);
    if (set.status === "DRAINING") throw invalidParameter("A task set that is being deleted cannot become the primary task set.");
    const taskSets = withPrimary(cur.taskSets!, set.id, ctx.now);
    const next = taskSets.find((s) => s.id === set.id)!;
    primary = taskSetView(next, false);
    return { ...cur, taskSets, service: { ...cur.service, ...primaryFields(next) } };
  });
  return { taskSet: primary! };
}

export const taskSetOperations = {
  CreateTaskSet: createTaskSet,
  DescribeTaskSets: describeTaskSets,
  UpdateTaskSet: updateTaskSet,
  DeleteTaskSet: deleteTaskSet,
  UpdateServicePrimaryTaskSet: updateServicePrimaryTaskSet,
} satisfies EcsHandlers;
