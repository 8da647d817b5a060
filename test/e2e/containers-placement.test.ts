// Three agents in three availability zones on this host (one Docker, three container
// instances), and pulls from a local registry with and without credentials.
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
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startAgent, type AgentProcess } from "../support/agent-process.js";
import { startBerth, type BerthProcess } from "../support/berth-process.js";
import { sdkClient } from "../support/clients.js";
import { ensureBusyboxImage, removeClusterContainers } from "../support/images.js";
import { startRegistry, type LocalRegistry } from "../support/registry.js";

// A cluster name of its own per run: containers on this host are told apart by their cluster label.
const CLUSTER = `zones-${process.pid}`;
const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

describe("placement across agents, and registry pulls", () => {
  let berth: BerthProcess;
  let ecs: ECSClient;
  let image: string;
  const agents: AgentProcess[] = [];
  const registries: LocalRegistry[] = [];
  const zoneOf = new Map<string, string>();

  const untilRunning = (arns: string[]) =>
    waitUntilTasksRunning({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, tasks: arns });
  const untilStopped = (arns: string[]) =>
    waitUntilTasksStopped({ client: ecs, maxWaitTime: 90, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, tasks: arns });
  const stopAll = async (arns: string[]) => {
    for (const task of arns) await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task }));
    await untilStopped(arns);
  };

  before(async () => {
    image = await ensureBusyboxImage();
    berth = await startBerth();
    ecs = sdkClient(berth.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    for (const zone of ZONES) {
      const a = startAgent(berth.endpoint, {
        args: [
          "--cluster",
          CLUSTER,
          "--availability-zone",
          zone,
          "--instance-type",
          "t3.medium",
          "--cpu",
          "1024",
          "--memory",
          "1024",
          "--attribute",
          `zone-label=${zone.slice(-1)}`,
        ],
      });
      agents.push(a);
      zoneOf.set((await a.registered)[0]!, zone);
    }
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "spread",
        containerDefinitions: [{ name: "s", image, memory: 32, stopTimeout: 2, command: ["sleep", "600"] }],
      }),
    );
  });
  after(async () => {
    for (const a of agents) await a.kill();
    for (const r of registries) await r.stop();
    await berth?.stop();
    for (const cluster of [CLUSTER, "private"]) await removeClusterContainers(cluster);
  });

  test("spread by availability zone puts two tasks in each of three zones", async () => {
    const arns: string[] = [];
    for (let i = 0; i < 2; i++) {
      const out = await ecs.send(
        new RunTaskCommand({
          cluster: CLUSTER,
          taskDefinition: "spread",
          count: 3,
          placementStrategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }],
        }),
      );
      assert.deepEqual(out.failures, []);
      arns.push(...out.tasks!.map((t) => t.taskArn!));
    }
    await untilRunning(arns);
    const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks!;
    const perZone = new Map<string, number>();
    for (const t of tasks) {
      assert.equal(t.availabilityZone, zoneOf.get(t.containerInstanceArn!));
      perZone.set(t.availabilityZone!, (perZone.get(t.availabilityZone!) ?? 0) + 1);
    }
    assert.deepEqual([...perZone.values()], [2, 2, 2]);
    await stopAll(arns);
  });

  test("memberOf keeps tasks in the named zone; distinctInstance spreads a group", async () => {
    const out = await ecs.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: "spread",
        count: 3,
        placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.availability-zone == us-east-1b" }],
      }),
    );
    const arns = out.tasks!.map((t) => t.taskArn!);
    assert.equal(arns.length, 3);
    for (const t of out.tasks!) assert.equal(zoneOf.get(t.containerInstanceArn!), "us-east-1b");
    const custom = await ecs.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: "spread",
        count: 1,
        placementConstraints: [{ type: "memberOf", expression: "attribute:zone-label == c" }],
      }),
    );
    assert.equal(zoneOf.get(custom.tasks![0]!.containerInstanceArn!), "us-east-1c");
    const distinct = await ecs.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: "spread",
        count: 3,
        group: "one-each",
        placementConstraints: [{ type: "distinctInstance" }],
      }),
    );
    assert.equal(new Set(distinct.tasks!.map((t) => t.containerInstanceArn)).size, 3);
    const fourth = await ecs.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: "spread",
        group: "one-each",
        placementConstraints: [{ type: "distinctInstance" }],
      }),
    );
    assert.deepEqual(fourth.tasks, []);
    assert.equal(fourth.failures!.length, 3);
    const all = [...arns, custom.tasks![0]!.taskArn!, ...distinct.tasks!.map((t) => t.taskArn!)];
    await untilRunning(all);
    await stopAll(all);
  });

  test("a pull from a local registry, without and with credentials", async () => {
    const open = await startRegistry();
    registries.push(open);
    const openRef = open.push(image, "berth/open:1");
    const locked = await startRegistry({ username: "berth", password: "s3cret" });
    registries.push(locked);
    const lockedRef = locked.push(image, "berth/locked:1");
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "pull-open",
        containerDefinitions: [{ name: "p", image: openRef, memory: 32, stopTimeout: 2, command: ["sleep", "600"] }],
      }),
    );
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "pull-locked",
        containerDefinitions: [{ name: "p", image: lockedRef, memory: 32, stopTimeout: 2, command: ["sleep", "600"] }],
      }),
    );

    const first = (await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: "pull-open" }))).tasks![0]!.taskArn!;
    await untilRunning([first]);
    const pulled = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [first] }))).tasks![0]!;
    assert.ok(pulled.pullStartedAt && pulled.pullStoppedAt);

    // Without credentials the locked registry refuses the pull.
    const refused = (await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: "pull-locked" }))).tasks![0]!.taskArn!;
    await untilStopped([refused]);
    const failed = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [refused] }))).tasks![0]!;
    assert.equal(failed.stopCode, "TaskFailedToStart");
    assert.match(failed.stoppedReason!, /^CannotPullContainerError: /);

    // An agent holding the registry's credentials (ECS_ENGINE_AUTH_DATA, as the ECS agent takes them) pulls it.
    await ecs.send(new CreateClusterCommand({ clusterName: "private" }));
    const authed = startAgent(berth.endpoint, {
      args: ["--cluster", "private"],
      env: {
        ECS_ENGINE_AUTH_TYPE: "docker",
        ECS_ENGINE_AUTH_DATA: JSON.stringify({ [locked.address]: { username: "berth", password: "s3cret" } }),
      },
    });
    agents.push(authed);
    await authed.registered;
    const ok = (await ecs.send(new RunTaskCommand({ cluster: "private", taskDefinition: "pull-locked" }))).tasks![0]!.taskArn!;
    await waitUntilTasksRunning({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { cluster: "private", tasks: [ok] });
    await ecs.send(new StopTaskCommand({ cluster: "private", task: ok }));
    await stopAll([first]);
  });
});
