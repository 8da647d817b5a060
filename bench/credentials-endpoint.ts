// The task endpoint's credentials route: p99 latency of GET /v2/credentials/<id> on the agent's
// server (1,000 tasks' credentials held), against a bare node:http server answering the same
// JSON, measured in the same run, one request at a time over a keep-alive connection, in
// alternating rounds so that both see the same machine, after both have served every task's id
// twice (an agent's endpoint runs for hours: the bench measures it warm, not its first requests'
// JIT compilation). Garbage collections are counted per side. Target: p99 ≤ 2 ms.
// node dist/bench/credentials-endpoint.js [--quick]
import { createServer, Agent, request } from "node:http";
import { PerformanceObserver, performance } from "node:perf_hooks";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TaskCredentialsStore } from "../src/agent/task-credentials.js";
import { TaskEndpoint } from "../src/agent/task-endpoint/index.js";
import { createLogger } from "../src/log/logger.js";
import { FakeDriver } from "../src/runtime/fake/index.js";
import type { TaskAssignment } from "../src/wire/agent-channel.js";
import { fmt, median, percentile } from "./stats.js";

const quick = process.argv.includes("--quick");
const TASKS = 1_000;
const ROUNDS = quick ? 2 : 6;
const PER_ROUND = quick ? 500 : 5_000;
const TARGET_P99_MS = 2;

const role = (i: number) => ({
  roleArn: `arn:aws:iam::123456789012:role/app-${i}`,
  accessKeyId: `ASIABENCH${String(i).padStart(11, "0")}`,
  secretAccessKey: "s".repeat(40),
  sessionToken: "t".repeat(600),
  expiration: "2026-12-06T18:00:00Z",
});

function task(i: number): TaskAssignment {
  const taskArn = `arn:aws:ecs:us-east-1:123456789012:task/bench/${i.toString(16).padStart(32, "0")}`;
  return {
    taskArn,
    clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/bench",
    desiredStatus: "RUNNING",
    lastStatus: "RUNNING",
    launchType: "EC2",
    group: "family:bench",
    taskDefinition: { family: "bench", revision: 1, containerDefinitions: [{ name: "app", image: "app:1" }] },
    overrides: {},
    containers: [{ name: "app", containerArn: `${taskArn.replace(":task/", ":container/")}/c` }],
    hostPortBindIp: "127.0.0.1",
    version: 1,
  };
}

// Which side each collection fell in: entries arrive late, so they are placed by start time.
type Side = "berth" | "baseline" | "other";
const sideMarks: { at: number; side: Side }[] = [];
const collections: Record<Side, number> = { berth: 0, baseline: 0, other: 0 };
const enter = (side: Side) => sideMarks.push({ at: performance.now(), side });
const sideAt = (t: number): Side => sideMarks.findLast((m) => m.at <= t)?.side ?? "other";
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) collections[sideAt(e.startTime)]++;
});
gcObserver.observe({ entryTypes: ["gc"] });

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = request({ host: "127.0.0.1", port, path, agent }, (res) => {
      res.resume();
      res.on("end", () => {
        if (res.statusCode !== 200) reject(new Error(`${path}: ${res.statusCode}`));
        else resolve(Number(process.hrtime.bigint() - started) / 1e6);
      });
    });
    req.on("error", reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), "berth-bench-tmds-"));
  const store = new TaskCredentialsStore();
  const endpoint = await TaskEndpoint.start({
    port: 0,
    stateDir,
    credentials: store,
    driver: new FakeDriver(),
    redirect: false,
    log: createLogger({ level: "silent" }),
  });
  const ids: string[] = [];
  for (let i = 0; i < TASKS; i++) {
    const a = task(i);
    const id = `bench-${i}-${"x".repeat(24)}`;
    ids.push(id);
    store.put([{ taskArn: a.taskArn, credentialsId: id, task: role(i) }]);
    endpoint.track({ assignment: a, availabilityZone: "us-east-1a", snapshot: () => ({ knownStatus: "RUNNING", containers: [] }) });
  }
  // The baseline: the same JSON from a bare server that looks nothing up.
  const r = role(0);
  const body = JSON.stringify({
    RoleArn: r.roleArn,
    AccessKeyId: r.accessKeyId,
    SecretAccessKey: r.secretAccessKey,
    Token: r.sessionToken,
    Expiration: r.expiration,
  });
  const bare = createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));
  const barePort = (bare.address() as AddressInfo).port;

  const berth: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < 2 * TASKS; i++) {
    await get(endpoint.port, `/v2/credentials/${ids[i % TASKS]}`);
    await get(barePort, `/v2/credentials/${ids[i % TASKS]}`);
  }
  for (let round = 0; round < ROUNDS; round++) {
    enter("berth");
    for (let i = 0; i < PER_ROUND; i++) berth.push(await get(endpoint.port, `/v2/credentials/${ids[(i * 7919) % TASKS]}`));
    enter("baseline");
    for (let i = 0; i < PER_ROUND; i++) baseline.push(await get(barePort, `/v2/credentials/${ids[(i * 7919) % TASKS]}`));
  }
  enter("other");
  await new Promise((resolve) => setTimeout(resolve, 50)); // the last collections' entries
  gcObserver.disconnect();
  await endpoint.close();
  bare.close();
  agent.destroy();
  rmSync(stateDir, { recursive: true, force: true });

  const p99 = percentile(berth, 99);
  const baseP99 = percentile(baseline, 99);
  console.log(`credentials endpoint: ${berth.length} GET /v2/credentials/<id> one at a time (keep-alive), ${TASKS} tasks held`);
  console.log(`  berth     median ${fmt(median(berth), 3)} ms   p99 ${fmt(p99, 3)} ms`);
  console.log(`  bare http median ${fmt(median(baseline), 3)} ms   p99 ${fmt(baseP99, 3)} ms`);
  console.log(`  garbage collections: berth ${collections.berth}, bare ${collections.baseline}`);
  console.log(`  p99 ratio ${fmt(p99 / baseP99, 2)}×   target p99 ≤ ${TARGET_P99_MS} ms: ${p99 <= TARGET_P99_MS ? "met" : "missed"}`);
  console.log(
    JSON.stringify({
      bench: "credentials-endpoint",
      requests: berth.length,
      tasks: TASKS,
      berth: { medianMs: median(berth), p99Ms: p99 },
      baseline: { medianMs: median(baseline), p99Ms: baseP99 },
      p99Ratio: p99 / baseP99,
      collections: { berth: collections.berth, baseline: collections.baseline },
      targetP99Ms: TARGET_P99_MS,
      met: p99 <= TARGET_P99_MS,
    }),
  );
}

await main();
