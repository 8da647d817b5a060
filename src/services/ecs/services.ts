// Service operations. Every change to an existing service runs under the same lock as the
// service scheduler's own writes, then pokes the scheduler to act on it.
import type {
  CreateServiceRequest,
  CreateServiceResponse,
  DeleteServiceRequest,
  DeleteServiceResponse,
  DescribeServicesRequest,
  DescribeServicesResponse,
  Failure,
  ListServicesByNamespaceRequest,
  ListServicesByNamespaceResponse,
  ListServicesRequest,
  ListServicesResponse,
  Service,
  UpdateServiceRequest,
  UpdateServiceResponse,
} from "@aws-sdk/client-ecs";
import { idFromRef, nameFromRef } from "../../domain/arn.js";
import { invalidParameter } from "../../domain/errors.js";
import { pageSize, paginate } from "../../domain/pagination.js";
import { keysetPage } from "./keyset-page.js";
import {
  newService,
  serviceArnOf,
  validateLoadBalancers,
  validateServiceName,
  validateServiceRegistries,
  validateServiceRole,
  withDeploymentDefaults,
} from "../../domain/service.js";
import { scopeKey } from "../../domain/scope.js";
import { serviceTagSettings } from "../../domain/service-tags.js";
import { validateTags } from "../../domain/tags.js";
import { checkCompatibility, chooseLaunch } from "../../domain/task/launch-rules.js";
import { awsvpcPlacement } from "./awsvpc.js";
import { emptyMemory, newDeploymentId, startDeployment } from "../../scheduler/service/index.js";
import type { StoredService } from "../../state/ecs-state.js";
import type { EcsHandlers, RequestContext } from "./context.js";
import { activeCluster, clusterName } from "./lookup.js";
import { resolveDefinition } from "./launch.js";
import { sameJson } from "../../domain/same-json.js";
import { isExternal, taskSetView } from "../../domain/task-set.js";
import { drained } from "../../domain/task-set-changes.js";
import { createExternalService, updateExternalService } from "./external-services.js";
import { isRetry, serviceId, serviceNotActive, serviceNotFound } from "./service-refs.js";
import { checkAzRebalancing, checkVolumeConfigurations, serviceRoleArn } from "../../domain/service-fields.js";
import { checkLifecycleHooks } from "../../domain/lifecycle-hooks.js";
import { startServiceDeployment, stopOngoing } from "../../domain/service-history.js";
import { currentHistory, serviceRefOf } from "../../domain/service-history-view.js";
import { checkAdvancedConfigurations, checkTargetGroups } from "./load-balancing.js";
import { checkDeploymentStrategy, mergeDeploymentConfiguration } from "../../domain/deployment-strategy.js";

export { serviceId } from "./service-refs.js";

/** The service as DescribeServices shows it: deployments PRIMARY first, INACTIVE ones hidden. */
export function serviceView(stored: StoredService, withTags = true): Service {
  const { service } = stored;
  return {
    ...service,
    deployments: stored.deployments.filter((d) => d.status !== "INACTIVE"),
    ...(stored.taskSets ? { taskSets: stored.taskSets.map((s) => taskSetView(s, withTags)) } : {}),
    ...currentHistory(serviceRefOf(service, stored.cluster), stored.history, stored.deployments),
    ...(withTags ? {} : { tags: undefined }),
  };
}

export async function findService(ctx: RequestContext, clusterRef: string | undefined, ref: string): Promise<StoredService | undefined> {
  const cluster = clusterName(ctx, clusterRef);
  // A service ARN's resource is "<cluster>/<name>".
  const resource = nameFromRef(ctx.scope, ref, "service");
  const name = resource && ref.startsWith("arn:") ? idFromRef(resource) : resource;
  return name ? ctx.state.services.get(ctx.scope, serviceId(cluster, name)) : undefined;
}

async function createService(ctx: RequestContext, input: CreateServiceRequest): Promise<CreateServiceResponse> {
  validateServiceName(input.serviceName!);
  validateServiceRole(input.role, input.loadBalancers);
  const cluster = await activeCluster(ctx, input.cluster);
  const strategy = input.schedulingStrategy ?? "REPLICA";
  if (strategy === "REPLICA" && input.desiredCount === undefined) {
    throw invalidParameter("desiredCount is required for a service with the REPLICA scheduling strategy.");
  }
  if ((input.desiredCount ?? 0) < 0) throw invalidParameter("desiredCount must be 0 or greater.");
  if (strategy === "DAEMON" && input.placementStrategy?.length) {
    throw invalidParameter("Placement strategies are not supported with the DAEMON scheduling strategy.");
  }
  validateTags(input.tags ?? []);
  const controller = input.deploymentController?.type ?? "ECS";
  checkLifecycleHooks(input.deploymentConfiguration, { schedulingStrategy: strategy, controller });
  checkDeploymentStrategy(input.deploymentConfiguration, {
    schedulingStrategy: strategy,
    controller,
    loadBalancers: input.loadBalancers ?? [],
  });
  if (input.deploymentController?.type === "EXTERNAL")
    return { service: serviceView(await createExternalService(ctx, input, cluster.clusterName!)) };
  if (!input.taskDefinition) throw invalidParameter("taskDefinition is required for a service with the ECS deployment controller.");
  const definition = await resolveDefinition(ctx, input.taskDefinition);
  const td = definition.taskDefinition;
  const launch = chooseLaunch(input, cluster.defaultCapacityProviderStrategy ?? []);
  if (strategy === "DAEMON" && launch.launchType === "FARGATE") {
    throw invalidParameter("The DAEMON scheduling strategy is not supported with the FARGATE launch type.");
  }
  checkCompatibility(td, launch, undefined);
  await awsvpcPlacement(ctx, td, input.networkConfiguration, launch.launchType);
  validateLoadBalancers(input.loadBalancers ?? [], td);
  validateServiceRegistries(input.serviceRegistries ?? []);
  checkAzRebalancing(input.availabilityZoneRebalancing, strategy);
  checkVolumeConfigurations(input.volumeConfigurations ?? [], td);
  const roleArn = serviceRoleArn(ctx.scope, input.role, td.networkMode);
  await checkTargetGroups(ctx, input.loadBalancers ?? [], td);
  await checkAdvancedConfigurations(ctx, input.loadBalancers ?? [], td);
  const deploymentConfiguration = withDeploymentDefaults(strategy, input.deploymentConfiguration, "ECS");
  const name = cluster.clusterName!;
  const id = serviceId(name, input.serviceName!);
  // Unlike the other changes, creation takes no lock: it writes only a service that is absent
  // or INACTIVE, and neither the scheduler nor UpdateService or DeleteService writes one of
  // those, so no read-modify-write of theirs can be overtaken. Creations then share commits.
  const stored = await ctx.state.services.write(
    ctx.scope,
    id,
    (current) => {
      if (isRetry(current, input.clientToken)) return undefined;
      const service = newService({
        scope: ctx.scope,
        cluster: name,
        input,
        taskDefinitionArn: td.taskDefinitionArn!,
        launchType: input.capacityProviderStrategy?.length ? undefined : launch.launchType,
        deploymentConfiguration,
        principalArn: ctx.principalArn,
        roleArn,
        now: ctx.now,
      });
      const deployments = startDeployment(
        [],
        {
          id: newDeploymentId(Math.random),
          taskDefinition: td.taskDefinitionArn!,
          desiredCount: service.desiredCount!,
          ...(service.launchType ? { launchType: service.launchType } : {}),
          ...(service.capacityProviderStrategy ? { capacityProviderStrategy: service.capacityProviderStrategy } : {}),
          ...(service.platformVersion ? { platformVersion: service.platformVersion } : {}),
          ...(input.networkConfiguration ? { networkConfiguration: input.networkConfiguration } : {}),
          ...(input.volumeConfigurations?.length ? { volumeConfigurations: input.volumeConfigurations } : {}),
        },
        ctx.now,
      );
      return {
        service,
        cluster: name,
        deployments,
        // A service created again under an INACTIVE one's name carries on its history.
        history: startServiceDeployment(current?.history, { service, deployments, td, random: Math.random, now: ctx.now }),
        memory: emptyMemory(),
        unplaced: [],
        ...(input.clientToken ? { clientToken: input.clientToken } : {}),
      };
    },
    { grouped: true },
  );
  ctx.scheduler.poke(ctx.scope, id);
  return { service: serviceView(stored!) };
}

async function updateService(ctx: RequestContext, input: UpdateServiceRequest): Promise<UpdateServiceResponse> {
  const cluster = await activeCluster(ctx, input.cluster);
  const found = await findService(ctx, input.cluster, input.service!);
  if (!found) throw serviceNotFound();
  if (found.service.status !== "ACTIVE") throw serviceNotActive();
  const daemon = found.service.schedulingStrategy === "DAEMON";
  const kind = {
    schedulingStrategy: daemon ? ("DAEMON" as const) : ("REPLICA" as const),
    controller: found.service.deploymentController?.type ?? "ECS",
  };
  // What the configuration becomes is checked, with the load balancers the service will have.
  const requested =
    input.deploymentConfiguration && mergeDeploymentConfiguration(found.service.deploymentConfiguration, input.deploymentConfiguration);
  checkLifecycleHooks(requested, kind);
  const loadBalancers = input.loadBalancers ?? found.service.loadBalancers ?? [];
  checkDeploymentStrategy(requested ?? found.service.deploymentConfiguration, { ...kind, loadBalancers });
  if (isExternal(found)) return { service: serviceView(await updateExternalService(ctx, input, found)) };
  if (input.desiredCount !== undefined && (input.desiredCount < 0 || daemon)) {
    throw invalidParameter(daemon ? "The desired count of a DAEMON service cannot be set." : "desiredCount must be 0 or greater.");
  }
  const definition = input.taskDefinition ? await resolveDefinition(ctx, input.taskDefinition) : undefined;
  const td = definition?.taskDefinition ?? (await resolveDefinition(ctx, found.service.taskDefinition!)).taskDefinition;
  const launch = found.service.launchType === "FARGATE" ? { launchType: "FARGATE" as const } : { launchType: "EC2" as const };
  checkCompatibility(td, launch, undefined);
  const networkConfiguration = input.networkConfiguration ?? found.service.networkConfiguration;
  // A service of capacity providers has no launch type of its own to hold assignPublicIp against.
  await awsvpcPlacement(ctx, td, networkConfiguration, found.service.launchType ? launch.launchType : undefined);
  validateLoadBalancers(loadBalancers, td);
  // The groups are checked as given; a new task definition must suit those the service has.
  if (input.loadBalancers || definition) await checkTargetGroups(ctx, loadBalancers, td);
  if (input.loadBalancers || definition || input.deploymentConfiguration) await checkAdvancedConfigurations(ctx, loadBalancers, td);
  if (input.serviceRegistries) validateServiceRegistries(input.serviceRegistries);
  checkAzRebalancing(input.availabilityZoneRebalancing, daemon ? "DAEMON" : "REPLICA");
  const primaryNow = found.deployments.find((d) => d.status === "PRIMARY");
  const volumeConfigurations = input.volumeConfigurations ?? primaryNow?.volumeConfigurations ?? [];
  checkVolumeConfigurations(volumeConfigurations, td);
  const deploymentConfiguration = requested
    ? withDeploymentDefaults(kind.schedulingStrategy, requested, "ECS")
    : found.service.deploymentConfiguration;
  const id = serviceId(cluster.clusterName!, found.service.serviceName!);
  const stored = await ctx.placementLock.run(scopeKey(ctx.scope), () =>
    ctx.state.services.write(ctx.scope, id, (cur) => {
      if (!cur) throw serviceNotFound();
      if (cur.service.status !== "ACTIVE") throw serviceNotActive();
      const service: Service = {
        ...cur.service,
        taskDefinition: td.taskDefinitionArn,
        desiredCount: input.desiredCount ?? cur.service.desiredCount,
        deploymentConfiguration,
        ...(input.placementStrategy ? { placementStrategy: input.placementStrategy } : {}),
        ...(input.placementConstraints ? { placementConstraints: input.placementConstraints } : {}),
        ...(networkConfiguration ? { networkConfiguration } : {}),
        ...(input.healthCheckGracePeriodSeconds !== undefined
          ? { healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds }
          : {}),
        ...(input.loadBalancers ? { loadBalancers: input.loadBalancers } : {}),
        ...(input.enableExecuteCommand !== undefined ? { enableExecuteCommand: input.enableExecuteCommand } : {}),
        ...(input.serviceRegistries ? { serviceRegistries: input.serviceRegistries } : {}),
        ...(input.availabilityZoneRebalancing ? { availabilityZoneRebalancing: input.availabilityZoneRebalancing } : {}),
        // A platform version is only a FARGATE service's.
        ...(input.platformVersion && cur.service.platformVersion ? { platformVersion: input.platformVersion } : {}),
        ...serviceTagSettings(input),
      };
      const primary = cur.deployments.find((d) => d.status === "PRIMARY");
      const differs = <K extends keyof UpdateServiceRequest>(key: K, current: unknown) =>
        input[key] !== undefined && !sameJson(input[key], current);
      // What ECS documents as "This parameter triggers a new service deployment".
      const changed =
        input.forceNewDeployment === true ||
        primary?.taskDefinition !== td.taskDefinitionArn ||
        differs("networkConfiguration", cur.service.networkConfiguration) ||
        differs("loadBalancers", cur.service.loadBalancers ?? []) ||
        differs("serviceRegistries", cur.service.serviceRegistries ?? []) ||
        differs("volumeConfigurations", primary?.volumeConfigurations ?? []) ||
        (service.platformVersion !== undefined && service.platformVersion !== cur.service.platformVersion);
      const deployments = changed
        ? startDeployment(
            cur.deployments,
            {
              id: newDeploymentId(Math.random),
              taskDefinition: td.taskDefinitionArn!,
              desiredCount: service.desiredCount!,
              ...(service.launchType ? { launchType: service.launchType } : {}),
              ...(service.capacityProviderStrategy ? { capacityProviderStrategy: service.capacityProviderStrategy } : {}),
              ...(service.platformVersion ? { platformVersion: service.platformVersion } : {}),
              ...(networkConfiguration ? { networkConfiguration } : {}),
              ...(volumeConfigurations.length ? { volumeConfigurations } : {}),
            },
            ctx.now,
          )
        : cur.deployments.map((d) => (d.status === "PRIMARY" ? { ...d, desiredCount: service.desiredCount!, updatedAt: ctx.now } : d));
      const history = changed
        ? startServiceDeployment(cur.history, { service, deployments, td, random: Math.random, now: ctx.now })
        : cur.history;
      return { ...cur, service, deployments, ...(history ? { history } : {}) };
    }),
  );
  ctx.scheduler.poke(ctx.scope, id);
  return { service: serviceView(stored!) };
}

async function deleteService(ctx: RequestContext, input: DeleteServiceRequest): Promise<DeleteServiceResponse> {
  const cluster = await activeCluster(ctx, input.cluster);
  const found = await findService(ctx, input.cluster, input.service!);
  if (!found || found.service.status === "INACTIVE") throw serviceNotFound();
  const id = serviceId(cluster.clusterName!, found.service.serviceName!);
  const stored = await ctx.placementLock.run(scopeKey(ctx.scope), () =>
    ctx.state.services.write(ctx.scope, id, (cur) => {
      if (!cur || cur.service.status === "INACTIVE") throw serviceNotFound();
      if (cur.service.status === "DRAINING") return undefined;
      if (cur.service.schedulingStrategy !== "DAEMON" && (cur.service.desiredCount ?? 0) > 0 && !input.force) {
        throw invalidParameter("The service cannot be stopped while it is scaled above 0.");
      }
      const taskSets = cur.taskSets?.map((set) => drained(set, ctx.now));
      const history = cur.history && stopOngoing(cur.history, ctx.now);
      return {
        ...cur,
        service: { ...cur.service, status: "DRAINING", desiredCount: 0 },
        ...(taskSets ? { taskSets } : {}),
        ...(history ? { history } : {}),
      };
    }),
  );
  ctx.scheduler.poke(ctx.scope, id);
  return { service: serviceView(stored!) };
}

async function describeServices(ctx: RequestContext, input: DescribeServicesRequest): Promise<DescribeServicesResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).clusterName!;
  const refs = input.services ?? [];
  if (refs.length === 0) throw invalidParameter("Services cannot be empty.");
  if (refs.length > 10) throw invalidParameter("service names can have at most 10 items.");
  const services: Service[] = [];
  const failures: Failure[] = [];
  for (const ref of refs) {
    const stored = await findService(ctx, input.cluster, ref);
    if (stored) services.push(serviceView(stored, input.include?.includes("TAGS") ?? false));
    else failures.push({ arn: ref.startsWith("arn:") ? ref : serviceArnOf(ctx.scope, cluster, ref), reason: "MISSING" });
  }
  return { services, failures };
}

async function listServices(ctx: RequestContext, input: ListServicesRequest): Promise<ListServicesResponse> {
  const cluster = (await activeCluster(ctx, input.cluster)).clusterName!;
  // Oldest first, a batch at a time past the last one returned.
  const page = await keysetPage({
    nextToken: input.nextToken,
    max: pageSize({ maxResults: input.maxResults, defaultMax: 10, limit: 100 }),
    read: (after, limit) => ctx.state.services.list(ctx.scope, { parent: cluster, orderBy: "seq", ...(after ? { after } : {}), limit }),
    matches: ({ service: s }) =>
      s.status !== "INACTIVE" &&
      (!input.launchType || s.launchType === input.launchType) &&
      (!input.schedulingStrategy || s.schedulingStrategy === input.schedulingStrategy),
    positionOf: (s) => ({ seq: s.service.createdAt!.getTime(), id: serviceId(s.cluster, s.service.serviceName!) }),
  });
  return { serviceArns: page.items.map((s) => s.service.serviceArn!), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}

async function listServicesByNamespace(
  ctx: RequestContext,
  input: ListServicesByNamespaceRequest,
): Promise<ListServicesByNamespaceResponse> {
  const namespace = input.namespace!;
  const clusters = await ctx.state.clusters.list(ctx.scope, { status: "ACTIVE" });
  const arns: string[] = [];
  for (const c of clusters) {
    for (const s of await ctx.state.services.list(ctx.scope, { parent: c.clusterName! })) {
      const ns = s.service.deployments?.[0]?.serviceConnectConfiguration?.namespace ?? c.serviceConnectDefaults?.namespace;
      if (s.service.status !== "INACTIVE" && ns && (ns === namespace || namespace.endsWith(`/${ns}`) || ns.endsWith(`/${namespace}`))) {
        arns.push(s.service.serviceArn!);
      }
    }
  }
  const page = paginate(arns, (a) => a, { ...input, defaultMax: 10, limit: 100 });
  return { serviceArns: page.items, nextToken: page.nextToken };
}

export const serviceOperations = {
  CreateService: createService,
  UpdateService: updateService,
  DeleteService: deleteService,
  DescribeServices: describeServices,
  ListServices: listServices,
  ListServicesByNamespace: listServicesByNamespace,
} satisfies EcsHandlers;
