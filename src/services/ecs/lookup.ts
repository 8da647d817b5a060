// Finding the resources a request names ("name or ARN"), with ECS's not-found errors.
import type { CapacityProvider, Cluster } from "@aws-sdk/client-ecs";
import { nameFromRef } from "../../domain/arn.js";
import { builtInCapacityProviders } from "../../domain/capacity-provider.js";
import { DEFAULT_CLUSTER, EMPTY_USAGE, type ClusterUsage } from "../../domain/cluster.js";
import { clusterNotFound } from "../../domain/errors.js";
import type { Scope } from "../../domain/scope.js";
import type { EcsState } from "../../state/ecs-state.js";
import type { RequestContext } from "./context.js";

export function clusterName(ctx: RequestContext, ref: string | undefined): string {
  return nameFromRef(ctx.scope, ref ?? DEFAULT_CLUSTER, "cluster") ?? "";
}

/** The ACTIVE cluster `ref` names (the default cluster when absent), or ClusterNotFoundException. */
export async function activeCluster(ctx: RequestContext, ref: string | undefined): Promise<Cluster> {
  return findActiveCluster(ctx.state, ctx.scope, ref ?? DEFAULT_CLUSTER);
}

/** The ACTIVE cluster `ref` (name or ARN) names in `scope`, or ClusterNotFoundException; for callers without a request context. */
export async function findActiveCluster(state: EcsState, scope: Scope, ref: string): Promise<Cluster> {
  const name = nameFromRef(scope, ref, "cluster") ?? "";
  const cluster = name ? await state.clusters.get(scope, name) : undefined;
  if (!cluster || cluster.status !== "ACTIVE") throw clusterNotFound();
  return cluster;
}

/** How many instances, tasks and services a cluster holds. */
export async function clusterUsage(ctx: RequestContext, clusterName: string): Promise<ClusterUsage> {
  const usage: ClusterUsage = { ...EMPTY_USAGE };
  const instances = await ctx.state.instancesByCluster.list(ctx.scope, clusterName);
  usage.registeredContainerInstancesCount = instances.filter((i) => i.instance.status !== "INACTIVE").length;
  const tasks = await ctx.state.liveTasks.clusterCounts(ctx.scope, clusterName);
  usage.runningEC2TasksCount = tasks.runningEC2;
  usage.runningFargateTasksCount = tasks.runningFargate;
  usage.pendingEC2TasksCount = tasks.pendingEC2;
  usage.pendingFargateTasksCount = tasks.pendingFargate;
  for (const { service } of await ctx.state.services.list(ctx.scope, { parent: clusterName })) {
    const fargate = service.launchType === "FARGATE";
    if (service.status === "ACTIVE") usage[fargate ? "activeFargateServiceCount" : "activeEC2ServiceCount"]++;
    else if (service.status === "DRAINING") usage[fargate ? "drainingFargateServiceCount" : "drainingEC2ServiceCount"]++;
  }
  return usage;
}

/** Capacity providers by name, FARGATE and FARGATE_SPOT included. */
export async function capacityProvider(ctx: RequestContext, ref: string): Promise<CapacityProvider | undefined> {
  const name = nameFromRef(ctx.scope, ref, "capacity-provider");
  if (!name) return undefined;
  const builtIn = builtInCapacityProviders(ctx.scope).find((cp) => cp.name === name);
  return builtIn ?? (await ctx.state.capacityProviders.get(ctx.scope, name));
}
