// ECS's rules for launching tasks, checked before anything is placed: which launch type a
// request means, whether the task definition allows it, what network configuration it
// needs, and which tags the tasks carry. Pure: RunTask, StartTask and the services share them.
import type {
  CapacityProviderStrategyItem,
  NetworkConfiguration,
  RunTaskRequest,
  Service,
  Tag,
  TaskDefinition,
  TaskOverride,
} from "@aws-sdk/client-ecs";
import { clientException, invalidParameter } from "../errors.js";
import { managedTags, newTaskTags, validateTags } from "../tags.js";
import { isValidFargateSize } from "../task-definition/fargate.js";
import type { AwsvpcRequest } from "./awsvpc.js";
import { SECURITY_GROUP_ID, SUBNET_ID } from "./network.js";

export interface LaunchChoice {
  launchType: "EC2" | "FARGATE";
  capacityProviderName?: string;
}

/** The launch type a request means: its own, else its capacity provider strategy's, else the cluster's default strategy's. */
export function chooseLaunch(
  input: Pick<RunTaskRequest, "launchType" | "capacityProviderStrategy">,
  clusterStrategy: readonly CapacityProviderStrategyItem[],
): LaunchChoice {
  if (input.launchType && input.capacityProviderStrategy?.length) {
    throw invalidParameter(
      "Specifying both a launch type and capacity provider strategy is not supported. Specify one or the other and try again.",
    );
  }
  if (input.launchType === "EXTERNAL") throw invalidParameter("berth has no EXTERNAL instances; use EC2 or FARGATE.");
  if (input.launchType === "FARGATE" || input.launchType === "EC2") return { launchType: input.launchType };
  const strategy = input.capacityProviderStrategy?.length ? input.capacityProviderStrategy : clusterStrategy;
  if (!strategy.length) return { launchType: "EC2" };
  // The provider with a base goes first; after that the largest weight wins.
  const pick = [...strategy].sort((a, b) => (b.base ?? 0) - (a.base ?? 0) || (b.weight ?? 0) - (a.weight ?? 0))[0]!;
  const name = pick.capacityProvider!;
  return name.startsWith("FARGATE")
    ? { launchType: "FARGATE", capacityProviderName: name }
    : { launchType: "EC2", capacityProviderName: name };
}

export function checkCompatibility(td: TaskDefinition, launch: LaunchChoice, overrides: TaskOverride | undefined): void {
  if (!td.compatibilities?.includes(launch.launchType)) {
    throw invalidParameter(`Task definition does not support launch_type ${launch.launchType}.`);
  }
  if (launch.launchType === "FARGATE" && (overrides?.cpu || overrides?.memory)) {
    if (!isValidFargateSize(overrides.cpu ?? td.cpu, overrides.memory ?? td.memory)) {
      throw clientException(
        `No Fargate configuration exists for given values: ${overrides.cpu ?? td.cpu} CPU, ${overrides.memory ?? td.memory} memory.`,
      );
    }
  }
  const names = new Set((td.containerDefinitions ?? []).map((c) => c.name));
  for (const o of overrides?.containerOverrides ?? []) {
    if (!names.has(o.name)) throw invalidParameter(`Override for container named ${o.name} is not a container in the TaskDefinition.`);
  }
}

/**
 * What an awsvpc task's network configuration asks for, its shape checked (undefined for other
 * network modes); whether the subnets and groups exist is resolveAwsvpc's business (awsvpc.ts).
 * `launchType`: public addresses are FARGATE's alone.
 */
export function checkNetworkConfiguration(
  td: TaskDefinition,
  config: NetworkConfiguration | undefined,
  launchType?: LaunchChoice["launchType"],
): AwsvpcRequest | undefined {
  const awsvpc = td.networkMode === "awsvpc";
  const vpc = config?.awsvpcConfiguration;
  if (!awsvpc) {
    if (vpc) throw invalidParameter("Network Configuration is not valid for the given networkMode of this task definition.");
    return undefined;
  }
  if (!vpc) throw invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
  const subnets = vpc.subnets ?? [];
  if (subnets.length < 1 || subnets.length > 16) throw invalidParameter("subnets can have at least 1 and at most 16 items.");
  // Ids that cannot name a subnet or security group: ECS answers what EC2 told it, that they do
  // not exist (as users paste it, eddmann/serverless-fargate#20).
  for (const s of subnets)
    if (!SUBNET_ID.test(s)) {
      throw invalidParameter(
        `Error retrieving subnet information for [${s}]: The subnet ID '${s}' does not exist (ErrorCode: InvalidSubnetID.NotFound)`,
      );
    }
  const securityGroups = vpc.securityGroups ?? [];
  if (securityGroups.length > 5) throw invalidParameter("securityGroups can have at most 5 items.");
  for (const g of securityGroups)
    if (!SECURITY_GROUP_ID.test(g)) {
      throw invalidParameter(
        `Error retrieving security group information for [${g}]: The security group '${g}' does not exist (ErrorCode: InvalidGroup.NotFound)`,
      );
    }
  if (vpc.assignPublicIp === "ENABLED" && launchType !== undefined && launchType !== "FARGATE") {
    throw invalidParameter("Assign public IP is not supported for this launch type.");
  }
  return { subnets, securityGroups };
}

/**
 * A RunTask or StartTask task's tags: its own, plus the task definition's when propagateTags
 * says so, plus ECS's managed tags (aws:ecs:clusterName) when enableECSManagedTags is set.
 */
export function taskTags(
  own: Tag[] | undefined,
  propagate: string | undefined,
  definitionTags: readonly Tag[],
  managed: { enableECSManagedTags?: boolean; cluster: string } = { cluster: "" },
): Tag[] {
  if (propagate === "SERVICE") throw invalidParameter("propagateTags SERVICE is only valid for tasks of a service.");
  validateTags(own ?? []);
  const propagated = propagate === "TASK_DEFINITION" ? definitionTags : [];
  return newTaskTags(own ?? [], propagated, managed.enableECSManagedTags ? managedTags(managed.cluster) : []);
}

/**
 * A service's task's tags: the service's or the task definition's, as its propagateTags says
 * (none otherwise), and the managed aws:ecs:clusterName and aws:ecs:serviceName when the
 * service has enableECSManagedTags.
 */
export function serviceTaskTags(
  service: Pick<Service, "propagateTags" | "tags" | "enableECSManagedTags" | "serviceName">,
  definitionTags: readonly Tag[],
  cluster: string,
): Tag[] {
  const propagated =
    service.propagateTags === "SERVICE" ? (service.tags ?? []) : service.propagateTags === "TASK_DEFINITION" ? definitionTags : [];
  return newTaskTags([], propagated, service.enableECSManagedTags ? managedTags(cluster, service.serviceName) : []);
}
