// The nft script of a policy: one transaction that replaces the agent's table, with chains
// shared by interfaces of the same groups, verdict maps by address and a set per referenced
// group; and nft itself accepts it (check mode, which changes nothing but needs root).
import assert from "node:assert/strict";
import { test } from "node:test";
import { findNft, Nft } from "../../src/agent/firewall/nft.js";
import { memberSet, renderPolicy, ruleLines } from "../../src/agent/firewall/render.js";
import type { FirewallPolicy } from "../../src/wire/firewall.js";

const policy: FirewallPolicy = {
  vpcs: [{ vpcId: "vpc-1", cidr: "10.9.0.0/16", gateway: "10.9.0.1", bridge: "bv-1", others: ["10.9.3.3"] }],
  interfaces: [
    { id: "eni-a", address: "10.9.0.4", loopback: "127.1.0.2", groups: ["sg-web"] },
    { id: "eni-b", address: "10.9.0.5", groups: ["sg-web"] },
    { id: "eni-c", address: "10.9.0.6", groups: ["sg-db", "sg-web"] },
  ],
  groups: [
    {
      id: "sg-web",
      ingress: [{ protocol: 6, ports: [80, 81], cidrs: ["0.0.0.0/0"], groups: [] }],
      egress: [{ protocol: "all", cidrs: ["0.0.0.0/0"], groups: [] }],
    },
    {
      id: "sg-db",
      ingress: [
        { protocol: 6, ports: [5432, 5432], cidrs: ["10.0.0.0/8", "192.168.1.1/32"], groups: ["sg-web"] },
        { protocol: 1, icmp: { type: 8 }, cidrs: ["0.0.0.0/0"], groups: [] },
      ],
      egress: [],
    },
  ],
  members: { "sg-web": ["10.9.0.4", "10.9.0.5", "10.9.0.6"] },
};

const options = { table: "berth_0123abcd", comment: "berth agent pid 1", exempt: ["169.254.170.2"] };

test("rule lines: protocol, ports or ICMP type, CIDRs as one set, one line per referenced group", () => {
  assert.deepEqual(ruleLines({ protocol: 6, ports: [80, 80], cidrs: ["0.0.0.0/0"], groups: [] }, "ingress"), ["    tcp dport 80 return"]);
  assert.deepEqual(ruleLines({ protocol: 17, ports: [1, 9], cidrs: ["10.0.0.0/8", "1.1.1.1/32"], groups: ["sg-x"] }, "egress"), [
    "    ip daddr { 10.0.0.0/8, 1.1.1.1/32 } udp dport 1-9 return",
    `    ip daddr @${memberSet("sg-x")} udp dport 1-9 return`,
  ]);
  assert.deepEqual(ruleLines({ protocol: 1, icmp: { type: 3, code: 4 }, cidrs: ["0.0.0.0/0"], groups: [] }, "ingress"), [
    "    icmp type 3 icmp code 4 return",
  ]);
  assert.deepEqual(ruleLines({ protocol: 47, cidrs: [], groups: ["sg-y"] }, "ingress"), ["    ip saddr @m_sg_y meta l4proto 47 return"]);
  assert.deepEqual(ruleLines({ protocol: "all", cidrs: [], groups: [] }, "ingress"), [], "no source: nothing allowed");
});

test("the script replaces the table in one transaction, sharing chains between interfaces of the same groups", () => {
  const script = renderPolicy(policy, options);
  const lines = script.split("\n");
  assert.deepEqual(lines.slice(0, 3), ["add table inet berth_0123abcd", "delete table inet berth_0123abcd", "table inet berth_0123abcd {"]);
  assert.match(script, /comment "berth agent pid 1"/);
  assert.match(
    script,
    /map ingress \{ type ipv4_addr : verdict; elements = \{ 10\.9\.0\.4 : jump in_0, 10\.9\.0\.5 : jump in_0, 10\.9\.0\.6 : jump in_1 \} \}/,
  );
  assert.match(
    script,
    /map egress \{ type ipv4_addr : verdict; elements = \{ 10\.9\.0\.4 : jump out_0, 10\.9\.0\.5 : jump out_0, 10\.9\.0\.6 : jump out_1 \} \}/,
  );
  assert.match(script, /map loopback_ingress \{ type ipv4_addr : verdict; elements = \{ 127\.1\.0\.2 : jump in_0 \} \}/);
  assert.match(script, /set known \{ type ipv4_addr; elements = \{ 10\.9\.0\.4, 10\.9\.0\.5, 10\.9\.0\.6, 10\.9\.0\.1, 10\.9\.3\.3 \} \}/);
  assert.match(script, /set m_sg_web \{ type ipv4_addr; elements = \{ 10\.9\.0\.4, 10\.9\.0\.5, 10\.9\.0\.6 \} \}/);
  const chain = (name: string) => {
    const start = lines.indexOf(`  chain ${name} {`);
    return lines.slice(start + 1, lines.indexOf("  }", start)).map((l) => l.trim());
  };
  assert.deepEqual(chain("in_0"), ["tcp dport 80-81 return", "drop"]);
  assert.deepEqual(chain("in_1"), [
    "ip saddr { 10.0.0.0/8, 192.168.1.1/32 } tcp dport 5432 return",
    "ip saddr @m_sg_web tcp dport 5432 return",
    "icmp type 8 return",
    "tcp dport 80-81 return",
    "drop",
  ]);
  assert.deepEqual(chain("out_1"), ["return", "drop"], "sg-db has no egress rule; sg-web's allows all");
  assert.equal(script.match(/chain /g)?.length, 4 + 6, "two pairs of group chains and the six of the layout");
  assert.match(script, /iifname != @bridges oifname != @bridges accept/);
});

test("a load balancer's connections from its interfaces pass its groups' egress chain, shared with tasks of the same groups", () => {
  const withBalancers: FirewallPolicy = {
    ...policy,
    loadBalancers: [
      { id: "eni-lb1", address: "10.9.0.200", groups: ["sg-web"] },
      { id: "eni-lb2", address: "10.9.1.200", groups: ["sg-lb"] },
    ],
    groups: [...policy.groups, { id: "sg-lb", ingress: [], egress: [{ protocol: 6, ports: [80, 80], cidrs: [], groups: ["sg-web"] }] }],
  };
  const script = renderPolicy(withBalancers, options);
  const lines = script.split("\n");
  assert.match(
    script,
    /map balancer_egress \{ type ipv4_addr : verdict; elements = \{ 10\.9\.0\.200 : jump out_0, 10\.9\.1\.200 : jump out_2 \} \}/,
  );
  assert.match(script, /set balancers \{ type ipv4_addr; elements = \{ 10\.9\.0\.200, 10\.9\.1\.200 \} \}/);
  assert.match(script, /set known \{ type ipv4_addr; elements = \{ [^}]*10\.9\.0\.200, 10\.9\.1\.200[^}]* \} \}/);
  const chain = (name: string) => {
    const start = lines.indexOf(`  chain ${name} {`);
    return lines.slice(start + 1, lines.indexOf("  }", start)).map((l) => l.trim());
  };
  assert.deepEqual(chain("out_2"), ["ip daddr @m_sg_web tcp dport 80 return", "drop"]);
  assert.equal(script.match(/chain /g)?.length, 6 + 6, "sg-web's chains serve the first load balancer; sg-lb gets a pair");
  // Judged on output, after the gateway's own traffic passes and before the target's ingress.
  assert.deepEqual(chain("to_bridge"), [
    "meta nfproto ipv6 drop",
    "ct state established,related accept",
    "ip saddr @gateways accept",
    "ip saddr @balancers ip daddr @vpc_cidrs ip daddr != @known drop",
    "ip saddr vmap @balancer_egress",
    "ip daddr vmap @ingress",
  ]);
  // Without load balancers the maps are empty, and a policy of an older control plane (no field) renders alike.
  const { loadBalancers: _, ...old } = withBalancers;
  assert.match(renderPolicy(old, options), /map balancer_egress \{ type ipv4_addr : verdict; \}/);
});

test("nft accepts the script (check mode)", { skip: !findNft() && "no nft on this host" }, async () => {
  const nft = new Nft(findNft()!);
  await nft.check(renderPolicy(policy, options));
  await nft.check(renderPolicy({ ...policy, loadBalancers: [{ id: "eni-lb", address: "10.9.0.200", groups: ["sg-db"] }] }, options));
  await nft.check(renderPolicy({ vpcs: [], interfaces: [], groups: [], members: {} }, options));
});
