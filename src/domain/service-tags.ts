// The tag settings of a service that UpdateService may change. They shape only the tasks the
// scheduler starts from then on: ECS starts no new deployment for them (forceNewDeployment
// does that), so they are kept apart from what decides whether a deployment starts.
import type { Service, UpdateServiceRequest } from "@aws-sdk/client-ecs";

/** The service fields UpdateService's propagateTags and enableECSManagedTags set: only those given. */
export function serviceTagSettings(
  input: Pick<UpdateServiceRequest, "propagateTags" | "enableECSManagedTags">,
): Pick<Service, "propagateTags" | "enableECSManagedTags"> {
  return {
    ...(input.propagateTags !== undefined ? { propagateTags: input.propagateTags } : {}),
    ...(input.enableECSManagedTags !== undefined ? { enableECSManagedTags: input.enableECSManagedTags } : {}),
  };
}
