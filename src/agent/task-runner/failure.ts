// Why a task could not run, in the words ECS puts into stoppedReason and a container's reason
// ("CannotPullContainerError: …", "ResourceInitializationError: …"); the control plane turns
// these prefixes into stopCode TaskFailedToStart.
import { isRuntimeError } from "../../runtime/driver.js";

export const OOM_REASON = "OutOfMemoryError: Container killed due to memory usage";
export const ESSENTIAL_EXITED = "Essential container in task exited";

export class TaskFailure extends Error {
  constructor(
    /** The full ECS reason, prefix included. */
    readonly reason: string,
    /** The container the failure belongs to, when it is one container's. */
    readonly containerName?: string,
  ) {
    super(reason);
    this.name = "TaskFailure";
  }
}

/** The engine's own words for an error, without any wrapping. */
export function messageOf(err: unknown): string {
  if (isRuntimeError(err) || err instanceof Error) return err.message;
  return String(err);
}

/** Wraps `err` as a TaskFailure with `prefix`, unless it already is one. */
export function failure(prefix: string, err: unknown, containerName?: string): TaskFailure {
  if (err instanceof TaskFailure) return err;
  return new TaskFailure(`${prefix}: ${messageOf(err)}`, containerName);
}
