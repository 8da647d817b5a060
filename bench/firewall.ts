// Security groups on nftables: (a) task start time (RunTask → RUNNING) of awsvpc tasks on an EC2
// agent with --security-groups on, against one with it off, in the same run; (c) the time to apply a rule change with 1,000 interfaces in the
// policy (render + nft -f), against applying the empty policy in the same run; (b) TCP throughput
// between two containers on a bridge the firewall judges, against the same bridge with no table.
// Run as root with Docker: node dist/bench/firewall.js [--quick]
import { DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import { CreateClusterCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { Firewall } from "../src/agent/firewall/firewall.js";
import { findNft, Nft } from "../src/agent/firewall/nft.js";
import { renderPolicy } from "../src/agent/firewall/render.js";
import type { FirewallPolicy, PolicyGroup, PolicyRule } from "../src/wire/firewall.js";
import { createLogger } from "../src/log/logger.js";
import { vpcNetworkName } from "../src/domain/ec2/vpc-network.js";
import { subscribeTaskEvents } from "../src/services/ecs/events/client.js";
import { startAgent } from "../test/support/agent-process.js";
import { startBerth, TEST_ACCESS_KEY, TEST_SECRET_KEY } from "../test/support/berth-process.js";
import { ec2SdkClient, sdkClient } from "../test/support/clients.js";
import { ensureBusyboxImage, removeClusterContainers } from "../test/support/images.js";
import { withDefaultVpcRange } from "../test/support/vpc.js";
import { fmt, median, summary } from "./stats.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

const quick = process.argv.includes("--quick");
const run = promisify(execFile);
const docker = (...args: string[]) => run("docker", args, { maxBuffer: 1 << 20 }).then((r) => r.stdout.trim());
const log = createLogger({ level: "silent" });
const nft = new Nft(findNft() ?? "nft");
const credentials = { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY };

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

async function ruleChange(): Promise<Record<string, unknown>> {
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
    return { bigMs: big.total, renderMs: big.render, emptyMs: empty.total, rounds };
  } finally {
    await nft.deleteTable(table);
  }
}

async function throughput(): Promise<Record<string, unknown>> {
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
    return { filteredMBps: mOn, unfilteredMBps: mOff, ratio: mOn / mOff, mb, rounds };
  } finally {
    await firewall.stop(false).catch(() => undefined);
    for (const c of [a, b]) await docker("rm", "-f", c).catch(() => undefined);
    await docker("network", "rm", network).catch(() => undefined);
  }
}

/** (a) RunTask → RUNNING of an awsvpc task on an EC2 agent that enforces security groups, against one that does not. */
async function taskStart(): Promise<Record<string, unknown>> {
  const image = await ensureBusyboxImage();
  const rounds = quick ? 3 : 20;
  const clusters = { on: `fwbench-on-${process.pid}`, off: `fwbench-off-${process.pid}` } as const;
  const sides = ["on", "off"] as const;
  const dockerApi = new Docker();
  // The default VPC is one Docker network per host: the whole run holds the host-wide turn at its range.
  return withDefaultVpcRange(async () => {
    const berth = await startBerth();
    const agents = {
      on: startAgent(berth.endpoint, { args: ["--cluster", clusters.on, "--capacity", "ec2", "--security-groups", "on"] }),
      off: startAgent(berth.endpoint, { args: ["--cluster", clusters.off, "--capacity", "ec2", "--security-groups", "off"] }),
    };
    const ecs = sdkClient(berth.endpoint);
    const ec2 = ec2SdkClient(berth.endpoint);
    const subscriptions: { close(): void }[] = [];
    let network = "";
    try {
      const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "default-for-az", Values: ["true"] }] }));
      const subnet = Subnets?.find((s) => s.AvailabilityZone === "us-east-1a");
      if (!subnet?.SubnetId || !subnet.VpcId) throw new Error("no default subnet in us-east-1a");
      network = vpcNetworkName(subnet.VpcId);
      for (const side of sides) await ecs.send(new CreateClusterCommand({ clusterName: clusters[side] }));
      await Promise.all(sides.map((side) => agents[side].registered));
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "fwbench-start",
          networkMode: "awsvpc",
          requiresCompatibilities: ["EC2"],
          containerDefinitions: [{ name: "c", image, memory: 16, stopTimeout: 2, command: ["sleep", "600"] }],
        }),
      );
      // As bench/task-start.ts: berth's task event stream tells when each task is RUNNING, then STOPPED.
      const seen = new Map<string, Map<string, number>>();
      const waiting = new Map<string, { status: string; done: (at: number) => void; fail: (err: Error) => void }>();
      for (const side of sides) {
        subscriptions.push(
          await subscribeTaskEvents({ endpoint: berth.endpoint, region: "us-east-1", credentials, cluster: clusters[side] }, (e) => {
            const { taskArn: arn, lastStatus: status } = e.detail;
            const at = performance.now();
            const statuses = seen.get(arn) ?? new Map<string, number>();
            seen.set(arn, statuses);
            if (statuses.has(status)) return;
            statuses.set(status, at);
            const w = waiting.get(arn);
            if (!w) return;
            if (status === w.status) w.done(at);
            else if (status === "STOPPED") w.fail(new Error(`task stopped: ${String(e.detail.stoppedReason)}`));
          }),
        );
      }
      const reach = async (arn: string, status: string): Promise<number> => {
        const at =
          seen.get(arn)?.get(status) ??
          (await new Promise<number>((done, fail) => {
            waiting.set(arn, { status, done, fail });
          }));
        waiting.delete(arn);
        return at;
      };
      const once = async (side: (typeof sides)[number]): Promise<number> => {
        const t0 = performance.now();
        const { tasks, failures } = await ecs.send(
          new RunTaskCommand({
            cluster: clusters[side],
            taskDefinition: "fwbench-start",
            launchType: "EC2",
            networkConfiguration: { awsvpcConfiguration: { subnets: [subnet.SubnetId!] } },
          }),
        );
        const arn = tasks?.[0]?.taskArn;
        if (!arn) throw new Error(`RunTask placed nothing: ${JSON.stringify(failures)}`);
        const took = (await reach(arn, "RUNNING")) - t0;
        // One task at a time: stopped and gone before the next, so the host stays quiet.
        await ecs.send(new StopTaskCommand({ cluster: clusters[side], task: arn }));
        await reach(arn, "STOPPED");
        return took;
      };
      await once("on"); // warm-up: the VPC's network, the first policy
      await once("off");
      const times = { on: [] as number[], off: [] as number[] };
      // ABAB…: a slow moment of the shared machine lands on both sides alike.
      for (let n = 0; n < rounds; n++) for (const side of sides) times[side].push(await once(side));
      const [on, off] = [summary(times.on), summary(times.off)];
      const ratio = on.median / off.median;
      console.log(
        `task start, awsvpc on EC2, RunTask → RUNNING (${rounds} each, alternating): security groups on median ${fmt(on.median, 0)} ms ` +
          `(p90 ${fmt(on.p90, 0)}), off median ${fmt(off.median, 0)} ms (p90 ${fmt(off.p90, 0)}), ratio ${fmt(ratio, 2)} (target ≤ 1.05)`,
      );
      return { on, off, ratio };
    } finally {
      for (const s of subscriptions) s.close();
      for (const side of sides) await removeClusterContainers(clusters[side], dockerApi);
      for (const side of sides) await agents[side].kill();
      await berth.stop();
      ecs.destroy();
      ec2.destroy();
      if (network) await docker("network", "rm", network).catch(() => undefined);
    }
  });
}

const ruleChangeResult = await ruleChange();
const throughputResult = await throughput();
const taskStartResult = await taskStart();
console.log(JSON.stringify({ bench: "firewall", ruleChange: ruleChangeResult, throughput: throughputResult, taskStart: taskStartResult }));
