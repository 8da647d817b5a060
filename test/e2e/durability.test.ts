// Acknowledged writes survive kill -9, and revision numbering carries on after a restart.
import {
  CreateClusterCommand,
  DescribeClustersCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { test } from "node:test";
import { newDataDir, startBerth } from "../support/berth-process.js";
import { sdkClient } from "../support/clients.js";

const taskDefinition = (family: string) => ({
  family,
  containerDefinitions: [{ name: "app", image: "busybox", memory: 32, command: ["sleep", "60"] }],
});

test("kill -9 right after acknowledged writes loses nothing", async () => {
  const dataDir = newDataDir();
  const first = await startBerth({ dataDir });
  const ecs = sdkClient(first.endpoint);
  const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: "durable" }));
  for (let i = 1; i <= 5; i++) {
    const { taskDefinition: td } = await ecs.send(new RegisterTaskDefinitionCommand(taskDefinition("durable")));
    assert.equal(td!.revision, i);
  }
  await ecs.send(new TagResourceCommand({ resourceArn: cluster!.clusterArn, tags: [{ key: "last", value: "write" }] }));
  await first.kill9();

  const second = await startBerth({ dataDir });
  const again = sdkClient(second.endpoint);
  const described = await again.send(new DescribeClustersCommand({ clusters: ["durable"], include: ["TAGS"] }));
  assert.equal(described.clusters![0]!.status, "ACTIVE");
  assert.deepEqual(described.clusters![0]!.tags, [{ key: "last", value: "write" }]);
  const latest = await again.send(new DescribeTaskDefinitionCommand({ taskDefinition: "durable" }));
  assert.equal(latest.taskDefinition!.revision, 5);
  const next = await again.send(new RegisterTaskDefinitionCommand(taskDefinition("durable")));
  assert.equal(next.taskDefinition!.revision, 6, "numbering continues after the restart");
  await second.stop();
});
