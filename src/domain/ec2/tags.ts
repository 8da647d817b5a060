// Tags on create (TagSpecifications) and their limits, as EC2 checks them.
import type { Tag, TagSpecification } from "@aws-sdk/client-ec2";

export const MAX_TAGS = 50;

export class TagError extends Error {
  constructor(
    readonly code: "InvalidParameterValue" | "TagLimitExceeded" | "InvalidTagKey.Malformed",
    message: string,
  ) {
    super(message);
  }
}

/** Checks one tag the way CreateTags does. */
export function checkTag(tag: Tag): void {
  const key = tag.Key ?? "";
  if (key.length === 0 || key.length > 128)
    throw new TagError("InvalidParameterValue", `Tag key must be between 1 and 128 characters: '${key}'`);
  if ((tag.Value ?? "").length > 256)
    throw new TagError("InvalidParameterValue", `Tag value exceeds the maximum length of 256 characters for key '${key}'`);
  if (key.toLowerCase().startsWith("aws:"))
    throw new TagError("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use");
}

/**
 * The tags TagSpecifications give a resource of `resourceType` (e.g. "vpc", "security-group").
 * A specification for another resource type is InvalidParameterValue, as EC2 answers it.
 */
export function tagsFromSpecifications(specs: readonly TagSpecification[] | undefined, resourceType: string): Tag[] {
  const tags = new Map<string, Tag>();
  for (const spec of specs ?? []) {
    if (spec.ResourceType !== resourceType)
      throw new TagError("InvalidParameterValue", `'${spec.ResourceType ?? ""}' is not a valid taggable resource type for this operation.`);
    for (const tag of spec.Tags ?? []) {
      checkTag(tag);
      tags.set(tag.Key!, { Key: tag.Key!, Value: tag.Value ?? "" });
    }
  }
  if (tags.size > MAX_TAGS) throw new TagError("TagLimitExceeded", `The maximum number of tags for a resource is ${MAX_TAGS}.`);
  return [...tags.values()];
}

/** `current` with `changes` applied (set or replace by key); throws TagLimitExceeded past 50. */
export function withTags(current: readonly Tag[] | undefined, changes: readonly Tag[]): Tag[] {
  const tags = new Map((current ?? []).map((t) => [t.Key!, t]));
  for (const tag of changes) {
    checkTag(tag);
    tags.set(tag.Key!, { Key: tag.Key!, Value: tag.Value ?? "" });
  }
  if (tags.size > MAX_TAGS) throw new TagError("TagLimitExceeded", `The maximum number of tags for a resource is ${MAX_TAGS}.`);
  return [...tags.values()];
}

/** DeleteTags: a tag named with a value goes only when its value is that one; with no value, whatever it is. */
export function withoutTags(current: readonly Tag[] | undefined, removed: readonly Tag[]): Tag[] {
  return (current ?? []).filter((t) => !removed.some((r) => r.Key === t.Key && (r.Value === undefined || r.Value === t.Value)));
}
