// agentConnected tells the truth: an agent that stops polling shows disconnected once the
// timeout passes (30 s by default; shortened here through the environment), and gets no tasks.
import { DescribeContainerInstancesCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { test } from "node:test";
import { ControlPlaneClient, taskStateChangeRequest } from "../../src/agent/control-plane-client.js";
import { startBerth, TEST_ACCESS_KEY, TEST_SECRET_KEY } from "../support/berth-process.js";
import { sdkClient } from "../support/clients.js";

test("a vanished agent shows agentConnected false, gets no tasks, and reconnects by polling", async () => {
  const berth = await startBerth({ env: { BERTH_AGENT_TIMEOUT_SECONDS: "2" } });
  try {
    const ecs = sdkClient(berth.endpoint);
    const agent = new ControlPlaneClient({ endpoint: berth.endpoint, region: "us-east-1", credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY } });
    const arn = (await agent.register({ totalResources: [{ name: "CPU", type: "INTEGER", integerValue: 1024 }, { name: "MEMORY", type: "INTEGER", integerValue: 512 }] })).containerInstanceArn!;
    const connected = async () => (await ecs.send(new DescribeContainerInstancesCommand({ containerInstances: [arn] }))).containerInstances![0]!.agentConnected;
    assert.equal(await connected(), true);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await connected(), false);
    await ecs.send(new RegisterTaskDefinitionCommand({ family: "t", containerDefinitions: [{ name: "a", image: "busybox", memory: 16 }] }));
    const run = await ecs.send(new RunTaskCommand({ taskDefinition: "t" }));
    assert.deepEqual(run.tasks, []);
    assert.deepEqual(run.failures, [{ arn, reason: "AGENT" }]);
    await agent.discover("default", arn);
    await agent.poll({ containerInstanceArn: arn, waitMs: 0 }, new AbortController().signal);
    assert.equal(await connected(), true);
  } finally {
    await berth.stop();
  }
});

test("the agent client's light calls: answers with dates carried, AWS errors by name, and a poll its signal cuts short", async () => {
  const berth = await startBerth();
  const agent = new ControlPlaneClient({ endpoint: berth.endpoint, region: "us-east-1", credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY } });
  try {
    const ecs = sdkClient(berth.endpoint);
    const arn = (await agent.register({ totalResources: [{ name: "CPU", type: "INTEGER", integerValue: 1024 }, { name: "MEMORY", type: "INTEGER", integerValue: 512 }] })).containerInstanceArn!;
    await agent.discover("default", arn);
    const described = (await agent.call("DescribeContainerInstances", { containerInstances: [arn] })) as { containerInstances: { containerInstanceArn: string }[] };
    assert.equal(described.containerInstances[0]!.containerInstanceArn, arn);

    await ecs.send(new RegisterTaskDefinitionCommand({ family: "t", containerDefinitions: [{ name: "a", image: "busybox", memory: 16 }] }));
    const task = (await ecs.send(new RunTaskCommand({ taskDefinition: "t" }))).tasks![0]!;
    const pulled = new Date("2026-11-26T10:00:00.250Z");
    await agent.call("SubmitTaskStateChange", taskStateChangeRequest(task.clusterArn!, task.taskArn!, {
      status: "RUNNING", pullStartedAt: pulled, pullStoppedAt: pulled, containers: [{ containerName: "a", status: "RUNNING", runtimeId: "r" }],
    }));
    const after = (await ecs.send(new DescribeTasksCommand({ tasks: [task.taskArn!] }))).tasks![0]!;
    assert.equal(after.lastStatus, "RUNNING");
    assert.equal(after.pullStartedAt?.getTime(), pulled.getTime(), "dates travel as the protocol's epoch seconds");

    await assert.rejects(agent.call("SubmitTaskStateChange", { cluster: "default", task: "0123456789abcdef0123456789abcdef", status: "RUNNING" }),
      (err: Error) => err.name === "InvalidParameterException" && /not found/.test(err.message));
    await assert.rejects(agent.call("DescribeClusters", { clusters: "default" }), (err: Error) => err.name === "SerializationException");

    const first = await agent.poll({ containerInstanceArn: arn, waitMs: 0 }, new AbortController().signal);
    const cut = new AbortController();
    const waiting = agent.poll({ containerInstanceArn: arn, seen: first.version, waitMs: 20_000 }, cut.signal);
    setTimeout(() => cut.abort(), 100);
    await assert.rejects(waiting, (err: Error) => err.name === "AbortError");
  } finally {
    agent.close();
    await berth.stop();
  }
});
