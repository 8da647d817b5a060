// Security groups enforced for real: the agent's Firewall on this host's nftables, judging real
// connections between busybox containers on a Docker bridge made for the test (its own pool and
// bridge name), and from the host to a port published on a loopback address. No control plane:
// the policies are written here. Every container, network and table made here is removed.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { Firewall, firewallTable } from "../../src/agent/firewall/firewall.js";
import { findNft, Nft } from "../../src/agent/firewall/nft.js";
import type { FirewallPolicy, PolicyGroup, PolicyRule } from "../../src/wire/firewall.js";
import { ensureBusyboxImage } from "../support/images.js";
import { silentLog } from "../support/log.js";
import { waitFor } from "../support/wait.js";

const run = promisify(execFile);
const docker = (...args: string[]) => run("docker", args).then((r) => r.stdout.trim());

const R = randomInt(2, 250);
const TAG = randomBytes(3).toString("hex");
const NETWORK = `berth-fwtest-${TAG}`;
const BRIDGE = `bt-${TAG}`;
const CIDR = `10.213.${R}.0/24`;
const GATEWAY = `10.213.${R}.1`;
const ip = (host: number) => `10.213.${R}.${host}`;
const A = { name: `fwtest-a-${TAG}`, address: ip(10), loopback: `127.213.${R}.10` };
const B = { name: `fwtest-b-${TAG}`, address: ip(11) };
const C = { name: `fwtest-c-${TAG}`, address: ip(12) };
/** On the bridge, but no interface of any policy: a task whose rules have not arrived. */
const D = { name: `fwtest-d-${TAG}`, address: ip(13) };
/** A load balancer's interface address, on lo as the data plane puts it (with a label of this test's). */
const LB = { address: ip(200), label: `lo:fw${TAG}` };

const nft = new Nft(findNft() ?? "nft");
const ARN = `arn:aws:ecs:us-east-1:000000000000:container-instance/default/fwtest${TAG}`;
const firewall = new Firewall({ log: silentLog, nft });

const tcp = (port: number, from: Partial<PolicyRule>): PolicyRule => ({ protocol: 6, ports: [port, port], cidrs: [], groups: [], ...from });
const all = (from: Partial<PolicyRule>): PolicyRule => ({ protocol: "all", cidrs: [], groups: [], ...from });
const ALL_EGRESS = [all({ cidrs: ["0.0.0.0/0"] })];

/** A policy for A (sg-a), B (sg-b) and C (sg-c) unless `groupsOf` says otherwise, and the load balancer LB (sg-lb) when `groupsOf.lb` names its groups. */
function policy(groups: PolicyGroup[], groupsOf: Record<string, string[]> = {}): FirewallPolicy {
  const balancers = groupsOf.lb ? [{ id: "eni-lb", address: LB.address, groups: groupsOf.lb }] : [];
  const ifaces = [
    { id: "eni-a", address: A.address, loopback: A.loopback, groups: groupsOf.a ?? ["sg-a"] },
    { id: "eni-b", address: B.address, groups: groupsOf.b ?? ["sg-b"] },
    { id: "eni-c", address: C.address, groups: groupsOf.c ?? ["sg-c"] },
  ];
  const members: Record<string, string[]> = {};
  for (const g of groups)
    for (const r of [...g.ingress, ...g.egress])
      for (const ref of r.groups) members[ref] = [...ifaces, ...balancers].filter((i) => i.groups.includes(ref)).map((i) => i.address);
  const named = new Set([...ifaces, ...balancers].flatMap((i) => i.groups));
  const withDefaults = [...named].map((id) => groups.find((g) => g.id === id) ?? { id, ingress: [], egress: ALL_EGRESS });
  return {
    vpcs: [{ vpcId: "vpc-test", cidr: CIDR, gateway: GATEWAY, bridge: BRIDGE, others: [] }],
    interfaces: ifaces,
    loadBalancers: balancers,
    groups: withDefaults,
    members,
  };
}

/** Whether `from` gets A's web page within a second (a dropped SYN times out). */
async function reaches(from: { name: string }, to: { address: string }, port = 80): Promise<boolean> {
  try {
    const out = await docker("exec", from.name, "sh", "-c", `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 1 ${to.address} ${port}`);
    return out.includes("200 OK");
  } catch {
    return false;
  }
}

/** Whether the host gets `to`'s web page from `source` (LB's address, as HAProxy connects; default: the host's own on the bridge). */
async function hostGets(to: { address: string }, source?: string, port = 80): Promise<boolean> {
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    const socket = connect({ host: to.address, port, timeout: 1000, ...(source ? { localAddress: source } : {}) });
    let data = "";
    socket.on("connect", () => socket.write("GET / HTTP/1.0\r\n\r\n"));
    socket.on("data", (d) => (data += d.toString()));
    socket.on("end", () => resolve(data.includes("200 OK")));
    socket.on("timeout", () => {
      socket.destroy();
      resolve(false);
    });
    socket.on("error", () => resolve(false));
  });
}

const web = "mkdir -p /www && echo ok > /www/index.html && httpd -f -p 80 -h /www";

before(async () => {
  const image = await ensureBusyboxImage();
  await docker("network", "create", "--subnet", CIDR, "--gateway", GATEWAY, "-o", `com.docker.network.bridge.name=${BRIDGE}`, NETWORK);
  const start = (c: { name: string; address: string }, ...extra: string[]) =>
    docker("run", "-d", "--name", c.name, "--network", NETWORK, "--ip", c.address, ...extra, image, "sh", "-c", web);
  await start(A, "-p", `${A.loopback}:80:80`);
  await Promise.all([start(B), start(C), start(D)]);
  await run("ip", ["addr", "add", `${LB.address}/32`, "dev", "lo", "label", LB.label]);
  await firewall.start(ARN);
  // Before any rule: the containers reach each other (what the firewall takes away is its own doing).
  await waitFor(() => reaches(B, A), { message: "B reaches A without a firewall" });
  await waitFor(() => hostGets(A, LB.address), { message: "the load balancer's address reaches A without a firewall" });
});

after(async () => {
  await firewall.stop(false).catch(() => undefined);
  for (const c of [A, B, C, D]) await docker("rm", "-f", c.name).catch(() => undefined);
  await docker("network", "rm", NETWORK).catch(() => undefined);
  await run("ip", ["addr", "del", `${LB.address}/32`, "dev", "lo"]).catch(() => undefined);
});

describe("security groups on nftables, with Docker", { concurrency: false }, () => {
  test("nothing reaches a task that no ingress rule admits", async () => {
    await firewall.apply(policy([]));
    assert.equal(await reaches(B, A), false);
    assert.equal(await reaches(C, A), false);
  });

  test("B reaches A once a rule names B's group, and no longer once it is revoked; C never", async () => {
    const allowB = { id: "sg-a", ingress: [tcp(80, { groups: ["sg-b"] })], egress: ALL_EGRESS };
    await firewall.apply(policy([allowB]));
    assert.equal(await reaches(B, A), true);
    assert.equal(await reaches(C, A), false, "C is not in sg-b");
    await firewall.apply(policy([]));
    assert.equal(await reaches(B, A), false);
  });

  test("a CIDR rule admits its addresses only", async () => {
    await firewall.apply(policy([{ id: "sg-a", ingress: [tcp(80, { cidrs: [`${B.address}/32`] })], egress: ALL_EGRESS }]));
    assert.equal(await reaches(B, A), true);
    assert.equal(await reaches(C, A), false);
    await firewall.apply(policy([{ id: "sg-a", ingress: [tcp(81, { cidrs: ["0.0.0.0/0"] })], egress: ALL_EGRESS }]));
    assert.equal(await reaches(B, A), false, "another port");
  });

  test("egress: a group without egress rules sends nothing, whatever the other end admits", async () => {
    const open = { id: "sg-a", ingress: [all({ cidrs: ["0.0.0.0/0"] })], egress: ALL_EGRESS };
    await firewall.apply(policy([open, { id: "sg-b", ingress: [], egress: [] }]));
    assert.equal(await reaches(B, A), false);
    assert.equal(await reaches(C, A), true);
  });

  test("the default group's self rule: its members reach each other, others do not", async () => {
    const dflt = { id: "sg-default", ingress: [all({ groups: ["sg-default"] })], egress: ALL_EGRESS };
    await firewall.apply(policy([dflt], { a: ["sg-default"], b: ["sg-default"] }));
    assert.equal(await reaches(B, A), true);
    assert.equal(await reaches(A, B), true);
    assert.equal(await reaches(C, A), false);
  });

  test("an address on the bridge that is no interface of the policy is cut off both ways (fail closed)", async () => {
    const open = { id: "sg-a", ingress: [all({ cidrs: ["0.0.0.0/0"] })], egress: ALL_EGRESS };
    await firewall.apply(policy([open]));
    assert.equal(await reaches(D, A), false);
    assert.equal(await reaches(B, D), false);
    assert.equal(await reaches(B, A), true);
  });

  test("a connection allowed before a rule is revoked keeps flowing; a new one is refused", async () => {
    await firewall.apply(policy([{ id: "sg-a", ingress: [tcp(9000, { groups: ["sg-b"] })], egress: ALL_EGRESS }]));
    await docker("exec", "-d", A.name, "sh", "-c", "sleep 600 | nc -l -p 9000 > /received");
    await waitFor(async () => (await docker("exec", A.name, "netstat", "-ltn")).includes(":9000 "), { message: "A listens on 9000" });
    await docker("exec", "-d", B.name, "sh", "-c", `while true; do echo tick; sleep 0.1; done | nc ${A.address} 9000`);
    const lines = async () => Number((await docker("exec", A.name, "sh", "-c", "cat /received 2>/dev/null | wc -l")) || 0);
    await waitFor(lines, { message: "ticks arrive" });
    await firewall.apply(policy([]));
    const atRevoke = await lines();
    await waitFor(lines, { until: (n) => n > atRevoke + 5, message: "ticks keep arriving after the revoke" });
    assert.equal(await reaches(B, A, 9000), false);
  });

  test("the host reaches a published port on the task's loopback address only when its ingress allows it", async () => {
    await firewall.apply(policy([]));
    assert.equal(await hostGets({ address: A.loopback }), false);
    await firewall.apply(policy([{ id: "sg-a", ingress: [tcp(80, { groups: ["sg-b"] })], egress: ALL_EGRESS }]));
    assert.equal(await hostGets({ address: A.loopback }), false, "a group rule does not admit the host");
    await firewall.apply(policy([{ id: "sg-a", ingress: [tcp(80, { cidrs: ["127.0.0.0/8"] })], egress: ALL_EGRESS }]));
    assert.equal(await hostGets({ address: A.loopback }), true);
    await firewall.apply(policy([{ id: "sg-a", ingress: [tcp(80, { cidrs: ["0.0.0.0/0"] })], egress: ALL_EGRESS }]));
    assert.equal(await hostGets({ address: A.loopback }), true);
  });

  test("a load balancer's connections pass its groups' egress, then the target's ingress; the host's own do not", async () => {
    const admitsLb = { id: "sg-a", ingress: [tcp(80, { groups: ["sg-lb"] })], egress: ALL_EGRESS };
    const lb = (egress: PolicyRule[]) => ({ id: "sg-lb", ingress: [], egress });
    await firewall.apply(policy([admitsLb, lb(ALL_EGRESS)], { lb: ["sg-lb"] }));
    assert.equal(await hostGets(A, LB.address), true);
    assert.equal(await hostGets(D, LB.address), false, "an address that is no interface: fail closed");
    await firewall.apply(policy([admitsLb, lb([])], { lb: ["sg-lb"] }));
    assert.equal(await hostGets(A, LB.address), false, "its egress revoked");
    assert.equal(await hostGets(A), true, "the host's own connection (from the gateway) is not the load balancer's");
    await firewall.apply(policy([admitsLb, lb([tcp(81, { groups: ["sg-a"] })])], { lb: ["sg-lb"] }));
    assert.equal(await hostGets(A, LB.address), false, "egress to another port");
    await firewall.apply(policy([admitsLb, lb([tcp(80, { cidrs: [`${B.address}/32`] })])], { lb: ["sg-lb"] }));
    assert.equal(await hostGets(A, LB.address), false, "egress to another address");
    await firewall.apply(policy([admitsLb, lb([tcp(80, { groups: ["sg-a"] })])], { lb: ["sg-lb"] }));
    assert.equal(await hostGets(A, LB.address), true, "egress to the target's group on its port");
    await firewall.apply(policy([{ ...admitsLb, ingress: [] }, lb(ALL_EGRESS)], { lb: ["sg-lb"] }));
    assert.equal(await hostGets(A, LB.address), false, "the target's ingress still judges");
  });

  test("the table is replaced whole, beside another agent's, and stop() removes only its own", async () => {
    const table = firewallTable(ARN);
    await firewall.apply(policy([{ id: "sg-a", ingress: [tcp(80, { groups: ["sg-b"] })], egress: ALL_EGRESS }]));
    await firewall.apply(policy([{ id: "sg-a", ingress: [tcp(80, { groups: ["sg-b", "sg-c"] })], egress: ALL_EGRESS }]));
    const listing = await nft.run(["list", "table", "inet", table]);
    assert.equal(listing.match(/chain forward \{/g)?.length, 1);
    assert.equal(listing.match(/chain in_0 \{/g)?.length, 1);
    assert.match(listing, new RegExp(`comment "berth agent pid ${process.pid}"`));

    // Another agent on the host, with its own (empty) VPC: it judges none of this bridge's traffic.
    const otherArn = `${ARN}-other`;
    const other = new Firewall({ log: silentLog, nft });
    await other.start(otherArn);
    await other.apply({
      vpcs: [{ vpcId: "vpc-other", cidr: "10.214.0.0/24", gateway: "10.214.0.1", bridge: `bo-${TAG}`, others: [] }],
      interfaces: [],
      groups: [],
      members: {},
    });
    try {
      assert.equal(await reaches(B, A), true);
      assert.equal(await reaches(C, A), true);
      await other.stop(false);
      const tables = await nft.inetTables();
      assert.ok(tables.includes(table), "this agent's table stays");
      assert.ok(!tables.includes(firewallTable(otherArn)), "the other's is gone");
    } finally {
      await other.stop(false).catch(() => undefined);
    }
  });

  test("an agent starting removes the tables of dead agents, never a live one's nor its own", async () => {
    // A process that has ended: its pid is free.
    const dead = await new Promise<number>((resolve) => {
      const child = execFile("true");
      child.on("exit", () => resolve(child.pid!));
    });
    const deadTable = firewallTable(`${ARN}-dead`);
    const liveTable = firewallTable(`${ARN}-live`);
    await nft.apply(
      `table inet ${deadTable} { comment "berth agent pid ${dead}"; }\ntable inet ${liveTable} { comment "berth agent pid ${process.pid}"; }\n`,
    );
    try {
      // The agent of the dead table, started again (a new process): its rules stay in force.
      const restarted = new Firewall({ log: silentLog, nft });
      await restarted.start(`${ARN}-dead`);
      const tables = await nft.inetTables();
      assert.ok(tables.includes(deadTable), "a restarted agent keeps its own table until its first policy");
      assert.ok(tables.includes(liveTable));
      assert.ok(tables.includes(firewallTable(ARN)));
      const third = new Firewall({ log: silentLog, nft });
      await third.start(`${ARN}-third`);
      assert.ok(!(await nft.inetTables()).includes(deadTable), "another agent removes a dead agent's table");
    } finally {
      for (const t of [deadTable, liveTable]) await nft.deleteTable(t);
    }
  });
});
