// A load balancer's attributes: every key its type has, with AWS's defaults (Describe answers
// them all), and the checks ModifyLoadBalancerAttributes makes of a change.
import type { LoadBalancerAttribute } from "@aws-sdk/client-elastic-load-balancing-v2";

type Check = { kind: "boolean" } | { kind: "integer"; min: number; max: number } | { kind: "enum"; values: string[] } | { kind: "string" };

interface AttributeSpec {
  key: string;
  types: ("application" | "network")[];
  /** Its default; a function where it depends on the scheme. */
  default: string | ((internal: boolean) => string);
  check: Check;
}

const BOTH: AttributeSpec["types"] = ["application", "network"];
const APP: AttributeSpec["types"] = ["application"];
const NET: AttributeSpec["types"] = ["network"];
const bool = { kind: "boolean" } as const;
const text = { kind: "string" } as const;

const SPECS: AttributeSpec[] = [
  { key: "access_logs.s3.enabled", types: BOTH, default: "false", check: bool },
  { key: "access_logs.s3.bucket", types: BOTH, default: "", check: text },
  { key: "access_logs.s3.prefix", types: BOTH, default: "", check: text },
  { key: "client_keep_alive.seconds", types: APP, default: "3600", check: { kind: "integer", min: 60, max: 604800 } },
  { key: "connection_logs.s3.enabled", types: APP, default: "false", check: bool },
  { key: "connection_logs.s3.bucket", types: APP, default: "", check: text },
  { key: "connection_logs.s3.prefix", types: APP, default: "", check: text },
  { key: "deletion_protection.enabled", types: BOTH, default: "false", check: bool },
  {
    key: "dns_record.client_routing_policy",
    types: NET,
    default: "any_availability_zone",
    check: { kind: "enum", values: ["availability_zone_affinity", "partial_availability_zone_affinity", "any_availability_zone"] },
  },
  { key: "health_check_logs.s3.enabled", types: APP, default: "false", check: bool },
  { key: "health_check_logs.s3.bucket", types: APP, default: "", check: text },
  { key: "health_check_logs.s3.prefix", types: APP, default: "", check: text },
  { key: "idle_timeout.timeout_seconds", types: APP, default: "60", check: { kind: "integer", min: 1, max: 4000 } },
  { key: "ipv6.deny_all_igw_traffic", types: BOTH, default: (internal) => String(internal), check: bool },
  { key: "load_balancing.cross_zone.enabled", types: APP, default: "true", check: bool },
  { key: "load_balancing.cross_zone.enabled", types: NET, default: "false", check: bool },
  {
    key: "routing.http.desync_mitigation_mode",
    types: APP,
    default: "defensive",
    check: { kind: "enum", values: ["monitor", "defensive", "strictest"] },
  },
  { key: "routing.http.drop_invalid_header_fields.enabled", types: APP, default: "false", check: bool },
  { key: "routing.http.preserve_host_header.enabled", types: APP, default: "false", check: bool },
  { key: "routing.http.x_amzn_tls_version_and_cipher_suite.enabled", types: APP, default: "false", check: bool },
  { key: "routing.http.xff_client_port.enabled", types: APP, default: "false", check: bool },
  {
    key: "routing.http.xff_header_processing.mode",
    types: APP,
    default: "append",
    check: { kind: "enum", values: ["append", "preserve", "remove"] },
  },
  { key: "routing.http2.enabled", types: APP, default: "true", check: bool },
  { key: "waf.fail_open.enabled", types: APP, default: "false", check: bool },
  { key: "zonal_shift.config.enabled", types: BOTH, default: "false", check: bool },
];

const specsOf = (type: string) => SPECS.filter((s) => (s.types as string[]).includes(type));

/** Every attribute of a new load balancer of `type`, sorted by key as ELBv2 answers them. */
export function defaultLoadBalancerAttributes(type: "application" | "network", internal: boolean): LoadBalancerAttribute[] {
  return specsOf(type)
    .map((s) => ({ Key: s.key, Value: typeof s.default === "string" ? s.default : s.default(internal) }))
    .sort((a, b) => (a.Key < b.Key ? -1 : 1));
}

/** A change ELBv2 refuses: its error code and message. */
export interface AttributeProblem {
  code: "ValidationError" | "InvalidConfigurationRequestException";
  message: string;
}

function valueProblem(key: string, value: string, check: Check): string | undefined {
  switch (check.kind) {
    case "boolean":
      return value === "true" || value === "false" ? undefined : `Load balancer attribute '${key}' must be 'true' or 'false'`;
    case "integer": {
      const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
      if (Number.isNaN(n)) return `Load balancer attribute '${key}' must be an integer`;
      return n < check.min || n > check.max ? `Load balancer attribute '${key}' must be between ${check.min} and ${check.max}` : undefined;
    }
    case "enum":
      return check.values.includes(value)
        ? undefined
        : `Load balancer attribute '${key}' must be one of the following values: ${check.values.map((v) => `'${v}'`).join(", ")}`;
    case "string":
      return undefined;
  }
}

/**
 * The attributes after `changes`, or the first change ELBv2 refuses: a key of no load
 * balancer, a key of the other type, a bad value, or access logs enabled without a bucket.
 */
export function withAttributes(
  type: "application" | "network",
  current: readonly LoadBalancerAttribute[],
  changes: readonly LoadBalancerAttribute[],
): { attributes: LoadBalancerAttribute[] } | { problem: AttributeProblem } {
  const values = new Map(current.map((a) => [a.Key!, a.Value ?? ""]));
  for (const change of changes) {
    const key = change.Key ?? "";
    const value = change.Value ?? "";
    const spec = specsOf(type).find((s) => s.key === key);
    if (!spec) {
      const known = SPECS.some((s) => s.key === key);
      return {
        problem: known
          ? {
              code: "InvalidConfigurationRequestException",
              message: `Load balancer attribute key '${key}' is not supported on load balancers with type '${type}'`,
            }
          : { code: "ValidationError", message: `Load balancer attribute key '${key}' is not recognized` },
      };
    }
    const problem = valueProblem(key, value, spec.check);
    if (problem) return { problem: { code: "ValidationError", message: problem } };
    if (key === "load_balancing.cross_zone.enabled" && type === "application" && value !== "true") {
      return {
        problem: {
          code: "InvalidConfigurationRequestException",
          message: "Cross-zone load balancing cannot be disabled for Application Load Balancers",
        },
      };
    }
    values.set(key, value);
  }
  for (const prefix of ["access_logs.s3", "connection_logs.s3", "health_check_logs.s3"]) {
    if (values.get(`${prefix}.enabled`) === "true" && !values.get(`${prefix}.bucket`)) {
      return {
        problem: {
          code: "InvalidConfigurationRequestException",
          message: `The value of '${prefix}.bucket' cannot be empty when '${prefix}.enabled' is 'true'`,
        },
      };
    }
  }
  return { attributes: current.map((a) => ({ Key: a.Key, Value: values.get(a.Key!) ?? a.Value })) };
}

/** The value of attribute `key`, or undefined. */
export const loadBalancerAttribute = (attributes: readonly LoadBalancerAttribute[], key: string): string | undefined =>
  attributes.find((a) => a.Key === key)?.Value;
