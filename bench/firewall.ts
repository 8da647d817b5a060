// Security groups on nftables: (c) the time to apply a rule change with 1,000 interfaces in the
// policy (render + nft -f), against applying the empty policy in the same run; (b) TCP throughput
// between two containers on a bridge the firewall judges, against the same bridge with no table.
// Run as root with Docker: node dist/bench/firewall.js [--quick]
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { Firewall } from "../src/agent/firewall/firewall.js";
import { findNft, Nft } from "../src/agent/firewall/nft.js";
import { renderPolicy } from "../src/agent/firewall/render.js";
import type { FirewallPolicy, PolicyGroup, PolicyRule } from "../src/wire/firewall.js";
import { createLogger } from "../src/log/logger.js";
import { ensureBusyboxImage } from "../test/support/images.js";
import { fmt, median } from "./stats.js";

const quick = process.argv.includes("--quick");
const run = promisify(execFile);
const docker = (...args: string[]) => run("docker", args, { maxBuffer: 1 << 20 }).then((r) => r.stdout.trim());
const log = createLogger({ level: "silent" });
const nft = new Nft(findNft() ?? "nft");

/** 1,000 interfaces in 20 groups of 60 rules each way, every group naming two others. */
function bigPolicy(bridge: string, variant: number): FirewallPolicy {
  const groups: PolicyGroup[] = Array.from({ length: 20 }, (_, g) => {
    const rules = (n: number): PolicyRule[] =>
      Array.from({ length: 60 }, (_, r) => ({
        protocol: 6,
        ports: [1000 + r + n, 1000 + r + n] as [number, number],
        cidrs: [`10.${r}.${g}.0/24`],
        groups: r < 2 ? [`sg-${(g + r + 1) % 20}`] : [],
      }));
    return { id: `sg-${g}`, ingress: rules(g === 0 ? variant : 0), egress: rules(0) };
  });
  const interfaces = Array.from({ length: 1000 }, (_, i) => ({
    id: `eni-${i}`,
    address: `10.220.${i >> 8}.${(i & 255) + 0}`,
    loopback: `127.2.${i >> 8}.${i & 255}`,
    groups: [`sg-${i % 20}`],
  }));
  const members: Record<string, string[]> = {};
  for (const i of interfaces) (members[i.groups[0]!] ??= []).push(i.address);
  return { vpcs: [{ vpcId: "vpc-bench", cidr: "10.220.0.0/16", gateway: "10.220.0.1", bridge, others: [] }], interfaces, groups, members };
}

async function ruleChange(): Promise<void> {
  const table = `berth_${randomBytes(4).toString("hex")}`;
  const opts = { table, comment: `berth agent pid ${process.pid}` };
  const rounds = quick ? 3 : 15;
  const times = async (policy: (n: number) => FirewallPolicy) => {
    const out: number[] = [];
    const render: number[] = [];
    for (let n = 0; n < rounds; n++) {
      const started = performance.now();
      const script = renderPolicy(policy(n + 1), opts);
      render.push(performance.now() - started);
      await nft.apply(script);
      out.push(performance.now() - started);
    }
    return { total: median(out), render: median(render) };
  };
  try {
    const empty = await times(() => ({ vpcs: [], interfaces: [], groups: [], members: {} }));
    const big = await times((n) => bigPolicy("bv-bench", n));
    console.log(
      `rule change, 1,000 interfaces (20 groups × 60 rules each way): ${fmt(big.total)} ms (render ${fmt(big.render)} ms); ` +
        `empty policy ${fmt(empty.total)} ms; target ≤ 1,000 ms`,
    );
  } finally {
    await nft.deleteTable(table);
  }
}

async function throughput(): Promise<void> {
  const image = await ensureBusyboxImage();
  const tag = randomBytes(3).toString("hex");
  const network = `berth-fwbench-${tag}`;
  const bridge = `bb-${tag}`;
  const [a, b] = [`fwbench-a-${tag}`, `fwbench-b-${tag}`];
  const mb = quick ? 50 : 400;
  const firewall = new Firewall({ log, nft });
  await docker(
    "network",
    "create",
    "--subnet",
    "10.219.77.0/24",
    "--gateway",
    "10.219.77.1",
    "-o",
    `com.docker.network.bridge.name=${bridge}`,
    network,
  );
  try {
    await docker("run", "-d", "--name", a, "--network", network, "--ip", "10.219.77.10", image, "sleep", "600");
    await docker("run", "-d", "--name", b, "--network", network, "--ip", "10.219.77.11", image, "sleep", "600");
    const once = async () => {
      await docker("exec", "-d", a, "sh", "-c", "nc -l -p 9000 > /dev/null");
      await new Promise((r) => setTimeout(r, 300));
      const started = performance.now();
      await docker("exec", b, "sh", "-c", `dd if=/dev/zero bs=1M count=${mb} 2>/dev/null | nc 10.219.77.10 9000`);
      return mb / ((performance.now() - started) / 1000);
    };
    const rounds = quick ? 1 : 5;
    const off: number[] = [];
    const on: number[] = [];
    await firewall.start(`fwbench-${tag}`);
    const open: PolicyRule[] = [{ protocol: 6, ports: [9000, 9000], cidrs: [], groups: ["sg-b"] }];
    const policy: FirewallPolicy = {
      vpcs: [{ vpcId: "vpc-b", cidr: "10.219.77.0/24", gateway: "10.219.77.1", bridge, others: [] }],
      interfaces: [
        { id: "eni-a", address: "10.219.77.10", groups: ["sg-a"] },
        { id: "eni-b", address: "10.219.77.11", groups: ["sg-b"] },
      ],
      groups: [
        { id: "sg-a", ingress: open, egress: [{ protocol: "all", cidrs: ["0.0.0.0/0"], groups: [] }] },
        { id: "sg-b", ingress: [], egress: [{ protocol: "all", cidrs: ["0.0.0.0/0"], groups: [] }] },
      ],
      members: { "sg-b": ["10.219.77.11"] },
    };
    // Alternating, so that a busy moment of the shared machine lands on both sides.
    for (let n = 0; n < rounds; n++) {
      await firewall.stop(false);
      off.push(await once());
      await firewall.apply(policy);
      on.push(await once());
    }
    await firewall.stop(false);
    const [mOn, mOff] = [median(on), median(off)];
    console.log(
      `TCP throughput, ${mb} MB container to container: filtered ${fmt(mOn, 0)} MB/s, unfiltered ${fmt(mOff, 0)} MB/s, ratio ${fmt(mOn / mOff, 2)} (target ≥ 0.95)`,
    );
  } finally {
    await firewall.stop(false).catch(() => undefined);
    for (const c of [a, b]) await docker("rm", "-f", c).catch(() => undefined);
    await docker("network", "rm", network).catch(() => undefined);
  }
}

await ruleChange();
await throughput();
