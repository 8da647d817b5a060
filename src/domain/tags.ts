// Tag rules shared by every taggable resource.
import type { Tag } from "@aws-sdk/client-ecs";
import { invalidParameter } from "./errors.js";

const MAX_TAGS = 50;
/** The model's TagKey/TagValue pattern: letters, numbers, spaces and _ . : / = + - @ */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

const reserved = (text: string) => text.toLowerCase().startsWith("aws:");

function validateKey(key: string): void {
  if (key.length < 1 || key.length > 128) throw invalidParameter("Tag keys must be between 1 and 128 characters.");
  if (!TAG_TEXT.test(key)) {
    throw invalidParameter(
      `The tag key '${key}' contains characters that are not allowed. Use letters, numbers, spaces and the characters _ . : / = + - @.`,
    );
  }
  if (reserved(key)) throw invalidParameter("Tag keys beginning with the reserved prefix 'aws:' are not allowed.");
}

export function validateTags(tags: readonly Tag[]): void {
  if (tags.length > MAX_TAGS) throw invalidParameter(`The number of tags must be less than or equal to ${MAX_TAGS}.`);
  for (const tag of tags) {
    validateKey(tag.key ?? "");
    const value = tag.value ?? "";
    if (value.length > 256) throw invalidParameter("Tag values must be at most 256 characters.");
    if (!TAG_TEXT.test(value)) {
      throw invalidParameter(
        `The tag value '${value}' contains characters that are not allowed. Use letters, numbers, spaces and the characters _ . : / = + - @.`,
      );
    }
  }
}

/** UntagResource keys: ECS does not let you delete tags with the reserved `aws:` prefix. */
export function validateTagKeys(keys: readonly string[]): void {
  for (const key of keys) validateKey(key);
}

/** Adds or overwrites `added` on `existing`, as TagResource does. */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(existing.map((t) => [t.key!, t] as const));
  for (const t of added) byKey.set(t.key!, { key: t.key!, value: t.value ?? "" });
  const merged = [...byKey.values()];
  // Tags with the reserved prefix do not count against the per-resource limit.
  if (merged.filter((t) => !reserved(t.key!)).length > MAX_TAGS) {
    throw invalidParameter(`The number of tags must be less than or equal to ${MAX_TAGS}.`);
  }
  return merged;
}

export function removeTags(existing: readonly Tag[], keys: readonly string[]): Tag[] {
  const drop = new Set(keys);
  return existing.filter((t) => !drop.has(t.key!));
}

/** The tag keys of Amazon ECS managed tags (enableECSManagedTags): ECS's own, under its reserved prefix. */
export const MANAGED_TAG_CLUSTER = "aws:ecs:clusterName";
export const MANAGED_TAG_SERVICE = "aws:ecs:serviceName";

/** The managed tags a new task gets: its cluster's name, and its service's name when a service started it. */
export function managedTags(cluster: string, service?: string): Tag[] {
  return [{ key: MANAGED_TAG_CLUSTER, value: cluster }, ...(service ? [{ key: MANAGED_TAG_SERVICE, value: service }] : [])];
}

/**
 * A new task's tags: its own (RunTask's or StartTask's `tags`, already validated), then the
 * propagated ones (the task definition's or the service's) for keys it does not set itself,
 * then ECS's managed tags. ECS's limit of 50 counts the first two only: tags under the
 * reserved `aws:` prefix do not count against it.
 */
export function newTaskTags(own: readonly Tag[], propagated: readonly Tag[], managed: readonly Tag[]): Tag[] {
  const tags = own.map((t) => ({ key: t.key!, value: t.value ?? "" }));
  for (const t of propagated) if (!tags.some((x) => x.key === t.key)) tags.push({ key: t.key!, value: t.value ?? "" });
  if (tags.filter((t) => !reserved(t.key)).length > MAX_TAGS) {
    throw invalidParameter(`The number of tags must be less than or equal to ${MAX_TAGS}.`);
  }
  // Managed tags replace any propagated tag of the same key: ECS's value is the truth.
  return [...tags.filter((t) => !managed.some((m) => m.key === t.key)), ...managed];
}
