// The "must hold" cases of tasks in real containers: the control plane killed with -9
// while tasks run, an agent restarted while a task is stopped, a container killed outside berth.
import {
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  waitUntilTasksRunning,
  waitUntilTasksStopped,
  type ECSClient,
  type Task,
} from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startAgent, type AgentProcess } from "../support/agent-process.js";
import type { BerthProcess } from "../support/berth-process.js";
import { berthWithAgent, type BerthWithAgent } from "../support/berth-with-agent.js";
import { ensureBusyboxImage } from "../support/images.js";
import { waitFor } from "../support/wait.js";

// A cluster name of its own per run: containers on this host are told apart by their cluster label.
const CLUSTER = `resilience-${process.pid}`;

describe("tasks survive failures around them", () => {
  const docker = new Docker();
  let world: BerthWithAgent | undefined;
  let berth: BerthProcess;
  let agent: AgentProcess;
  let ecs: ECSClient;
  const describeTask = async (arn: string): Promise<Task> =>
    (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))).tasks![0]!;
  const untilRunning = (arns: string[]) =>
    waitUntilTasksRunning({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, tasks: arns });
  const untilStopped = (arns: string[]) =>
    waitUntilTasksStopped({ client: ecs, maxWaitTime: 90, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, tasks: arns });
  const run = async () => {
    const out = await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: "sleeper" }));
    assert.deepEqual(out.failures, []);
    return out.tasks![0]!.taskArn!;
  };

  before(async () => {
    const image = await ensureBusyboxImage();
    world = await berthWithAgent({ cluster: CLUSTER });
    ({ berth, agent, ecs } = world);
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "sleeper",
        containerDefinitions: [{ name: "z", image, memory: 32, command: ["sleep", "600"], stopTimeout: 2 }],
      }),
    );
  });
  after(() => world?.close());

  test("kill -9 of the control plane while tasks run: on restart they are still RUNNING, containers untouched", async () => {
    const arn = await run();
    await untilRunning([arn]);
    const runtimeId = (await describeTask(arn)).containers![0]!.runtimeId!;
    const heard = agent.output().length;
    await berth.kill9();
    // Once the agent has found the control plane gone (a reconnection refused), its containers
    // must still run: it does not stop what it runs for want of a control plane.
    const refused = (line: string) => line.includes("channel to the control plane failed") && line.includes("ECONNREFUSED");
    await waitFor(() => agent.output().slice(heard).split("\n").some(refused), {
      message: "the agent to find the control plane gone",
      timeoutMs: 15_000,
    });
    assert.equal((await docker.getContainer(runtimeId).inspect()).State.Running, true, "the container runs on without the control plane");
    await world!.startBerthAgain();
    ({ berth, ecs } = world!);
    const t = await describeTask(arn);
    assert.equal(t.lastStatus, "RUNNING");
    assert.equal(t.containers![0]!.runtimeId, runtimeId);
    const state = await docker.getContainer(runtimeId).inspect();
    assert.equal(state.State.Running, true);
    assert.equal(state.RestartCount, 0);
    // and the agent still takes orders from the restarted control plane
    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn }));
    await untilStopped([arn]);
  });

  test("a task stopped while its agent was down is stopped when the agent comes back; running ones are adopted", async () => {
    const keep = await run();
    const drop = await run();
    await untilRunning([keep, drop]);
    const keepId = (await describeTask(keep)).containers![0]!.runtimeId!;
    const dropId = (await describeTask(drop)).containers![0]!.runtimeId!;
    await agent.kill("SIGKILL");
    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: drop, reason: "while the agent was away" }));
    assert.equal((await docker.getContainer(dropId).inspect()).State.Running, true, "nobody stopped it yet");
    agent = world!.agent = startAgent(berth.endpoint, { args: ["--cluster", CLUSTER], dataDir: agent.dataDir });
    await agent.registered;
    await untilStopped([drop]);
    const dropped = await describeTask(drop);
    assert.equal(dropped.stopCode, "UserInitiated");
    assert.equal(dropped.stoppedReason, "while the agent was away");
    const kept = await describeTask(keep);
    assert.equal(kept.lastStatus, "RUNNING");
    assert.equal(kept.containers![0]!.runtimeId, keepId, "recovered, not restarted");
    const state = await docker.getContainer(keepId).inspect();
    assert.equal(state.State.Running, true);
    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: keep }));
    await untilStopped([keep]);
  });

  test("a container killed outside berth stops its task with the exit code, stopCode and reason", async () => {
    const arn = await run();
    await untilRunning([arn]);
    const runtimeId = (await describeTask(arn)).containers![0]!.runtimeId!;
    await docker.getContainer(runtimeId).kill();
    await untilStopped([arn]);
    const t = await describeTask(arn);
    assert.equal(t.containers![0]!.exitCode, 137);
    assert.equal(t.stopCode, "EssentialContainerExited");
    assert.equal(t.stoppedReason, "Essential container in task exited");
  });
});
