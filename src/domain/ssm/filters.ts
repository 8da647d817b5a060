// DescribeParameters' and GetParametersByPath's filters. ParameterFilters name a key (Name,
// Type, KeyId, Path, Label, Tier, DataType or tag:<key>), an option and values; the older
// Filters (Name, Type, KeyId) are DescribeParameters' alone, and a request uses one kind or the other.
import type { ParameterStringFilter, ParametersFilter } from "@aws-sdk/client-ssm";
import { SsmError, validation } from "./errors.js";
import { currentVersion, type StoredParameter } from "./parameter.js";
import { parentPathOf } from "./names.js";

type Matcher = (p: StoredParameter) => boolean;

const DESCRIBE_KEYS = ["Name", "Type", "KeyId", "Path", "Tier", "DataType"];
const BY_PATH_KEYS = ["Type", "KeyId", "Label", "Tier", "DataType"];
const TYPES = ["String", "StringList", "SecureString"];
const TIERS = ["Standard", "Advanced", "Intelligent-Tiering"];

/** The filter DescribeParameters' filters make together (all must match). */
export function describeFilter(filters: ParametersFilter[] | undefined, parameterFilters: ParameterStringFilter[] | undefined): Matcher {
  if (filters?.length && parameterFilters?.length) throw validation("You can use either Filters or ParameterFilters in a single request.");
  if (filters?.length) return all(filters.map(legacyMatcher));
  return all((parameterFilters ?? []).map((f) => stringFilterMatcher(f, DESCRIBE_KEYS)));
}

/** The filter GetParametersByPath's ParameterFilters make together. */
export function byPathFilter(parameterFilters: ParameterStringFilter[] | undefined): Matcher {
  return all((parameterFilters ?? []).map((f) => stringFilterMatcher(f, BY_PATH_KEYS)));
}

/** Whether `name` is under `path`: directly, or at any depth when recursive. */
export function isUnder(name: string, path: string, recursive: boolean): boolean {
  if (path === "/") return recursive ? name.startsWith("/") : name.startsWith("/") && parentPathOf(name) === "/";
  if (!name.startsWith(`${path}/`)) return false;
  return recursive || parentPathOf(name) === path;
}

function all(matchers: Matcher[]): Matcher {
  return (p) => matchers.every((m) => m(p));
}

function legacyMatcher(f: ParametersFilter): Matcher {
  const values = f.Values!;
  switch (f.Key) {
    case "Name":
      return (p) => values.some((v) => p.name.startsWith(v));
    case "Type":
      checkValues("Type", values, TYPES);
      return (p) => values.includes(currentVersion(p).type);
    default:
      return (p) => values.includes(currentVersion(p).keyId ?? "");
  }
}

function stringFilterMatcher(f: ParameterStringFilter, keys: readonly string[]): Matcher {
  const key = f.Key!;
  const values = f.Values ?? [];
  if (key.startsWith("tag:")) {
    const tagKey = key.slice("tag:".length);
    option(f, ["Equals"], "Equals");
    return (p) => p.tags.some((t) => t.Key === tagKey && (values.length === 0 || values.includes(t.Value!)));
  }
  if (!keys.includes(key)) {
    throw new SsmError(
      "InvalidFilterKey",
      `The following filter key is not valid: ${key}. Valid filter keys include: [${keys.join(", ")}, tag:<key>].`,
    );
  }
  if (values.length === 0)
    throw new SsmError("InvalidFilterValue", `The following filter values are missing : null for filter key ${key}.`);
  switch (key) {
    case "Name": {
      const how = option(f, ["Equals", "BeginsWith", "Contains"], "Equals");
      // Names are matched as given and with the leading slash a path name may omit.
      const forms = values.flatMap((v) => (v.startsWith("/") ? [v] : [v, `/${v}`]));
      if (how === "Equals") return (p) => forms.includes(p.name);
      if (how === "BeginsWith") return (p) => forms.some((v) => p.name.startsWith(v));
      return (p) => values.some((v) => p.name.includes(v));
    }
    case "Path": {
      const how = option(f, ["Recursive", "OneLevel"], "OneLevel");
      for (const v of values)
        if (!v.startsWith("/")) throw new SsmError("InvalidFilterValue", `The parameter path ${v} is not valid. A path begins with "/".`);
      return (p) => values.some((v) => isUnder(p.name, v.length > 1 ? v.replace(/\/$/, "") : v, how === "Recursive"));
    }
    case "Type":
      option(f, ["Equals"], "Equals");
      checkValues("Type", values, TYPES);
      return (p) => values.includes(currentVersion(p).type);
    case "Tier":
      option(f, ["Equals"], "Equals");
      checkValues("Tier", values, TIERS);
      return (p) => values.includes(currentVersion(p).tier);
    case "Label":
      option(f, ["Equals"], "Equals");
      return (p) => p.versions.some((v) => v.labels.some((l) => values.includes(l)));
    case "DataType":
      option(f, ["Equals"], "Equals");
      return (p) => values.includes(currentVersion(p).dataType);
    default: {
      const how = option(f, ["Equals", "BeginsWith"], "Equals");
      return (p) => {
        const keyId = currentVersion(p).keyId;
        return keyId !== undefined && values.some((v) => (how === "Equals" ? keyId === v : keyId.startsWith(v)));
      };
    }
  }
}

function option(f: ParameterStringFilter, allowed: readonly string[], fallback: string): string {
  const how = f.Option ?? fallback;
  if (!allowed.includes(how)) {
    throw new SsmError(
      "InvalidFilterOption",
      `The following filter option is not valid: ${how}. Valid options include: [${allowed.join(", ")}].`,
    );
  }
  return how;
}

function checkValues(key: string, values: readonly string[], allowed: readonly string[]): void {
  const bad = values.find((v) => !allowed.includes(v));
  if (bad !== undefined) {
    throw new SsmError(
      "InvalidFilterValue",
      `The following filter value is not valid: ${bad}. Valid values include: [${allowed.join(", ")}].`,
    );
  }
}
