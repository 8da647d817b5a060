import type {
  DeleteTaskDefinitionsRequest,
  DeleteTaskDefinitionsResponse,
  DeregisterTaskDefinitionRequest,
  DeregisterTaskDefinitionResponse,
  DescribeTaskDefinitionRequest,
  DescribeTaskDefinitionResponse,
  Failure,
  ListTaskDefinitionFamiliesRequest,
  ListTaskDefinitionFamiliesResponse,
  ListTaskDefinitionsRequest,
  ListTaskDefinitionsResponse,
  RegisterTaskDefinitionRequest,
  RegisterTaskDefinitionResponse,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import { clientException, invalidParameter } from "../../domain/errors.js";
import { pageSize, paginate } from "../../domain/pagination.js";
import { keysetPage } from "./keyset-page.js";
import { buildTaskDefinition, validateTaskDefinition } from "../../domain/task-definition/index.js";
import { parseTaskDefinitionRef } from "../../domain/task-definition-ref.js";
import { validateTags } from "../../domain/tags.js";
import { type StoredTaskDefinition, taskDefinitionId } from "../../state/ecs-state.js";
import type { EcsHandlers, RequestContext, ScopedState } from "./context.js";

async function registerTaskDefinition(ctx: RequestContext, input: RegisterTaskDefinitionRequest): Promise<RegisterTaskDefinitionResponse> {
  validateTags(input.tags ?? []);
  validateTaskDefinition(input);
  const family = input.family!;
  const stored = await ctx.state.taskDefinitions.append(
    ctx.scope,
    family,
    (revision) => ({
      id: taskDefinitionId(family, revision),
      doc: {
        taskDefinition: buildTaskDefinition(input, {
          region: ctx.scope.region,
          accountId: ctx.scope.accountId,
          revision,
          registeredAt: ctx.now,
          registeredBy: ctx.principalArn,
        }),
        tags: input.tags ?? [],
      },
    }),
    { grouped: true },
  ); // CI pipelines register revisions in bursts; no lock is held here
  return { taskDefinition: stored.taskDefinition, tags: stored.tags };
}

/**
 * The task definition a reference names: an exact revision in any state but deleted, or
 * for a bare family its latest ACTIVE revision.
 */
export async function findTaskDefinition(
  ctx: Pick<ScopedState, "scope" | "state">,
  ref: string,
): Promise<StoredTaskDefinition | undefined> {
  const parsed = parseTaskDefinitionRef(ctx.scope, ref);
  if (!parsed) return undefined;
  if (parsed.revision !== undefined) {
    return ctx.state.taskDefinitions.get(ctx.scope, taskDefinitionId(parsed.family, parsed.revision));
  }
  const active = await ctx.state.taskDefinitions.list(ctx.scope, {
    parent: parsed.family,
    status: "ACTIVE",
    order: "desc",
    limit: 1,
  });
  return active[0];
}

async function describeTaskDefinition(ctx: RequestContext, input: DescribeTaskDefinitionRequest): Promise<DescribeTaskDefinitionResponse> {
  const found = await findTaskDefinition(ctx, input.taskDefinition!);
  if (!found) throw clientException("Unable to describe task definition.");
  return {
    taskDefinition: found.taskDefinition,
    ...(input.include?.includes("TAGS") ? { tags: found.tags } : {}),
  };
}

async function listTaskDefinitions(ctx: RequestContext, input: ListTaskDefinitionsRequest): Promise<ListTaskDefinitionsResponse> {
  // By family, then revision; a page at a time past the last one returned.
  const page = await keysetPage({
    nextToken: input.nextToken,
    max: pageSize({ maxResults: input.maxResults, defaultMax: 100, limit: 100 }),
    read: (after, limit) =>
      ctx.state.taskDefinitions.list(ctx.scope, {
        // familyPrefix is, despite its name, a whole family name in ECS.
        ...(input.familyPrefix ? { parent: input.familyPrefix } : {}),
        status: input.status ?? "ACTIVE",
        order: input.sort === "DESC" ? "desc" : "asc",
        ...(after ? { after } : {}),
        limit,
      }),
    positionOf: ({ taskDefinition: td }) => ({ parent: td.family!, seq: td.revision!, id: taskDefinitionId(td.family!, td.revision!) }),
  });
  return {
    taskDefinitionArns: page.items.map((r) => r.taskDefinition.taskDefinitionArn!),
    ...(page.nextToken ? { nextToken: page.nextToken } : {}),
  };
}

async function listTaskDefinitionFamilies(
  ctx: RequestContext,
  input: ListTaskDefinitionFamiliesRequest,
): Promise<ListTaskDefinitionFamiliesResponse> {
  const rows = await ctx.state.taskDefinitions.list(ctx.scope, {
    ...(input.familyPrefix ? { parentPrefix: input.familyPrefix } : {}),
  });
  const hasActive = new Map<string, boolean>();
  for (const { taskDefinition: td } of rows) {
    if (td.status === "DELETE_IN_PROGRESS" && !hasActive.has(td.family!)) continue;
    hasActive.set(td.family!, (hasActive.get(td.family!) ?? false) || td.status === "ACTIVE");
  }
  const status = input.status ?? "ACTIVE";
  const families = [...hasActive.entries()]
    .filter(([, active]) => status === "ALL" || (status === "ACTIVE") === active)
    .map(([family]) => family)
    .sort();
  const page = paginate(families, (f) => f, { ...input, defaultMax: 100, limit: 100 });
  return { families: page.items, nextToken: page.nextToken };
}

/** A reference that must name one revision, as Deregister and Delete require. */
function exactRevision(ctx: RequestContext, ref: string): string {
  const parsed = parseTaskDefinitionRef(ctx.scope, ref);
  if (!parsed || parsed.revision === undefined) {
    throw clientException(`Invalid revision number. Number: ${ref.includes(":") ? ref.split(":").pop() : ref}`);
  }
  return taskDefinitionId(parsed.family, parsed.revision);
}

async function deregisterTaskDefinition(
  ctx: RequestContext,
  input: DeregisterTaskDefinitionRequest,
): Promise<DeregisterTaskDefinitionResponse> {
  const id = exactRevision(ctx, input.taskDefinition!);
  const stored = await ctx.state.taskDefinitions.write(ctx.scope, id, (current) => {
    if (!current || current.taskDefinition.status === "DELETE_IN_PROGRESS") {
      throw clientException("The specified task definition does not exist.");
    }
    if (current.taskDefinition.status === "INACTIVE") return undefined;
    return { ...current, taskDefinition: { ...current.taskDefinition, status: "INACTIVE", deregisteredAt: ctx.now } };
  });
  return { taskDefinition: stored!.taskDefinition };
}

async function deleteTaskDefinitions(ctx: RequestContext, input: DeleteTaskDefinitionsRequest): Promise<DeleteTaskDefinitionsResponse> {
  const refs = input.taskDefinitions!;
  if (refs.length < 1 || refs.length > 10) {
    throw invalidParameter("The taskDefinitions parameter must contain between 1 and 10 task definitions.");
  }
  const taskDefinitions: TaskDefinition[] = [];
  const failures: Failure[] = [];
  // The failures' reasons are ECS's (moto's tests carry them beside the ACTIVE one below).
  for (const ref of refs) {
    const parsed = parseTaskDefinitionRef(ctx.scope, ref);
    if (!parsed || parsed.revision === undefined) {
      failures.push({
        arn: ref,
        reason: "The specified task definition identifier is invalid. Specify a valid name or ARN and try again.",
      });
      continue;
    }
    const id = taskDefinitionId(parsed.family, parsed.revision);
    const current = await ctx.state.taskDefinitions.get(ctx.scope, id);
    if (!current) {
      failures.push({
        arn: ref,
        reason: "The specified task definition does not exist. Specify a valid account, family, revision and try again.",
      });
    } else if (current.taskDefinition.status === "ACTIVE") {
      failures.push({
        arn: current.taskDefinition.taskDefinitionArn,
        reason: "The specified task definition is still in ACTIVE status. Please deregister the target and try again.",
      });
    } else {
      const deleted = await ctx.state.taskDefinitions.write(ctx.scope, id, (td) =>
        td ? { ...td, taskDefinition: { ...td.taskDefinition, status: "DELETE_IN_PROGRESS" } } : undefined,
      );
      taskDefinitions.push(deleted!.taskDefinition);
    }
  }
  return { taskDefinitions, failures };
}

export const taskDefinitionOperations = {
  RegisterTaskDefinition: registerTaskDefinition,
  DescribeTaskDefinition: describeTaskDefinition,
  ListTaskDefinitions: listTaskDefinitions,
  ListTaskDefinitionFamilies: listTaskDefinitionFamilies,
  DeregisterTaskDefinition: deregisterTaskDefinition,
  DeleteTaskDefinitions: deleteTaskDefinitions,
} satisfies EcsHandlers;
