// EC2's Filters: each names a field and lists values; a resource matches when, for every
// filter, one of the field's values matches one of the filter's (values may hold the
// wildcards * and ?). `tag:<key>` matches a tag's value by key, `tag-key` and `tag-value`
// any tag's key or value. A filter name the operation does not know is InvalidParameterValue,
// as EC2 answers.
import type { Filter, Tag } from "@aws-sdk/client-ec2";

/** A resource's values for each filter name an operation supports (a value list, or none). */
export type FilterFields<T> = Record<
  string,
  (resource: T) => readonly (string | number | boolean | undefined)[] | string | number | boolean | undefined
>;

export class UnknownFilterError extends Error {
  constructor(readonly filterName: string) {
    super(`The filter '${filterName}' is invalid`);
  }
}

const wildcard = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "s",
  );

/** A predicate for `filters` over resources whose fields `fields` reads; throws UnknownFilterError. */
export function filterMatcher<T>(
  filters: readonly Filter[] | undefined,
  fields: FilterFields<T>,
  tagsOf?: (resource: T) => readonly Tag[] | undefined,
): (resource: T) => boolean {
  const checks = (filters ?? []).map((f) => {
    const name = f.Name ?? "";
    const patterns = (f.Values ?? []).map(wildcard);
    const matches = (values: readonly string[]) => values.some((v) => patterns.some((p) => p.test(v)));
    if (tagsOf && name.startsWith("tag:")) {
      const key = name.slice(4);
      return (r: T) => matches((tagsOf(r) ?? []).filter((t) => t.Key === key).map((t) => t.Value ?? ""));
    }
    if (tagsOf && name === "tag-key") return (r: T) => matches((tagsOf(r) ?? []).map((t) => t.Key ?? ""));
    if (tagsOf && name === "tag-value") return (r: T) => matches((tagsOf(r) ?? []).map((t) => t.Value ?? ""));
    const field = fields[name];
    if (!field) throw new UnknownFilterError(name);
    return (r: T) => {
      const raw = field(r);
      const values = (Array.isArray(raw) ? raw : [raw]).filter((v) => v !== undefined).map(String);
      return matches(values);
    };
  });
  return (r) => checks.every((check) => check(r));
}
