// Load balancers on HAProxy: (a) requests/s and p50/p99 latency through an application load
// balancer against the same client hitting the target directly, same run, keep-alive, small
// responses, alternating rounds, the target in a process of its own; beside them the same
// engine's TCP pass-through (a network load balancer's listener), which does no HTTP work:
// what a proxy hop costs by itself on this machine, so the ALB's own HTTP work can be told from
// it; and the CPU each request costs the target and HAProxy. The client is wrk (Debian's), not
// Node: a lighter client leaves the cores to what is measured. (b) the time from registering a
// target to its first request (health check interval 1 s, healthy threshold 2: the target is
// ≤ 2 × 1 s + 1 s); (c) targets registered per second with 1,000 of them: through the ELBv2
// API (RegisterTargets, in-process control plane, 10 calls of 100) and into a running HAProxy
// (one apply adding 1,000 servers through its runtime API, no reload).
// Run as root: node dist/bench/lb.js [--quick]
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { Agent, createServer, request, type Server } from "node:http";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DataPlaneConfig, PlaneTarget } from "../src/domain/elbv2/data-plane.js";
import { HaproxyEngine } from "../src/dataplane/haproxy/engine.js";
import { createLogger } from "../src/log/logger.js";
import { CreateTargetGroupCommand, RegisterTargetsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { httpLoadBalancer, targetGroup } from "../test/dataplane/support.js";
import { inProcessBerth } from "../test/support/in-process.js";
import { processCpuMs } from "./process-cpu.js";
import { fmt, median } from "./stats.js";

const quick = process.argv.includes("--quick");
const log = createLogger({ level: "silent" });
const base = `127.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}`;
const [lbAddress, source, nlbAddress, nlbSource] = [`${base}.1`, `${base}.2`, `${base}.3`, `${base}.4`];

/** An ALB (HTTP listener on 8000, group "g") and, with `nlb`, an NLB (TCP listener on 8000, group "t"), both to `targets`. */
function config(targets: PlaneTarget[], nlb = false): DataPlaneConfig {
  const listener = (protocol: "HTTP" | "TCP", group: string) => [
    {
      id: "l",
      port: 8000,
      protocol,
      rules: [
        { priority: "default" as const, conditions: [], action: { type: "forward" as const, targetGroups: [{ id: group, weight: 1 }] } },
      ],
    },
  ];
  const alb = httpLoadBalancer("bench", lbAddress, source, listener("HTTP", "g"));
  const networkLb = { ...httpLoadBalancer("benchnlb", nlbAddress, nlbSource, listener("TCP", "t")), type: "network" as const };
  return {
    loadBalancers: [alb, ...(nlb ? [networkLb] : [])],
    targetGroups: [
      targetGroup("g", targets, { deregistrationDelaySeconds: 0 }),
      ...(nlb ? [targetGroup("t", targets, { protocol: "TCP", deregistrationDelaySeconds: 0 })] : []),
    ],
  };
}

/** The measured target, in a process of its own: the client does not share its thread with it. */
async function remoteTarget(address: string): Promise<ChildProcess> {
  const script = `require("node:http").createServer((q, s) => s.writeHead(200, { "content-type": "text/plain", "content-length": "3" }).end("ok\\n")).listen(8080, "${address}", () => console.log("ready"))`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((resolve) => child.stdout.once("data", resolve));
  return child;
}

async function target(address: string, onRequest: () => void = () => undefined): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== "/health") onRequest();
    res.writeHead(200, { "content-type": "text/plain", "content-length": "3" }).end("ok\n");
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(8080, address, resolve));
  return server;
}

interface Round {
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

/** wrk's keep-alive load on `url` for `ms` with `connections` connections on one thread. */
function load(url: string, ms: number, connections = 8): Round {
  const out = execFileSync("wrk", ["-t1", `-c${connections}`, `-d${Math.max(1, Math.round(ms / 1000))}s`, "--latency", url], {
    encoding: "utf8",
  });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const quantile = (q: string) => toMs(new RegExp(`^\\s+${q}%\\s+(\\S+)`, "m").exec(out)?.[1]);
  const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(out);
  if (!Number.isFinite(rps) || errors) throw new Error(`wrk on ${url}: ${out}`);
  return { rps, p50Ms: quantile("50"), p99Ms: quantile("99") };
}

/** wrk's "812.00us", "1.20ms" or "2.01s" in ms. */
function toMs(text: string | undefined): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text ?? "");
  if (!m) throw new Error(`not a wrk latency: ${text}`);
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2] as "us" | "ms" | "s"];
}

/** The pids of HAProxy's workers (the master's children). */
function haproxyWorkers(dir: string): number[] {
  const master = readFileSync(join(dir, "haproxy.pid"), "utf8").trim().split("\n")[0]!;
  return execFileSync("pgrep", ["-P", master], { encoding: "utf8" }).trim().split("\n").map(Number);
}

/** Runs `measure` and returns its result with the CPU ms `pids` used meanwhile. */
function withCpu<T>(pids: number[], measure: () => T): { result: T; cpuMs: number } {
  const before = pids.reduce((sum, pid) => sum + processCpuMs(pid), 0);
  const result = measure();
  return { result, cpuMs: pids.reduce((sum, pid) => sum + processCpuMs(pid), 0) - before };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "berth-bench-lb-"));
  const engine = new HaproxyEngine({ dir, log, pollMs: 100 });
  const measured = await remoteTarget(`${base}.10`);
  const servers: Server[] = [];
  try {
    await engine.apply(config([{ id: `${base}.10`, address: `${base}.10`, port: 8080, registeredAt: 0 }], true));
    const healthy = (group: string) => engine.observations().get(`${group}/${base}.10:8080`)?.status === "healthy";
    while (!healthy("g") || !healthy("t")) await new Promise((r) => setTimeout(r, 50));

    const rounds = quick ? 1 : 3;
    const ms = quick ? 1_000 : 5_000;
    const urls = { direct: `http://${base}.10:8080/`, alb: `http://${lbAddress}:8000/`, passThrough: `http://${nlbAddress}:8000/` };
    const runs = { direct: [] as Round[], alb: [] as Round[], passThrough: [] as Round[] };
    const cpu = { target: [] as number[], albHaproxy: [] as number[], albTarget: [] as number[] };
    const workers = haproxyWorkers(dir);
    for (const url of Object.values(urls)) load(url, 1_000); // warm-up
    for (let i = 0; i < rounds; i++) {
      const direct = withCpu([measured.pid!], () => load(urls.direct, ms));
      runs.direct.push(direct.result);
      cpu.target.push((direct.cpuMs * 1000) / (direct.result.rps * (ms / 1000)));
      const alb = withCpu(workers, () => withCpu([measured.pid!], () => load(urls.alb, ms)));
      runs.alb.push(alb.result.result);
      cpu.albHaproxy.push((alb.cpuMs * 1000) / (alb.result.result.rps * (ms / 1000)));
      cpu.albTarget.push((alb.result.cpuMs * 1000) / (alb.result.result.rps * (ms / 1000)));
      runs.passThrough.push(load(urls.passThrough, ms));
    }
    const rps = (r: Round[]) => median(r.map((x) => x.rps));
    const p50 = (r: Round[]) => median(r.map((x) => x.p50Ms));
    const p99 = (r: Round[]) => median(r.map((x) => x.p99Ms));
    const line = (name: string, r: Round[]) =>
      console.log(`${name.padEnd(22)}${fmt(rps(r), 0)} req/s  p50 ${fmt(p50(r), 3)} ms  p99 ${fmt(p99(r), 3)} ms`);
    line("direct", runs.direct);
    line("through the ALB", runs.alb);
    line("TCP pass-through", runs.passThrough);
    const ratio = rps(runs.alb) / rps(runs.direct);
    console.log(`ratio ${fmt(ratio, 2)} (target ≥ 0.8); added p50 ${fmt(p50(runs.alb) - p50(runs.direct), 3)} ms (target ≤ 0.3)`);
    console.log(
      `pass-through / direct ${fmt(rps(runs.passThrough) / rps(runs.direct), 2)}; ALB / pass-through ${fmt(rps(runs.alb) / rps(runs.passThrough), 2)}`,
    );
    console.log(
      `CPU per request: target ${fmt(median(cpu.target), 1)} µs direct, ${fmt(median(cpu.albTarget), 1)} µs through the ALB; HAProxy ${fmt(median(cpu.albHaproxy), 1)} µs`,
    );

    // (b) registration → first request, with the first target still serving.
    const firsts: number[] = [];
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      let first = 0;
      const address = `${base}.${20 + i}`;
      servers.push(await target(address, () => (first ||= Date.now())));
      const registered = Date.now();
      await engine.apply(
        config([
          { id: `${base}.10`, address: `${base}.10`, port: 8080, registeredAt: 0 },
          { id: address, address, port: 8080, registeredAt: registered },
        ]),
      );
      const agent = new Agent({ keepAlive: false });
      while (!first) {
        await new Promise<void>((resolve) =>
          request(`http://${lbAddress}:8000/`, { agent }, (res) => res.resume().on("end", resolve)).end(),
        );
      }
      firsts.push(first - registered);
      await engine.apply(config([{ id: `${base}.10`, address: `${base}.10`, port: 8080, registeredAt: 0 }]));
    }
    console.log(`registration → first request ${fmt(median(firsts), 0)} ms median of ${firsts.length} (target ≤ 3000)`);

    // (c) 1,000 targets: into the running HAProxy in one apply, then through the API.
    const many: PlaneTarget[] = Array.from({ length: 1000 }, (_, i) => {
      const address = `${base}.${30 + (i % 200)}`;
      return { id: address, address, port: 9000 + Math.floor(i / 200), registeredAt: Date.now() };
    });
    const first = { id: `${base}.10`, address: `${base}.10`, port: 8080, registeredAt: 0 };
    let engineMs = Date.now();
    await engine.apply(config([first, ...many]));
    engineMs = Date.now() - engineMs;
    await engine.apply(config([first]));
    const apiMs = await registerThroughApi(1000);
    console.log(
      `1,000 targets: engine ${fmt(engineMs, 0)} ms (${fmt(1000 / (engineMs / 1000), 0)} targets/s); API ${fmt(apiMs, 0)} ms (${fmt(1000 / (apiMs / 1000), 0)} targets/s)`,
    );
    console.log(
      JSON.stringify({
        bench: "lb",
        directRps: Math.round(rps(runs.direct)),
        lbRps: Math.round(rps(runs.alb)),
        passThroughRps: Math.round(rps(runs.passThrough)),
        ratio: Number(ratio.toFixed(3)),
        directP50Ms: p50(runs.direct),
        lbP50Ms: p50(runs.alb),
        directP99Ms: p99(runs.direct),
        lbP99Ms: p99(runs.alb),
        targetCpuUsPerRequest: Number(median(cpu.target).toFixed(1)),
        haproxyCpuUsPerRequest: Number(median(cpu.albHaproxy).toFixed(1)),
        registrationToTrafficMs: median(firsts),
        engineTargetsPerSecond: Math.round(1000 / (engineMs / 1000)),
        apiTargetsPerSecond: Math.round(1000 / (apiMs / 1000)),
      }),
    );
  } finally {
    await engine.stop();
    measured.kill();
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
  }
}

/** ms for RegisterTargets of `count` ip targets (100 a call) into one group, in-process. */
async function registerThroughApi(count: number): Promise<number> {
  const berth = inProcessBerth();
  try {
    const vpc = (await berth.plane.defaultNetwork("us-east-1"))!.vpcId;
    const group = await berth.elb.send(
      new CreateTargetGroupCommand({ Name: "bench", Protocol: "HTTP", Port: 80, VpcId: vpc, TargetType: "ip" }),
    );
    const arn = group.TargetGroups![0]!.TargetGroupArn!;
    const started = Date.now();
    for (let call = 0; call < count / 100; call++) {
      const Targets = Array.from({ length: 100 }, (_, i) => ({ Id: `172.31.${call}.${10 + i}`, Port: 80 }));
      await berth.elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets }));
    }
    return Date.now() - started;
  } finally {
    await berth.close();
  }
}

await main();
