// Pure rules of ECS clusters: names, the stored document, and what Describe shows.
import type {
  CapacityProviderStrategyItem,
  Cluster,
  ClusterField,
  ClusterSetting,
  CreateClusterRequest,
  KeyValuePair,
} from "@aws-sdk/client-ecs";
import { clusterArn } from "./arn.js";
import { clientException, invalidParameter } from "./errors.js";
import type { Scope } from "./scope.js";

export const DEFAULT_CLUSTER = "default";
const CLUSTER_NAME = /^[a-zA-Z0-9_-]{1,255}$/;

export function validateClusterName(name: string): void {
  if (!CLUSTER_NAME.test(name)) {
    throw invalidParameter(
      "Cluster name must be 1 to 255 characters: letters (uppercase and lowercase), numbers, underscores, and hyphens.",
    );
  }
}

/** What a cluster holds, counted from the tasks, services and instances in it. */
export interface ClusterUsage {
  registeredContainerInstancesCount: number;
  runningEC2TasksCount: number;
  runningFargateTasksCount: number;
  pendingEC2TasksCount: number;
  pendingFargateTasksCount: number;
  activeEC2ServiceCount: number;
  activeFargateServiceCount: number;
  drainingEC2ServiceCount: number;
  drainingFargateServiceCount: number;
}

export const EMPTY_USAGE: ClusterUsage = {
  registeredContainerInstancesCount: 0,
  runningEC2TasksCount: 0,
  runningFargateTasksCount: 0,
  pendingEC2TasksCount: 0,
  pendingFargateTasksCount: 0,
  activeEC2ServiceCount: 0,
  activeFargateServiceCount: 0,
  drainingEC2ServiceCount: 0,
  drainingFargateServiceCount: 0,
};

export function newCluster(
  scope: Scope,
  name: string,
  input: Omit<CreateClusterRequest, "clusterName">,
  defaultContainerInsights: string,
): Cluster {
  return {
    clusterArn: clusterArn(scope, name),
    clusterName: name,
    status: "ACTIVE",
    settings: mergeSettings([{ name: "containerInsights", value: defaultContainerInsights }], input.settings ?? []),
    tags: input.tags ?? [],
    capacityProviders: input.capacityProviders ?? [],
    defaultCapacityProviderStrategy: withStrategyDefaults(input.defaultCapacityProviderStrategy ?? []),
    ...(input.configuration ? { configuration: input.configuration } : {}),
    ...(input.serviceConnectDefaults?.namespace ? { serviceConnectDefaults: { namespace: input.serviceConnectDefaults.namespace } } : {}),
  };
}

export function mergeSettings(current: readonly ClusterSetting[], changes: readonly ClusterSetting[]): ClusterSetting[] {
  const byName = new Map(current.map((s) => [s.name!, s] as const));
  for (const s of changes) {
    if (!s.name || s.value === undefined) throw invalidParameter("Cluster settings need both a name and a value.");
    if (s.name === "containerInsights" && !["enabled", "disabled", "enhanced"].includes(s.value)) {
      throw invalidParameter(
        `The value '${s.value}' for the containerInsights setting is not valid. Valid values are enabled, enhanced and disabled.`,
      );
    }
    byName.set(s.name, { name: s.name, value: s.value });
  }
  return [...byName.values()];
}

export function withStrategyDefaults(strategy: readonly CapacityProviderStrategyItem[]): CapacityProviderStrategyItem[] {
  return strategy.map((s) => ({ capacityProvider: s.capacityProvider, weight: s.weight ?? 0, base: s.base ?? 0 }));
}

/**
 * ECS's rules for a capacity provider strategy: providers must be associated, appear once,
 * weights 0–1000, base 0–100000 on at most one provider.
 */
export function validateStrategy(strategy: readonly CapacityProviderStrategyItem[], associated: readonly string[]): void {
  const seen = new Set<string>();
  let withBase = 0;
  for (const item of strategy) {
    const name = item.capacityProvider!;
    if (!associated.includes(name)) {
      throw invalidParameter(
        `The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. ` +
          `Associate the capacity provider with the cluster or specify a valid capacity provider and try again.`,
      );
    }
    if (seen.has(name)) throw invalidParameter(`The capacity provider '${name}' appears more than once in the strategy.`);
    seen.add(name);
    if ((item.weight ?? 0) < 0 || (item.weight ?? 0) > 1000) {
      throw invalidParameter("The capacity provider strategy weight must be between 0 and 1000.");
    }
    if ((item.base ?? 0) < 0 || (item.base ?? 0) > 100000) {
      throw invalidParameter("The capacity provider strategy base must be between 0 and 100000.");
    }
    if ((item.base ?? 0) > 0) withBase++;
  }
  if (withBase > 1) throw invalidParameter("Only one capacity provider in a strategy can have a base defined.");
  const mixesFargate = strategy.some((s) => s.capacityProvider!.startsWith("FARGATE"));
  const mixesOther = strategy.some((s) => !s.capacityProvider!.startsWith("FARGATE"));
  if (mixesFargate && mixesOther) {
    throw clientException(
      "A capacity provider strategy cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers.",
    );
  }
}

/** The cluster as DescribeClusters shows it: counts always, the optional parts when included. */
export function clusterView(cluster: Cluster, usage: ClusterUsage, include: readonly ClusterField[] = []): Cluster {
  const running = usage.runningEC2TasksCount + usage.runningFargateTasksCount;
  const pending = usage.pendingEC2TasksCount + usage.pendingFargateTasksCount;
  const active = cluster.status === "ACTIVE";
  const view: Cluster = {
    clusterArn: cluster.clusterArn,
    clusterName: cluster.clusterName,
    status: cluster.status,
    registeredContainerInstancesCount: active ? usage.registeredContainerInstancesCount : 0,
    runningTasksCount: running,
    pendingTasksCount: pending,
    activeServicesCount: usage.activeEC2ServiceCount + usage.activeFargateServiceCount,
    statistics: include.includes("STATISTICS") ? statistics(usage) : [],
    tags: include.includes("TAGS") ? (cluster.tags ?? []) : [],
    settings: include.includes("SETTINGS") ? (cluster.settings ?? []) : [],
    capacityProviders: cluster.capacityProviders ?? [],
    defaultCapacityProviderStrategy: cluster.defaultCapacityProviderStrategy ?? [],
  };
  if (include.includes("CONFIGURATIONS") && cluster.configuration) view.configuration = cluster.configuration;
  if (include.includes("ATTACHMENTS")) {
    view.attachments = cluster.attachments ?? [];
    view.attachmentsStatus = cluster.attachmentsStatus ?? "UPDATE_COMPLETE";
  }
  if (cluster.serviceConnectDefaults) view.serviceConnectDefaults = cluster.serviceConnectDefaults;
  return view;
}

function statistics(usage: ClusterUsage): KeyValuePair[] {
  const names: (keyof ClusterUsage)[] = [
    "runningEC2TasksCount",
    "runningFargateTasksCount",
    "pendingEC2TasksCount",
    "pendingFargateTasksCount",
    "activeEC2ServiceCount",
    "activeFargateServiceCount",
    "drainingEC2ServiceCount",
    "drainingFargateServiceCount",
  ];
  return names.map((name) => ({ name, value: String(usage[name]) }));
}
