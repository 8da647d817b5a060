// A target group's settings as CreateTargetGroup and ModifyTargetGroup make them: ELB's name
// rules, its defaults per protocol (an application group checks HTTP on "/" for 200, a network
// group opens a TCP connection), and the checks of a health check's settings. berth serves
// instance and ip targets over HTTP, HTTPS, TCP, TLS, UDP and TCP_UDP.
import type { CreateTargetGroupInput, Matcher, Tag, TargetGroup } from "@aws-sdk/client-elastic-load-balancing-v2";
import { sameJson } from "../same-json.js";
import { invalid, ElbRefusal, unsupported } from "./refusal.js";

export type TargetGroupSettings = Omit<TargetGroup, "TargetGroupArn" | "LoadBalancerArns">;

export type HealthCheckSettings = Pick<
  TargetGroup,
  | "HealthCheckEnabled"
  | "HealthCheckProtocol"
  | "HealthCheckPort"
  | "HealthCheckPath"
  | "HealthCheckIntervalSeconds"
  | "HealthCheckTimeoutSeconds"
  | "HealthyThresholdCount"
  | "UnhealthyThresholdCount"
  | "Matcher"
>;

const SERVED_PROTOCOLS = ["HTTP", "HTTPS", "TCP", "TLS", "UDP", "TCP_UDP"];
export const MAX_TARGET_GROUP_NAME = 32;
export const MAX_TAGS = 50;

/** HTTP and HTTPS groups are an application load balancer's; the others a network one's. */
export const isApplicationProtocol = (protocol: string | undefined) => protocol === "HTTP" || protocol === "HTTPS";

/** ELB's refusal of a target group name, or undefined for a good one. */
export function targetGroupNameProblem(name: string): string | undefined {
  if (name.length > MAX_TARGET_GROUP_NAME) return `Target group name '${name}' cannot be longer than '${MAX_TARGET_GROUP_NAME}' characters`;
  if (!/^[A-Za-z0-9-]+$/.test(name))
    return `Target group name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`;
  if (name.startsWith("-") || name.endsWith("-")) return `Target group name '${name}' cannot begin or end with '-'`;
  return undefined;
}

/** The settings of the target group CreateTargetGroup asks for, with ELB's defaults filled in. */
export function newTargetGroupSettings(input: CreateTargetGroupInput): TargetGroupSettings {
  const nameProblem = targetGroupNameProblem(input.Name!);
  if (nameProblem) throw invalid(nameProblem);
  checkTags(input.Tags ?? []);
  const targetType = input.TargetType ?? "instance";
  if (targetType !== "instance" && targetType !== "ip")
    throw unsupported(`berth does not serve target groups of target type '${targetType}': register instances or IP addresses`);
  if (input.Protocol === undefined) throw invalid("A protocol must be specified");
  if (input.Port === undefined) throw invalid("A port must be specified");
  if (input.VpcId === undefined) throw invalid("A VPC ID must be specified");
  const protocol = input.Protocol;
  if (!SERVED_PROTOCOLS.includes(protocol))
    throw unsupported(`berth's load balancers do not serve the ${protocol} protocol: use HTTP, HTTPS, TCP, TLS, UDP or TCP_UDP`);
  if (input.IpAddressType !== undefined && input.IpAddressType !== "ipv4")
    throw unsupported(`berth serves IPv4 only: IP address type '${input.IpAddressType}' is not supported`);
  if (input.TargetControlPort !== undefined) throw unsupported("A target control port can only be set for QUIC target groups");
  return {
    TargetGroupName: input.Name!,
    Protocol: protocol,
    Port: input.Port,
    VpcId: input.VpcId,
    ...healthCheckOf(protocol, targetType, input),
    TargetType: targetType,
    ...(isApplicationProtocol(protocol) ? { ProtocolVersion: protocolVersionOf(input.ProtocolVersion) } : noProtocolVersion(input)),
    IpAddressType: "ipv4",
  };
}

function protocolVersionOf(given: string | undefined): string {
  const version = (given ?? "HTTP1").toUpperCase();
  if (version === "HTTP1") return version;
  if (version === "HTTP2" || version === "GRPC")
    throw unsupported(`berth's load balancers speak HTTP/1.1 to their targets: protocol version '${given}' is not supported`);
  throw invalid(`Protocol version '${given}' is not valid: it must be one of 'HTTP1', 'HTTP2' or 'GRPC'`);
}

function noProtocolVersion(input: CreateTargetGroupInput): object {
  if (input.ProtocolVersion !== undefined) throw invalid("A protocol version can only be specified for HTTP and HTTPS target groups");
  return {};
}

function checkTags(tags: readonly Tag[]): void {
  const keys = new Set<string>();
  for (const t of tags) {
    if (keys.has(t.Key!)) throw new ElbRefusal("DuplicateTagKeysException", `Tag key '${t.Key}' is duplicated`);
    keys.add(t.Key!);
  }
  if (tags.length > MAX_TAGS)
    throw new ElbRefusal("TooManyTagsException", `The quota for the number of tags per resource (${MAX_TAGS}) has been reached`);
}

/**
 * The health check of a group of `protocol`: what `given` sets, else what `base` (the group's
 * current check, when modifying) had, else ELB's defaults. A check that changes between TCP and
 * HTTP(S) takes the new kind's path, matcher and timeout defaults rather than keeping the old.
 */
export function healthCheckOf(
  protocol: string,
  targetType: string,
  given: HealthCheckSettings,
  base?: HealthCheckSettings,
): HealthCheckSettings {
  const application = isApplicationProtocol(protocol);
  if ((given.HealthCheckEnabled ?? base?.HealthCheckEnabled ?? true) === false)
    throw invalid(`Health checks cannot be disabled for target groups with target type '${targetType}'`);
  const checkProtocol = given.HealthCheckProtocol ?? base?.HealthCheckProtocol ?? (application ? "HTTP" : "TCP");
  const allowed = application ? ["HTTP", "HTTPS"] : ["TCP", "HTTP", "HTTPS"];
  if (!allowed.includes(checkProtocol))
    throw invalid(`Health check protocol '${checkProtocol}' is not supported for target groups with the '${protocol}' protocol`);
  const http = checkProtocol !== "TCP";
  const kept = base && (base.HealthCheckProtocol !== "TCP") === http ? base : undefined;
  const interval = given.HealthCheckIntervalSeconds ?? base?.HealthCheckIntervalSeconds ?? 30;
  const timeout = given.HealthCheckTimeoutSeconds ?? kept?.HealthCheckTimeoutSeconds ?? defaultTimeout(application, checkProtocol);
  if (timeout >= interval) throw invalid("Health check interval must be greater than the timeout.");
  const port = given.HealthCheckPort ?? base?.HealthCheckPort ?? "traffic-port";
  if (port !== "traffic-port" && !(/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535))
    throw invalid(`Health check port '${port}' must be 'traffic-port' or a port number from 1 to 65535`);
  const check: HealthCheckSettings = {
    HealthCheckProtocol: checkProtocol,
    HealthCheckPort: port,
    HealthCheckEnabled: true,
    HealthCheckIntervalSeconds: interval,
    HealthCheckTimeoutSeconds: timeout,
    HealthyThresholdCount: given.HealthyThresholdCount ?? base?.HealthyThresholdCount ?? 5,
    UnhealthyThresholdCount: given.UnhealthyThresholdCount ?? base?.UnhealthyThresholdCount ?? 2,
  };
  if (!http) {
    if (given.HealthCheckPath !== undefined) throw invalid("A health check path can only be specified for HTTP and HTTPS health checks");
    if (given.Matcher !== undefined) throw invalid("A health check matcher can only be specified for HTTP and HTTPS health checks");
    return check;
  }
  const path = given.HealthCheckPath ?? kept?.HealthCheckPath ?? "/";
  if (!path.startsWith("/")) throw invalid(`Health check path '${path}' must begin with a '/' character`);
  return { ...check, HealthCheckPath: path, Matcher: matcherOf(given.Matcher ?? kept?.Matcher, application) };
}

/** ELB's default timeouts: 5 s for an application group; for a network one 6 s over HTTP, 10 s over TCP or HTTPS. */
function defaultTimeout(application: boolean, checkProtocol: string): number {
  if (application) return 5;
  return checkProtocol === "HTTP" ? 6 : 10;
}

/** The matcher, checked: HTTP codes only (berth serves no gRPC), within 200–499 (application) or 200–599 (network). */
function matcherOf(given: Matcher | undefined, application: boolean): Matcher {
  if (given?.GrpcCode !== undefined) throw unsupported("berth's load balancers do not serve gRPC: use a matcher of HTTP codes");
  const codes = given?.HttpCode ?? (application ? "200" : "200-399");
  const [min, max] = application ? [200, 499] : [200, 599];
  const problem = `Health check matcher HTTP code '${codes}' is not valid: give codes from ${min} to ${max}, as '200', '200,202' or '200-299'`;
  for (const part of codes.split(",")) {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(part.trim());
    if (!m) throw invalid(problem);
    const low = Number(m[1]);
    const high = Number(m[2] ?? m[1]);
    if (low < min || high > max || low > high) throw invalid(problem);
  }
  return { HttpCode: codes };
}

/** Whether two groups were made with the same settings (CreateTargetGroup of an existing name returns it only then). */
export function sameSettings(a: TargetGroupSettings, b: TargetGroupSettings): boolean {
  const { TargetGroupArn: _x, LoadBalancerArns: _y, ...left } = a as TargetGroup;
  const { TargetGroupArn: _z, LoadBalancerArns: _w, ...right } = b as TargetGroup;
  return sameJson(left, right);
}
