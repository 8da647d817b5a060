// Task sets: what a service with the EXTERNAL deployment controller runs instead of
// deployments ("Deploy Amazon ECS services using a third-party controller", developer guide).
// Each set names its own task definition, launch type and network configuration, and a scale
// (a percentage of the service's desiredCount); ECS keeps computedDesiredCount of its tasks
// running. The store keeps them in the service's document; the scheduler reads and returns them.
import type { Scale, StabilityStatus, Tag, TaskSet } from "@aws-sdk/client-ecs";
import { ecsArn } from "./arn.js";
import { EcsError, invalidParameter } from "./errors.js";
import type { Scope } from "./scope.js";

export type TaskSetStatus = "PRIMARY" | "ACTIVE" | "DRAINING";

/** An ECS `TaskSet` whose bookkeeping fields are always present. */
export interface TaskSetRecord extends TaskSet {
  /** "ecs-svc/" + 19 digits, like a deployment's; the set's tasks carry it as `startedBy`. */
  id: string;
  taskSetArn: string;
  status: TaskSetStatus;
  /** Task definition ARN. */
  taskDefinition: string;
  scale: Required<Scale>;
  computedDesiredCount: number;
  pendingCount: number;
  runningCount: number;
  stabilityStatus: StabilityStatus;
  stabilityStatusAt: Date;
  createdAt: Date;
  updatedAt: Date;
  tags: Tag[];
  /** CreateTaskSet's idempotency token; not part of what the API shows. */
  clientToken?: string;
}

/** ECS refuses a sixth task set ("Amazon ECS service quotas": task sets per service). */
export const MAX_TASK_SETS = 5;

/** The only unit ECS knows; what CreateTaskSet takes when no scale is given (the AWS CLI example shows 0 %). */
export const DEFAULT_SCALE: Required<Scale> = { value: 0, unit: "PERCENT" };

export const taskSetArnOf = (scope: Scope, cluster: string, service: string, id: string) =>
  ecsArn(scope, `task-set/${cluster}/${service}/${id}`);

export const taskSetNotFound = () => new EcsError("TaskSetNotFoundException", "The specified task set does not exist.");
export const externalOnly = () =>
  invalidParameter("Amazon ECS only supports task set management on services configured to use external deployment controllers.");
export const tooManyTaskSets = (count: number) =>
  invalidParameter(`${count} deployments exist on the service. Unable to create new TaskSet since this exceeds the maximum limit.`);

/** A Scale as ECS stores it: value 0–100 (a float), unit PERCENT. */
export function checkScale(scale: Scale | undefined): Required<Scale> {
  if (!scale) return DEFAULT_SCALE;
  const value = scale.value ?? 0;
  if (!Number.isFinite(value) || value < 0 || value > 100) throw invalidParameter("The scale value must be between 0 and 100.");
  return { value, unit: scale.unit ?? "PERCENT" };
}

/** The service's desiredCount × scale %, always rounded up (TaskSet.computedDesiredCount). */
export function computedDesiredCount(desired: number, scale: Scale): number {
  // Integer-safe: 3 × 33.4 % must round to 2, 10 × 30 % must stay 3 and not become 3.0000000000000004 → 4.
  return Math.max(0, Math.ceil((Math.max(0, desired) * (scale.value ?? 0)) / 100 - 1e-9));
}

/** The id a "task set ID or ARN" argument names, or undefined when it is an ARN of something else. */
export function taskSetIdFromRef(ref: string, cluster: string, service: string): string | undefined {
  if (!ref.startsWith("arn:")) return ref;
  const marker = `:task-set/${cluster}/${service}/`;
  const at = ref.indexOf(marker);
  return at < 0 ? undefined : ref.slice(at + marker.length);
}

/** The task set as the API shows it: no idempotency token, tags only when asked for. */
export function taskSetView(record: TaskSetRecord, withTags: boolean): TaskSet {
  const { clientToken: _token, ...shown } = record;
  return withTags ? shown : { ...shown, tags: undefined };
}

/** Whether the service's tasks are the business of its task sets (EXTERNAL deployment controller). */
export const isExternal = (stored: { service: { deploymentController?: { type?: string } } }): boolean =>
  stored.service.deploymentController?.type === "EXTERNAL";

/**
 * The stored sets with the scheduler's counts and stability applied. A set the scheduler did
 * not return was DRAINING and has no task left: it is gone. A set it never saw stays as it is.
 */
export function mergeTaskSetCounts(stored: readonly TaskSetRecord[], scheduled: readonly TaskSetRecord[]): TaskSetRecord[] {
  const byId = new Map(scheduled.map((s) => [s.id, s]));
  const out: TaskSetRecord[] = [];
  for (const set of stored) {
    const next = byId.get(set.id);
    if (!next) {
      if (set.status !== "DRAINING") out.push(set);
      continue;
    }
    const { computedDesiredCount, runningCount, pendingCount, stabilityStatus, stabilityStatusAt, updatedAt } = next;
    const changed =
      computedDesiredCount !== set.computedDesiredCount ||
      runningCount !== set.runningCount ||
      pendingCount !== set.pendingCount ||
      stabilityStatus !== set.stabilityStatus;
    out.push(changed ? { ...set, computedDesiredCount, runningCount, pendingCount, stabilityStatus, stabilityStatusAt, updatedAt } : set);
  }
  return out;
}
