// "family", "family:revision" or a task definition ARN, as the API accepts them.
import { ecsResourceId } from "./arn.js";
import type { Scope } from "./scope.js";

export interface TaskDefinitionRef {
  family: string;
  /** undefined: the latest ACTIVE revision */
  revision?: number;
}

/** undefined when `ref` is not a well-formed reference in this scope. */
export function parseTaskDefinitionRef(scope: Scope, ref: string): TaskDefinitionRef | undefined {
  const body = ref.startsWith("arn:") ? ecsResourceId(scope, ref, "task-definition") : ref;
  if (!body) return undefined;
  const colon = body.lastIndexOf(":");
  if (colon < 0) return body ? { family: body } : undefined;
  const family = body.slice(0, colon);
  const revisionText = body.slice(colon + 1);
  if (!family || !/^[1-9]\d{0,9}$/.test(revisionText)) return undefined;
  return { family, revision: Number(revisionText) };
}
