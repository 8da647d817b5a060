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
import { startBerth } from "../support/berth-process.js";
import { sdkClient } from "../support/clients.js";
import { SimulatedAgent } from "../support/simulated-agent.js";

const CLUSTER = "lost";
const env = { BERTH_AGENT_TIMEOUT_SECONDS: "1", BERTH_HOST_LOST_SECONDS: "2" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, limitMs = 20_000): Promise<T> {
  const end = Date.now() + limitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const instanceStatus = async (ecs: ECSClient, arn: string) =>
  (await ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: [arn] }))).containerInstances![0]!.status;

test("a silent host is retired: its instance goes INACTIVE, its tasks stop, the service replaces them", async () => {
  const berth = await startBerth({ env });
  const agents: SimulatedAgent[] = [];
  try {
    const ecs = sdkClient(berth.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    for (const az of ["us-east-1a", "us-east-1b", "us-east-1c"]) agents.push(await new SimulatedAgent(berth.endpoint, { cluster: CLUSTER, az }).start());
    await ecs.send(new RegisterTaskDefinitionCommand({ family: "web", containerDefinitions: [{ name: "app", image: "app:1", memory: 64 }] }));
    await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: "web", taskDefinition: "web", desiredCount: 3 }));
    const running = async () => (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ["web"] }))).services![0]!.runningCount;
    await until("3 running", async () => ((await running()) === 3 ? true : undefined));
    const [gone] = agents.splice(0, 1);
    const onGone = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, containerInstance: gone!.arn }))).taskArns!;
    assert.equal(onGone.length, 1, "spread put one task on each host");
    await gone!.stop();

    await until("the silent host retired", async () => ((await instanceStatus(ecs, gone!.arn)) === "INACTIVE" ? true : undefined));
    const [stopped] = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: onGone }))).tasks!;
    assert.equal(stopped!.lastStatus, "STOPPED");
    assert.equal(stopped!.stopCode, "TerminationNotice");
    assert.match(stopped!.stoppedReason!, /^Host EC2 \(instance i-[0-9a-f]+\) terminated\.$/);
    await until("the service back at 3 running", async () => ((await running()) === 3 ? true : undefined));
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
  await sleep(2_500);
  berth = await startBerth({ env, dataDir: berth.dataDir });
  try {
    const ecs = sdkClient(berth.endpoint);
    assert.equal(await instanceStatus(ecs, agent.arn), "ACTIVE", "not retired at once on restart");
    await until("retired once silent for the lost timeout since restart", async () => ((await instanceStatus(ecs, agent.arn)) === "INACTIVE" ? true : undefined), 10_000);
  } finally {
    await berth.stop();
  }
});
