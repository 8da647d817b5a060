// How CreateTaskSet, UpdateTaskSet and UpdateServicePrimaryTaskSet change task sets: pure
// record changes the handlers apply inside their service's write.
import type { CreateTaskSetRequest, LaunchType, NetworkConfiguration, Scale, Service } from "@aws-sdk/client-ecs";
import { computedDesiredCount, type TaskSetRecord } from "./task-set.js";

/** ECS echoes an awsvpc configuration with assignPublicIp, DISABLED unless asked for. */
function echoedNetwork(config: NetworkConfiguration | undefined): NetworkConfiguration | undefined {
  const vpc = config?.awsvpcConfiguration;
  return vpc ? { awsvpcConfiguration: { ...vpc, assignPublicIp: vpc.assignPublicIp ?? "DISABLED" } } : undefined;
}

/** A new task set: ACTIVE (only UpdateServicePrimaryTaskSet makes one PRIMARY), STABILIZING, no tasks yet. */
export function newTaskSet(args: {
  input: CreateTaskSetRequest;
  id: string;
  arn: string;
  service: Service;
  taskDefinitionArn: string;
  launchType?: LaunchType;
  scale: Required<Scale>;
  now: Date;
}): TaskSetRecord {
  const { input, service, now } = args;
  const network = echoedNetwork(input.networkConfiguration);
  return {
    id: args.id,
    taskSetArn: args.arn,
    serviceArn: service.serviceArn,
    clusterArn: service.clusterArn,
    ...(input.externalId !== undefined ? { externalId: input.externalId } : {}),
    status: "ACTIVE",
    taskDefinition: args.taskDefinitionArn,
    computedDesiredCount: computedDesiredCount(service.desiredCount ?? 0, args.scale),
    pendingCount: 0,
    runningCount: 0,
    createdAt: now,
    updatedAt: now,
    ...(args.launchType ? { launchType: args.launchType } : {}),
    ...(input.capacityProviderStrategy?.length ? { capacityProviderStrategy: input.capacityProviderStrategy } : {}),
    ...(args.launchType === "FARGATE" ? { platformVersion: input.platformVersion ?? "LATEST", platformFamily: "Linux" } : {}),
    ...(network ? { networkConfiguration: network } : {}),
    loadBalancers: input.loadBalancers ?? [],
    serviceRegistries: input.serviceRegistries ?? [],
    scale: args.scale,
    stabilityStatus: "STABILIZING",
    stabilityStatusAt: now,
    tags: input.tags ?? [],
    ...(input.clientToken ? { clientToken: input.clientToken } : {}),
  };
}

/** UpdateTaskSet: the new scale and what it computes to; the set stabilizes again. */
export function withScale(set: TaskSetRecord, scale: Required<Scale>, desired: number, now: Date): TaskSetRecord {
  return {
    ...set,
    scale,
    computedDesiredCount: computedDesiredCount(desired, scale),
    stabilityStatus: "STABILIZING",
    stabilityStatusAt: now,
    updatedAt: now,
  };
}

/** UpdateServicePrimaryTaskSet: `id` becomes PRIMARY, the previous PRIMARY ACTIVE; PRIMARY first. */
export function withPrimary(sets: readonly TaskSetRecord[], id: string, now: Date): TaskSetRecord[] {
  const changed = sets.map((s): TaskSetRecord => {
    if (s.id === id) return s.status === "PRIMARY" ? s : { ...s, status: "PRIMARY", updatedAt: now };
    return s.status === "PRIMARY" ? { ...s, status: "ACTIVE", updatedAt: now } : s;
  });
  return [...changed.filter((s) => s.status === "PRIMARY"), ...changed.filter((s) => s.status !== "PRIMARY")];
}

/**
 * What DescribeServices shows of the PRIMARY task set ("it returns all fields specified for a
 * primary task set"): the service takes these over when its primary changes.
 */
export function primaryFields(set: TaskSetRecord): Partial<Service> {
  return {
    taskDefinition: set.taskDefinition,
    launchType: set.launchType,
    capacityProviderStrategy: set.capacityProviderStrategy,
    platformVersion: set.platformVersion,
    platformFamily: set.platformFamily,
    networkConfiguration: set.networkConfiguration,
    loadBalancers: set.loadBalancers ?? [],
    serviceRegistries: set.serviceRegistries ?? [],
  };
}

/** DeleteTaskSet (and DeleteService): DRAINING, its tasks stopped by the scheduler, gone once none is left. */
export function drained(set: TaskSetRecord, now: Date): TaskSetRecord {
  if (set.status === "DRAINING") return set;
  return { ...set, status: "DRAINING", computedDesiredCount: 0, stabilityStatus: "STABILIZING", stabilityStatusAt: now, updatedAt: now };
}
