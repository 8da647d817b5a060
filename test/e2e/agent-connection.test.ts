// agentConnected tells the truth: an agent that goes silent shows disconnected once the
// timeout passes (30 s by default; shortened here through the environment), and gets no tasks;
// and the agent's ways in: its light signed calls and its channel.
import {
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { WebSocket } from "ws";
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { ControlPlaneClient, taskStateChangeRequest } from "../../src/agent/control-plane-client.js";
import { createLogger } from "../../src/log/logger.js";
import { startBerth, TEST_ACCESS_KEY, TEST_SECRET_KEY } from "../support/berth-process.js";
import type { Assignments } from "../../src/wire/agent-channel.js";
import { sdkClient } from "../support/clients.js";
import { waitFor } from "../support/wait.js";

/** An agent client whose small host is registered in the default cluster. */
async function registeredAgent(endpoint: string): Promise<{ agent: ControlPlaneClient; arn: string }> {
  const agent = new ControlPlaneClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
  });
  const instance = await agent.register({
    totalResources: [
      { name: "CPU", type: "INTEGER", integerValue: 1024 },
      { name: "MEMORY", type: "INTEGER", integerValue: 512 },
    ],
  });
  return { agent, arn: instance.containerInstanceArn! };
}

/** A berth with one registered agent; the berth is stopped again if registering fails. */
async function berthWithAgent() {
  const berth = await startBerth();
  try {
    return { berth, ...(await registeredAgent(berth.endpoint)) };
  } catch (err) {
    await berth.stop();
    throw err;
  }
}

/** What the channel handlers collect is in this process: look often. */
const until = (condition: () => boolean) => waitFor(condition, { timeoutMs: 5000, intervalMs: 10 });

test("a vanished agent shows agentConnected false, gets no tasks, and is connected again once its channel opens", async () => {
  const berth = await startBerth({ env: { BERTH_AGENT_TIMEOUT_SECONDS: "2" } });
  try {
    const ecs = sdkClient(berth.endpoint);
    const { agent, arn } = await registeredAgent(berth.endpoint);
    const connected = async () =>
      (await ecs.send(new DescribeContainerInstancesCommand({ containerInstances: [arn] }))).containerInstances![0]!.agentConnected;
    assert.equal(await connected(), true);
    // Silent past the 2 s timeout, it shows disconnected.
    await waitFor(async () => (await connected()) === false, { message: "agentConnected false", timeoutMs: 10_000 });
    assert.equal(await connected(), false);
    await ecs.send(new RegisterTaskDefinitionCommand({ family: "t", containerDefinitions: [{ name: "a", image: "busybox", memory: 16 }] }));
    const run = await ecs.send(new RunTaskCommand({ taskDefinition: "t" }));
    assert.deepEqual(run.tasks, []);
    assert.deepEqual(run.failures, [{ arn, reason: "AGENT" }]);
    await agent.discover("default", arn);
    const pushed: Assignments[] = [];
    const channel = agent.channel(() => arn, {
      assignments: async (m) => void pushed.push(m),
      unregistered: async () => undefined,
      log: createLogger({ level: "silent" }),
    });
    channel.start();
    await until(() => pushed.length > 0);
    assert.equal(await connected(), true);
    // Pinged every half second (a quarter of the timeout), it stays connected: a window longer
    // than the 2 s timeout in which it must NOT go disconnected, so a sleep, not a wait.
    await sleep(2500);
    assert.equal(await connected(), true);
    const placed = await ecs.send(new RunTaskCommand({ taskDefinition: "t" }));
    await until(() => pushed.some((m) => m.tasks.some((t) => t.taskArn === placed.tasks![0]!.taskArn)));
    await channel.stop();
    agent.close();
  } finally {
    await berth.stop();
  }
});

test("the agent client's light calls: answers with dates carried, AWS errors by name", async () => {
  const { berth, agent, arn } = await berthWithAgent();
  try {
    const ecs = sdkClient(berth.endpoint);
    await agent.discover("default", arn);
    const described = (await agent.call("DescribeContainerInstances", { containerInstances: [arn] })) as {
      containerInstances: { containerInstanceArn: string }[];
    };
    assert.equal(described.containerInstances[0]!.containerInstanceArn, arn);

    await ecs.send(new RegisterTaskDefinitionCommand({ family: "t", containerDefinitions: [{ name: "a", image: "busybox", memory: 16 }] }));
    const task = (await ecs.send(new RunTaskCommand({ taskDefinition: "t" }))).tasks![0]!;
    const pulled = new Date("2026-11-26T10:00:00.250Z");
    await agent.call(
      "SubmitTaskStateChange",
      taskStateChangeRequest(task.clusterArn!, task.taskArn!, {
        status: "RUNNING",
        pullStartedAt: pulled,
        pullStoppedAt: pulled,
        containers: [{ containerName: "a", status: "RUNNING", runtimeId: "r" }],
      }),
    );
    const after = (await ecs.send(new DescribeTasksCommand({ tasks: [task.taskArn!] }))).tasks![0]!;
    assert.equal(after.lastStatus, "RUNNING");
    assert.equal(after.pullStartedAt?.getTime(), pulled.getTime(), "dates travel as the protocol's epoch seconds");

    await assert.rejects(
      agent.call("SubmitTaskStateChange", { cluster: "default", task: "0123456789abcdef0123456789abcdef", status: "RUNNING" }),
      (err: Error) => err.name === "InvalidParameterException" && /not found/.test(err.message),
    );
    await assert.rejects(agent.call("DescribeClusters", { clusters: "default" }), (err: Error) => err.name === "SerializationException");
  } finally {
    agent.close();
    await berth.stop();
  }
});

test("the channel: pushes what changed since the agent's version, answers agent calls as the API does, and refuses what it should", async () => {
  const { berth, agent, arn } = await berthWithAgent();
  try {
    const ecs = sdkClient(berth.endpoint);
    const endpoint = await agent.discover("default", arn);
    assert.match(endpoint, /\/agent\/v1\/connect$/);
    await ecs.send(new RegisterTaskDefinitionCommand({ family: "t", containerDefinitions: [{ name: "a", image: "busybox", memory: 16 }] }));
    const before = (await ecs.send(new RunTaskCommand({ taskDefinition: "t" }))).tasks![0]!;

    const pushed: Assignments[] = [];
    const channel = agent.channel(() => arn, {
      assignments: async (m) => void pushed.push(m),
      unregistered: async () => undefined,
      log: createLogger({ level: "silent" }),
    });
    channel.start();
    // Connected with no version: everything assigned.
    await until(() => pushed.length === 1);
    assert.deepEqual(
      pushed[0]!.tasks.map((t) => t.taskArn),
      [before.taskArn],
    );
    assert.equal(pushed[0]!.tasks[0]!.taskDefinition.family, "t");
    // Then only what changed, with every assigned ARN.
    const after = (await ecs.send(new RunTaskCommand({ taskDefinition: "t" }))).tasks![0]!;
    await until(() => pushed.length === 2);
    assert.deepEqual(
      pushed[1]!.tasks.map((t) => t.taskArn),
      [after.taskArn],
    );
    assert.deepEqual(new Set(pushed[1]!.assigned), new Set([before.taskArn, after.taskArn]));

    // Agent operations over the channel, answered as over HTTP.
    assert.deepEqual(
      await channel.call(
        "SubmitTaskStateChange",
        taskStateChangeRequest(after.clusterArn!, after.taskArn!, {
          status: "RUNNING",
          containers: [{ containerName: "a", status: "RUNNING" }],
        }),
      ),
      { acknowledgment: "ACK" },
    );
    assert.equal((await ecs.send(new DescribeTasksCommand({ tasks: [after.taskArn!] }))).tasks![0]!.lastStatus, "RUNNING");
    await assert.rejects(
      channel.call("SubmitTaskStateChange", { cluster: "default", task: "0123456789abcdef0123456789abcdef", status: "RUNNING" }),
      (err: Error) => err.name === "InvalidParameterException" && /not found/.test(err.message),
    );
    await assert.rejects(
      channel.call("SubmitTaskStateChange", { cluster: "default", task: after.taskArn, status: 5 }),
      (err: Error) => err.name === "SerializationException",
    );
    await assert.rejects(channel.call("DeleteCluster", { cluster: "default" }), (err: Error) => err.name === "UnknownOperationException");
    // A stop is pushed.
    await ecs.send(new StopTaskCommand({ task: after.taskArn! }));
    await until(() => pushed.some((m) => m.tasks.some((t) => t.taskArn === after.taskArn && t.desiredStatus === "STOPPED")));
    await channel.stop();

    // Refused before any WebSocket exists: unknown host, unsigned upgrade.
    const logged: string[] = [];
    let unregistered = 0;
    const stranger = agent.channel(() => arn.replace(/[0-9a-f]{32}$/, "0".repeat(32)), {
      assignments: async () => undefined,
      unregistered: async () => void unregistered++,
      log: createLogger({ level: "debug", destination: { write: (line: string) => void logged.push(line) } }),
    });
    stranger.start();
    await until(() => unregistered > 0);
    await stranger.stop();
    assert.match(logged[0]!, /is not registered/);
    const unsigned = await new Promise<{ status?: number; type?: string | string[] }>((resolve, reject) => {
      const ws = new WebSocket(`${endpoint.replace(/^http/, "ws")}?containerInstance=${encodeURIComponent(arn)}`);
      ws.on("unexpected-response", (_req, res) => resolve({ status: res.statusCode, type: res.headers["x-amzn-errortype"] }));
      ws.on("open", () => reject(new Error("an unsigned upgrade was accepted")));
      ws.on("error", () => undefined);
    });
    assert.deepEqual(unsigned, { status: 400, type: "MissingAuthenticationTokenException" });

    // Messages that are not JSON objects end that connection only; berth stays up.
    for (const garbage of ["not json", "null", "42"]) {
      const url = new URL(endpoint);
      const signed = await new SignatureV4({
        service: "ecs",
        region: "us-east-1",
        credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
        sha256: Hash.bind(null, "sha256"),
      }).sign(
        new HttpRequest({
          method: "GET",
          protocol: url.protocol,
          hostname: url.hostname,
          port: Number(url.port),
          path: url.pathname,
          query: { containerInstance: arn },
          headers: { host: url.host },
        }),
      );
      const ws = new WebSocket(`ws://${url.host}${url.pathname}?containerInstance=${encodeURIComponent(arn)}`, { headers: signed.headers });
      await new Promise((resolve, reject) => ws.once("open", resolve).once("error", reject));
      const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
      ws.send(garbage);
      assert.equal(await closed, 1007);
    }
    assert.equal((await ecs.send(new DescribeTasksCommand({ tasks: [after.taskArn!] }))).tasks!.length, 1);
  } finally {
    agent.close();
    await berth.stop();
  }
});
