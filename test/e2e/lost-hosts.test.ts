// Hosts whose agents fall silent for BERTH_HOST_LOST_SECONDS are taken for terminated, as ECS
// takes an EC2 instance it sees terminated: deregistered, their tasks STOPPED, and services
// replace those tasks elsewhere. A control plane that was down itself does not condemn the
// hosts it finds silent on its return: their silence counts from its start.
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type ECSClient,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startBerth } from "../support/berth-process.js";
import { sdkClient } from "../support/clients.js";
import { SimulatedAgent } from "../support/simulated-agent.js";
import { waitFor } from "../support/wait.js";

const CLUSTER = "lost";
const env = { BERTH_AGENT_TIMEOUT_SECONDS: "1", BERTH_HOST_LOST_SECONDS: "2" };

const instanceStatus = async (ecs: ECSClient, arn: string) =>
  (await ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: [arn] }))).containerInstances![0]!.status;

test("a silent host is retired: its instance goes INACTIVE, its tasks stop, the service replaces them", async () => {
  const berth = await startBerth({ env });
  const agents: SimulatedAgent[] = [];
  try {
    const ecs = sdkClient(berth.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    for (const az of ["us-east-1a", "us-east-1b", "us-east-1c"])
      agents.push(await new SimulatedAgent(berth.endpoint, { cluster: CLUSTER, az }).start());
    await ecs.send(
      new RegisterTaskDefinitionCommand({ family: "web", containerDefinitions: [{ name: "app", image: "app:1", memory: 64 }] }),
    );
    await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: "web", taskDefinition: "web", desiredCount: 3 }));
    const running = async () =>
      (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ["web"] }))).services![0]!.runningCount;
    await waitFor(running, { until: (n) => n === 3, message: "3 running", timeoutMs: 20_000 });
    const [gone] = agents.splice(0, 1);
    const onGone = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, containerInstance: gone!.arn }))).taskArns!;
    assert.equal(onGone.length, 1, "spread put one task on each host");
    await gone!.stop();

    await waitFor(() => instanceStatus(ecs, gone!.arn), {
      until: (status) => status === "INACTIVE",
      message: "the silent host retired",
      timeoutMs: 20_000,
    });
    const [stopped] = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: onGone }))).tasks!;
    assert.equal(stopped!.lastStatus, "STOPPED");
    assert.equal(stopped!.stopCode, "TerminationNotice");
    assert.match(stopped!.stoppedReason!, /^Host EC2 \(instance i-[0-9a-f]+\) terminated\.$/);
    await waitFor(running, { until: (n) => n === 3, message: "the service back at 3 running", timeoutMs: 20_000 });
    const live = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: "web" }))).taskArns!;
    assert.equal(live.length, 3);
    assert.ok(!live.includes(onGone[0]!));
  } finally {
    for (const a of agents) await a.stop();
    await berth.stop();
  }
});

test("after the control plane itself was down, silence counts from its restart", async () => {
  let berth = await startBerth({ env });
  const ecs0 = sdkClient(berth.endpoint);
  await ecs0.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const agent = await new SimulatedAgent(berth.endpoint, { cluster: CLUSTER }).start();
  await agent.stop();
  await berth.stop();
  // Down for longer than the 2 s lost timeout: time that must pass, not a state to wait for.
  await sleep(2_500);
  berth = await startBerth({ env, dataDir: berth.dataDir });
  try {
    const ecs = sdkClient(berth.endpoint);
    assert.equal(await instanceStatus(ecs, agent.arn), "ACTIVE", "not retired at once on restart");
    await waitFor(() => instanceStatus(ecs, agent.arn), {
      until: (status) => status === "INACTIVE",
      message: "retired once silent for the lost timeout since restart",
      timeoutMs: 10_000,
    });
  } finally {
    await berth.stop();
  }
});
