// Cluster operations. Handlers stay thin: resolve names, apply a domain rule, write once.
import type {
  Cluster,
  CreateClusterRequest,
  CreateClusterResponse,
  DeleteClusterRequest,
  DeleteClusterResponse,
  DescribeClustersRequest,
  DescribeClustersResponse,
  Failure,
  ListClustersRequest,
  ListClustersResponse,
  PutClusterCapacityProvidersRequest,
  PutClusterCapacityProvidersResponse,
  UpdateClusterRequest,
  UpdateClusterResponse,
  UpdateClusterSettingsRequest,
  UpdateClusterSettingsResponse,
} from "@aws-sdk/client-ecs";
import { effectiveSetting, rootPrincipal } from "../../domain/account-settings.js";
import { associatedCluster } from "../../domain/capacity-provider.js";
import { clusterArn } from "../../domain/arn.js";
import {
  DEFAULT_CLUSTER,
  clusterView,
  mergeSettings,
  newCluster,
  validateClusterName,
  validateStrategy,
  withStrategyDefaults,
} from "../../domain/cluster.js";
import {
  clusterContainsContainerInstances,
  clusterContainsServices,
  clusterContainsTasks,
  clusterNotFound,
  invalidParameter,
} from "../../domain/errors.js";
import { paginate } from "../../domain/pagination.js";
import { validateTags } from "../../domain/tags.js";
import { settingSources } from "./account-settings.js";
import type { EcsHandlers, RequestContext } from "./context.js";
import { activeCluster, capacityProvider, clusterName, clusterUsage } from "./lookup.js";

async function createCluster(ctx: RequestContext, input: CreateClusterRequest): Promise<CreateClusterResponse> {
  const name = input.clusterName ?? DEFAULT_CLUSTER;
  validateClusterName(name);
  validateTags(input.tags ?? []);
  await checkCapacityProviders(ctx, name, input.capacityProviders ?? [], input.defaultCapacityProviderStrategy ?? []);
  const sources = await settingSources(ctx, rootPrincipal(ctx.scope.accountId));
  const insights = effectiveSetting("containerInsights", sources).value!;
  // Idempotent on the name: an ACTIVE cluster of that name is returned as it is.
  const cluster = await ctx.state.clusters.write(ctx.scope, name, (current) =>
    current?.status === "ACTIVE" ? undefined : newCluster(ctx.scope, name, input, insights),
  );
  return { cluster: await describe(ctx, cluster!, ["SETTINGS", "TAGS", "CONFIGURATIONS"]) };
}

async function describe(ctx: RequestContext, cluster: Cluster, include: DescribeClustersRequest["include"]) {
  return clusterView(cluster, await clusterUsage(ctx, cluster.clusterName!), include ?? []);
}

async function describeClusters(ctx: RequestContext, input: DescribeClustersRequest): Promise<DescribeClustersResponse> {
  const refs = input.clusters?.length ? input.clusters : [DEFAULT_CLUSTER];
  if (refs.length > 100) throw invalidParameter("The clusters parameter can contain at most 100 items.");
  const clusters: Cluster[] = [];
  const failures: Failure[] = [];
  for (const ref of refs) {
    const name = clusterName(ctx, ref);
    const cluster = name ? await ctx.state.clusters.get(ctx.scope, name) : undefined;
    if (cluster) clusters.push(await describe(ctx, cluster, input.include));
    else failures.push({ arn: ref.startsWith("arn:") ? ref : clusterArn(ctx.scope, ref), reason: "MISSING" });
  }
  return { clusters, failures };
}

async function listClusters(ctx: RequestContext, input: ListClustersRequest): Promise<ListClustersResponse> {
  const active = await ctx.state.clusters.list(ctx.scope, { status: "ACTIVE" });
  const arns = active.map((c) => c.clusterArn!).sort();
  const page = paginate(arns, (arn) => arn, { ...input, defaultMax: 100, limit: 100 });
  return { clusterArns: page.items, nextToken: page.nextToken };
}

async function updateCluster(ctx: RequestContext, input: UpdateClusterRequest): Promise<UpdateClusterResponse> {
  const name = (await activeCluster(ctx, input.cluster)).clusterName!;
  const cluster = await ctx.state.clusters.write(ctx.scope, name, (current) => {
    if (current?.status !== "ACTIVE") throw clusterNotFound();
    const next: Cluster = { ...current };
    if (input.settings) next.settings = mergeSettings(current.settings ?? [], input.settings);
    if (input.configuration) next.configuration = input.configuration;
    if (input.serviceConnectDefaults) {
      next.serviceConnectDefaults = input.serviceConnectDefaults.namespace
        ? { namespace: input.serviceConnectDefaults.namespace }
        : undefined;
    }
    return next;
  });
  return { cluster: await describe(ctx, cluster!, ["SETTINGS", "CONFIGURATIONS"]) };
}

async function updateClusterSettings(ctx: RequestContext, input: UpdateClusterSettingsRequest): Promise<UpdateClusterSettingsResponse> {
  const name = (await activeCluster(ctx, input.cluster)).clusterName!;
  const cluster = await ctx.state.clusters.write(ctx.scope, name, (current) => {
    if (current?.status !== "ACTIVE") throw clusterNotFound();
    return { ...current, settings: mergeSettings(current.settings ?? [], input.settings ?? []) };
  });
  return { cluster: await describe(ctx, cluster!, ["SETTINGS"]) };
}

async function checkCapacityProviders(
  ctx: RequestContext,
  clusterName: string,
  names: readonly string[],
  strategy: NonNullable<CreateClusterRequest["defaultCapacityProviderStrategy"]>,
): Promise<void> {
  const clusters = await ctx.state.clusters.list(ctx.scope, { status: "ACTIVE" });
  for (const name of names) {
    const cp = await capacityProvider(ctx, name);
    if (!cp || cp.status !== "ACTIVE") {
      throw invalidParameter(
        `The specified capacity provider '${name}' is not in an ACTIVE state. Specify a valid capacity provider and try again.`,
      );
    }
    // An Auto Scaling group serves one cluster; FARGATE and FARGATE_SPOT serve them all.
    const holder = cp.autoScalingGroupProvider ? associatedCluster(name, clusters) : undefined;
    if (holder && holder.clusterName !== clusterName) {
      throw invalidParameter(
        `The specified capacity provider '${name}' is already associated with cluster '${holder.clusterName}'. A capacity provider with an Auto Scaling group can only be associated with one cluster.`,
      );
    }
  }
  validateStrategy(strategy, names);
}

async function putClusterCapacityProviders(
  ctx: RequestContext,
  input: PutClusterCapacityProvidersRequest,
): Promise<PutClusterCapacityProvidersResponse> {
  const name = (await activeCluster(ctx, input.cluster)).clusterName!;
  const providers = input.capacityProviders ?? [];
  await checkCapacityProviders(ctx, name, providers, input.defaultCapacityProviderStrategy ?? []);
  const cluster = await ctx.state.clusters.write(ctx.scope, name, (current) => {
    if (current?.status !== "ACTIVE") throw clusterNotFound();
    return {
      ...current,
      capacityProviders: [...providers],
      defaultCapacityProviderStrategy: withStrategyDefaults(input.defaultCapacityProviderStrategy ?? []),
    };
  });
  return { cluster: await describe(ctx, cluster!, ["SETTINGS"]) };
}

async function deleteCluster(ctx: RequestContext, input: DeleteClusterRequest): Promise<DeleteClusterResponse> {
  const name = (await activeCluster(ctx, input.cluster)).clusterName!;
  const usage = await clusterUsage(ctx, name);
  if (usage.registeredContainerInstancesCount > 0) {
    throw clusterContainsContainerInstances("The Cluster cannot be deleted while Container Instances are active or draining.");
  }
  if (
    usage.activeEC2ServiceCount + usage.activeFargateServiceCount + usage.drainingEC2ServiceCount + usage.drainingFargateServiceCount >
    0
  ) {
    throw clusterContainsServices("The Cluster cannot be deleted while Services are active.");
  }
  if (usage.runningEC2TasksCount + usage.runningFargateTasksCount + usage.pendingEC2TasksCount + usage.pendingFargateTasksCount > 0) {
    throw clusterContainsTasks("The Cluster cannot be deleted while Tasks are active.");
  }
  const cluster = await ctx.state.clusters.write(ctx.scope, name, (current) => {
    if (current?.status !== "ACTIVE") throw clusterNotFound();
    return { ...current, status: "INACTIVE" };
  });
  return { cluster: await describe(ctx, cluster!, []) };
}

export const clusterOperations = {
  CreateCluster: createCluster,
  DescribeClusters: describeClusters,
  ListClusters: listClusters,
  UpdateCluster: updateCluster,
  UpdateClusterSettings: updateClusterSettings,
  PutClusterCapacityProviders: putClusterCapacityProviders,
  DeleteCluster: deleteCluster,
} satisfies EcsHandlers;
