// A host's security-group policy as one nftables script: a single transaction that deletes the
// agent's table and makes it again, so the kernel swaps the old rules for the new at once and
// no packet ever sees a half-made table.
//
// Layout (table inet berth_<id>, base chains on forward, input and output, policy accept):
// - Only traffic on the policy's VPC bridges, or to its interfaces' loopback addresses, is
//   judged; anything else (Docker's other networks, another berth's bridges) passes untouched.
// - Stateful as EC2's tracked connections: replies, and connections allowed before a rule was
//   revoked, pass (ct state established); invalid packets are dropped.
// - A packet from an interface's address goes through the egress chain of its set of groups,
//   one to an interface's address through its ingress chain: each holds the rules of every
//   group of the set, `return` when one allows, and ends in `drop`. Interfaces with the same
//   groups (a service's tasks) share their chains; addresses reach them through verdict maps,
//   and group references through one address set per referenced group, so a thousand
//   interfaces cost map elements, not rules.
// - The load balancers' connections to targets (and their health checks) leave the data plane
//   on this machine from their interfaces' addresses (on lo) onto a VPC bridge: the output hook
//   sends a new one through the egress chain of the load balancer's groups (shared with the
//   interfaces of the same groups), then the target's ingress. Other host processes leave from
//   the VPC's gateway address and stay untouched.
// - The host reaches a task only on the task's loopback address (where Docker's proxy
//   publishes its ports): those connections are judged on input by the task's ingress chain
//   with their real source (127.x), and the proxy's own leg from the VPC gateway is let through.
// - An address of a VPC's block on its bridge that is no known interface (a task whose rules
//   have not arrived) is dropped: fail closed. IPv6 on the bridges is dropped: berth's VPCs are
//   IPv4 and groups have no IPv6 rules to judge it by.
import type { FirewallPolicy, PolicyRule } from "../../wire/firewall.js";

export interface RenderOptions {
  /** The table's name, berth_<8 hex>: one per agent. */
  table: string;
  /** The table's comment: who owns it (checked when an agent starts, see nft.ts). */
  comment: string;
  /** Destinations every interface may reach whatever its groups (the ECS credentials endpoint). */
  exempt?: readonly string[];
}

const TCP = 6;
const UDP = 17;
const ICMP = 1;

/** A set name for a group id: nft names are identifiers. */
export const memberSet = (groupId: string) => `m_${groupId.replace(/[^A-Za-z0-9_]/g, "_")}`;

const quote = (s: string) => `"${s.replace(/["\\]/g, "")}"`;

function set(name: string, type: string, elements: readonly string[], interval = false): string {
  const flags = interval ? " flags interval;" : "";
  const body = elements.length ? ` elements = { ${elements.join(", ")} }` : "";
  return `  set ${name} { type ${type};${flags}${body} }`;
}

function vmap(name: string, entries: readonly [string, string][]): string {
  const body = entries.length ? ` elements = { ${entries.map(([k, chain]) => `${k} : jump ${chain}`).join(", ")} }` : "";
  return `  map ${name} { type ipv4_addr : verdict;${body} }`;
}

/** The protocol part of a rule's match. */
function protocolMatch(rule: PolicyRule): string {
  const { protocol, ports, icmp } = rule;
  if (protocol === "all") return "";
  if ((protocol === TCP || protocol === UDP) && ports) {
    const name = protocol === TCP ? "tcp" : "udp";
    return `${name} dport ${ports[0] === ports[1] ? ports[0] : `${ports[0]}-${ports[1]}`}`;
  }
  if (protocol === ICMP && icmp) return `icmp type ${icmp.type}${icmp.code === undefined ? "" : ` icmp code ${icmp.code}`}`;
  return `meta l4proto ${protocol}`;
}

/** A rule's nft lines: one for its CIDRs, one per group it names; each returns (allows). */
export function ruleLines(rule: PolicyRule, direction: "ingress" | "egress"): string[] {
  const peer = direction === "ingress" ? "ip saddr" : "ip daddr";
  const proto = protocolMatch(rule);
  const line = (peerMatch: string) => `    ${[peerMatch, proto, "return"].filter(Boolean).join(" ")}`;
  const lines: string[] = [];
  if (rule.cidrs.includes("0.0.0.0/0")) lines.push(line(""));
  else if (rule.cidrs.length) lines.push(line(`${peer} { ${rule.cidrs.join(", ")} }`));
  for (const g of rule.groups) lines.push(line(`${peer} @${memberSet(g)}`));
  return lines;
}

export function renderPolicy(policy: FirewallPolicy, opts: RenderOptions): string {
  const groups = new Map(policy.groups.map((g) => [g.id, g]));
  // One pair of chains per distinct set of groups, in order of first appearance.
  const combos = new Map<string, number>();
  const chainOf = (groupIds: readonly string[]) => {
    const key = groupIds.join(",");
    let n = combos.get(key);
    if (n === undefined) combos.set(key, (n = combos.size));
    return n;
  };
  const ingress: [string, string][] = [];
  const egress: [string, string][] = [];
  const loopback: [string, string][] = [];
  for (const i of policy.interfaces) {
    const n = chainOf(i.groups);
    ingress.push([i.address, `in_${n}`]);
    egress.push([i.address, `out_${n}`]);
    if (i.loopback) loopback.push([i.loopback, `in_${n}`]);
  }
  const balancers = policy.loadBalancers ?? [];
  const lbEgress: [string, string][] = balancers.map((i) => [i.address, `out_${chainOf(i.groups)}`]);
  const referenced = new Set([
    ...Object.keys(policy.members),
    ...policy.groups.flatMap((g) => [...g.ingress, ...g.egress].flatMap((r) => r.groups)),
  ]);
  const known = new Set([
    ...policy.interfaces.map((i) => i.address),
    ...balancers.map((i) => i.address),
    ...policy.vpcs.flatMap((v) => [v.gateway, ...v.others]),
  ]);

  const out: string[] = [
    `add table inet ${opts.table}`,
    `delete table inet ${opts.table}`,
    `table inet ${opts.table} {`,
    `  comment ${quote(opts.comment)}`,
    set(
      "bridges",
      "ifname",
      policy.vpcs.map((v) => quote(v.bridge)),
    ),
    set(
      "vpc_cidrs",
      "ipv4_addr",
      policy.vpcs.map((v) => v.cidr),
      true,
    ),
    set("known", "ipv4_addr", [...known]),
    set(
      "gateways",
      "ipv4_addr",
      policy.vpcs.map((v) => v.gateway),
    ),
    set(
      "loopbacks",
      "ipv4_addr",
      loopback.map(([address]) => address),
    ),
    set("exempt", "ipv4_addr", opts.exempt ?? []),
    set(
      "balancers",
      "ipv4_addr",
      lbEgress.map(([address]) => address),
    ),
    vmap("ingress", ingress),
    vmap("egress", egress),
    vmap("loopback_ingress", loopback),
    vmap("balancer_egress", lbEgress),
    ...[...referenced].sort().map((g) => set(memberSet(g), "ipv4_addr", policy.members[g] ?? [])),
  ];
  for (const [key, n] of combos) {
    const ids = key ? key.split(",") : [];
    for (const [direction, prefix] of [
      ["ingress", "in"],
      ["egress", "out"],
    ] as const) {
      const lines = ids.flatMap((id) => (groups.get(id)?.[direction] ?? []).flatMap((r) => ruleLines(r, direction)));
      out.push(`  chain ${prefix}_${n} {`, ...new Set(lines), "    drop", "  }");
    }
  }
  out.push(
    "  chain forward {",
    "    type filter hook forward priority filter; policy accept;",
    "    iifname != @bridges oifname != @bridges accept",
    "    meta nfproto ipv6 drop",
    "    ct state established,related accept",
    "    ct state invalid drop",
    "    ip saddr @vpc_cidrs ip saddr != @known drop",
    "    ip daddr @vpc_cidrs ip daddr != @known drop",
    "    ip daddr @exempt accept",
    "    ip saddr vmap @egress",
    "    ip daddr vmap @ingress",
    "  }",
    // Into the host from a bridge: an interface's egress (to the host, or to the exempt endpoints).
    "  chain from_bridge {",
    "    meta nfproto ipv6 drop",
    "    ct state established,related accept",
    "    ct state invalid drop",
    "    ip saddr @vpc_cidrs ip saddr != @known drop",
    "    ip daddr @exempt accept",
    // The task endpoint's redirect has made 169.254.170.2:80 the agent's 127.0.0.1 port by now.
    "    ct status dnat ct original ip daddr @exempt accept",
    "    ip saddr vmap @egress",
    "  }",
    // The host to a task's loopback address: the task's ingress, with the client's own source.
    "  chain to_loopback {",
    "    ct state established,related accept",
    "    ct state invalid drop",
    "    ip daddr vmap @loopback_ingress",
    "  }",
    "  chain input {",
    "    type filter hook input priority filter; policy accept;",
    '    iifname "lo" ip daddr @loopbacks jump to_loopback',
    "    iifname @bridges jump from_bridge",
    "  }",
    // Out of the host onto a bridge: the proxy's leg from the gateway was judged on the loopback;
    // a load balancer's connection passes its own egress, then the target's ingress.
    "  chain to_bridge {",
    "    meta nfproto ipv6 drop",
    "    ct state established,related accept",
    "    ip saddr @gateways accept",
    "    ip saddr @balancers ip daddr @vpc_cidrs ip daddr != @known drop",
    "    ip saddr vmap @balancer_egress",
    "    ip daddr vmap @ingress",
    "  }",
    "  chain output {",
    "    type filter hook output priority filter; policy accept;",
    "    oifname @bridges jump to_bridge",
    "  }",
    "}",
  );
  return out.join("\n") + "\n";
}

/** The script that deletes the table, when there is one. */
export function renderDelete(table: string): string {
  return `add table inet ${table}\ndelete table inet ${table}\n`;
}
