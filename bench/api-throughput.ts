// API throughput and latency: the same AWS SDK client against berth and against moto_server
// (the machine's Python moto), plus a bare Node `http` hello-world as the ceiling for any
// Node server, all on 127.0.0.1 in the same run. The ceiling is measured twice: with the SDK,
// and with one light client (bench/raw-load.ts, a signed request replayed) for both servers,
// because on two cores the SDK client, not the server, is what saturates. Each cell also
// reads the servers' CPU time per call from /proc: calls per second of server CPU are the
// servers' own capacities, whatever the client costs and however busy the machine is.
// Run: node dist/bench/api-throughput.js [--quick]
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { spawn, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TEST_ACCESS_KEY, TEST_SECRET_KEY } from "../test/support/berth-process.js";
import { processCpuMs } from "./process-cpu.js";
import { fmt, percentile, median } from "./stats.js";
import { freePort } from "../test/support/ports.js";
import { benchClient, berthServerArgs } from "./client.js";
import { motoEc2Instances } from "./moto.js";
import { rawCaller, rawSend, signedEcsRequest, type RawRequest } from "./raw-load.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const quick = process.argv.includes("--quick");

async function waitUp(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not come up`);
}

const client = (endpoint: string) => benchClient(endpoint);

interface Result {
  rps: number;
  p50: number;
  p99: number;
  /** The server's CPU time per call (every thread), when its process was named. */
  serverCpuUs?: number;
}

/**
 * `total` calls with `concurrency` in flight; returns throughput and latency percentiles (ms),
 * and what the calls cost the server process `serverPid` in CPU. On two shared cores the
 * client's own CPU bounds the rates; the server's CPU per call is its capacity alone.
 */
async function drive(call: () => Promise<unknown>, total: number, concurrency: number, serverPid?: number): Promise<Result> {
  const latencies: number[] = [];
  let next = 0;
  const cpuBefore = serverPid === undefined ? 0 : processCpuMs(serverPid);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const t = performance.now();
        await call();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  // Work a call leaves behind (the service scheduler's reconciliation after CreateService) is
  // part of its cost: the server's CPU is read once it has gone quiet.
  const serverCpuUs = serverPid === undefined ? undefined : (((await quietCpuMs(serverPid)) - cpuBefore) * 1000) / total;
  return { rps: total / seconds, p50: median(latencies), p99: percentile(latencies, 99), serverCpuUs };
}

/** The process's CPU time once it has stopped using any (at most ~1 tick in 100 ms), or after 10 s. */
async function quietCpuMs(pid: number): Promise<number> {
  let last = processCpuMs(pid);
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = processCpuMs(pid);
    if (now - last <= 10) return last;
    last = now;
  }
  return last;
}

const td = (family: string) => ({
  family,
  containerDefinitions: [{ name: "app", image: "busybox", memory: 64, portMappings: [{ containerPort: 80 }] }],
});

/** The state the Describe operations read: a cluster, an instance, 100 tasks, 10 services. */
async function seed(c: ECSClient, ec2InstanceId: string): Promise<{ taskArns: string[]; services: string[] }> {
  for (let i = 0; i < 3; i++) await c.send(new RegisterTaskDefinitionCommand(td("seed")));
  await c.send(new CreateClusterCommand({ clusterName: "bench" }));
  await c.send(
    new RegisterContainerInstanceCommand({
      cluster: "bench",
      instanceIdentityDocument: JSON.stringify({ instanceId: ec2InstanceId, availabilityZone: "us-east-1a", instanceType: "m5.24xlarge" }),
      totalResources: [
        { name: "CPU", type: "INTEGER", integerValue: 98304 },
        { name: "MEMORY", type: "INTEGER", integerValue: 393216 },
      ],
    }),
  );
  await c.send(
    new RegisterTaskDefinitionCommand({ family: "small", containerDefinitions: [{ name: "app", image: "busybox", memory: 16 }] }),
  );
  const taskArns: string[] = [];
  for (let i = 0; i < 10; i++) {
    const out = await c.send(new RunTaskCommand({ cluster: "bench", taskDefinition: "small", count: 10 }));
    taskArns.push(...(out.tasks ?? []).map((t) => t.taskArn!));
  }
  if (taskArns.length !== 100) throw new Error(`seeded ${taskArns.length} of 100 tasks`);
  const services = Array.from({ length: 10 }, (_, i) => `seed-${i}`);
  for (const serviceName of services)
    await c.send(new CreateServiceCommand({ cluster: "bench", serviceName, taskDefinition: "small", desiredCount: 0 }));
  return { taskArns, services };
}

const children: ChildProcess[] = [];
async function main(): Promise<void> {
  const berthPort = await freePort();
  const motoPort = await freePort();
  const helloPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "berth-bench-"));
  // The seeded instance has no agent: a long agent timeout keeps it eligible for RunTask.
  const berthServer = spawn(process.execPath, berthServerArgs(berthPort, dataDir), {
    stdio: "ignore",
    env: { ...process.env, BERTH_AGENT_TIMEOUT_SECONDS: "86400" },
  });
  const motoServer = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(motoPort)], { stdio: "ignore" });
  children.push(berthServer, motoServer);
  const hello = join(dataDir, "hello.cjs");
  writeFileSync(
    hello,
    `require("http").createServer((q, s) => { q.resume(); q.on("end", () => s.end("{}")); }).listen(${helloPort}, "127.0.0.1");`,
  );
  const helloServer = spawn(process.execPath, [hello], { stdio: "ignore" });
  children.push(helloServer);
  await Promise.all([
    waitUp(`http://127.0.0.1:${berthPort}/healthz`),
    waitUp(`http://127.0.0.1:${motoPort}/`),
    waitUp(`http://127.0.0.1:${helloPort}/`),
  ]);

  const targets = { berth: client(`http://127.0.0.1:${berthPort}`), moto: client(`http://127.0.0.1:${motoPort}`) };
  const n = { berth: quick ? 200 : 3000, moto: quick ? 50 : 400 };
  const seeded = {
    berth: await seed(targets.berth, "i-0123456789abcdef0"),
    moto: await seed(targets.moto, (await motoEc2Instances(`http://127.0.0.1:${motoPort}`, TEST_ACCESS_KEY, 1))[0]!),
  };
  const seeds = new Map<ECSClient, typeof seeded.berth>([
    [targets.berth, seeded.berth],
    [targets.moto, seeded.moto],
  ]);
  let created = 0;
  const operations: Record<string, (c: ECSClient, i: number) => Promise<unknown>> = {
    RegisterTaskDefinition: (c) => c.send(new RegisterTaskDefinitionCommand(td("bench"))),
    DescribeTaskDefinition: (c) => c.send(new DescribeTaskDefinitionCommand({ taskDefinition: "seed:2" })),
    ListTaskDefinitions: (c) => c.send(new ListTaskDefinitionsCommand({ familyPrefix: "seed" })),
    CreateService: (c) =>
      c.send(new CreateServiceCommand({ cluster: "bench", serviceName: `svc-${created++}`, taskDefinition: "small", desiredCount: 0 })),
    "DescribeServices (10)": (c) => c.send(new DescribeServicesCommand({ cluster: "bench", services: seeds.get(c)!.services })),
    "DescribeTasks (100)": async (c) => {
      const out = await c.send(new DescribeTasksCommand({ cluster: "bench", tasks: seeds.get(c)!.taskArns }));
      if (out.tasks?.length !== 100) throw new Error(`DescribeTasks returned ${out.tasks?.length} tasks`);
    },
  };
  const summary: Record<string, unknown> = {};
  console.log(`API throughput (SDK client, keep-alive, 127.0.0.1): berth ${n.berth} calls, moto ${n.moto} calls per cell`);
  // One cell: the same calls against berth (after a warm-up) and moto, side by side.
  const compare = async (key: string, name: string, concurrency: number, caller: (c: ECSClient) => () => Promise<unknown>) => {
    await drive(caller(targets.berth), 50, concurrency);
    const b = await drive(caller(targets.berth), n.berth, concurrency, berthServer.pid);
    const m = await drive(caller(targets.moto), n.moto, concurrency, motoServer.pid);
    const ratio = b.rps / m.rps;
    // Calls answered per second of server CPU, berth against moto: the servers' capacities alone.
    const cpuRatio = m.serverCpuUs! / b.serverCpuUs!;
    console.log(
      `${name.padEnd(25)} ${String(concurrency).padStart(4)}   ${fmt(b.rps, 0).padStart(10)}  ${fmt(b.p99).padStart(6)}  ${fmt(b.serverCpuUs!, 0).padStart(6)} | ${fmt(m.rps, 0).padStart(10)}  ${fmt(m.p99).padStart(6)}  ${fmt(m.serverCpuUs!, 0).padStart(6)} | ${fmt(ratio, 1).padStart(5)}×  ${fmt(cpuRatio, 1).padStart(5)}×`,
    );
    summary[key] = { berth: b, moto: m, ratio, cpuRatio };
  };
  const header = "operation                 conc   berth req/s  p99 ms  CPU µs |  moto req/s  p99 ms  CPU µs | req/s  per CPU (× moto)";
  console.log(header);
  for (const [name, op] of Object.entries(operations)) {
    for (const concurrency of [1, 32]) {
      await compare(`${name}/c${concurrency}`, name, concurrency, (c) => {
        let i = 0;
        return () => op(c, i++);
      });
    }
  }
  // The same operations with the light client against both servers: each request signed
  // once per call (SigV4, the SDK's signer) but sent and answered without the SDK's request
  // building and response parsing, so the ratio is the servers' rather than the client's.
  const credentials = { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY };
  const ports = new Map<ECSClient, number>([
    [targets.berth, berthPort],
    [targets.moto, motoPort],
  ]);
  const rawOperations: Record<string, (c: ECSClient, i: number) => Promise<RawRequest>> = {
    RegisterTaskDefinition: (c) => signedEcsRequest(ports.get(c)!, "RegisterTaskDefinition", td("bench-raw"), credentials),
    DescribeTaskDefinition: (c) => signedEcsRequest(ports.get(c)!, "DescribeTaskDefinition", { taskDefinition: "seed:2" }, credentials),
    ListTaskDefinitions: (c) => signedEcsRequest(ports.get(c)!, "ListTaskDefinitions", { familyPrefix: "seed" }, credentials),
    CreateService: (c, i) =>
      signedEcsRequest(
        ports.get(c)!,
        "CreateService",
        { cluster: "bench", serviceName: `raw-${i}`, taskDefinition: "small", desiredCount: 0 },
        credentials,
      ),
    "DescribeServices (10)": (c) =>
      signedEcsRequest(ports.get(c)!, "DescribeServices", { cluster: "bench", services: seeds.get(c)!.services }, credentials),
    "DescribeTasks (100)": (c) =>
      signedEcsRequest(ports.get(c)!, "DescribeTasks", { cluster: "bench", tasks: seeds.get(c)!.taskArns }, credentials),
  };
  console.log("\nsame operations, light client (signed per call, answers not parsed)");
  console.log(header);
  for (const [name, make] of Object.entries(rawOperations)) {
    for (const concurrency of [1, 32]) {
      // Fresh connections per cell: a server may drop keep-alive connections left idle
      // while the other one was measured (moto_server does), and a replay on one fails.
      const agent = new Agent({ keepAlive: true, maxSockets: 64 });
      // Distinct numbers per call: CreateService names must not repeat across cells or runs.
      let i = concurrency * 10_000_000;
      await compare(`raw ${name}/c${concurrency}`, name, concurrency, (c) => async () => rawSend(await make(c, i++), agent));
      agent.destroy();
    }
  }
  // The ceiling: berth's signed, validated, persisted route against a bare hello-world.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const helloCall = () =>
    new Promise<void>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: helloPort, method: "POST", path: "/", agent }, (res) => {
        res.resume();
        res.on("end", () => resolve());
      });
      req.on("error", reject);
      req.end("{}");
    });
  await drive(helloCall, 200, 32);
  const h = await drive(helloCall, quick ? 500 : 10000, 32, helloServer.pid);
  // One at a time, every request wakes a sleeping server and client: the floor per call at c1.
  await drive(helloCall, 200, 1);
  const h1 = await drive(helloCall, quick ? 500 : 3000, 1, helloServer.pid);
  const d = await drive(() => operations.DescribeTaskDefinition!(targets.berth, 0), quick ? 200 : 3000, 32);
  // A bare Node server's CPU per request is the floor under any route of berth's: against it,
  // moto's CPU per call bounds the per-CPU ratio any Node server could reach.
  console.log(
    `bare node http hello (raw client): c32 ${fmt(h.rps, 0)} req/s, server CPU ${fmt(h.serverCpuUs!, 0)} µs per request; c1 ${fmt(h1.rps, 0)} req/s, ${fmt(h1.serverCpuUs!, 0)} µs`,
  );
  console.log(`berth DescribeTaskDefinition (c32, SDK client): ${fmt(d.rps, 0)} req/s = ${fmt(d.rps / h.rps, 2)}× the hello`);
  // The same light client for both: a DescribeTaskDefinition signed once and replayed.
  const describeRaw = rawCaller(
    await signedEcsRequest(
      berthPort,
      "DescribeTaskDefinition",
      { taskDefinition: "seed:2" },
      { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
    ),
  );
  await drive(describeRaw, 200, 32);
  const dr = await drive(describeRaw, quick ? 500 : 10000, 32);
  console.log(
    `same raw client: berth DescribeTaskDefinition (c32) ${fmt(dr.rps, 0)} req/s, p99 ${fmt(dr.p99)} ms = ${fmt(dr.rps / h.rps, 2)}× the bare hello (target ≥ 0.5 → ${dr.rps / h.rps >= 0.5 ? "met" : "MISSED"})`,
  );
  // p99 at a paced 500 requests per second, with the SDK client and with the light one: the
  // SDK's own CPU per call (on the same two cores) shows up in its latencies.
  const pacedP99 = async (call: () => Promise<unknown>) => {
    const latencies: number[] = [];
    const total = quick ? 250 : 2500;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: total }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i * 2));
        const t = performance.now();
        await call();
        latencies.push(performance.now() - t);
      }),
    );
    return { rate: total / ((performance.now() - start) / 1000), p99: percentile(latencies, 99) };
  };
  const pacedSdk = await pacedP99(() => operations.DescribeTaskDefinition!(targets.berth, 0));
  const pacedRaw = await pacedP99(describeRaw);
  console.log(
    `berth at ${fmt(pacedSdk.rate, 0)} req/s offered: p99 ${fmt(pacedSdk.p99)} ms with the SDK client, ${fmt(pacedRaw.p99)} ms with the raw client (target ≤ 20 ms → ${pacedRaw.p99 <= 20 ? "met" : "MISSED"} by the server${pacedSdk.p99 <= 20 ? ", and with the SDK" : ""})`,
  );
  summary.hello = h;
  summary.helloC1 = h1;
  summary.describeSdkVsHello = d.rps / h.rps;
  summary.describeRaw = dr;
  summary.describeRawVsHello = dr.rps / h.rps;
  summary.pacedP99Ms = pacedSdk.p99;
  summary.pacedRawP99Ms = pacedRaw.p99;
  console.log(JSON.stringify({ bench: "api-throughput", ...summary }));
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill("SIGKILL");
  });
