// The service fields ECS has grown, as CreateService and UpdateService take them and
// DescribeServices echoes them: the service's IAM role, Availability Zone rebalancing and
// the volumes configured at launch (lifecycle hooks: lifecycle-hooks.ts).
import type { AvailabilityZoneRebalancing, PlacementStrategy, ServiceVolumeConfiguration, TaskDefinition } from "@aws-sdk/client-ecs";
import { invalidParameter } from "./errors.js";
import type { Scope } from "./scope.js";

/** The role ECS uses when none is given; its ARN is what DescribeServices shows then. */
export const serviceLinkedRoleArn = (scope: Scope) =>
  `arn:aws:iam::${scope.accountId}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`;

/**
 * CreateService's `role` as the service's `roleArn`: an ARN as given; a name (or "/path/name"
 * for a role with a path) becomes the account's role ARN. It is meant for a classic load
 * balancer setup: never with awsvpc, which needs the service-linked role (one without load
 * balancers is refused before, by validateServiceRole).
 */
export function serviceRoleArn(scope: Scope, role: string | undefined, networkMode: TaskDefinition["networkMode"]): string {
  if (role === undefined || role === "") return serviceLinkedRoleArn(scope);
  if (networkMode === "awsvpc") throw invalidParameter("You cannot specify an IAM role for services that require a service linked role.");
  if (role.startsWith("arn:")) {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/.test(role)) throw invalidParameter(`Role ${role} is not valid.`);
    return role;
  }
  return `arn:aws:iam::${scope.accountId}:role/${role.replace(/^\/+/, "")}`;
}

/**
 * ECS turns rebalancing on for new services that can use it (since June 2025): not for
 * DAEMON services, nor for those that binpack, whose placement it would undo.
 */
export function defaultAzRebalancing(strategy: "REPLICA" | "DAEMON", placement: readonly PlacementStrategy[]): AvailabilityZoneRebalancing {
  return strategy === "DAEMON" || placement.some((p) => p.type === "binpack") ? "DISABLED" : "ENABLED";
}

export function checkAzRebalancing(value: AvailabilityZoneRebalancing | undefined, strategy: "REPLICA" | "DAEMON"): void {
  if (value === "ENABLED" && strategy === "DAEMON") {
    throw invalidParameter("Availability Zone rebalancing is not supported for services that use the DAEMON scheduling strategy.");
  }
}

/** Each volume configured at launch names a volume of the task definition that is `configuredAtLaunch`. */
export function checkVolumeConfigurations(volumes: readonly ServiceVolumeConfiguration[], td: TaskDefinition): void {
  const seen = new Set<string>();
  for (const v of volumes) {
    if (seen.has(v.name!)) throw invalidParameter(`Duplicate volume name ${v.name} in volumeConfigurations.`);
    seen.add(v.name!);
    const declared = td.volumes?.find((tv) => tv.name === v.name);
    if (!declared?.configuredAtLaunch) {
      throw invalidParameter(`The volume ${v.name} is not configured at launch in task definition ${td.family}:${td.revision}.`);
    }
    const ebs = v.managedEBSVolume;
    if (ebs && ebs.sizeInGiB === undefined && ebs.snapshotId === undefined) {
      throw invalidParameter("Either sizeInGiB or snapshotId must be specified for a managed EBS volume.");
    }
  }
}
