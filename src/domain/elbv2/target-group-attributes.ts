// A target group's attributes: every key its kind has (application groups: HTTP and HTTPS;
// network groups: TCP, TLS, UDP and TCP_UDP) with ELB's defaults, since
// DescribeTargetGroupAttributes answers them all, and the checks of a change to them.
import type { TargetGroupAttribute } from "@aws-sdk/client-elastic-load-balancing-v2";
import { isApplicationProtocol } from "./target-group.js";
import { invalid, unsupported } from "./refusal.js";

interface GroupKind {
  protocol: string;
  targetType: string;
}

type Check =
  | { kind: "boolean" }
  | { kind: "integer"; min: number; max: number; orZero?: boolean; orOff?: boolean }
  | { kind: "enum"; values: string[] }
  | { kind: "cookie-name" };

interface AttributeSpec {
  key: string;
  for: "application" | "network" | "both";
  default: (group: GroupKind) => string;
  check: Check;
}

const fixed = (value: string) => () => value;
const bool: Check = { kind: "boolean" };
const udp = (g: GroupKind) => g.protocol === "UDP" || g.protocol === "TCP_UDP";

const SPECS: AttributeSpec[] = [
  {
    key: "deregistration_delay.timeout_seconds",
    for: "both",
    default: fixed("300"),
    check: { kind: "integer", min: 0, max: 3600 },
  },
  { key: "stickiness.enabled", for: "both", default: fixed("false"), check: bool },
  {
    key: "stickiness.type",
    for: "both",
    default: (g) => (isApplicationProtocol(g.protocol) ? "lb_cookie" : "source_ip"),
    check: { kind: "enum", values: [] }, // by kind: see stickinessTypes
  },
  {
    key: "load_balancing.cross_zone.enabled",
    for: "both",
    default: fixed("use_load_balancer_configuration"),
    check: { kind: "enum", values: ["true", "false", "use_load_balancer_configuration"] },
  },
  {
    key: "target_group_health.dns_failover.minimum_healthy_targets.count",
    for: "both",
    default: fixed("1"),
    check: { kind: "integer", min: 1, max: 1000, orOff: true },
  },
  {
    key: "target_group_health.dns_failover.minimum_healthy_targets.percentage",
    for: "both",
    default: fixed("off"),
    check: { kind: "integer", min: 1, max: 100, orOff: true },
  },
  {
    key: "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count",
    for: "both",
    default: fixed("1"),
    check: { kind: "integer", min: 1, max: 1000 },
  },
  {
    key: "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage",
    for: "both",
    default: fixed("off"),
    check: { kind: "integer", min: 1, max: 100, orOff: true },
  },
  {
    key: "load_balancing.algorithm.type",
    for: "application",
    default: fixed("round_robin"),
    check: { kind: "enum", values: ["round_robin", "least_outstanding_requests", "weighted_random"] },
  },
  {
    key: "load_balancing.algorithm.anomaly_mitigation",
    for: "application",
    default: fixed("off"),
    check: { kind: "enum", values: ["on", "off"] },
  },
  {
    key: "slow_start.duration_seconds",
    for: "application",
    default: fixed("0"),
    check: { kind: "integer", min: 30, max: 900, orZero: true },
  },
  { key: "stickiness.app_cookie.cookie_name", for: "application", default: fixed(""), check: { kind: "cookie-name" } },
  {
    key: "stickiness.app_cookie.duration_seconds",
    for: "application",
    default: fixed("86400"),
    check: { kind: "integer", min: 1, max: 604800 },
  },
  {
    key: "stickiness.lb_cookie.duration_seconds",
    for: "application",
    default: fixed("86400"),
    check: { kind: "integer", min: 1, max: 604800 },
  },
  {
    key: "deregistration_delay.connection_termination.enabled",
    for: "network",
    default: (g) => String(udp(g)),
    check: bool,
  },
  {
    key: "preserve_client_ip.enabled",
    for: "network",
    // Off for ip targets over TCP or TLS; always on for UDP.
    default: (g) => String(!(g.targetType === "ip" && (g.protocol === "TCP" || g.protocol === "TLS"))),
    check: bool,
  },
  { key: "proxy_protocol_v2.enabled", for: "network", default: fixed("false"), check: bool },
  {
    key: "target_health_state.unhealthy.connection_termination.enabled",
    for: "network",
    default: (g) => String(!udp(g)),
    check: bool,
  },
  {
    key: "target_health_state.unhealthy.draining_interval_seconds",
    for: "network",
    default: fixed("0"),
    check: { kind: "integer", min: 0, max: 360000 },
  },
];

const RESERVED_COOKIE_PREFIXES = ["AWSALB", "AWSALBAPP", "AWSALBTG"];

const specsOf = (group: GroupKind) => {
  const kind = isApplicationProtocol(group.protocol) ? "application" : "network";
  return SPECS.filter((s) => s.for === "both" || s.for === kind);
};

/** Every attribute of a new group of this protocol and target type, at ELB's defaults. */
export function defaultTargetGroupAttributes(group: GroupKind): TargetGroupAttribute[] {
  return specsOf(group).map((s) => ({ Key: s.key, Value: s.default(group) }));
}

/**
 * `current` with `changes` applied, every key and value checked as ELB checks them: a key ELB
 * does not know is a ValidationError, one of the other kind of group an
 * InvalidConfigurationRequest, a value out of its range a ValidationError.
 */
export function withAttributesChanged(
  group: GroupKind,
  current: readonly TargetGroupAttribute[],
  changes: readonly TargetGroupAttribute[],
): TargetGroupAttribute[] {
  const mine = specsOf(group);
  const next = new Map(current.map((a) => [a.Key!, a.Value ?? ""]));
  for (const change of changes) {
    const key = change.Key ?? "";
    const spec = mine.find((s) => s.key === key);
    if (!spec) {
      if (SPECS.some((s) => s.key === key)) throw unsupported("The provided target group attribute is not supported");
      throw invalid(`Target group attribute key '${key}' is not recognized`);
    }
    const value = change.Value ?? "";
    checkValue(group, spec, value);
    next.set(key, value);
  }
  checkTogether(group, next);
  return mine.map((s) => ({ Key: s.key, Value: next.get(s.key) ?? s.default(group) }));
}

function checkValue(group: GroupKind, spec: AttributeSpec, value: string): void {
  const bad = (expected: string) => invalid(`'${value}' is not a valid value for target group attribute '${spec.key}': ${expected}`);
  const check = spec.check;
  switch (check.kind) {
    case "boolean":
      if (value !== "true" && value !== "false") throw bad("it must be 'true' or 'false'");
      return;
    case "enum": {
      const values = spec.key === "stickiness.type" ? stickinessTypes(group) : check.values;
      if (!values.includes(value)) throw bad(`it must be one of ${values.map((v) => `'${v}'`).join(", ")}`);
      return;
    }
    case "integer": {
      if (check.orOff && value === "off") return;
      const n = /^\d+$/.test(value) ? Number(value) : NaN;
      if (check.orZero && n === 0) return;
      if (!(n >= check.min && n <= check.max)) {
        const extra = check.orZero ? " (or 0 to turn it off)" : check.orOff ? " (or 'off')" : "";
        throw bad(`it must be an integer from ${check.min} to ${check.max}${extra}`);
      }
      return;
    }
    case "cookie-name":
      if (RESERVED_COOKIE_PREFIXES.some((p) => value.startsWith(p)))
        throw bad("names that start with AWSALB, AWSALBAPP or AWSALBTG are reserved for use by the load balancer");
      if (!/^[A-Za-z0-9!#$%&'*+\-.^_`|~]*$/.test(value)) throw bad("it must be a cookie name of letters, digits and !#$%&'*+-.^_`|~");
  }
}

function stickinessTypes(group: GroupKind): string[] {
  return isApplicationProtocol(group.protocol) ? ["lb_cookie", "app_cookie"] : ["source_ip"];
}

/** What ELB checks across attributes once a change is applied. */
function checkTogether(group: GroupKind, attributes: Map<string, string>): void {
  if (udp(group) && attributes.get("preserve_client_ip.enabled") === "false")
    throw unsupported("Client IP preservation cannot be disabled for UDP and TCP_UDP target groups");
  if (udp(group) && attributes.get("target_health_state.unhealthy.connection_termination.enabled") === "true")
    throw unsupported("Connection termination for unhealthy targets cannot be enabled for UDP and TCP_UDP target groups");
  if (
    attributes.get("stickiness.enabled") === "true" &&
    attributes.get("stickiness.type") === "app_cookie" &&
    !attributes.get("stickiness.app_cookie.cookie_name")
  )
    throw unsupported("An application cookie name must be specified when the stickiness type is 'app_cookie'");
  if (
    attributes.get("load_balancing.algorithm.anomaly_mitigation") === "on" &&
    attributes.get("load_balancing.algorithm.type") !== "weighted_random"
  )
    throw unsupported("Anomaly mitigation is only available with the 'weighted_random' load balancing algorithm");
  if (
    attributes.get("target_health_state.unhealthy.connection_termination.enabled") === "true" &&
    (attributes.get("target_health_state.unhealthy.draining_interval_seconds") ?? "0") !== "0"
  )
    throw unsupported(
      "The unhealthy draining interval can only be set when target_health_state.unhealthy.connection_termination.enabled is false",
    );
}
