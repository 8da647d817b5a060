// Task sets against the real berth process with simulated agents (no containers): a set's
// tasks that exit are replaced, a set scaled to 0 stops its tasks with the scheduler's stop
// code, and the sets and their updates survive kill -9 of the control plane.
import {
  CreateClusterCommand,
  CreateServiceCommand,
  CreateTaskSetCommand,
  DescribeTaskSetsCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServicePrimaryTaskSetCommand,
  UpdateTaskSetCommand,
  type ECSClient,
  type TaskSet,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { newDataDir, startBerth, type BerthProcess } from "../support/berth-process.js";
import { sdkClient } from "../support/clients.js";
import { freePort } from "../support/ports.js";
import { SimulatedAgent } from "../support/simulated-agent.js";
import { waitFor } from "../support/wait.js";

const CLUSTER = "sets";

describe("task sets (simulated agents)", () => {
  const dataDir = newDataDir();
  let port: number;
  let berth: BerthProcess;
  let ecs: ECSClient;
  let agent: SimulatedAgent;
  let stable = "";
  let crashing = "";

  const setOf = async (service: string) => (await ecs.send(new DescribeTaskSetsCommand({ cluster: CLUSTER, service }))).taskSets![0]!;
  const tasksOf = async (service: string, desiredStatus: "RUNNING" | "STOPPED") => {
    const arns = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: service, desiredStatus }))).taskArns!;
    return arns.length ? (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks! : [];
  };
  const externalWithSet = async (service: string, taskDefinition: string, desiredCount: number): Promise<TaskSet> => {
    await ecs.send(
      new CreateServiceCommand({ cluster: CLUSTER, serviceName: service, desiredCount, deploymentController: { type: "EXTERNAL" } }),
    );
    const { taskSet } = await ecs.send(
      new CreateTaskSetCommand({ cluster: CLUSTER, service, taskDefinition, scale: { value: 100, unit: "PERCENT" } }),
    );
    await ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster: CLUSTER, service, primaryTaskSet: taskSet!.id! }));
    return taskSet!;
  };

  before(async () => {
    port = await freePort();
    berth = await startBerth({ dataDir, port });
    ecs = sdkClient(berth.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    agent = await new SimulatedAgent(berth.endpoint, {
      cluster: CLUSTER,
      outcome: (a) => (a.taskDefinition.containerDefinitions![0]!.image === "crash:1" ? "exit" : "run"),
    }).start();
    const register = async (family: string, image: string) =>
      (await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ name: "app", image, memory: 16 }] })))
        .taskDefinition!.taskDefinitionArn!;
    stable = await register("stable", "app:1");
    crashing = await register("crashing", "crash:1");
  });
  let agentStopped = false;
  after(async () => {
    if (!agentStopped) await agent.stop();
    await berth.stop();
  });

  test("a set's tasks that exit are replaced by new tasks of the same set", async () => {
    const set = await externalWithSet("crashy", crashing, 1);
    const stopped = await waitFor(() => tasksOf("crashy", "STOPPED"), {
      until: (tasks) => tasks.filter((t) => t.lastStatus === "STOPPED").length >= 2,
      message: "two exited tasks of the set, the second a replacement",
      timeoutMs: 30_000,
    });
    for (const t of stopped) assert.equal(t.startedBy, set.id);
  });

  test("a set scaled to 0 stops its tasks as the service scheduler does; its counts follow", async () => {
    const set = await externalWithSet("scaled", stable, 3);
    await waitFor(() => setOf("scaled"), {
      until: (s) => s.stabilityStatus === "STEADY_STATE" && s.runningCount === 3,
      message: "3 running, STEADY_STATE",
      timeoutMs: 30_000,
    });
    await ecs.send(
      new UpdateTaskSetCommand({ cluster: CLUSTER, service: "scaled", taskSet: set.id!, scale: { value: 0, unit: "PERCENT" } }),
    );
    const after = await waitFor(() => setOf("scaled"), {
      until: (s) => s.stabilityStatus === "STEADY_STATE" && s.runningCount === 0,
      message: "scaled to 0, STEADY_STATE",
      timeoutMs: 30_000,
    });
    assert.equal(after.computedDesiredCount, 0);
    const stopped = await waitFor(() => tasksOf("scaled", "STOPPED"), { until: (tasks) => tasks.length === 3, message: "3 stopped" });
    for (const t of stopped) {
      assert.equal(t.stopCode, "ServiceSchedulerInitiated");
      assert.equal(t.stoppedReason, `Scaling activity initiated by (deployment ${set.id})`);
    }
  });

  test("task sets and their last update survive kill -9 of the control plane", async () => {
    const set = await setOf("scaled");
    await ecs.send(
      new UpdateTaskSetCommand({ cluster: CLUSTER, service: "scaled", taskSet: set.id!, scale: { value: 34, unit: "PERCENT" } }),
    );
    agentStopped = true;
    await agent.stop();
    await berth.kill9();
    berth = await startBerth({ dataDir, port });
    ecs = sdkClient(berth.endpoint);
    const again = await setOf("scaled");
    assert.equal(again.id, set.id);
    assert.equal(again.status, "PRIMARY");
    assert.deepEqual(again.scale, { value: 34, unit: "PERCENT" });
    assert.equal(again.computedDesiredCount, 2, "ceil(3 × 34 %)");
  });
});
