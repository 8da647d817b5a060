// The security-group policy of one host, computed from EC2's stored documents: the VPCs, groups
// and rules its network interfaces need, and the addresses of the members of every group a rule
// names. It also carries the interfaces of the load balancers in those VPCs: the data plane
// connects to targets from their addresses on this machine, so the agents sharing it judge
// those connections (and health checks) by the load balancer's egress rules, as AWS does. The
// agent enforces exactly this (src/agent/firewall/); the control plane recomputes it when a
// rule, an interface or a VPC changes and sends it when it differs from the last one.
import type { SecurityGroupRule } from "@aws-sdk/client-ec2";
import type { StoredSecurityGroup, StoredVpc } from "../ec2/documents.js";
import { vpcBridgeName, vpcGateway } from "../ec2/vpc-network.js";
import { parseCidr } from "../../ipv4-cidr.js";

export interface FirewallPolicy {
  /** The VPCs the host's interfaces are in: their Docker bridge, CIDR block and the host's address on it. */
  vpcs: PolicyVpc[];
  /** The network interfaces on this host, each with its address and its groups (ids, in order). */
  interfaces: PolicyInterface[];
  /**
   * The interfaces of the load balancers in this host's VPCs that have security groups, whose
   * connections to targets are judged by those groups' egress rules. Absent (a control plane
   * from before it was sent): none.
   */
  loadBalancers?: PolicyLoadBalancerInterface[];
  /** Every group an interface of this host is in, with its rules. */
  groups: PolicyGroup[];
  /**
   * For each group a rule names as its source or destination: the addresses of every interface
   * in that group, on any host of the account and region (a rule "from sg-x" admits them all).
   */
  members: Record<string, string[]>;
}

export interface PolicyVpc {
  vpcId: string;
  cidr: string;
  /** The host's own address on the VPC's network (the VPC's base + 1). */
  gateway: string;
  /** The Linux bridge of the VPC's Docker network. */
  bridge: string;
  /**
   * The addresses of the VPC's interfaces on other hosts. Agents sharing one Docker engine share
   * its VPC bridges: traffic of another host's interfaces is that agent's to judge, while an
   * address on the bridge that is nobody's interface (a task whose rules have not arrived) is dropped.
   */
  others: string[];
}

export interface PolicyInterface {
  id: string;
  address: string;
  /** The host's 127.x address for the interface, where its ports are published. */
  loopback?: string;
  groups: string[];
}

export interface PolicyLoadBalancerInterface {
  id: string;
  address: string;
  groups: string[];
}

export interface PolicyGroup {
  id: string;
  ingress: PolicyRule[];
  egress: PolicyRule[];
}

/**
 * One permission: traffic of `protocol` (and ports, or ICMP type and code) from (ingress) or to
 * (egress) any of `cidrs` or any member of any of `groups`. EC2 stores one rule per source; the
 * policy merges those that differ only in source, so a group's rules stay few.
 */
export interface PolicyRule {
  /** An IP protocol number, or every protocol. */
  protocol: number | "all";
  /** TCP/UDP destination ports, inclusive; absent: every port. */
  ports?: [number, number];
  /** ICMP type and (absent: any) code; absent: every ICMP message. */
  icmp?: { type: number; code?: number };
  cidrs: string[];
  groups: string[];
}

/** What the policy reads of a network interface (src/state/network-interfaces.ts's records). */
export interface InterfaceOfPolicy {
  networkInterfaceId: string;
  vpcId: string;
  privateIpAddress: string;
  loopbackAddress?: string;
  securityGroupIds: readonly string[];
  hostId: string;
  /** Who owns it: a load balancer's interface is on no host, its connections leave the data plane's. Absent: a task's. */
  owner?: { kind: "task" | "load-balancer" };
}

const PROTOCOLS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmpv6: 58 };
export const TCP = 6;
export const UDP = 17;
export const ICMP = 1;

/** EC2's IpProtocol ("tcp", "-1", "47", …) as a number, or "all"; undefined for what is none. */
export function protocolNumber(ipProtocol: string | undefined): number | "all" | undefined {
  if (ipProtocol === undefined) return undefined;
  const p = ipProtocol.toLowerCase();
  if (p === "-1" || p === "all") return "all";
  if (p in PROTOCOLS) return PROTOCOLS[p];
  const n = Number(p);
  return Number.isInteger(n) && n >= 0 && n <= 255 && p !== "" ? n : undefined;
}

/** The protocol, port and ICMP part of a stored rule, or undefined when it can never match IPv4 traffic. */
function ruleMatch(rule: SecurityGroupRule): Omit<PolicyRule, "cidrs" | "groups"> | undefined {
  const protocol = protocolNumber(rule.IpProtocol);
  if (protocol === undefined) return undefined;
  const from = rule.FromPort ?? -1;
  const to = rule.ToPort ?? -1;
  if (protocol === TCP || protocol === UDP) {
    // EC2 takes -1 (or 0–65535) for every port of TCP and UDP.
    if (from < 0 || (from === 0 && to === 65535)) return { protocol };
    return { protocol, ports: [from, to < 0 ? from : to] };
  }
  // ICMP's "ports" are the type (FromPort) and code (ToPort); -1 is any.
  if (protocol === ICMP && from >= 0) return { protocol, icmp: to >= 0 ? { type: from, code: to } : { type: from } };
  return { protocol };
}

/** A group's rules of one direction as the policy carries them: merged by match, sources deduplicated. */
export function policyRules(rules: readonly SecurityGroupRule[], egress: boolean): PolicyRule[] {
  const byMatch = new Map<string, PolicyRule>();
  for (const rule of rules) {
    if (Boolean(rule.IsEgress) !== egress) continue;
    const match = ruleMatch(rule);
    const cidr = rule.CidrIpv4 && parseCidr(rule.CidrIpv4) ? rule.CidrIpv4 : undefined;
    const group = rule.ReferencedGroupInfo?.GroupId;
    // IPv6 ranges and prefix lists never match the IPv4 traffic berth's networks carry.
    if (!match || (!cidr && !group)) continue;
    const key = JSON.stringify(match);
    let merged = byMatch.get(key);
    if (!merged) byMatch.set(key, (merged = { ...match, cidrs: [], groups: [] }));
    if (cidr && !merged.cidrs.includes(cidr)) merged.cidrs.push(cidr);
    if (group && !merged.groups.includes(group)) merged.groups.push(group);
  }
  const out = [...byMatch.values()];
  for (const r of out) {
    r.cidrs.sort();
    r.groups.sort();
  }
  return out.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The policy of host `hostId`: its interfaces (of `interfaces`, every interface of the account
 * and region), their VPCs and groups, the interfaces of the load balancers in those VPCs and
 * their groups, and the members of the groups all these rules name. A group an interface names
 * that is not in `groups` allows nothing. Sorted throughout, so that equal policies serialise
 * equally and the control plane can skip sending an unchanged one.
 */
export function firewallPolicy(
  hostId: string,
  vpcs: readonly StoredVpc[],
  groups: readonly StoredSecurityGroup[],
  interfaces: readonly InterfaceOfPolicy[],
): FirewallPolicy {
  const mine = interfaces.filter((i) => i.hostId === hostId).sort((a, b) => byString(a.networkInterfaceId, b.networkInterfaceId));
  const groupById = new Map(groups.map((g) => [g.group.GroupId!, g]));
  const vpcById = new Map(vpcs.map((v) => [v.vpc.VpcId!, v]));

  const myVpcIds = [...new Set(mine.map((i) => i.vpcId))].sort(byString);
  // A load balancer without groups (a network load balancer made without any) filters nothing: AWS
  // judges its traffic by the targets' rules alone, so its interfaces are left to those.
  const loadBalancers = interfaces
    .filter((i) => i.owner?.kind === "load-balancer" && myVpcIds.includes(i.vpcId) && i.securityGroupIds.length > 0)
    .sort((a, b) => byString(a.networkInterfaceId, b.networkInterfaceId));

  const myGroupIds = [...new Set([...mine, ...loadBalancers].flatMap((i) => i.securityGroupIds))].sort(byString);
  const policyGroups: PolicyGroup[] = myGroupIds.map((id) => {
    const rules = groupById.get(id)?.rules ?? [];
    return { id, ingress: policyRules(rules, false), egress: policyRules(rules, true) };
  });

  const referenced = new Set(policyGroups.flatMap((g) => [...g.ingress, ...g.egress].flatMap((r) => r.groups)));
  const members: Record<string, string[]> = {};
  for (const id of [...referenced].sort(byString)) members[id] = [];
  for (const i of interfaces) for (const g of i.securityGroupIds) if (referenced.has(g)) members[g]!.push(i.privateIpAddress);
  for (const id of Object.keys(members)) members[id] = [...new Set(members[id])].sort(byString);

  const policyVpcs: PolicyVpc[] = myVpcIds.flatMap((vpcId) => {
    const cidr = vpcById.get(vpcId)?.vpc.CidrBlock;
    // A VPC gone (or never stored) has no network to judge on; its interfaces' addresses still get their rules.
    if (!cidr) return [];
    const others = interfaces.filter((i) => i.vpcId === vpcId && i.hostId !== hostId).map((i) => i.privateIpAddress);
    return [{ vpcId, cidr, gateway: vpcGateway(cidr), bridge: vpcBridgeName(vpcId), others: [...new Set(others)].sort(byString) }];
  });

  return {
    vpcs: policyVpcs,
    interfaces: mine.map((i) => ({
      id: i.networkInterfaceId,
      address: i.privateIpAddress,
      ...(i.loopbackAddress ? { loopback: i.loopbackAddress } : {}),
      groups: [...i.securityGroupIds],
    })),
    loadBalancers: loadBalancers.map((i) => ({ id: i.networkInterfaceId, address: i.privateIpAddress, groups: [...i.securityGroupIds] })),
    groups: policyGroups,
    members,
  };
}
