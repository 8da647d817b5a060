// Pure rules of ECS services: what CreateService/UpdateService accept, the stored service,
// and how DescribeServices shows it.
import type {
  CreateServiceRequest,
  DeploymentConfiguration,
  LoadBalancer,
  Service,
  ServiceEvent,
  ServiceRegistry,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import { ecsArn } from "./arn.js";
import { withStrategyDefaults } from "./deployment-strategy.js";
import { invalidParameter } from "./errors.js";
import type { Scope } from "./scope.js";
import { defaultAzRebalancing } from "./service-fields.js";

const SERVICE_NAME = /^[a-zA-Z0-9_-]{1,255}$/;
export const MAX_EVENTS = 100;

export const serviceArnOf = (scope: Scope, cluster: string, name: string) => ecsArn(scope, `service/${cluster}/${name}`);

export function validateServiceName(name: string): void {
  if (!SERVICE_NAME.test(name)) {
    throw invalidParameter("Service name must be 1 to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores.");
  }
}

/**
 * ECS's defaults: REPLICA 100/200; DAEMON 0/100; the circuit breaker off; for the ECS
 * deployment controller, whose deployments follow a strategy, the strategy's defaults.
 */
export function withDeploymentDefaults(
  strategy: "REPLICA" | "DAEMON",
  config: DeploymentConfiguration | undefined,
  controller?: string,
): DeploymentConfiguration {
  const daemon = strategy === "DAEMON";
  const merged: DeploymentConfiguration = {
    ...(controller === "ECS" ? withStrategyDefaults(config ?? {}) : config),
    deploymentCircuitBreaker: { enable: false, rollback: false, ...config?.deploymentCircuitBreaker },
    maximumPercent: config?.maximumPercent ?? (daemon ? 100 : 200),
    minimumHealthyPercent: config?.minimumHealthyPercent ?? (daemon ? 0 : 100),
  };
  const { maximumPercent: max, minimumHealthyPercent: min } = merged;
  if (min! < 0 || min! > 100) throw invalidParameter("minimumHealthyPercent must be between 0 and 100.");
  if (daemon && max !== 100) throw invalidParameter("The maximumPercent of a DAEMON service must be 100.");
  if (max! < 100) throw invalidParameter("maximumPercent must be greater than or equal to 100.");
  return merged;
}

/** A service role lets ECS call a service's load balancers; ECS refuses one given without any (ECS's words, hashicorp/terraform#12130). */
export function validateServiceRole(role: string | undefined, lbs: readonly LoadBalancer[] | undefined): void {
  if (role && !lbs?.length) throw invalidParameter("A role was passed, but no load balancers were present.");
}

/** Load balancers name a container and a port of the task definition, as ECS checks. */
export function validateLoadBalancers(lbs: readonly LoadBalancer[], td: TaskDefinition): void {
  if (lbs.length > 5) throw invalidParameter("A service can have at most 5 load balancers.");
  for (const lb of lbs) {
    if (!lb.targetGroupArn && !lb.loadBalancerName) throw invalidParameter("A load balancer needs a targetGroupArn or a loadBalancerName.");
    if (lb.targetGroupArn && !/^arn:aws:elasticloadbalancing:[^:]+:\d{12}:targetgroup\/.+/.test(lb.targetGroupArn)) {
      throw invalidParameter(`Target group ARN ${lb.targetGroupArn} is not valid.`);
    }
    const container = td.containerDefinitions?.find((c) => c.name === lb.containerName);
    if (!lb.containerName || !container) {
      throw invalidParameter(`The container ${lb.containerName} does not exist in the task definition.`);
    }
    if (!container.portMappings?.some((p) => p.containerPort === lb.containerPort)) {
      throw invalidParameter(`The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`);
    }
  }
}

export function validateServiceRegistries(registries: readonly ServiceRegistry[]): void {
  if (registries.length > 1) throw invalidParameter("A service can have at most one service registry.");
  for (const r of registries) {
    if (!r.registryArn || !/^arn:aws:servicediscovery:[^:]+:\d{12}:service\/.+/.test(r.registryArn)) {
      throw invalidParameter("serviceRegistries: registryArn must be a Cloud Map service ARN.");
    }
  }
}

export function newService(args: {
  scope: Scope;
  cluster: string;
  input: CreateServiceRequest;
  taskDefinitionArn: string;
  launchType?: Service["launchType"];
  deploymentConfiguration: DeploymentConfiguration;
  principalArn: string;
  /** From CreateService's `role` (serviceRoleArn). */
  roleArn: string;
  now: Date;
}): Service {
  const { input } = args;
  const strategy = input.schedulingStrategy ?? "REPLICA";
  return {
    serviceArn: serviceArnOf(args.scope, args.cluster, input.serviceName!),
    serviceName: input.serviceName,
    clusterArn: ecsArn(args.scope, `cluster/${args.cluster}`),
    loadBalancers: input.loadBalancers ?? [],
    serviceRegistries: input.serviceRegistries ?? [],
    status: "ACTIVE",
    desiredCount: strategy === "DAEMON" ? 0 : (input.desiredCount ?? 0),
    runningCount: 0,
    pendingCount: 0,
    ...(args.launchType ? { launchType: args.launchType } : {}),
    ...(input.capacityProviderStrategy?.length ? { capacityProviderStrategy: input.capacityProviderStrategy } : {}),
    ...(args.launchType === "FARGATE" ? { platformVersion: input.platformVersion ?? "LATEST", platformFamily: "Linux" } : {}),
    taskDefinition: args.taskDefinitionArn,
    deploymentConfiguration: args.deploymentConfiguration,
    deployments: [],
    roleArn: args.roleArn,
    events: [],
    createdAt: args.now,
    placementConstraints: input.placementConstraints ?? [],
    placementStrategy: input.placementStrategy ?? [],
    ...(input.networkConfiguration ? { networkConfiguration: input.networkConfiguration } : {}),
    // ECS shows 0 for a service behind load balancers that was given none.
    ...(input.healthCheckGracePeriodSeconds !== undefined || input.loadBalancers?.length
      ? { healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds ?? 0 }
      : {}),
    schedulingStrategy: strategy,
    deploymentController: { type: "ECS" },
    tags: input.tags ?? [],
    createdBy: args.principalArn,
    enableECSManagedTags: input.enableECSManagedTags ?? false,
    propagateTags: input.propagateTags ?? "NONE",
    enableExecuteCommand: input.enableExecuteCommand ?? false,
    availabilityZoneRebalancing: input.availabilityZoneRebalancing ?? defaultAzRebalancing(strategy, input.placementStrategy ?? []),
  };
}

/** Newest first, at most 100. */
export function prependEvents(events: readonly ServiceEvent[], added: readonly ServiceEvent[]): ServiceEvent[] {
  return [...[...added].reverse(), ...events].slice(0, MAX_EVENTS);
}
