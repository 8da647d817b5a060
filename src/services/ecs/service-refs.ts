// A service's id in the store and ECS's errors for a service that is missing or not ACTIVE:
// shared by the service handlers and those of task sets and EXTERNAL services.
import { EcsError, invalidParameter } from "../../domain/errors.js";
import type { StoredService } from "../../state/ecs-state.js";

export const serviceNotFound = () => new EcsError("ServiceNotFoundException", "Service not found.");
export const serviceNotActive = () => new EcsError("ServiceNotActiveException", "Service was not ACTIVE.");

export const serviceId = (cluster: string, name: string) => `${cluster}/${name}`;

/**
 * CreateService over what the store holds under its id: a retry with the same clientToken of a
 * creation that succeeded (answer what exists), a new service where none or an INACTIVE one is
 * (false), or a name in use (refused).
 */
export function isRetry(current: StoredService | undefined, clientToken: string | undefined): boolean {
  if (!current || current.service.status === "INACTIVE") return false;
  if (clientToken && current.clientToken === clientToken) return true;
  throw invalidParameter("Creation of service was not idempotent.");
}
