// agentConnected tells the truth: an agent that stops polling shows disconnected once the
// timeout passes (30 s by default; shortened here through the environment), and gets no tasks.
import { DescribeContainerInstancesCommand, RegisterTaskDefinitionCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { test } from "node:test";
import { ControlPlaneClient } from "../../src/agent/control-plane-client.js";
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
