// RunTask and StartTask: check the request against ECS's rules, decide where each task
// runs, and record the tasks; their agents learn of them through their channels.
import type { Failure, RunTaskRequest, RunTaskResponse, StartTaskRequest, StartTaskResponse } from "@aws-sdk/client-ecs";
import { idFromRef } from "../../domain/arn.js";
import { availabilityZoneOf } from "../../domain/container-instance.js";
import { invalidParameter } from "../../domain/errors.js";
import {
  checkCompatibility,
  checkNetworkConfiguration,
  chooseLaunch,
  taskTags,
  type LaunchChoice,
} from "../../domain/task/launch-rules.js";
import { scopeKey } from "../../domain/scope.js";
import { NO_CONTAINER_INSTANCES } from "../../scheduler/placement/index.js";
import { runTaskTokenId } from "../../state/ecs-state.js";
import type { RequestContext } from "./context.js";
import { FARGATE_CAPACITY_UNAVAILABLE, createTasks, placeOnFargate, placeOnInstances, resolveDefinition, type Target } from "./launch.js";
import { activeCluster } from "./lookup.js";

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
    const tasks = await createTasks(
      ctx,
      {
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
      },
      targets,
    );
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
    const tasks = await createTasks(
      ctx,
      {
        cluster: name,
        td,
        overrides: input.overrides,
        launch,
        subnetId,
        group: input.group ?? `family:${td.family}`,
        startedBy: input.startedBy,
        tags,
        enableExecuteCommand: input.enableExecuteCommand,
      },
      targets,
    );
    return { tasks, failures };
  });
}
