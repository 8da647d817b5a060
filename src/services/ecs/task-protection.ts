// Task scale-in protection: UpdateTaskProtection and GetTaskProtection. The protection lives
// on the task's document (it survives a restart); the service scheduler reads it and is
// poked, so a scale-in held back by a protection goes ahead as soon as it is lifted.
import type {
  Failure,
  GetTaskProtectionRequest,
  GetTaskProtectionResponse,
  ProtectedTask,
  UpdateTaskProtectionRequest,
  UpdateTaskProtectionResponse,
} from "@aws-sdk/client-ecs";
import { ecsArn } from "../../domain/arn.js";
import {
  MAX_GET_TASKS,
  MAX_UPDATE_TASKS,
  checkProtectionTasks,
  protectedTaskView,
  protectionExpiry,
  protectionFailure,
} from "../../domain/task/protection.js";
import type { StoredTask } from "../../state/ecs-state.js";
import type { EcsHandlers, RequestContext } from "./context.js";
import { activeCluster } from "./lookup.js";
import { inAskedCluster, taskIdOf } from "./tasks.js";

/** The tasks `refs` name in the cluster, each with its failure when it cannot be protected. */
async function protectable(
  ctx: RequestContext,
  clusterRef: string | undefined,
  cluster: string,
  refs: readonly string[],
): Promise<{ ref: string; arn: string; stored?: StoredTask; failure?: Failure }[]> {
  const ids = refs.map((ref) => taskIdOf(ref));
  const found = await ctx.state.tasks.getMany(
    ctx.scope,
    ids.filter((id): id is string => id !== undefined),
  );
  return refs.map((ref, i) => {
    const id = ids[i];
    const candidate = id === undefined ? undefined : found.get(id);
    const stored = candidate && inAskedCluster(ctx, clusterRef, ref, candidate) ? candidate : undefined;
    const arn = stored?.task.taskArn ?? (ref.startsWith("arn:") ? ref : ecsArn(ctx.scope, `task/${cluster}/${ref}`));
    const failure = protectionFailure(arn, stored?.task);
    return failure ? { ref, arn, failure } : { ref, arn, stored };
  });
}

async function updateTaskProtection(ctx: RequestContext, input: UpdateTaskProtectionRequest): Promise<UpdateTaskProtectionResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).clusterName!;
  const refs = checkProtectionTasks(input.tasks, MAX_UPDATE_TASKS);
  const until = protectionExpiry(input.protectionEnabled!, input.expiresInMinutes, ctx.now);
  const protectedTasks: ProtectedTask[] = [];
  const failures: Failure[] = [];
  for (const item of await protectable(ctx, input.cluster, cluster, refs)) {
    if (item.failure) {
      failures.push(item.failure);
      continue;
    }
    const id = taskIdOf(item.arn)!;
    const written = await ctx.state.tasks.write(ctx.scope, id, (cur) => {
      if (!cur) return undefined;
      const { protectedUntil: _previous, ...rest } = cur;
      return until ? { ...rest, protectedUntil: until } : rest;
    });
    if (!written) {
      failures.push({ arn: item.arn, reason: "MISSING" });
      continue;
    }
    protectedTasks.push(protectedTaskView(item.arn, written.protectedUntil, ctx.now));
    ctx.scheduler.poke(ctx.scope, `${written.cluster}/${written.task.group!.slice("service:".length)}`);
  }
  return { protectedTasks, failures };
}

async function getTaskProtection(ctx: RequestContext, input: GetTaskProtectionRequest): Promise<GetTaskProtectionResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).clusterName!;
  const refs = checkProtectionTasks(input.tasks, MAX_GET_TASKS);
  const protectedTasks: ProtectedTask[] = [];
  const failures: Failure[] = [];
  for (const item of await protectable(ctx, input.cluster, cluster, refs)) {
    if (item.failure) failures.push(item.failure);
    else protectedTasks.push(protectedTaskView(item.arn, item.stored!.protectedUntil, ctx.now));
  }
  return { protectedTasks, failures };
}

export const taskProtectionOperations = {
  UpdateTaskProtection: updateTaskProtection,
  GetTaskProtection: getTaskProtection,
} satisfies EcsHandlers;
