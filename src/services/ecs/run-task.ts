// RunTask and StartTask: check the request against ECS's rules, decide where each task
// runs, and record the tasks; their agents learn of them through their channels.
import type { Cluster, Failure, RunTaskRequest, RunTaskResponse, StartTaskRequest, StartTaskResponse } from "@aws-sdk/client-ecs";
import { idFromRef } from "../../domain/arn.js";
import { availabilityZoneOf } from "../../domain/container-instance.js";
import { invalidParameter } from "../../domain/errors.js";
import { checkCompatibility, chooseLaunch, taskTags, type LaunchChoice } from "../../domain/task/launch-rules.js";
import { scopeKey } from "../../domain/scope.js";
import { NO_CONTAINER_INSTANCES } from "../../scheduler/placement/index.js";
import { runTaskTokenId } from "../../state/ecs-state.js";
import type { RequestContext } from "./context.js";
import {
  FARGATE_CAPACITY_UNAVAILABLE,
  createTasks,
  placeOnFargate,
  placeOnInstances,
  resolveDefinition,
  type Launch,
  type Target,
} from "./launch.js";
import { activeCluster } from "./lookup.js";
import { awsvpcPlacement } from "./awsvpc.js";

/**
 * What RunTask and StartTask both check once the cluster is known, and the launch they ask
 * for: the definition (ACTIVE), the tags, the launch type's compatibility and the network.
 */
async function requestedLaunch(
  ctx: RequestContext,
  input: RunTaskRequest | StartTaskRequest,
  cluster: Cluster,
  launch: (cluster: Cluster) => LaunchChoice,
): Promise<Launch> {
  const definition = await resolveDefinition(ctx, input.taskDefinition!);
  const td = definition.taskDefinition;
  const tags = taskTags(input.tags, input.propagateTags, definition.tags, {
    enableECSManagedTags: input.enableECSManagedTags,
    cluster: cluster.clusterName!,
  });
  const chosen = launch(cluster);
  checkCompatibility(td, chosen, input.overrides);
  return {
    cluster: cluster.clusterName!,
    td,
    overrides: input.overrides,
    launch: chosen,
    awsvpc: await awsvpcPlacement(ctx, td, input.networkConfiguration, chosen.launchType),
    group: input.group ?? `family:${td.family}`,
    startedBy: input.startedBy,
    tags,
    enableExecuteCommand: input.enableExecuteCommand,
  };
}

export async function runTask(ctx: RequestContext, input: RunTaskRequest): Promise<RunTaskResponse> {
  const cluster = await activeCluster(ctx, input.cluster);
  const count = input.count ?? 1;
  if (count < 1 || count > 10) throw invalidParameter("The count parameter must be between 1 and 10.");
  // What is asked is checked inside the lock: EC2's deletions of subnets and groups take it too,
  // so the subnets and groups found here are still there when the tasks are written.
  return ctx.placementLock.run(scopeKey(ctx.scope), async () => {
    const asked = await requestedLaunch(ctx, input, cluster, (c) => chooseLaunch(input, c.defaultCapacityProviderStrategy ?? []));
    const { td, launch, cluster: name } = asked;
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
      const outcome = await placeOnInstances(ctx, name, td, { ...input, group: asked.group, awsvpc: asked.awsvpc }, count);
      if (outcome.noContainerInstances) throw invalidParameter(NO_CONTAINER_INSTANCES);
      failures.push(...outcome.failures);
      targets = outcome.targets;
    }
    const tasks = await createTasks(ctx, { ...asked, platformVersion: input.platformVersion }, targets);
    if (tokenId && tasks.length) {
      // After the tasks: a crash in between costs a retry a second launch, never a lost task.
      const taskIds = tasks.map((t) => idFromRef(t.taskArn!));
      await ctx.state.runTaskTokens.write(ctx.scope, tokenId, () => ({
        cluster: name,
        clientToken: input.clientToken!,
        taskIds,
        createdAt: ctx.now,
      }));
    }
    return { tasks, failures };
  });
}

export async function startTask(ctx: RequestContext, input: StartTaskRequest): Promise<StartTaskResponse> {
  const cluster = await activeCluster(ctx, input.cluster);
  const refs = input.containerInstances ?? [];
  if (refs.length < 1 || refs.length > 10) throw invalidParameter("containerInstances must have between 1 and 10 items.");
  return ctx.placementLock.run(scopeKey(ctx.scope), async () => {
    const asked = await requestedLaunch(ctx, input, cluster, () => ({ launchType: "EC2" }));
    const name = asked.cluster;
    const failures: Failure[] = [];
    const targets: Target[] = [];
    for (const ref of refs) {
      const host = await ctx.state.instances.get(ctx.scope, idFromRef(ref));
      if (!host || host.cluster !== name || host.fargateHost) failures.push({ arn: ref, reason: "MISSING" });
      else if (host.instance.status !== "ACTIVE") failures.push({ arn: host.instance.containerInstanceArn, reason: "INACTIVE" });
      else targets.push({ host, availabilityZone: availabilityZoneOf(host.instance) });
    }
    const tasks = await createTasks(ctx, asked, targets);
    return { tasks, failures };
  });
}
