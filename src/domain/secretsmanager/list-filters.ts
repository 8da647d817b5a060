// ListSecrets' (and BatchGetSecretValue's) Filters, as Secrets Manager documents them: name,
// tag-key and tag-value match by prefix, case-sensitive; description by prefix, not
// case-sensitive; "all" splits the value into words and looks for each in every attribute, not
// case-sensitive. A value led by "!" negates. The values of one filter are alternatives; all
// filters must hold. berth replicates no secret and no service owns one, so primary-region
// and owning-service match nothing (and their negations everything).
import type { StoredSecret } from "./secret.js";

export interface SecretFilter {
  Key?: string;
  Values?: string[];
}

type Matcher = (secret: StoredSecret, value: string) => boolean;

const prefixOf =
  (attributes: (s: StoredSecret) => readonly string[]): Matcher =>
  (s, value) =>
    attributes(s).some((a) => a.startsWith(value));

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

const MATCHERS: Record<string, Matcher> = {
  name: prefixOf((s) => [s.name]),
  "tag-key": prefixOf((s) => s.tags.map((t) => t.Key)),
  "tag-value": prefixOf((s) => s.tags.map((t) => t.Value)),
  description: (s, value) => (s.description ?? "").toLowerCase().startsWith(value.toLowerCase()),
  "primary-region": () => false,
  "owning-service": () => false,
  all: (s, value) => {
    const attributes = [s.name, s.description ?? "", ...s.tags.flatMap((t) => [t.Key, t.Value])].flatMap(words);
    return words(value).every((word) => attributes.some((a) => a.startsWith(word)));
  },
};

export function matchesFilters(secret: StoredSecret, filters: readonly SecretFilter[]): boolean {
  return filters.every((filter) => {
    const matcher = MATCHERS[filter.Key ?? ""];
    if (!matcher) return false;
    return (filter.Values ?? []).some((value) => (value.startsWith("!") ? !matcher(secret, value.slice(1)) : matcher(secret, value)));
  });
}
