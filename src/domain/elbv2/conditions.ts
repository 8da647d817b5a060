// A rule's conditions as ELBv2 checks and stores them: path-pattern, host-header, http-header,
// http-request-method, query-string and source-ip, each in its *Config form or, for host-header
// and path-pattern, the older Field/Values form. Stored conditions are canonical
// (normaliseCondition): every one has its *Config, which is what the data plane matches on.
import type { RuleCondition } from "@aws-sdk/client-elastic-load-balancing-v2";
import { parseCidr } from "../../ipv4-cidr.js";
import { ElbRefusal } from "./refusal.js";

export type ConditionField = "path-pattern" | "host-header" | "http-header" | "http-request-method" | "query-string" | "source-ip";

const CONFIG_OF: Record<ConditionField, keyof RuleCondition> = {
  "path-pattern": "PathPatternConfig",
  "host-header": "HostHeaderConfig",
  "http-header": "HttpHeaderConfig",
  "http-request-method": "HttpRequestMethodConfig",
  "query-string": "QueryStringConfig",
  "source-ip": "SourceIpConfig",
};
const CONFIGS = Object.values(CONFIG_OF);

/** Conditions a rule may have at most one of (http-header and query-string may repeat). */
const ONCE: readonly ConditionField[] = ["path-pattern", "host-header", "http-request-method", "source-ip"];

/** ELBv2's limits per rule: condition values (each query-string pair is one) and wildcards. */
export const MAX_CONDITION_VALUES = 5;
export const MAX_WILDCARDS = 5;
const MAX_VALUE_LENGTH = 128;

const HOST_CHARS = /^[A-Za-z0-9\-.*?]+$/;
const PATH_CHARS = /^[A-Za-z0-9_\-.$/~"'@:+&*?]+$/;
const METHOD_CHARS = /^[A-Z_-]+$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

const invalid = (message: string) => new ElbRefusal("ValidationError", message);

/** The conditions checked as ELBv2 checks a rule's, in canonical form. */
export function checkedConditions(conditions: readonly RuleCondition[]): RuleCondition[] {
  if (conditions.length === 0) throw invalid("A rule must have at least one condition");
  const normalised = conditions.map(checkedCondition);
  for (const field of ONCE)
    if (normalised.filter((c) => c.Field === field).length > 1) throw invalid(`A rule can only have one '${field}' condition`);
  const values = normalised.flatMap(valuesOf);
  if (values.length > MAX_CONDITION_VALUES) throw invalid(`A rule can only have '${MAX_CONDITION_VALUES}' condition values`);
  const wildcards = values.reduce((n, v) => n + (v.match(/[*?]/g)?.length ?? 0), 0);
  if (wildcards > MAX_WILDCARDS) throw invalid(`A rule can only have '${MAX_WILDCARDS}' wildcards`);
  return normalised;
}

/**
 * A condition in the one form berth stores: Field and its *Config; host-header and path-pattern
 * also keep Values, as ELBv2 echoes them. Assumes a checked condition.
 */
export function normaliseCondition(condition: RuleCondition): RuleCondition {
  const field = condition.Field as ConditionField;
  switch (field) {
    case "path-pattern": {
      const values = condition.PathPatternConfig?.Values ?? condition.Values ?? [];
      return { Field: field, Values: [...values], PathPatternConfig: { Values: [...values] } };
    }
    case "host-header": {
      const values = condition.HostHeaderConfig?.Values ?? condition.Values ?? [];
      return { Field: field, Values: [...values], HostHeaderConfig: { Values: [...values] } };
    }
    case "http-header":
      return {
        Field: field,
        HttpHeaderConfig: {
          HttpHeaderName: condition.HttpHeaderConfig?.HttpHeaderName,
          Values: [...(condition.HttpHeaderConfig?.Values ?? [])],
        },
      };
    case "http-request-method":
      return { Field: field, HttpRequestMethodConfig: { Values: [...(condition.HttpRequestMethodConfig?.Values ?? [])] } };
    case "query-string":
      return {
        Field: field,
        QueryStringConfig: {
          Values: (condition.QueryStringConfig?.Values ?? []).map((p) => ({
            ...(p.Key !== undefined ? { Key: p.Key } : {}),
            Value: p.Value,
          })),
        },
      };
    case "source-ip":
      return { Field: field, SourceIpConfig: { Values: [...(condition.SourceIpConfig?.Values ?? [])] } };
  }
}

/** The values a canonical condition matches on, as the per-rule limits count them. */
function valuesOf(c: RuleCondition): string[] {
  if (c.PathPatternConfig) return c.PathPatternConfig.Values ?? [];
  if (c.HostHeaderConfig) return c.HostHeaderConfig.Values ?? [];
  if (c.HttpHeaderConfig) return c.HttpHeaderConfig.Values ?? [];
  if (c.HttpRequestMethodConfig) return c.HttpRequestMethodConfig.Values ?? [];
  if (c.QueryStringConfig) return (c.QueryStringConfig.Values ?? []).map((p) => `${p.Key ?? ""}${p.Value ?? ""}`);
  return c.SourceIpConfig?.Values ?? [];
}

function checkedCondition(condition: RuleCondition): RuleCondition {
  const field = condition.Field;
  if (field === undefined) throw invalid("A condition field must be specified");
  if (!(field in CONFIG_OF)) throw invalid(`Condition field '${field}' must be one of '[${Object.keys(CONFIG_OF).join(", ")}]'`);
  const own = CONFIG_OF[field as ConditionField];
  for (const key of CONFIGS)
    if (key !== own && condition[key] !== undefined) throw invalid(`A '${field}' condition cannot have a '${key}'`);
  if (condition.RegexValues !== undefined || hasRegexValues(condition))
    throw invalid("Regular expression condition values are not supported by berth: use Values");
  if (condition.Values !== undefined) {
    if (field !== "host-header" && field !== "path-pattern") throw invalid(`The 'Values' field is not compatible with '${field}'`);
    if (condition[own] !== undefined) throw invalid(`You cannot provide both Values and '${own}' for a condition of type '${field}'`);
    if (condition.Values.length > 1) throw invalid(`The '${field}' field contains too many values; the limit is '1'`);
  } else if (condition[own] === undefined) throw invalid(`A '${own}' must be specified with '${field}'`);
  const normal = normaliseCondition(condition);
  checkValues(field as ConditionField, normal);
  return normal;
}

function hasRegexValues(c: RuleCondition): boolean {
  return (
    c.PathPatternConfig?.RegexValues !== undefined ||
    c.HostHeaderConfig?.RegexValues !== undefined ||
    c.HttpHeaderConfig?.RegexValues !== undefined
  );
}

function checkValues(field: ConditionField, c: RuleCondition): void {
  const values = valuesOf(c);
  if (values.length === 0) throw invalid("A condition value must be specified");
  switch (field) {
    case "host-header":
    case "path-pattern":
      for (const v of values) {
        checkLength(field, v);
        if (!(field === "host-header" ? HOST_CHARS : PATH_CHARS).test(v))
          throw invalid(`The '${field}' value '${v}' contains characters that are not allowed`);
      }
      return;
    case "http-header": {
      const name = c.HttpHeaderConfig?.HttpHeaderName;
      if (name === undefined || name === "") throw invalid("A 'HttpHeaderName' must be specified with 'http-header'");
      if (name.length > 40) throw invalid("The 'HttpHeaderName' value is too long; the limit is '40'");
      if (!HEADER_NAME.test(name)) throw invalid(`The 'HttpHeaderName' value '${name}' is not a valid header name`);
      for (const v of values) checkLength(field, v);
      return;
    }
    case "http-request-method":
      for (const v of values) {
        if (v.length > 40) throw invalid("The 'http-request-method' value is too long; the limit is '40'");
        if (!METHOD_CHARS.test(v))
          throw invalid("The 'http-request-method' value is invalid; the allowed characters are A-Z, hyphen and underscore");
      }
      return;
    case "query-string":
      for (const pair of c.QueryStringConfig?.Values ?? []) {
        if (pair.Value === undefined || pair.Value === "") throw invalid("A 'Value' must be specified in 'QueryStringKeyValuePair'");
        if (pair.Key !== undefined && pair.Key.length > MAX_VALUE_LENGTH)
          throw invalid(`The 'Key' value is too long; the limit is '${MAX_VALUE_LENGTH}'`);
        if (pair.Value.length > MAX_VALUE_LENGTH) throw invalid(`The 'Value' value is too long; the limit is '${MAX_VALUE_LENGTH}'`);
      }
      return;
    case "source-ip":
      for (const v of values) if (!isCidr(v)) throw invalid(`The 'source-ip' value '${v}' is not a valid CIDR block`);
      return;
  }
}

function checkLength(field: string, value: string): void {
  if (value.length > MAX_VALUE_LENGTH) throw invalid(`The '${field}' value is too long; the limit is '${MAX_VALUE_LENGTH}'`);
}

/** An IPv4 CIDR block, or an IPv6 one in its usual written form. */
function isCidr(value: string): boolean {
  if (parseCidr(value)) return true;
  const [address, bits, ...rest] = value.split("/");
  return (
    rest.length === 0 &&
    bits !== undefined &&
    /^\d{1,3}$/.test(bits) &&
    Number(bits) <= 128 &&
    /^[0-9a-fA-F:]+$/.test(address!) &&
    address!.includes(":")
  );
}
