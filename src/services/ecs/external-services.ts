// CreateService and UpdateService for a service with the EXTERNAL deployment controller. Such
// a service holds only what the developer guide lists for it (desired count, deployment
// configuration, placement, grace period, tags…); the task definition, launch type, platform
// version, network configuration, load balancers and service registries belong to its task
// sets, so ECS refuses them here. It has no deployments: its tasks are its task sets'.
import type { CreateServiceRequest, Service, UpdateServiceRequest } from "@aws-sdk/client-ecs";
import { invalidParameter } from "../../domain/errors.js";
import { scopeKey } from "../../domain/scope.js";
import { newService, withDeploymentDefaults } from "../../domain/service.js";
import { serviceLinkedRoleArn } from "../../domain/service-fields.js";
import { emptyMemory } from "../../scheduler/service/index.js";
import type { StoredService } from "../../state/ecs-state.js";
import type { RequestContext } from "./context.js";
import { isRetry, serviceId, serviceNotActive, serviceNotFound } from "./service-refs.js";

const onTaskSets = (field: string) =>
  invalidParameter(
    `${field} cannot be specified for a service that uses the EXTERNAL deployment controller. Specify it on a task set instead.`,
  );

/** The first member `input` sets that belongs to the task sets, if any. */
function taskSetMember<T extends object>(input: T, fields: readonly (keyof T & string)[]): string | undefined {
  return fields.find((f) => {
    const value = input[f];
    return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
  });
}

const CREATE_REFUSED = [
  "taskDefinition",
  "loadBalancers",
  "serviceRegistries",
  "launchType",
  "capacityProviderStrategy",
  "platformVersion",
  "networkConfiguration",
] as const;
const UPDATE_REFUSED = [
  "taskDefinition",
  "loadBalancers",
  "serviceRegistries",
  "capacityProviderStrategy",
  "platformVersion",
  "networkConfiguration",
] as const;

/** CreateService with deploymentController EXTERNAL: no task definition, no deployment; task sets come later. */
export async function createExternalService(ctx: RequestContext, input: CreateServiceRequest, cluster: string): Promise<StoredService> {
  if ((input.schedulingStrategy ?? "REPLICA") !== "REPLICA") {
    throw invalidParameter("The DAEMON scheduling strategy is not supported with the EXTERNAL deployment controller.");
  }
  const refused = taskSetMember(input, CREATE_REFUSED);
  if (refused) throw onTaskSets(refused);
  const deploymentConfiguration = withDeploymentDefaults("REPLICA", input.deploymentConfiguration);
  const id = serviceId(cluster, input.serviceName!);
  // No lock, as for any creation (services.ts): it writes only a service that is absent or INACTIVE.
  const stored = await ctx.state.services.write(
    ctx.scope,
    id,
    (current) => {
      if (isRetry(current, input.clientToken)) return undefined;
      const { taskDefinition: _none, ...service } = newService({
        scope: ctx.scope,
        cluster,
        input,
        taskDefinitionArn: "",
        deploymentConfiguration,
        principalArn: ctx.principalArn,
        // No load balancers on the service itself (they are the task sets'), so no role either.
        roleArn: serviceLinkedRoleArn(ctx.scope),
        now: ctx.now,
      });
      const doc: StoredService = {
        service: { ...service, deploymentController: { type: "EXTERNAL" } },
        cluster,
        deployments: [],
        memory: emptyMemory(),
        unplaced: [],
        taskSets: [],
        ...(input.clientToken ? { clientToken: input.clientToken } : {}),
      };
      return doc;
    },
    { grouped: true },
  );
  ctx.scheduler.poke(ctx.scope, id);
  return stored!;
}

/** UpdateService on an EXTERNAL service: the desired count, grace period and a few settings; the rest is the task sets'. */
export async function updateExternalService(
  ctx: RequestContext,
  input: UpdateServiceRequest,
  found: StoredService,
): Promise<StoredService> {
  const refused = taskSetMember(input, UPDATE_REFUSED);
  if (refused) throw onTaskSets(refused);
  if (input.forceNewDeployment)
    throw invalidParameter("forceNewDeployment is not supported for a service that uses the EXTERNAL deployment controller.");
  if (input.desiredCount !== undefined && input.desiredCount < 0) throw invalidParameter("desiredCount must be 0 or greater.");
  const deploymentConfiguration = input.deploymentConfiguration
    ? withDeploymentDefaults("REPLICA", { ...found.service.deploymentConfiguration, ...input.deploymentConfiguration })
    : found.service.deploymentConfiguration;
  const id = serviceId(found.cluster, found.service.serviceName!);
  const stored = await ctx.placementLock.run(scopeKey(ctx.scope), () =>
    ctx.state.services.write(ctx.scope, id, (cur) => {
      if (!cur) throw serviceNotFound();
      if (cur.service.status !== "ACTIVE") throw serviceNotActive();
      const service: Service = {
        ...cur.service,
        desiredCount: input.desiredCount ?? cur.service.desiredCount,
        deploymentConfiguration,
        ...(input.placementStrategy ? { placementStrategy: input.placementStrategy } : {}),
        ...(input.placementConstraints ? { placementConstraints: input.placementConstraints } : {}),
        ...(input.healthCheckGracePeriodSeconds !== undefined
          ? { healthCheckGracePeriodSeconds: input.healthCheckGracePeriodSeconds }
          : {}),
        ...(input.enableExecuteCommand !== undefined ? { enableExecuteCommand: input.enableExecuteCommand } : {}),
        ...(input.propagateTags !== undefined ? { propagateTags: input.propagateTags } : {}),
      };
      return { ...cur, service };
    }),
  );
  ctx.scheduler.poke(ctx.scope, id);
  return stored!;
}
