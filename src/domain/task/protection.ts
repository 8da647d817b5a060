// Task scale-in protection (UpdateTaskProtection, GetTaskProtection): ECS's limits and how a
// stored protection reads back. Only tasks of a service can be protected: the service
// scheduler is the only one that honours it (scale-in and deployments pass protected tasks over).
import type { Failure, ProtectedTask, Task } from "@aws-sdk/client-ecs";
import { invalidParameter } from "../errors.js";

/** ECS protects for 2 hours unless told otherwise, for 1 minute to 48 hours. */
export const DEFAULT_PROTECTION_MINUTES = 120;
export const MIN_PROTECTION_MINUTES = 1;
export const MAX_PROTECTION_MINUTES = 2880;
/** Tasks per call: UpdateTaskProtection takes up to 10, GetTaskProtection up to 100. */
export const MAX_UPDATE_TASKS = 10;
export const MAX_GET_TASKS = 100;

/** The task list of a call, refused whole when empty or too long. */
export function checkProtectionTasks(tasks: readonly string[] | undefined, max: number): readonly string[] {
  const list = tasks ?? [];
  if (list.length > max) throw invalidParameter(`tasks can have at most ${max} items.`);
  return list;
}

/**
 * When protection set now ends: undefined when it is turned off. expiresInMinutes is read
 * only when protection is turned on, and is reset by every call that turns it on.
 */
export function protectionExpiry(protectionEnabled: boolean, expiresInMinutes: number | undefined, now: Date): Date | undefined {
  if (!protectionEnabled) return undefined;
  const minutes = expiresInMinutes ?? DEFAULT_PROTECTION_MINUTES;
  if (!Number.isInteger(minutes) || minutes < MIN_PROTECTION_MINUTES || minutes > MAX_PROTECTION_MINUTES)
    throw invalidParameter(`expiresInMinutes must be between ${MIN_PROTECTION_MINUTES} and ${MAX_PROTECTION_MINUTES} minutes (48 hours).`);
  return new Date(now.getTime() + minutes * 60_000);
}

/** A stored protection still in force at `now`: an expired one reads as none. */
export const activeProtection = (protectedUntil: Date | undefined, now: Date): Date | undefined =>
  protectedUntil !== undefined && protectedUntil.getTime() > now.getTime() ? protectedUntil : undefined;

/** How a task's protection reads in protectedTasks. */
export function protectedTaskView(taskArn: string, protectedUntil: Date | undefined, now: Date): ProtectedTask {
  const until = activeProtection(protectedUntil, now);
  return until ? { taskArn, protectionEnabled: true, expirationDate: until } : { taskArn, protectionEnabled: false };
}

/** Why a task cannot be protected (or read): undefined when it can. */
export function protectionFailure(arn: string, task: Task | undefined): Failure | undefined {
  if (!task) return { arn, reason: "MISSING" };
  if (!task.group?.startsWith("service:") || !task.startedBy?.startsWith("ecs-svc/"))
    return { arn, reason: "TASK_NOT_VALID", detail: "The task is not part of an Amazon ECS service." };
  return undefined;
}
