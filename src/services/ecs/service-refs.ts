// A service's id in the store and ECS's errors for a service that is missing or not ACTIVE:
// shared by the service handlers and those of task sets and EXTERNAL services.
import { EcsError } from "../../domain/errors.js";

export const serviceNotFound = () => new EcsError("ServiceNotFoundException", "Service not found.");
export const serviceNotActive = () => new EcsError("ServiceNotActiveException", "Service was not ACTIVE.");

export const serviceId = (cluster: string, name: string) => `${cluster}/${name}`;
