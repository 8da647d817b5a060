// Tag rules shared by every taggable resource.
import type { Tag } from "@aws-sdk/client-ecs";
import { invalidParameter } from "./errors.js";

const MAX_TAGS = 50;

export function validateTags(tags: readonly Tag[]): void {
  if (tags.length > MAX_TAGS) throw invalidParameter(`The number of tags must be less than or equal to ${MAX_TAGS}.`);
  for (const tag of tags) {
    const key = tag.key ?? "";
    if (key.length < 1 || key.length > 128) throw invalidParameter("Tag keys must be between 1 and 128 characters.");
    if ((tag.value ?? "").length > 256) throw invalidParameter("Tag values must be at most 256 characters.");
    if (key.toLowerCase().startsWith("aws:")) {
      throw invalidParameter("Tag keys beginning with the reserved prefix 'aws:' are not allowed.");
    }
  }
}

/** Adds or overwrites `added` on `existing`, as TagResource does. */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(existing.map((t) => [t.key!, t] as const));
  for (const t of added) byKey.set(t.key!, { key: t.key!, value: t.value ?? "" });
  const merged = [...byKey.values()];
  validateTags(merged);
  return merged;
}

export function removeTags(existing: readonly Tag[], keys: readonly string[]): Tag[] {
  const drop = new Set(keys);
  return existing.filter((t) => !drop.has(t.key!));
}
