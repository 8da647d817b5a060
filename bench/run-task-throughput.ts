// Placement end to end: RunTask (count 10) into the real berth server and its SQLite store,
// over container instances run by simulated agents (test/support/simulated-agent.ts, a test
// double that acknowledges at once) in a worker thread. A task is persisted when RunTask has
// answered with it (berth commits before answering); the agents then report it RUNNING. The
// requests come from the light signed-once client (bench/raw-load.ts), so the figure is the
// server's rather than the SDK's. Rounds follow one another on the same cluster, so later
// rounds place among more tasks already held.
import { CreateClusterCommand, DescribeClustersCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { startBerth, TEST_ACCESS_KEY, TEST_SECRET_KEY } from "../test/support/berth-process.js";
import { AgentFleet } from "./agent-fleet.js";
import { benchClient } from "./client.js";
import { rawCaller, signedEcsRequest } from "./raw-load.js";
import { mainThreadCpuMs, processCpuMs } from "./process-cpu.js";
import { fmt, median } from "./stats.js";

export interface RunTaskThroughput {
  agents: number;
  rounds: {
    heldBefore: number;
    tasks: number;
    persistedPerSecond: number;
    runningPerSecond: number;
    serverCpuMsPerTask: number;
    /** Share of the persisting phase the server's main thread was on a CPU: near 1, it is what limits. */
    serverMainThreadBusy: number;
    harnessCpuMsPerTask: number;
  }[];
  medianPersistedPerSecond: number;
  medianRunningPerSecond: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runTaskThroughput(opts: {
  agents: number;
  callsPerRound: number;
  rounds: number;
  concurrency: number;
  serverNodeArgs?: string[];
}): Promise<RunTaskThroughput> {
  const berth = await startBerth({ nodeArgs: opts.serverNodeArgs });
  let fleet: AgentFleet | undefined;
  try {
    const ecs = benchClient(berth.endpoint, 4);
    await ecs.send(new CreateClusterCommand({ clusterName: "bench" }));
    fleet = await AgentFleet.start({
      endpoint: berth.endpoint,
      cluster: "bench",
      count: opts.agents,
      zones: ["us-east-1a", "us-east-1b", "us-east-1c"],
      cpu: 4096,
      memory: 8192,
    });
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "placed",
        containerDefinitions: [{ name: "app", image: "busybox", memory: 16, cpu: 8 }],
      }),
    );
    const port = Number(new URL(berth.endpoint).port);
    const runTask = rawCaller(
      await signedEcsRequest(
        port,
        "RunTask",
        { cluster: "bench", taskDefinition: "placed", count: 10 },
        { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
      ),
    );
    const held = async () => {
      const c = (await ecs.send(new DescribeClustersCommand({ clusters: ["bench"] }))).clusters![0]!;
      return { running: c.runningTasksCount ?? 0, all: (c.runningTasksCount ?? 0) + (c.pendingTasksCount ?? 0) };
    };
    const round = async (calls: number) => {
      const before = await held();
      const cpuBefore = processCpuMs(berth.child.pid!);
      const mainBefore = mainThreadCpuMs(berth.child.pid!);
      // This process: the client and the simulated agents' thread, on the same two cores.
      const harnessBefore = process.cpuUsage();
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: opts.concurrency }, async () => {
          while (next < calls) {
            next++;
            await runTask();
          }
        }),
      );
      const persistedS = (performance.now() - started) / 1000;
      const serverMainThreadBusy = (mainThreadCpuMs(berth.child.pid!) - mainBefore) / 1000 / persistedS;
      const after = await held();
      if (after.all - before.all !== calls * 10) throw new Error(`placed ${after.all - before.all} of ${calls * 10} tasks`);
      while ((await held()).running < after.all) {
        if (performance.now() - started > 120_000) throw new Error("the agents did not report every task RUNNING within 120 s");
        await sleep(20);
      }
      const runningS = (performance.now() - started) / 1000;
      const serverCpuMsPerTask = (processCpuMs(berth.child.pid!) - cpuBefore) / (calls * 10);
      const harness = process.cpuUsage(harnessBefore);
      const harnessCpuMsPerTask = (harness.user + harness.system) / 1000 / (calls * 10);
      return {
        heldBefore: before.all,
        tasks: calls * 10,
        persistedPerSecond: (calls * 10) / persistedS,
        runningPerSecond: (calls * 10) / runningS,
        serverCpuMsPerTask,
        serverMainThreadBusy,
        harnessCpuMsPerTask,
      };
    };
    await round(Math.max(5, Math.round(opts.callsPerRound / 20))); // warm-up
    const rounds = [];
    for (let i = 0; i < opts.rounds; i++) rounds.push(await round(opts.callsPerRound));
    return {
      agents: opts.agents,
      rounds,
      medianPersistedPerSecond: median(rounds.map((r) => r.persistedPerSecond)),
      medianRunningPerSecond: median(rounds.map((r) => r.runningPerSecond)),
    };
  } finally {
    await fleet?.close();
    await berth.stop();
  }
}

export function printRunTaskThroughput(r: RunTaskThroughput, concurrency: number): void {
  console.log(
    `  end to end: RunTask count 10 (light client, ${concurrency} in flight) into berth + SQLite over ${r.agents} simulated agents`,
  );
  for (const round of r.rounds) {
    console.log(
      `    ${round.tasks} tasks among ${round.heldBefore} held: ${fmt(round.persistedPerSecond, 0).padStart(6)} tasks/s persisted, ${fmt(round.runningPerSecond, 0).padStart(6)} tasks/s reported RUNNING by the agents, server CPU ${fmt(round.serverCpuMsPerTask, 2)} ms per task (client and agents ${fmt(round.harnessCpuMsPerTask, 2)} ms), server main thread busy ${fmt(round.serverMainThreadBusy * 100, 0)}%`,
    );
  }
  const rate = r.medianPersistedPerSecond;
  console.log(
    `    median ${fmt(rate, 0)} tasks/s persisted  ${fmt(rate / 270, 1)}× kube-scheduler's 270 pods/s  ${fmt(rate / 3750, 2)}× Nomad C1M 3,750/s  target 2,000: ${rate >= 2000 ? "met" : "MISSED"}`,
  );
}
