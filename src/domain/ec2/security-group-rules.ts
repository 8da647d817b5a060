// Security group rules as EC2 keeps them: one rule per peer (a CIDR block, a referenced group,
// a prefix list), each with a protocol normalised to what EC2 answers ("tcp", "udp", "icmp",
// "icmpv6", "-1", or the number of any other) and a port range (-1 where it does not apply;
// for ICMP the type and code). IpPermissions, the older and grouped form, are split into
// such rules on the way in and grouped back from them on the way out. Pure: the handlers
// (src/services/ec2) load and store the groups, and the firewall enforces these rules.
import type {
  IpPermission,
  ReferencedSecurityGroup,
  SecurityGroupRule,
  SecurityGroupRuleRequest,
  UserIdGroupPair,
} from "@aws-sdk/client-ec2";
import { canonicalIpv4Cidr, canonicalIpv6Cidr } from "./rule-cidrs.js";

/** Rules per group and direction, EC2's default quota ("inbound or outbound rules per security group"). */
export const MAX_RULES_PER_DIRECTION = 60;

export type RuleErrorCode =
  | "InvalidParameterValue"
  | "InvalidParameterCombination"
  | "MissingParameter"
  | "InvalidPermission.Duplicate"
  | "InvalidPermission.NotFound"
  | "RulesPerSecurityGroupLimitExceeded";

export class RuleError extends Error {
  constructor(
    readonly code: RuleErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What a rule allows, without its identity (id, group, tags): what a request asks for. */
export interface RuleSpec {
  IsEgress: boolean;
  IpProtocol: string;
  FromPort: number;
  ToPort: number;
  CidrIpv4?: string;
  CidrIpv6?: string;
  PrefixListId?: string;
  ReferencedGroupInfo?: ReferencedSecurityGroup;
  Description?: string;
}

/** Resolves a group a rule references (by GroupId, or GroupName in the group's VPC); throws when it cannot. */
export type GroupResolver = (pair: UserIdGroupPair) => ReferencedSecurityGroup;

const BY_NUMBER: Record<string, string> = { "1": "icmp", "6": "tcp", "17": "udp", "58": "icmpv6" };
const NAMED = new Set(["tcp", "udp", "icmp", "icmpv6", "-1"]);

/** The protocol as EC2 answers it; names are case-insensitive, numbers 0–255 (1, 6, 17 and 58 answer by name). */
export function normaliseProtocol(protocol: string | undefined): string {
  if (protocol === undefined || protocol === "")
    throw new RuleError("MissingParameter", "The request must contain the parameter ipProtocol");
  const lower = protocol.toLowerCase();
  if (NAMED.has(lower)) return lower;
  if (/^\d{1,3}$/.test(protocol) && Number(protocol) <= 255) return BY_NUMBER[String(Number(protocol))] ?? String(Number(protocol));
  throw new RuleError("InvalidParameterValue", `Invalid value '${protocol}' for IP protocol. Unknown protocol.`);
}

const usesPorts = (protocol: string) => protocol === "tcp" || protocol === "udp";
const usesIcmp = (protocol: string) => protocol === "icmp" || protocol === "icmpv6";

/** FromPort/ToPort as stored: a TCP/UDP range, an ICMP type and code, or -1/-1 for every other protocol. */
export function normalisePorts(
  protocol: string,
  fromPort: number | undefined,
  toPort: number | undefined,
): { FromPort: number; ToPort: number } {
  if (usesPorts(protocol)) {
    if (fromPort === undefined || toPort === undefined)
      throw new RuleError("InvalidParameterValue", "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange.");
    if (fromPort < 0 || fromPort > 65535) throw new RuleError("InvalidParameterValue", `TCP/UDP (from) port (${fromPort}) out of range`);
    if (toPort < 0 || toPort > 65535) throw new RuleError("InvalidParameterValue", `TCP/UDP (to) port (${toPort}) out of range`);
    if (fromPort > toPort)
      throw new RuleError(
        "InvalidParameterValue",
        `Invalid TCP/UDP port range: the from port (${fromPort}) must not be greater than the to port (${toPort}).`,
      );
    return { FromPort: fromPort, ToPort: toPort };
  }
  if (usesIcmp(protocol)) {
    if (fromPort === undefined || toPort === undefined)
      throw new RuleError("InvalidParameterValue", "Invalid value 'Must specify both from and to ports with ICMP.' for portRange.");
    if (fromPort < -1 || fromPort > 255) throw new RuleError("InvalidParameterValue", `ICMP type (${fromPort}) out of range`);
    if (toPort < -1 || toPort > 255) throw new RuleError("InvalidParameterValue", `ICMP code (${toPort}) out of range`);
    if (fromPort === -1 && toPort !== -1)
      throw new RuleError(
        "InvalidParameterValue",
        `ICMP code (${toPort}) requires an ICMP type; with type -1 (all types) the code must be -1.`,
      );
    return { FromPort: fromPort, ToPort: toPort };
  }
  return { FromPort: -1, ToPort: -1 };
}

export function ipv4Cidr(cidr: string): string {
  const canonical = canonicalIpv4Cidr(cidr);
  if (!canonical) throw new RuleError("InvalidParameterValue", `CIDR block ${cidr} is malformed`);
  return canonical;
}

export function ipv6Cidr(cidr: string): string {
  const canonical = canonicalIpv6Cidr(cidr);
  if (!canonical) throw new RuleError("InvalidParameterValue", `CIDR block ${cidr} is malformed`);
  return canonical;
}

const DESCRIPTION = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/;

/** A rule's description: up to 255 characters of EC2's set. */
export function ruleDescription(description: string | undefined): string | undefined {
  if (description === undefined) return undefined;
  if (description.length > 255 || !DESCRIPTION.test(description))
    throw new RuleError(
      "InvalidParameterValue",
      "Invalid rule description. Valid descriptions are strings less than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*",
    );
  return description;
}

function noPrefixLists(id: string | undefined): never {
  throw new RuleError("InvalidParameterValue", `The prefix list '${id ?? ""}' does not exist: berth has no managed prefix lists.`);
}

const MISSING_SOURCE = "Missing source specification: include source security group or CIDR information";

/** A permission's rules, one per peer; protocol, ports, CIDRs and descriptions checked. */
function specsOfPermission(permission: IpPermission, isEgress: boolean, resolve: GroupResolver): RuleSpec[] {
  const IpProtocol = normaliseProtocol(permission.IpProtocol);
  const ports = normalisePorts(IpProtocol, permission.FromPort, permission.ToPort);
  const base = { IsEgress: isEgress, IpProtocol, ...ports };
  const specs: RuleSpec[] = [];
  for (const r of permission.IpRanges ?? []) specs.push(withDescription({ ...base, CidrIpv4: ipv4Cidr(r.CidrIp ?? "") }, r.Description));
  for (const r of permission.Ipv6Ranges ?? [])
    specs.push(withDescription({ ...base, CidrIpv6: ipv6Cidr(r.CidrIpv6 ?? "") }, r.Description));
  for (const p of permission.PrefixListIds ?? []) noPrefixLists(p.PrefixListId);
  for (const pair of permission.UserIdGroupPairs ?? []) {
    if (pair.GroupId === undefined && pair.GroupName === undefined) throw new RuleError("MissingParameter", "Source group ID missing.");
    specs.push(withDescription({ ...base, ReferencedGroupInfo: resolve(pair) }, pair.Description));
  }
  if (specs.length === 0) throw new RuleError("MissingParameter", MISSING_SOURCE);
  return specs;
}

function withDescription(spec: RuleSpec, description: string | undefined): RuleSpec {
  const checked = ruleDescription(description);
  return checked === undefined ? spec : { ...spec, Description: checked };
}

/** The rules a request's IpPermissions ask for, checked; the same rule twice in one request is refused, as EC2 does. */
export function specsFromPermissions(permissions: readonly IpPermission[], isEgress: boolean, resolve: GroupResolver): RuleSpec[] {
  const specs = permissions.flatMap((p) => specsOfPermission(p, isEgress, resolve));
  checkDistinct(specs);
  return specs;
}

function checkDistinct(specs: readonly RuleSpec[]): void {
  const keys = new Set<string>();
  for (const spec of specs) {
    const key = ruleKey(spec);
    if (keys.has(key)) throw new RuleError("InvalidParameterValue", "The same permission must not appear multiple times");
    keys.add(key);
  }
}

/** ModifySecurityGroupRules' form of one rule: exactly one peer. */
export function specFromRuleRequest(request: SecurityGroupRuleRequest, isEgress: boolean, resolve: GroupResolver): RuleSpec {
  const IpProtocol = normaliseProtocol(request.IpProtocol);
  const ports = normalisePorts(IpProtocol, request.FromPort, request.ToPort);
  const peers = [request.CidrIpv4, request.CidrIpv6, request.PrefixListId, request.ReferencedGroupId].filter((p) => p !== undefined);
  if (peers.length === 0) throw new RuleError("MissingParameter", MISSING_SOURCE);
  if (peers.length > 1)
    throw new RuleError(
      "InvalidParameterCombination",
      "A security group rule has one peer: specify only one of CidrIpv4, CidrIpv6, PrefixListId and ReferencedGroupId.",
    );
  const base: RuleSpec = { IsEgress: isEgress, IpProtocol, ...ports };
  if (request.PrefixListId !== undefined) noPrefixLists(request.PrefixListId);
  const spec: RuleSpec =
    request.CidrIpv4 !== undefined
      ? { ...base, CidrIpv4: ipv4Cidr(request.CidrIpv4) }
      : request.CidrIpv6 !== undefined
        ? { ...base, CidrIpv6: ipv6Cidr(request.CidrIpv6) }
        : { ...base, ReferencedGroupInfo: resolve({ GroupId: request.ReferencedGroupId }) };
  return withDescription(spec, request.Description);
}

/** The peer a rule allows traffic from (ingress) or to (egress). */
export const peerOf = (rule: RuleSpec | SecurityGroupRule): string =>
  rule.CidrIpv4 ?? rule.CidrIpv6 ?? rule.PrefixListId ?? rule.ReferencedGroupInfo?.GroupId ?? "";

/** What makes two rules the same rule: direction, protocol, ports and peer (never the description). */
export const ruleKey = (rule: RuleSpec | SecurityGroupRule): string =>
  [rule.IsEgress ? "egress" : "ingress", rule.IpProtocol, rule.FromPort, rule.ToPort, peerOf(rule)].join("|");

/** A rule as EC2's InvalidPermission.Duplicate names it: `peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW`. */
export function ruleText(rule: RuleSpec | SecurityGroupRule): string {
  const protocol = rule.IpProtocol ?? "-1";
  const parts = [`peer: ${peerOf(rule)}`, protocol === "-1" ? "ALL" : protocol.toUpperCase()];
  if (usesPorts(protocol)) parts.push(`from port: ${rule.FromPort}`, `to port: ${rule.ToPort}`);
  if (usesIcmp(protocol)) parts.push(`type: ${rule.FromPort}`, `code: ${rule.ToPort}`);
  return [...parts, "ALLOW"].join(", ");
}

/**
 * Checks that `specs` may join `rules`: none already there (InvalidPermission.Duplicate) and
 * no direction past MAX_RULES_PER_DIRECTION. `except`: rules being replaced (their ids).
 */
export function checkAdditions(
  rules: readonly SecurityGroupRule[],
  specs: readonly RuleSpec[],
  except: ReadonlySet<string> = new Set(),
): void {
  checkDistinct(specs);
  const kept = rules.filter((r) => !except.has(r.SecurityGroupRuleId ?? ""));
  const existing = new Set(kept.map(ruleKey));
  for (const spec of specs)
    if (existing.has(ruleKey(spec)))
      throw new RuleError("InvalidPermission.Duplicate", `the specified rule "${ruleText(spec)}" already exists`);
  for (const egress of [false, true]) {
    const count = kept.filter((r) => r.IsEgress === egress).length + specs.filter((s) => s.IsEgress === egress).length;
    if (count > MAX_RULES_PER_DIRECTION)
      throw new RuleError("RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group has been reached.");
  }
}

/** The stored rules `specs` name (by direction, protocol, ports and peer), and the specs that name none. */
export function matchRules(
  rules: readonly SecurityGroupRule[],
  specs: readonly RuleSpec[],
): { matched: SecurityGroupRule[]; unmatched: RuleSpec[] } {
  const byKey = new Map(rules.map((r) => [ruleKey(r), r]));
  const matched: SecurityGroupRule[] = [];
  const unmatched: RuleSpec[] = [];
  for (const spec of specs) {
    const rule = byKey.get(ruleKey(spec));
    if (rule) matched.push(rule);
    else unmatched.push(spec);
  }
  return { matched, unmatched };
}

/** Whether EC2 answers FromPort/ToPort for the protocol (not for "-1" and the protocols without ports). */
const answersPorts = (protocol: string) => usesPorts(protocol) || usesIcmp(protocol);

/** One rule as an IpPermission of its own (RevokeSecurityGroup*'s UnknownIpPermissions). */
export function permissionOf(rule: RuleSpec | SecurityGroupRule): IpPermission {
  return permissionsOf([rule])[0]!;
}

/**
 * Rules grouped as DescribeSecurityGroups answers them: one IpPermission per protocol and
 * port range, listing its peers with their descriptions, in the order the rules were made.
 */
export function permissionsOf(rules: readonly (RuleSpec | SecurityGroupRule)[]): IpPermission[] {
  const byRange = new Map<
    string,
    Required<Pick<IpPermission, "IpRanges" | "Ipv6Ranges" | "PrefixListIds" | "UserIdGroupPairs">> & IpPermission
  >();
  for (const rule of rules) {
    const protocol = rule.IpProtocol ?? "-1";
    const key = [protocol, rule.FromPort, rule.ToPort].join("|");
    let permission = byRange.get(key);
    if (!permission) {
      permission = {
        IpProtocol: protocol,
        ...(answersPorts(protocol) ? { FromPort: rule.FromPort, ToPort: rule.ToPort } : {}),
        UserIdGroupPairs: [],
        IpRanges: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
      };
      byRange.set(key, permission);
    }
    const description = rule.Description === undefined ? {} : { Description: rule.Description };
    if (rule.CidrIpv4 !== undefined) permission.IpRanges.push({ CidrIp: rule.CidrIpv4, ...description });
    else if (rule.CidrIpv6 !== undefined) permission.Ipv6Ranges.push({ CidrIpv6: rule.CidrIpv6, ...description });
    else if (rule.PrefixListId !== undefined) permission.PrefixListIds.push({ PrefixListId: rule.PrefixListId, ...description });
    else if (rule.ReferencedGroupInfo)
      permission.UserIdGroupPairs.push({
        GroupId: rule.ReferencedGroupInfo.GroupId,
        UserId: rule.ReferencedGroupInfo.UserId,
        ...description,
      });
  }
  return [...byRange.values()];
}

/** A stored rule with `spec`'s content in place of its own, keeping its id, group and tags. */
export function ruleWith(rule: SecurityGroupRule, spec: RuleSpec): SecurityGroupRule {
  const { CidrIpv4: _a, CidrIpv6: _b, PrefixListId: _c, ReferencedGroupInfo: _d, Description: _e, ...identity } = rule;
  return { ...identity, ...spec };
}
