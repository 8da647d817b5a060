// Load balancers on HAProxy: (a) requests/s and p50/p99 latency through an HTTP load balancer
// against the same client hitting the target directly, same run, keep-alive, small responses,
// alternating rounds, the target in a process of its own; (b) the time from registering a
// target to its first request (health check interval 1 s, healthy threshold 2: the target is
// ≤ 2 × 1 s + 1 s); (c) targets registered per second with 1,000 of them: through the ELBv2
// API (RegisterTargets, in-process control plane, 10 calls of 100) and into a running HAProxy
// (one apply adding 1,000 servers through its runtime API, no reload).
// Run as root: node dist/bench/lb.js [--quick]
import { spawn, type ChildProcess } from "node:child_process";
import { Agent, createServer, request, type Server } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DataPlaneConfig, PlaneTarget } from "../src/domain/elbv2/data-plane.js";
import { HaproxyEngine } from "../src/dataplane/haproxy/engine.js";
import { createLogger } from "../src/log/logger.js";
import { CreateTargetGroupCommand, RegisterTargetsCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { inProcessBerth } from "../test/support/in-process.js";
import { fmt, median, percentile } from "./stats.js";

const quick = process.argv.includes("--quick");
const log = createLogger({ level: "silent" });
const base = `127.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}`;
const [lbAddress, source] = [`${base}.1`, `${base}.2`];

function config(targets: PlaneTarget[]): DataPlaneConfig {
  return {
    loadBalancers: [
      {
        id: "bench",
        type: "application",
        address: lbAddress,
        interfaces: [{ zone: "a", address: source }],
        idleTimeoutSeconds: 60,
        listeners: [
          {
            id: "l",
            port: 8000,
            protocol: "HTTP",
            rules: [{ priority: "default", conditions: [], action: { type: "forward", targetGroups: [{ id: "g", weight: 1 }] } }],
          },
        ],
      },
    ],
    targetGroups: [
      {
        id: "g",
        protocol: "HTTP",
        targetType: "ip",
        healthCheck: {
          enabled: true,
          protocol: "HTTP",
          port: "traffic-port",
          path: "/health",
          intervalSeconds: 1,
          timeoutSeconds: 1,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
          httpCodes: "200",
        },
        deregistrationDelaySeconds: 0,
        slowStartSeconds: 0,
        targets,
      },
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

/** `workers` keep-alive loops for `ms`: requests/s and each request's latency (ms). */
async function load(url: string, ms: number, workers = 8): Promise<{ rps: number; latencies: number[] }> {
  const agent = new Agent({ keepAlive: true, maxSockets: workers });
  const latencies: number[] = [];
  const end = Date.now() + ms;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const started = process.hrtime.bigint();
      request(url, { agent }, (res) => {
        res.resume();
        res.on("end", () => {
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          resolve();
        });
      })
        .on("error", reject)
        .end();
    });
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < end) await one();
    }),
  );
  agent.destroy();
  return { rps: latencies.length / (ms / 1000), latencies };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "berth-bench-lb-"));
  const engine = new HaproxyEngine({ dir, log, pollMs: 100 });
  const measured = await remoteTarget(`${base}.10`);
  const servers: Server[] = [];
  try {
    await engine.apply(config([{ id: `${base}.10`, address: `${base}.10`, port: 8080, registeredAt: 0 }]));
    while (engine.observations().get(`g/${base}.10:8080`)?.status !== "healthy") await new Promise((r) => setTimeout(r, 50));

    const rounds = quick ? 1 : 3;
    const ms = quick ? 1_000 : 5_000;
    const direct: { rps: number; latencies: number[] }[] = [];
    const through: { rps: number; latencies: number[] }[] = [];
    await load(`http://${base}.10:8080/`, 500); // warm-up
    await load(`http://${lbAddress}:8000/`, 500);
    for (let i = 0; i < rounds; i++) {
      direct.push(await load(`http://${base}.10:8080/`, ms));
      through.push(await load(`http://${lbAddress}:8000/`, ms));
    }
    const p = (runs: typeof direct, q: number) => median(runs.map((r) => percentile(r.latencies, q)));
    const rps = (runs: typeof direct) => median(runs.map((r) => r.rps));
    const ratio = rps(through) / rps(direct);
    console.log(`direct      ${fmt(rps(direct), 0)} req/s  p50 ${fmt(p(direct, 50), 3)} ms  p99 ${fmt(p(direct, 99), 3)} ms`);
    console.log(`through LB  ${fmt(rps(through), 0)} req/s  p50 ${fmt(p(through, 50), 3)} ms  p99 ${fmt(p(through, 99), 3)} ms`);
    console.log(`ratio ${fmt(ratio, 2)} (target ≥ 0.8); added p50 ${fmt(p(through, 50) - p(direct, 50), 3)} ms (target ≤ 0.3)`);

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
        directRps: Math.round(rps(direct)),
        lbRps: Math.round(rps(through)),
        ratio: Number(ratio.toFixed(3)),
        directP50Ms: p(direct, 50),
        lbP50Ms: p(through, 50),
        directP99Ms: p(direct, 99),
        lbP99Ms: p(through, 99),
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
