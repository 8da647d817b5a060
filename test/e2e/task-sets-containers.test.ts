// Task sets on real Docker, as an external deployment controller drives them (blue/green):
// an EXTERNAL service with a task set of each of two revisions, traffic moved 100/0 → 50/50,
// the primary switched, and the old set deleted — Docker showing each set's containers at
// every step. The SDK drives it; the AWS CLIs read the sets back.
import {
  CreateServiceCommand,
  CreateTaskSetCommand,
  DeleteTaskSetCommand,
  DescribeServicesCommand,
  DescribeTaskSetsCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServicePrimaryTaskSetCommand,
  UpdateTaskSetCommand,
  type ECSClient,
  type TaskSet,
} from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { BerthProcess } from "../support/berth-process.js";
import { berthWithAgent, type BerthWithAgent } from "../support/berth-with-agent.js";
import { availableClis, runCli } from "../support/clients.js";
import { ensureBusyboxImage } from "../support/images.js";
import { waitFor } from "../support/wait.js";

// A cluster name of its own per run: containers on this host are told apart by their cluster label.
const CLUSTER = `task-sets-${process.pid}`;
const SERVICE = "web";
const FAMILY = "ts-web";

describe("task sets on real containers", () => {
  const docker = new Docker();
  let world: BerthWithAgent | undefined;
  let berth: BerthProcess;
  let ecs: ECSClient;
  let blue: TaskSet;
  let green: TaskSet;

  /** Running containers of this cluster's tasks, by task definition revision. */
  const containersOf = async (revision: number) =>
    (await docker.listContainers({ filters: { label: [`com.amazonaws.ecs.task-definition-family=${FAMILY}`] } })).filter(
      (c) =>
        c.State === "running" &&
        c.Labels["com.amazonaws.ecs.cluster"]?.endsWith(`/${CLUSTER}`) &&
        c.Labels["com.amazonaws.ecs.task-definition-version"] === String(revision),
    ).length;
  const sets = async () => (await ecs.send(new DescribeTaskSetsCommand({ cluster: CLUSTER, service: SERVICE }))).taskSets!;
  const setById = async (id: string) => (await sets()).find((s) => s.id === id);
  /** Waits until the set is STEADY_STATE with `running` tasks. */
  const steady = (id: string, running: number) =>
    waitFor(() => setById(id), {
      until: (s) => s?.stabilityStatus === "STEADY_STATE" && s.runningCount === running && s.computedDesiredCount === running,
      message: `task set ${id} STEADY_STATE with ${running} running`,
      timeoutMs: 60_000,
    });
  const scale = (set: TaskSet, value: number) =>
    ecs.send(new UpdateTaskSetCommand({ cluster: CLUSTER, service: SERVICE, taskSet: set.taskSetArn!, scale: { value, unit: "PERCENT" } }));

  before(async () => {
    const image = await ensureBusyboxImage();
    world = await berthWithAgent({ cluster: CLUSTER });
    ({ berth, ecs } = world);
    // Two revisions of one family; they exit at once on SIGTERM, so stops take no stopTimeout.
    const revisions: string[] = [];
    for (const version of ["blue", "green"]) {
      const td = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: FAMILY,
          containerDefinitions: [
            {
              name: "app",
              image,
              memory: 16,
              stopTimeout: 2,
              environment: [{ name: "VERSION", value: version }],
              command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"],
            },
          ],
        }),
      );
      revisions.push(td.taskDefinition!.taskDefinitionArn!);
    }
    await ecs.send(
      new CreateServiceCommand({ cluster: CLUSTER, serviceName: SERVICE, desiredCount: 2, deploymentController: { type: "EXTERNAL" } }),
    );
    const create = async (taskDefinition: string, value: number) =>
      (
        await ecs.send(
          new CreateTaskSetCommand({
            cluster: CLUSTER,
            service: SERVICE,
            taskDefinition,
            scale: { value, unit: "PERCENT" },
            externalId: "ci",
          }),
        )
      ).taskSet!;
    blue = await create(revisions[0]!, 100);
    green = await create(revisions[1]!, 0);
  });
  after(() => world?.close());

  test("100 % / 0 %: the blue set runs both tasks, tagged with its id; the green set none", async () => {
    await ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster: CLUSTER, service: SERVICE, primaryTaskSet: blue.id! }));
    await steady(blue.id!, 2);
    await steady(green.id!, 0);
    assert.equal(await containersOf(1), 2);
    assert.equal(await containersOf(2), 0);
    const arns = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: SERVICE }))).taskArns!;
    const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks!;
    assert.deepEqual(
      tasks.map((t) => t.startedBy),
      [blue.id, blue.id],
    );
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0]!;
    assert.equal(service.runningCount, 2);
    assert.equal(service.taskDefinition, blue.taskDefinition);
  });

  test("50 % / 50 %: one container of each revision", async () => {
    await scale(green, 50);
    await scale(blue, 50);
    await steady(blue.id!, 1);
    await steady(green.id!, 1);
    await waitFor(async () => (await containersOf(1)) === 1 && (await containersOf(2)) === 1, {
      message: "one container of each revision",
      timeoutMs: 30_000,
    });
    for (const cli of availableClis()) {
      const r = runCli(cli, berth.endpoint, [
        "ecs",
        "describe-task-sets",
        "--cluster",
        CLUSTER,
        "--service",
        SERVICE,
        "--task-sets",
        green.id!,
      ]);
      assert.equal(r.status, 0, `${cli.name}: ${r.stderr}`);
      const [shown] = r.json.taskSets as TaskSet[];
      assert.equal(shown!.runningCount, 1, cli.name);
      assert.deepEqual(shown!.scale, { value: 50, unit: "PERCENT" }, cli.name);
    }
  });

  test("the primary moves to green; deleting blue stops its containers and the set disappears", async () => {
    const primary = await ecs.send(
      new UpdateServicePrimaryTaskSetCommand({ cluster: CLUSTER, service: SERVICE, primaryTaskSet: green.taskSetArn! }),
    );
    assert.equal(primary.taskSet!.status, "PRIMARY");
    assert.equal((await setById(blue.id!))!.status, "ACTIVE");
    await scale(green, 100);
    const deleted = await ecs.send(new DeleteTaskSetCommand({ cluster: CLUSTER, service: SERVICE, taskSet: blue.id!, force: true }));
    assert.equal(deleted.taskSet!.status, "DRAINING");
    await waitFor(async () => (await setById(blue.id!)) === undefined, { message: "the blue set gone", timeoutMs: 60_000 });
    await steady(green.id!, 2);
    await waitFor(async () => (await containersOf(1)) === 0 && (await containersOf(2)) === 2, {
      message: "no blue container, two green ones",
      timeoutMs: 30_000,
    });
    const service = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0]!;
    assert.equal(service.taskDefinition, green.taskDefinition);
    assert.deepEqual(
      service.taskSets!.map((s) => [s.id, s.status]),
      [[green.id, "PRIMARY"]],
    );
    assert.equal(service.runningCount, 2);
  });
});
