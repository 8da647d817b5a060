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
