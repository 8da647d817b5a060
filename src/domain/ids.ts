import { randomBytes, randomUUID } from "node:crypto";

/** Task and container instance ids: 32 lowercase hex characters, no dashes, as ECS's long format. */
export const newResourceId = (): string => randomBytes(16).toString("hex");
export const newUuid = (): string => randomUUID();
