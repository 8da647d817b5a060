// ECS ARNs (long format, the default today) and the "name or ARN" arguments the API takes.
import type { Scope } from "./scope.js";

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  /** e.g. "cluster/web" or "task-definition/app:3" */
  resource: string;
}

export function parseArn(value: string): ParsedArn | undefined {
  const parts = value.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  const [, partition, service, region, accountId, ...rest] = parts;
  return { partition: partition!, service: service!, region: region!, accountId: accountId!, resource: rest.join(":") };
}

export function ecsArn(scope: Scope, resource: string): string {
  return `arn:aws:ecs:${scope.region}:${scope.accountId}:${resource}`;
}

export const clusterArn = (scope: Scope, name: string) => ecsArn(scope, `cluster/${name}`);
export const taskDefinitionArn = (scope: Scope, family: string, revision: number) => ecsArn(scope, `task-definition/${family}:${revision}`);
export const capacityProviderArn = (scope: Scope, name: string) => ecsArn(scope, `capacity-provider/${name}`);

/**
 * The resource part of an ECS ARN of `type` in this scope ("cluster" → "web"), or undefined
 * when `value` is an ARN of something else, or of another account or region.
 */
export function ecsResourceId(scope: Scope, value: string, type: string): string | undefined {
  const arn = parseArn(value);
  if (!arn || arn.service !== "ecs" || arn.region !== scope.region || arn.accountId !== scope.accountId) return undefined;
  const prefix = `${type}/`;
  return arn.resource.startsWith(prefix) ? arn.resource.slice(prefix.length) : undefined;
}

/** A "name or ARN" argument: ARNs are reduced to their name, names pass through. */
export function nameFromRef(scope: Scope, ref: string, type: string): string | undefined {
  return ref.startsWith("arn:") ? ecsResourceId(scope, ref, type) : ref;
}

/**
 * The id at the end of an ARN or reference: what follows its last "/" ("…:task/web/abc" →
 * "abc"), or the whole reference when it has none.
 */
export function idFromRef(ref: string): string {
  return ref.slice(ref.lastIndexOf("/") + 1);
}
