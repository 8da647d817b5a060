// Task start overhead: RunTask → RUNNING (as DescribeTasks, polled every 5 ms, reports it) on a real agent and
// Docker, against creating and starting the same container directly through Docker's Engine
// API in the same run, the image already present. Run: node dist/bench/task-start.js [--quick]
import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import { startAgent } from "../test/support/agent-process.js";
import { startBerth } from "../test/support/berth-process.js";
import { sdkClient } from "../test/support/clients.js";
import { ensureBusyboxImage, removeClusterContainers } from "../test/support/images.js";
import { Agent } from "node:http";
import { TEST_ACCESS_KEY, TEST_SECRET_KEY } from "../test/support/berth-process.js";
import { rawJson, signedEcsRequest } from "./raw-load.js";
import { fmt, summary } from "./stats.js";

const credentials = { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY };

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const quick = process.argv.includes("--quick");
const SEQUENTIAL = quick ? 3 : 50;
const CONCURRENT = quick ? 3 : 20;
const CLUSTER = `bench-${process.pid}`;

async function main(): Promise<void> {
  const image = await ensureBusyboxImage();
  const docker = new Docker();
  const berth = await startBerth();
  const agent = startAgent(berth.endpoint, { args: ["--cluster", CLUSTER] });
  const ecs = sdkClient(berth.endpoint);
  const started: string[] = [];
  const direct: string[] = [];
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await agent.registered;
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: "bench-start",
      containerDefinitions: [{ name: "c", image, memory: 16, stopTimeout: 2, command: ["sleep", "600"] }],
    }));

    // One observer for every task in flight: DescribeTasks of all of them every 5 ms, signed
    // with the SDK's signer but sent by a bare http client, so watching does not take the
    // CPU that dockerd and berth need (an SDK poller per task took a core from both).
    const port = Number(new URL(berth.endpoint).port);
    const watched = new Map<string, { t0: number; done: (ms: number) => void; fail: (err: Error) => void }>();
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    let watching: Promise<void> | undefined;
    const watch = async () => {
      while (watched.size) {
        const req = await signedEcsRequest(port, "DescribeTasks", { cluster: CLUSTER, tasks: [...watched.keys()].slice(0, 100) }, credentials);
        const out = (await rawJson(req, keepAlive)) as { tasks: { taskArn: string; lastStatus: string; stoppedReason?: string }[] };
        const now = performance.now();
        for (const t of out.tasks) {
          const w = watched.get(t.taskArn);
          if (!w) continue;
          if (t.lastStatus === "RUNNING") w.done(now - w.t0);
          else if (t.lastStatus === "STOPPED") w.fail(new Error(`task stopped: ${t.stoppedReason}`));
          else continue;
          watched.delete(t.taskArn);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      watching = undefined;
    };
    const viaBerth = async (): Promise<number> => {
      const t0 = performance.now();
      const { tasks } = await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: "bench-start" }));
      const arn = tasks![0]!.taskArn!;
      started.push(arn);
      const running = new Promise<number>((done, fail) => watched.set(arn, { t0, done, fail }));
      watching ??= watch();
      return running;
    };
    const viaDocker = async (): Promise<number> => {
      const t0 = performance.now();
      const c = await docker.createContainer({ Image: image, Cmd: ["sleep", "600"], HostConfig: { Memory: 16 * 1024 * 1024 }, Labels: { "berth.bench": "1" } });
      direct.push(c.id);
      await c.start();
      return performance.now() - t0;
    };

    await viaBerth();
    await viaDocker(); // warm-up
    const seqBerth: number[] = [];
    const seqDocker: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      seqDocker.push(await viaDocker());
      seqBerth.push(await viaBerth());
    }
    const conDocker = await Promise.all(Array.from({ length: CONCURRENT }, viaDocker));
    const conBerth = await Promise.all(Array.from({ length: CONCURRENT }, viaBerth));
    const rows = [
      ["sequential", summary(seqBerth), summary(seqDocker)],
      ["concurrent", summary(conBerth), summary(conDocker)],
    ] as const;
    console.log(`task start: RunTask → RUNNING vs docker create+start, image present (${SEQUENTIAL} sequential, ${CONCURRENT} concurrent)`);
    const out: Record<string, unknown> = {};
    for (const [name, b, d] of rows) {
      const ratio = b.median / d.median;
      console.log(`  ${name.padEnd(11)} berth median ${fmt(b.median, 0)} ms (p90 ${fmt(b.p90, 0)}) | docker median ${fmt(d.median, 0)} ms (p90 ${fmt(d.p90, 0)}) | ${fmt(ratio, 2)}× (target ≤ 1.15)`);
      out[name] = { berth: b, docker: d, ratio };
    }
    console.log(JSON.stringify({ bench: "task-start", ...out }));
  } finally {
    for (const arn of started) await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn })).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 3000));
    await agent.kill();
    await berth.stop();
    for (const id of direct) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
    await removeClusterContainers(CLUSTER, docker);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
