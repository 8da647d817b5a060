// A restarted agent removes the containers it left behind for tasks it no longer holds (their
// removal timer died with the old process), and nothing of another agent sharing the engine.
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  waitUntilTasksRunning,
  waitUntilTasksStopped,
  type ECSClient,
} from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startAgent, type AgentProcess } from "../support/agent-process.js";
import { newDataDir, startBerth, type BerthProcess } from "../support/berth-process.js";
import { sdkClient } from "../support/clients.js";
import { ensureBusyboxImage, removeClusterContainers } from "../support/images.js";
import { freePort } from "../support/ports.js";
import { waitFor } from "../support/wait.js";

const CLUSTER = `leftovers-${process.pid}`;

describe("agent leftovers", () => {
  const docker = new Docker();
  let berth: BerthProcess;
  let agent: AgentProcess;
  let ecs: ECSClient;
  let image: string;
  const exists = (id: string) =>
    docker
      .getContainer(id)
      .inspect()
      .then(
        () => true,
        () => false,
      );

  before(async () => {
    image = await ensureBusyboxImage();
    berth = await startBerth({ dataDir: newDataDir(), port: await freePort() });
    ecs = sdkClient(berth.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: `leftover-${process.pid}`,
        containerDefinitions: [{ name: "z", image, memory: 16, command: ["sleep", "600"], stopTimeout: 2 }],
      }),
    );
    agent = startAgent(berth.endpoint, { args: ["--cluster", CLUSTER] });
    await agent.registered;
  });
  after(async () => {
    await agent?.kill();
    await berth?.stop();
    await removeClusterContainers(CLUSTER, docker);
  });

  test("the stopped task's container kept for its logs goes when the agent restarts; another agent's stays", async () => {
    const taskArn = (await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: `leftover-${process.pid}` }))).tasks![0]!
      .taskArn!;
    await waitUntilTasksRunning({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, tasks: [taskArn] });
    const id = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }))).tasks![0]!.containers![0]!.runtimeId!;
    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: taskArn }));
    await waitUntilTasksStopped({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, tasks: [taskArn] });
    assert.equal(await exists(id), true, "kept for its logs while the agent that ran it lives");
    const labels = (await docker.getContainer(id).inspect()).Config.Labels;
    // Another agent's container on the same engine, for a task this agent never held.
    const other = await docker.createContainer({
      Image: image,
      Cmd: ["true"],
      Labels: {
        ...labels,
        "berth.container-instance": `${labels["berth.container-instance"]}-other`,
        "com.amazonaws.ecs.task-arn": `${taskArn.slice(0, -4)}ffff`,
      },
    });

    await agent.kill();
    agent = startAgent(berth.endpoint, { args: ["--cluster", CLUSTER], dataDir: agent.dataDir });
    await agent.registered;
    await waitFor(async () => !(await exists(id)), { message: "the leftover container removed", timeoutMs: 30_000 });
    assert.equal(await exists(other.id), true, "another agent's container is not ours to remove");
  });
});
