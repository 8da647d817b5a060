// Capacity providers: FARGATE and FARGATE_SPOT are built in; others wrap an Auto Scaling group.
import type { AutoScalingGroupProvider, CapacityProvider, Cluster, CreateCapacityProviderRequest } from "@aws-sdk/client-ecs";
import { capacityProviderArn } from "./arn.js";
import { clientException, invalidParameter } from "./errors.js";
import type { Scope } from "./scope.js";

export const BUILT_IN_CAPACITY_PROVIDERS = ["FARGATE", "FARGATE_SPOT"] as const;

export function builtInCapacityProviders(scope: Scope): CapacityProvider[] {
  return BUILT_IN_CAPACITY_PROVIDERS.map((name) => ({
    capacityProviderArn: capacityProviderArn(scope, name),
    name,
    status: "ACTIVE",
    tags: [],
  }));
}

const NAME = /^[a-zA-Z0-9_-]{1,255}$/;

/** ECS's one message for a bad name, whatever the reason (as returned by CreateCapacityProvider). */
export function validateCapacityProviderName(name: string): void {
  if (!NAME.test(name) || /^(aws|ecs|fargate)/i.test(name)) {
    throw clientException(
      'The specified capacity provider name is invalid. Up to 255 characters are allowed, including letters (upper and lowercase), numbers, underscores, and hyphens. The name cannot be prefixed with "aws", "ecs", or "fargate". Specify a valid name and try again.',
    );
  }
}

/** An Auto Scaling group backs at most one capacity provider that is not INACTIVE. */
export function assertAutoScalingGroupUnused(fresh: CapacityProvider, existing: readonly CapacityProvider[]): void {
  const asg = fresh.autoScalingGroupProvider?.autoScalingGroupArn;
  if (asg === undefined) return;
  const taken = existing.some(
    (cp) => cp.name !== fresh.name && cp.status !== "INACTIVE" && cp.autoScalingGroupProvider?.autoScalingGroupArn === asg,
  );
  if (taken) {
    throw clientException(
      "The specified Auto Scaling group ARN is already being used by another capacity provider. Specify a unique Auto Scaling group ARN and try again.",
    );
  }
}

/** The first ACTIVE cluster that `name` is associated with, which keeps it from being deleted. */
export function associatedCluster(name: string, clusters: readonly Cluster[]): Cluster | undefined {
  return clusters.find((c) => c.status === "ACTIVE" && (c.capacityProviders ?? []).includes(name));
}

/**
 * DeleteCapacityProvider does not throw for a provider still associated with a cluster: ECS
 * answers 200 and records the failure on the provider, which stays ACTIVE.
 */
export function deleteFailed(cp: CapacityProvider, clusterName: string): CapacityProvider {
  return {
    ...cp,
    updateStatus: "DELETE_FAILED",
    updateStatusReason: `The capacity provider cannot be deleted because it is associated with cluster: ${clusterName}. Remove the capacity provider from the cluster and try again.`,
  };
}

/** A deleted provider: INACTIVE, and still describable. */
export function deleted(cp: CapacityProvider): CapacityProvider {
  const { updateStatusReason: _reason, ...rest } = cp;
  return { ...rest, status: "INACTIVE", updateStatus: "DELETE_COMPLETE" };
}

export function newCapacityProvider(scope: Scope, input: CreateCapacityProviderRequest): CapacityProvider {
  validateCapacityProviderName(input.name!);
  if (!input.autoScalingGroupProvider && !input.managedInstancesProvider) {
    throw invalidParameter("You must specify either an autoScalingGroupProvider or a managedInstancesProvider.");
  }
  const provider: CapacityProvider = {
    capacityProviderArn: capacityProviderArn(scope, input.name!),
    name: input.name!,
    status: "ACTIVE",
    updateStatus: "CREATE_COMPLETE",
    tags: input.tags ?? [],
  };
  if (input.autoScalingGroupProvider) {
    provider.autoScalingGroupProvider = withAsgDefaults(input.autoScalingGroupProvider);
    provider.type = "EC2_AUTOSCALING";
  } else {
    provider.managedInstancesProvider = input.managedInstancesProvider;
    provider.type = "MANAGED_INSTANCES";
    if (input.cluster) provider.cluster = input.cluster;
  }
  return withScalingNote(provider);
}

/**
 * What berth does with managed scaling: it records the settings and shows them, but it runs
 * no Auto Scaling groups, so it launches and terminates no instances; the provider says so in
 * its updateStatusReason, where ECS explains its capacity providers' states.
 */
export const MANAGED_SCALING_NOT_PERFORMED =
  "Managed scaling is recorded but not performed: berth runs no Auto Scaling groups, so it launches and terminates no instances " +
  "for this capacity provider. Hosts join the cluster with `berth agent`.";

/** A provider whose managed scaling is ENABLED says what berth does with it; otherwise it carries no such note. */
export function withScalingNote(cp: CapacityProvider): CapacityProvider {
  const { updateStatusReason, ...rest } = cp;
  if (cp.autoScalingGroupProvider?.managedScaling?.status === "ENABLED")
    return { ...rest, updateStatusReason: MANAGED_SCALING_NOT_PERFORMED };
  return updateStatusReason === MANAGED_SCALING_NOT_PERFORMED ? rest : cp;
}

/** ECS fills managed scaling and termination protection with these defaults. */
export function withAsgDefaults(asg: AutoScalingGroupProvider): AutoScalingGroupProvider {
  const scaling = asg.managedScaling ?? {};
  const withDefaults: AutoScalingGroupProvider = {
    autoScalingGroupArn: asg.autoScalingGroupArn,
    managedScaling: {
      status: scaling.status ?? "DISABLED",
      targetCapacity: scaling.targetCapacity ?? 100,
      minimumScalingStepSize: scaling.minimumScalingStepSize ?? 1,
      maximumScalingStepSize: scaling.maximumScalingStepSize ?? 10000,
      instanceWarmupPeriod: scaling.instanceWarmupPeriod ?? 300,
    },
    managedTerminationProtection: asg.managedTerminationProtection ?? "DISABLED",
  };
  if (asg.managedDraining) withDefaults.managedDraining = asg.managedDraining;
  const target = withDefaults.managedScaling!.targetCapacity!;
  if (target < 1 || target > 100) throw invalidParameter("The managed scaling target capacity must be between 1 and 100.");
  if (withDefaults.managedScaling!.minimumScalingStepSize! > withDefaults.managedScaling!.maximumScalingStepSize!) {
    throw invalidParameter("The minimum scaling step size must be less than or equal to the maximum scaling step size.");
  }
  if (withDefaults.managedTerminationProtection === "ENABLED" && withDefaults.managedScaling!.status !== "ENABLED") {
    throw invalidParameter(
      "The managed termination protection setting for the capacity provider is invalid. To enable managed termination protection for a capacity provider, managed scaling must also be enabled.",
    );
  }
  return withDefaults;
}
