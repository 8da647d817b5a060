// Task start overhead: RunTask → RUNNING (as berth's task event stream reports it) on a real agent and
// Docker, against creating and starting the same container directly through Docker's Engine
// API in the same run, the image already present; and berth's Docker driver alone (create+start
// through it) against the same baseline. Run: node dist/bench/task-start.js [--quick]
import { CreateClusterCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import { startAgent } from "../test/support/agent-process.js";
import { startBerth } from "../test/support/berth-process.js";
import { sdkClient } from "../test/support/clients.js";
import { ensureBusyboxImage, removeClusterContainers } from "../test/support/images.js";
import { TEST_ACCESS_KEY, TEST_SECRET_KEY } from "../test/support/berth-process.js";
import { subscribeTaskEvents } from "../src/services/ecs/events/client.js";
import { DockerDriver } from "../src/runtime/docker/index.js";
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
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "bench-start",
        containerDefinitions: [{ name: "c", image, memory: 16, stopTimeout: 2, command: ["sleep", "600"] }],
      }),
    );

    // The observer: berth's task event stream, which pushes each task change as it commits.
    // (Polling DescribeTasks every few ms took CPU from dockerd and berth alike: on two
    // cores Docker's own container start ran ~15% slower under it.)
    const runningAt = new Map<string, number>();
    const waiting = new Map<string, { done: (at: number) => void; fail: (err: Error) => void }>();
    const events = await subscribeTaskEvents({ endpoint: berth.endpoint, region: "us-east-1", credentials, cluster: CLUSTER }, (e) => {
      const arn = e.detail.taskArn;
      if (e.detail.lastStatus === "STOPPED") waiting.get(arn)?.fail(new Error(`task stopped: ${String(e.detail.stoppedReason)}`));
      if (e.detail.lastStatus !== "RUNNING" || runningAt.has(arn)) return;
      runningAt.set(arn, performance.now());
      waiting.get(arn)?.done(performance.now());
    });
    const viaBerth = async (): Promise<number> => {
      const t0 = performance.now();
      const { tasks } = await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: "bench-start" }));
      const arn = tasks![0]!.taskArn!;
      started.push(arn);
      const at = runningAt.get(arn) ?? (await new Promise<number>((done, fail) => waiting.set(arn, { done, fail })));
      waiting.delete(arn);
      return at - t0;
    };
    const viaDocker = async (): Promise<number> => {
      const t0 = performance.now();
      const c = await docker.createContainer({
        Image: image,
        Cmd: ["sleep", "600"],
        HostConfig: { Memory: 16 * 1024 * 1024 },
        Labels: { "berth.bench": "1" },
      });
      direct.push(c.id);
      await c.start();
      return performance.now() - t0;
    };
    const driver = new DockerDriver();
    const viaDriver = async (): Promise<number> => {
      const t0 = performance.now();
      const id = await driver.create({
        name: `berth-bench-${process.pid}-${direct.length}`,
        image,
        command: ["sleep", "600"],
        env: {},
        memoryMiB: 16,
        portBindings: [],
        network: { mode: "bridge" },
        mounts: [],
        labels: { "berth.bench": "1" },
      });
      direct.push(id);
      await driver.start(id);
      return performance.now() - t0;
    };

    await viaBerth();
    await viaDocker(); // warm-up
    const seqBerth: number[] = [];
    const seqDocker: number[] = [];
    const seqDriver: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      seqDocker.push(await viaDocker());
      seqBerth.push(await viaBerth());
      seqDriver.push(await viaDriver());
    }
    // Docker slows as containers accumulate, so the concurrent rounds go docker, berth, berth,
    // docker: neither side always starts among more containers than the other.
    const burst = (start: () => Promise<number>) => Promise.all(Array.from({ length: CONCURRENT }, start));
    const conDocker = await burst(viaDocker);
    const conBerth = [...(await burst(viaBerth)), ...(await burst(viaBerth))];
    conDocker.push(...(await burst(viaDocker)));
    const rows = [
      ["sequential", summary(seqBerth), summary(seqDocker)],
      ["concurrent", summary(conBerth), summary(conDocker)],
    ] as const;
    console.log(
      `task start: RunTask → RUNNING vs docker create+start, image present (${SEQUENTIAL} sequential; ${CONCURRENT} concurrent, two rounds each)`,
    );
    const out: Record<string, unknown> = {};
    for (const [name, b, d] of rows) {
      const ratio = b.median / d.median;
      console.log(
        `  ${name.padEnd(11)} berth median ${fmt(b.median, 0)} ms (p90 ${fmt(b.p90, 0)}) | docker median ${fmt(d.median, 0)} ms (p90 ${fmt(d.p90, 0)}) | ${fmt(ratio, 2)}× (target ≤ 1.15)`,
      );
      out[name] = { berth: b, docker: d, ratio };
    }
    // The driver alone: what the agent adds is the rest of berth's figure. (The pod start SLO is 5 s.)
    const viaDriverOnly = summary(seqDriver);
    const sequentialDocker = rows[0][2];
    console.log(
      `  driver      DockerDriver create+start median ${fmt(viaDriverOnly.median, 0)} ms (p90 ${fmt(viaDriverOnly.p90, 0)}) | docker median ${fmt(sequentialDocker.median, 0)} ms | ${fmt(viaDriverOnly.median / sequentialDocker.median, 2)}×`,
    );
    out.driver = { driver: viaDriverOnly, docker: sequentialDocker, ratio: viaDriverOnly.median / sequentialDocker.median };
    console.log(JSON.stringify({ bench: "task-start", ...out }));
    events.close();
  } finally {
    for (const arn of started) await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn })).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 3000));
    await agent.kill();
    await berth.stop();
    for (const id of direct)
      await docker
        .getContainer(id)
        .remove({ force: true })
        .catch(() => undefined);
    await removeClusterContainers(CLUSTER, docker);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
