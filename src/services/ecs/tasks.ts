// Reading and stopping tasks. RunTask and StartTask live in run-task.ts.
import type {
  DescribeTasksRequest,
  DescribeTasksResponse,
  Failure,
  ListTasksRequest,
  ListTasksResponse,
  StopTaskRequest,
  StopTaskResponse,
  Task,
} from "@aws-sdk/client-ecs";
import { ecsArn, idFromRef } from "../../domain/arn.js";
import { invalidParameter } from "../../domain/errors.js";
import { pageSize } from "../../domain/pagination.js";
import { keysetPage } from "./keyset-page.js";
import { clusterTasks, taskParent, type StoredTask } from "../../state/ecs-state.js";
import type { EcsHandlers, RequestContext } from "./context.js";
import { activeCluster, clusterName } from "./lookup.js";
import { runTask, startTask } from "./run-task.js";
import { stopStoredTask } from "./task-stops.js";

const TASK_ID = /^[0-9a-f]{32}$/;

/** The task id a reference (id or ARN) names, if it can name one. */
export function taskIdOf(ref: string): string | undefined {
  const id = idFromRef(ref);
  return TASK_ID.test(id) ? id : undefined;
}

/** Whether `stored`, found by `ref`, is a task of the cluster asked for (a task ARN names its cluster). */
export function inAskedCluster(ctx: RequestContext, clusterRef: string | undefined, ref: string, stored: StoredTask): boolean {
  const cluster = ref.startsWith("arn:") && !clusterRef ? stored.cluster : clusterName(ctx, clusterRef);
  return stored.cluster === cluster;
}

/** A task of the cluster by id or ARN. */
async function findTask(ctx: RequestContext, clusterRef: string | undefined, ref: string): Promise<StoredTask | undefined> {
  const id = taskIdOf(ref);
  const stored = id === undefined ? undefined : await ctx.state.tasks.get(ctx.scope, id);
  return stored && inAskedCluster(ctx, clusterRef, ref, stored) ? stored : undefined;
}

async function stopTask(ctx: RequestContext, input: StopTaskRequest): Promise<StopTaskResponse> {
  await activeCluster(ctx, input.cluster);
  const found = await findTask(ctx, input.cluster, input.task!);
  if (!found) throw invalidParameter("The referenced task was not found.");
  const reason = input.reason ?? "Task stopped by user";
  if (reason.length > 1024) throw invalidParameter("reason can be at most 1024 characters.");
  const updated = await stopStoredTask(ctx, idFromRef(found.task.taskArn!), { code: "UserInitiated", reason });
  // A service task held while its targets drain is released by its service's scheduler.
  if (updated?.loadBalancing?.drainUntil !== undefined && updated.task.group?.startsWith("service:")) {
    ctx.scheduler.poke(ctx.scope, `${updated.cluster}/${updated.task.group.slice(8)}`);
  }
  return { task: updated!.task };
}

async function describeTasks(ctx: RequestContext, input: DescribeTasksRequest): Promise<DescribeTasksResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).clusterName!;
  const refs = input.tasks ?? [];
  // ECS's own words for these limits (the model sets none).
  if (refs.length === 0) throw invalidParameter("Tasks cannot be empty.");
  if (refs.length > 100) throw invalidParameter("taskIds can have at most 100 items.");
  const tasks: Task[] = [];
  const failures: Failure[] = [];
  const found = await ctx.state.tasks.getMany(ctx.scope, refs.map(idFromRef));
  for (const ref of refs) {
    const stored = found.get(idFromRef(ref));
    if (!stored || stored.cluster !== cluster) {
      failures.push({ arn: ref.startsWith("arn:") ? ref : ecsArn(ctx.scope, `task/${cluster}/${ref}`), reason: "MISSING" });
      continue;
    }
    tasks.push(input.include?.includes("TAGS") ? stored.task : { ...stored.task, tags: undefined });
  }
  return { tasks, failures };
}

async function listTasks(ctx: RequestContext, input: ListTasksRequest): Promise<ListTasksResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).clusterName!;
  const max = pageSize({ maxResults: input.maxResults, defaultMax: 100, limit: 100 });
  const desired = input.desiredStatus ?? "RUNNING";
  const instanceId = input.containerInstance && idFromRef(input.containerInstance);
  const family = input.family;
  const where = input.serviceName ? { parent: taskParent(cluster, `service:${input.serviceName}`) } : clusterTasks(cluster);
  // Oldest first across the cluster's groups.
  const page = await keysetPage({
    nextToken: input.nextToken,
    max,
    read: (after, limit) =>
      ctx.state.tasks.list(ctx.scope, {
        ...where,
        ...(desired === "RUNNING" ? { status: "LIVE" } : {}),
        orderBy: "seq",
        ...(after ? { after } : {}),
        limit,
      }),
    matches: ({ task, taskDefinition, hostId }: StoredTask) =>
      task.desiredStatus === desired &&
      (!family || taskDefinition.family === family) &&
      (!instanceId || hostId === instanceId) &&
      (!input.serviceName || task.group === `service:${input.serviceName}`) &&
      (!input.startedBy || task.startedBy === input.startedBy) &&
      (!input.launchType || task.launchType === input.launchType),
    positionOf: positionOfTask,
  });
  return { taskArns: page.items.map((t) => t.task.taskArn!), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}

/** Where a task stands in the store's (seq, id) order: its creation time, then its id. */
const positionOfTask = (t: StoredTask) => ({ seq: t.task.createdAt!.getTime(), id: idFromRef(t.task.taskArn!) });

export const taskOperations = {
  RunTask: runTask,
  StartTask: startTask,
  StopTask: stopTask,
  DescribeTasks: describeTasks,
  ListTasks: listTasks,
} satisfies EcsHandlers;
