// STOPPED tasks stay describable for the retention time, then are purged
// (ECS keeps them at least an hour; the test shortens it through the environment).
import { DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { test } from "node:test";
import { ControlPlaneClient } from "../../src/agent/control-plane-client.js";
import { startBerth, TEST_ACCESS_KEY, TEST_SECRET_KEY } from "../support/berth-process.js";
import { sdkClient } from "../support/clients.js";
import { waitFor } from "../support/wait.js";

test("a STOPPED task is purged once its retention has passed", async () => {
  const berth = await startBerth({ env: { BERTH_STOPPED_TASK_RETENTION_SECONDS: "2" } });
  try {
    const ecs = sdkClient(berth.endpoint);
    const agent = new ControlPlaneClient({
      endpoint: berth.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
    });
    await agent.register({
      totalResources: [
        { name: "CPU", type: "INTEGER", integerValue: 1024 },
        { name: "MEMORY", type: "INTEGER", integerValue: 512 },
      ],
    });
    await ecs.send(
      new RegisterTaskDefinitionCommand({ family: "brief", containerDefinitions: [{ name: "a", image: "busybox", memory: 16 }] }),
    );
    const task = (await ecs.send(new RunTaskCommand({ taskDefinition: "brief" }))).tasks![0]!;
    await ecs.send(new StopTaskCommand({ task: task.taskArn! }));
    await agent.submitTaskStateChange(task.clusterArn!, task.taskArn!, { status: "STOPPED" });
    const right = await ecs.send(new DescribeTasksCommand({ tasks: [task.taskArn!] }));
    assert.equal(right.tasks![0]!.lastStatus, "STOPPED");
    const gone = await waitFor(async () => (await ecs.send(new DescribeTasksCommand({ tasks: [task.taskArn!] }))).failures!.length === 1, {
      message: "the task purged",
      intervalMs: 250,
    });
    assert.ok(gone, "the stopped task was purged");
  } finally {
    await berth.stop();
  }
});
