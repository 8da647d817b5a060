// The awslogs log driver end to end: the real binary, agent and Docker. A task logging with
// awslogs (stream prefix, create-group) is read back with GetLogEvents, the AWS CLIs and
// `berth logs`; a missing group fails the task as on ECS; and the must-hold: a line written
// while the control plane is down (kill -9) arrives after it restarts, exactly once.
import { CloudWatchLogsClient, GetLogEventsCommand, type OutputLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  waitUntilTasksRunning,
  waitUntilTasksStopped,
  type ContainerDefinition,
  type ECSClient,
  type Task,
} from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { packageRoot } from "../../src/paths.js";
import { TEST_ACCESS_KEY, TEST_SECRET_KEY, type BerthProcess } from "../support/berth-process.js";
import { berthWithAgent, type BerthWithAgent } from "../support/berth-with-agent.js";
import { availableClis, runCli } from "../support/clients.js";
import { ensureBusyboxImage } from "../support/images.js";
import { waitFor } from "../support/wait.js";

const CLUSTER = `awslogs-${process.pid}`;
const GROUP = `/berth-e2e/awslogs-${process.pid}`;
/** In the container's environment, never printed by it: it must not appear in any shipped line. */
const UNPRINTED = "do-not-ship-3f9a1c";
/** Prints "line N" five times a second, numbered from 1. */
const COUNTER = ["sh", "-c", 'i=0; while true; do i=$((i+1)); echo "line $i"; sleep 0.2; done'];

describe("awslogs: container output in berth's CloudWatch Logs", () => {
  const docker = new Docker();
  let world: BerthWithAgent | undefined;
  let image: string;
  let berth: BerthProcess;
  let ecs: ECSClient;
  let logs: CloudWatchLogsClient;

  const connect = () => {
    ({ berth, ecs } = world!);
    logs = new CloudWatchLogsClient({
      endpoint: berth.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
      maxAttempts: 1,
    });
  };
  const register = async (family: string, container: Partial<ContainerDefinition>) => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [
          {
            name: "app",
            image,
            memory: 32,
            stopTimeout: 2,
            command: COUNTER,
            environment: [{ name: "TOKEN", value: UNPRINTED }],
            ...container,
          },
        ],
      }),
    );
  };
  const run = async (family: string): Promise<string> => {
    const out = await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: family }));
    assert.deepEqual(out.failures, []);
    return out.tasks![0]!.taskArn!;
  };
  const describeTask = async (arn: string): Promise<Task> =>
    (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))).tasks![0]!;
  const untilRunning = (arn: string) =>
    waitUntilTasksRunning({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, tasks: [arn] });
  /** Every event of the stream, from its head. */
  const events = async (stream: string): Promise<OutputLogEvent[]> => {
    const all: OutputLogEvent[] = [];
    let token: string | undefined;
    for (;;) {
      const out = await logs.send(
        new GetLogEventsCommand({
          logGroupName: GROUP,
          logStreamName: stream,
          startFromHead: true,
          ...(token ? { nextToken: token } : {}),
        }),
      );
      all.push(...(out.events ?? []));
      if (!out.events?.length || out.nextForwardToken === token) return all;
      token = out.nextForwardToken;
    }
  };
  const numbers = (list: OutputLogEvent[]) => list.map((e) => Number(/^line (\d+)$/.exec(e.message ?? "")?.[1] ?? NaN));
  const berthLogs = (args: string[]) =>
    spawnSync(
      process.execPath,
      [
        join(packageRoot, "dist/src/cli/main.js"),
        "logs",
        ...args,
        "--endpoint",
        berth.endpoint,
        "--cluster",
        CLUSTER,
        "--access-key-id",
        TEST_ACCESS_KEY,
        "--secret-access-key",
        TEST_SECRET_KEY,
      ],
      { encoding: "utf8", timeout: 60_000 },
    );

  before(async () => {
    image = await ensureBusyboxImage();
    world = await berthWithAgent({ cluster: CLUSTER });
    connect();
    const options = {
      "awslogs-group": GROUP,
      "awslogs-region": "us-east-1",
      "awslogs-stream-prefix": "e2e",
      "awslogs-create-group": "true",
    };
    await register("awslogs-counter", { logConfiguration: { logDriver: "awslogs", options } });
    await register("awslogs-missing", {
      logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": `${GROUP}-missing`, "awslogs-stream-prefix": "e2e" } },
    });
    await register("awslogs-none", {});
  });
  after(() => world?.close());

  test("lines arrive in the prefix/container/task-id stream within seconds; SDK, AWS CLIs and berth logs read them", async () => {
    const arn = await run("awslogs-counter");
    await untilRunning(arn);
    const stream = `e2e/app/${arn.split("/").pop()}`;
    const got = await waitFor(() => events(stream), { until: (e) => e.length >= 5, message: "five lines", retryErrors: true });
    assert.deepEqual(numbers(got.slice(0, 5)), [1, 2, 3, 4, 5]);
    for (const cli of availableClis()) {
      const r = runCli(cli, berth.endpoint, [
        "logs",
        "get-log-events",
        "--log-group-name",
        GROUP,
        "--log-stream-name",
        stream,
        "--start-from-head",
      ]);
      assert.equal(r.status, 0, `${cli.name}: ${r.stderr}`);
      assert.equal((r.json as { events: { message: string }[] }).events[0]!.message, "line 1", cli.name);
    }
    const v2 = availableClis().find((c) => c.name.startsWith("aws-cli/2"));
    if (v2) {
      // aws logs tail --follow prints lines as they come.
      const tail = spawn(
        v2.path,
        ["--endpoint-url", berth.endpoint, "--region", "us-east-1", "logs", "tail", GROUP, "--follow", "--format", "short"],
        {
          env: {
            ...process.env,
            AWS_ACCESS_KEY_ID: TEST_ACCESS_KEY,
            AWS_SECRET_ACCESS_KEY: TEST_SECRET_KEY,
            AWS_CONFIG_FILE: "/dev/null",
            AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
          },
        },
      );
      let out = "";
      tail.stdout.on("data", (d: Buffer) => (out += d.toString()));
      tail.stderr.on("data", (d: Buffer) => (out += d.toString()));
      try {
        const seen = (await events(stream)).length;
        await waitFor(() => out.includes(`line ${seen + 10}`), {
          message: "aws logs tail --follow to print a new line",
          timeoutMs: 30_000,
        });
      } finally {
        tail.kill();
      }
    }
    const printed = berthLogs([arn.split("/").pop()!]);
    assert.equal(printed.status, 0, printed.stderr);
    assert.deepEqual(printed.stdout.split("\n").slice(0, 3), ["line 1", "line 2", "line 3"]);
    const none = await run("awslogs-none");
    await untilRunning(none);
    const refused = berthLogs([none]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /has no container logging with awslogs/);
    for (const e of await events(stream)) assert.ok(!e.message!.includes(UNPRINTED) && !e.message!.includes(TEST_SECRET_KEY));
  });

  test("a missing log group without awslogs-create-group fails the task as on ECS", async () => {
    const arn = await run("awslogs-missing");
    await waitUntilTasksStopped({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, tasks: [arn] });
    const task = await describeTask(arn);
    const reason = task.containers![0]!.reason ?? "";
    assert.match(reason, /^CannotStartContainerError: Error response from daemon: failed to initialize logging driver: /);
    assert.match(reason, /ResourceNotFoundException: The specified log group does not exist\.$/);
    assert.equal(task.stoppedReason, reason);
  });

  test("must hold: a line written while the control plane is down (kill -9) arrives after it restarts, exactly once", async () => {
    const arn = await run("awslogs-counter");
    await untilRunning(arn);
    const stream = `e2e/app/${arn.split("/").pop()}`;
    await waitFor(() => events(stream), { until: (e) => e.length >= 3, message: "shipping under way", retryErrors: true });
    const runtimeId = (await describeTask(arn)).containers![0]!.runtimeId!;
    await berth.kill9();
    const downFrom = Date.now();
    // A window in which the container writes while nothing can receive its lines.
    await new Promise((r) => setTimeout(r, 3_000));
    const downUntil = Date.now();
    await world!.startBerthAgain();
    connect();
    // What Docker has of the container while the control plane was down: the lines that must arrive.
    const written = (await docker.getContainer(runtimeId).logs({ stdout: true, timestamps: true, follow: false })).toString("utf8");
    const duringOutage = [...written.matchAll(/(\d{4}-\d\d-\d\dT[\d:.]+Z) line (\d+)/g)]
      .filter((m) => Date.parse(m[1]!) > downFrom && Date.parse(m[1]!) < downUntil)
      .map((m) => Number(m[2]));
    assert.ok(duringOutage.length >= 5, `lines written during the outage: ${duringOutage.length}`);
    const last = duringOutage.at(-1)! + 5;
    const got = await waitFor(() => events(stream), {
      until: (e) => numbers(e).includes(last),
      message: `line ${last} shipped after the restart`,
      timeoutMs: 60_000,
      retryErrors: true,
    });
    const seen = numbers(got);
    assert.deepEqual(
      seen,
      seen.map((_, i) => i + 1),
      "every line once, in order, none missing",
    );
    for (const n of duringOutage) assert.equal(seen.filter((x) => x === n).length, 1, `line ${n} exactly once`);
  });

  test("berth logs <service> interleaves its tasks' streams", async () => {
    const service = `awslogs-svc-${process.pid}`;
    await ecs.send(
      new CreateServiceCommand({ cluster: CLUSTER, serviceName: service, taskDefinition: "awslogs-counter", desiredCount: 2 }),
    );
    try {
      const printed = await waitFor(
        () => {
          const r = berthLogs([service]);
          const streams = new Set(
            r.stdout
              .split("\n")
              .filter(Boolean)
              .map((l) => l.split(" ")[0]),
          );
          return r.status === 0 && streams.size === 2 ? r.stdout : undefined;
        },
        { message: "both tasks' lines", timeoutMs: 60_000, intervalMs: 1_000 },
      );
      assert.match(printed, /^e2e\/app\/[0-9a-f]{32} line 1$/m);
    } finally {
      await ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service, force: true }));
    }
  });
});
