// Log ingestion: lines per second from one chatty container into berth's CloudWatch Logs
// (awslogs: json-file → the agent's shipper → PutLogEvents → readable with GetLogEvents)
// against the same container's same lines followed through Docker's logs API into a local
// file, in the same run: the cost of shipping against a local sink. Target ≥ 0.5×.
// Run: node dist/bench/log-ingestion.js [--quick]
import { CloudWatchLogsClient, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateClusterCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAgent } from "../test/support/agent-process.js";
import { startBerth, TEST_ACCESS_KEY, TEST_SECRET_KEY } from "../test/support/berth-process.js";
import { sdkClient } from "../test/support/clients.js";
import { ensureBusyboxImage, removeClusterContainers } from "../test/support/images.js";
import { DockerDriver } from "../src/runtime/docker/index.js";
import { fmt, median } from "./stats.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const quick = process.argv.includes("--quick");
const LINES = quick ? 5_000 : 100_000;
const ROUNDS = quick ? 1 : 3;
const CLUSTER = `bench-logs-${process.pid}`;
const GROUP = `/bench/log-ingestion-${process.pid}`;
/** ~100-byte lines, numbered, then it idles so that the task stays up while it is read. */
const CHATTY = [
  "sh",
  "-c",
  `awk 'BEGIN { for (i = 1; i <= ${LINES}; i++) printf "line %08d the quick brown fox jumps over the lazy dog, again and again and again\\n", i }'; sleep 600`,
];
const POLL_MS = 100;

async function main(): Promise<void> {
  const image = await ensureBusyboxImage();
  const driver = new DockerDriver();
  const berth = await startBerth();
  const agent = startAgent(berth.endpoint, { args: ["--cluster", CLUSTER] });
  const ecs = sdkClient(berth.endpoint);
  const logs = new CloudWatchLogsClient({
    endpoint: berth.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
  });
  const dir = mkdtempSync(join(tmpdir(), "berth-bench-logs-"));
  const viaFile: number[] = [];
  const viaLogs: number[] = [];
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await agent.registered;
    const options = { "awslogs-group": GROUP, "awslogs-stream-prefix": "bench", "awslogs-create-group": "true" };
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "bench-logs",
        containerDefinitions: [
          { name: "c", image, memory: 64, stopTimeout: 2, command: CHATTY, logConfiguration: { logDriver: "awslogs", options } },
        ],
      }),
    );
    for (let round = 0; round < ROUNDS; round++) {
      viaFile.push(await intoFile(driver, image, join(dir, `round-${round}.log`)));
      viaLogs.push(await intoLogs(ecs, logs));
    }
    const file = LINES / (median(viaFile) / 1000);
    const cloud = LINES / (median(viaLogs) / 1000);
    console.log(`${LINES} lines of ~100 bytes, median of ${ROUNDS}`);
    console.log(`  into a file (Docker logs API → file):           ${fmt(median(viaFile), 0)} ms, ${fmt(file, 0)} lines/s`);
    console.log(`  into CloudWatch Logs (awslogs → GetLogEvents): ${fmt(median(viaLogs), 0)} ms, ${fmt(cloud, 0)} lines/s`);
    console.log(`  ratio ${fmt(cloud / file, 2)} (target ≥ 0.5)`);
    console.log(
      JSON.stringify({
        bench: "log-ingestion",
        lines: LINES,
        rounds: ROUNDS,
        fileMs: median(viaFile),
        logsMs: median(viaLogs),
        fileLinesPerSecond: Math.round(file),
        logsLinesPerSecond: Math.round(cloud),
        ratio: Number((cloud / file).toFixed(3)),
      }),
    );
  } finally {
    logs.destroy();
    await agent.kill();
    await berth.stop();
    await removeClusterContainers(CLUSTER);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The baseline: the container's lines followed through Docker's logs API into a file; ms from its start to the last line written. */
async function intoFile(driver: DockerDriver, image: string, path: string): Promise<number> {
  const id = await driver.create({
    name: `bench-logs-${process.pid}-${Date.now()}`,
    image,
    command: CHATTY,
    env: {},
    portBindings: [],
    network: { mode: "none" },
    mounts: [],
    labels: { "com.amazonaws.ecs.cluster": CLUSTER },
    log: { driver: "json-file" },
  });
  try {
    await driver.start(id);
    const startedAt = (await driver.inspect(id))!.startedAt!.getTime();
    const out = createWriteStream(path);
    let count = 0;
    for await (const line of driver.logs(id, { follow: true })) {
      if (!out.write(`${line.text}\n`)) await new Promise<void>((r) => out.once("drain", () => r()));
      if (++count === LINES) break;
    }
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    return Date.now() - startedAt;
  } finally {
    await driver.destroy(id);
  }
}

/** The measured path: RunTask with awslogs; ms from the container's start until GetLogEvents has returned every line. */
async function intoLogs(ecs: ReturnType<typeof sdkClient>, logs: CloudWatchLogsClient): Promise<number> {
  const { tasks } = await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: "bench-logs" }));
  const arn = tasks![0]!.taskArn!;
  const stream = `bench/c/${arn.split("/").pop()}`;
  const docker = new DockerDriver();
  try {
    let startedAt: number | undefined;
    let count = 0;
    let token: string | undefined;
    while (count < LINES) {
      startedAt ??= (await docker.list({ "com.amazonaws.ecs.task-arn": arn }))[0]?.startedAt?.getTime();
      const out = await logs
        .send(
          new GetLogEventsCommand({
            logGroupName: GROUP,
            logStreamName: stream,
            startFromHead: true,
            ...(token ? { nextToken: token } : {}),
          }),
        )
        .catch((err: unknown) => {
          // The stream is created just before the container starts.
          if ((err as Error).name === "ResourceNotFoundException") return undefined;
          throw err;
        });
      count += out?.events?.length ?? 0;
      const next = out?.nextForwardToken;
      if (!out?.events?.length || next === token) await new Promise((r) => setTimeout(r, POLL_MS));
      token = next ?? token;
    }
    return Date.now() - startedAt!;
  } finally {
    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn }));
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
