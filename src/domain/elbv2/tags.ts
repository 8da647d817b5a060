// Tags of ELBv2's resources (load balancers, target groups, listeners, rules): at most fifty
// a resource, each key once; adding a key again replaces its value.
import type { Tag } from "@aws-sdk/client-elastic-load-balancing-v2";

export const MAX_TAGS = 50;

/** A change ELBv2 refuses: its exception and message. */
export interface TagProblem {
  code: "DuplicateTagKeysException" | "TooManyTagsException";
  message: string;
}

/** The first key `tags` repeats, as the DuplicateTagKeys a request naming it twice gets. */
export function duplicateTagKeys(tags: readonly Tag[]): TagProblem | undefined {
  const seen = new Set<string>();
  for (const t of tags) {
    if (seen.has(t.Key!)) return { code: "DuplicateTagKeysException", message: `Tag key '${t.Key}' is duplicated` };
    seen.add(t.Key!);
  }
  return undefined;
}

/** `current` with `added` set (a key already there takes the new value), or the problem ELBv2 answers. */
export function withTagsAdded(current: readonly Tag[], added: readonly Tag[]): { tags: Tag[] } | { problem: TagProblem } {
  const duplicate = duplicateTagKeys(added);
  if (duplicate) return { problem: duplicate };
  const byKey = new Map(current.map((t) => [t.Key!, t.Value ?? ""]));
  for (const t of added) byKey.set(t.Key!, t.Value ?? "");
  if (byKey.size > MAX_TAGS) {
    return {
      problem: { code: "TooManyTagsException", message: `The quota for the number of tags per resource (${MAX_TAGS}) has been reached` },
    };
  }
  return { tags: [...byKey].map(([Key, Value]) => ({ Key, Value })) };
}

/** `current` without the tags of `keys` (keys it lacks are ignored, as ELBv2 ignores them). */
export function withTagsRemoved(current: readonly Tag[], keys: readonly string[]): Tag[] {
  const gone = new Set(keys);
  return current.filter((t) => !gone.has(t.Key!));
}
