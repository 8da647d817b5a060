// Service counts against what Docker runs: tasks whose PID 1 ignores SIGTERM take their whole
// stopTimeout to stop, and while they stop they still count. A rolling deployment never has
// more containers running than maximumPercent allows, `services-stable` returns only when
// what runs is what was asked for, and a scale-in passes a scale-in protected task over.
import {
  CreateServiceCommand,
  DescribeTasksCommand,
  GetTaskProtectionCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  UpdateTaskProtectionCommand,
  waitUntilServicesStable,
  type ECSClient,
} from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { BerthProcess } from "../support/berth-process.js";
import { berthWithAgent, type BerthWithAgent } from "../support/berth-with-agent.js";
import { availableClis, runCli } from "../support/clients.js";
import { ensureBusyboxImage } from "../support/images.js";

// A cluster name of its own per run: containers on this host are told apart by their cluster label.
const CLUSTER = `counts-${process.pid}`;

describe("service counts on real containers", () => {
  const docker = new Docker();
  let world: BerthWithAgent | undefined;
  let berth: BerthProcess;
  let ecs: ECSClient;
  let image: string;

  const stable = (name: string) =>
    waitUntilServicesStable({ client: ecs, maxWaitTime: 180, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, services: [name] });
  /** The service's containers Docker reports running (one being stopped still runs). */
  const running = async (family: string) =>
    (
      await docker.listContainers({ filters: { label: [`com.amazonaws.ecs.task-definition-family=${family}`], status: ["running"] } })
    ).filter((c) => c.Labels["com.amazonaws.ecs.cluster"]?.endsWith(`/${CLUSTER}`));
  /** A container whose PID 1 ignores SIGTERM: every stop takes the whole stopTimeout. */
  const stubborn = (family: string, stopTimeout: number) =>
    ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [
          { name: "app", image, memory: 16, stopTimeout, command: ["sh", "-c", 'trap "" TERM; while true; do sleep 1; done'] },
        ],
      }),
    );

  before(async () => {
    image = await ensureBusyboxImage();
    world = await berthWithAgent({ cluster: CLUSTER });
    ({ berth, ecs } = world);
  });
  after(() => world?.close());

  test("a rolling deployment stays within maximumPercent in Docker, and services-stable waits for stopping tasks", async () => {
    const family = `counts-roll-${process.pid}`;
    await stubborn(family, 4);
    const v2 = (await stubborn(family, 4)).taskDefinition!.revision!;
    const desired = 2;
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: "roll",
        taskDefinition: `${family}:1`,
        desiredCount: desired,
        deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 100 },
      }),
    );
    await stable("roll");
    assert.equal((await running(family)).length, desired);

    // Sample Docker all through the deployment: the old tasks take 4 s each to stop.
    let sampling = true;
    let most = 0;
    let samples = 0;
    const sampler = (async () => {
      while (sampling) {
        most = Math.max(most, (await running(family)).length);
        samples += 1;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "roll", taskDefinition: `${family}:${v2}` }));
    await stable("roll");
    const after = await running(family);
    sampling = false;
    await sampler;
    assert.ok(samples > 20, `Docker sampled ${samples} times`);
    assert.ok(most <= desired, `${most} containers ran at once; maximumPercent 100 of ${desired} allows ${desired}`);
    assert.deepEqual(
      after.map((c) => c.Labels["com.amazonaws.ecs.task-definition-version"]),
      Array(desired).fill(String(v2)),
      "once stable, exactly the desired containers run, all of the new revision",
    );

    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "roll", desiredCount: 0 }));
    await stable("roll");
    assert.deepEqual(await running(family), [], "stable at 0 means no container still stopping");
  });

  test("a scale-in passes a protected task over; once unprotected it can be stopped", async () => {
    const family = `counts-guard-${process.pid}`;
    await stubborn(family, 2);
    await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: "guard", taskDefinition: family, desiredCount: 3 }));
    await stable("guard");
    const arns = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: "guard" }))).taskArns!;
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }));
    // Unprotected, the newest goes first on a scale-in: protect that one.
    const newest = [...tasks!].sort((a, b) => b.createdAt!.getTime() - a.createdAt!.getTime() || (a.taskArn! < b.taskArn! ? 1 : -1))[0]!;
    const set = await ecs.send(
      new UpdateTaskProtectionCommand({ cluster: CLUSTER, tasks: [newest.taskArn!], protectionEnabled: true, expiresInMinutes: 30 }),
    );
    assert.equal(set.protectedTasks![0]!.protectionEnabled, true);

    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "guard", desiredCount: 1 }));
    await stable("guard");
    const left = await running(family);
    assert.deepEqual(
      left.map((c) => c.Id),
      [newest.containers![0]!.runtimeId],
      "only the protected task's container runs",
    );

    // The AWS CLIs read it and lift it as the SDK does.
    const clis = availableClis();
    for (const cli of clis) {
      const got = runCli(cli, berth.endpoint, ["ecs", "get-task-protection", "--cluster", CLUSTER, "--tasks", newest.taskArn!]);
      assert.equal(got.status, 0, `${cli.name}: ${got.stderr}`);
      assert.equal(got.json.protectedTasks[0].protectionEnabled, true, cli.name);
      const tooLong = runCli(cli, berth.endpoint, [
        ...["ecs", "update-task-protection", "--cluster", CLUSTER, "--tasks", newest.taskArn!],
        ...["--protection-enabled", "--expires-in-minutes", "2881"],
      ]);
      assert.match(tooLong.stderr, /InvalidParameterException/, cli.name);
    }
    const lift = ["ecs", "update-task-protection", "--cluster", CLUSTER, "--tasks", newest.taskArn!, "--no-protection-enabled"];
    if (clis.length > 0) assert.equal(runCli(clis[0]!, berth.endpoint, lift).status, 0);
    else await ecs.send(new UpdateTaskProtectionCommand({ cluster: CLUSTER, tasks: [newest.taskArn!], protectionEnabled: false }));
    const read = await ecs.send(new GetTaskProtectionCommand({ cluster: CLUSTER, tasks: [newest.taskArn!] }));
    assert.equal(read.protectedTasks![0]!.protectionEnabled, false);
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "guard", desiredCount: 0 }));
    await stable("guard");
    assert.deepEqual(await running(family), []);
    const stopped = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [newest.taskArn!] }))).tasks![0]!;
    assert.equal(stopped.lastStatus, "STOPPED");
  });
});
