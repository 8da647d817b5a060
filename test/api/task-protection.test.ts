// UpdateTaskProtection and GetTaskProtection in-process: the real SDK against a whole control
// plane, a container instance registered through the ECS API (no agent acts on its tasks,
// which is all these operations and the scheduler's choices need).
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeTasksCommand,
  GetTaskProtectionCommand,
  ListTasksCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateServiceCommand,
  UpdateTaskProtectionCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { inProcessBerth } from "../support/in-process.js";
import { waitFor } from "../support/wait.js";

const cluster = "guarded";
const MINUTE = 60_000;

describe("task scale-in protection in-process", () => {
  const berth = inProcessBerth();
  const { ecs } = berth;
  after(() => berth.close());
  let serviceTasks: string[] = [];
  let standalone = "";

  const serviceTaskArns = async () =>
    (await ecs.send(new ListTasksCommand({ cluster, serviceName: "web", desiredStatus: "RUNNING" }))).taskArns ?? [];

  before(async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
    await ecs.send(
      new RegisterContainerInstanceCommand({
        cluster,
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 4096 },
          { name: "MEMORY", type: "INTEGER", integerValue: 8192 },
        ],
        instanceIdentityDocument: JSON.stringify({ availabilityZone: "us-east-1a", instanceType: "sim.large" }),
      }),
    );
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "web",
        containerDefinitions: [{ name: "web", image: "busybox", memory: 32, essential: true }],
      }),
    );
    await ecs.send(new CreateServiceCommand({ cluster, serviceName: "web", taskDefinition: "web", desiredCount: 3 }));
    serviceTasks = await waitFor(serviceTaskArns, { until: (arns) => arns.length === 3 });
    standalone = (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: "web" }))).tasks![0]!.taskArn!;
  });

  test("protection is on for 2 hours by default, or expiresInMinutes; GetTaskProtection reads it back", async () => {
    const t0 = Date.now();
    const [a, b] = serviceTasks;
    const byDefault = await ecs.send(new UpdateTaskProtectionCommand({ cluster, tasks: [a!], protectionEnabled: true }));
    assert.deepEqual(byDefault.failures, []);
    const [pa] = byDefault.protectedTasks!;
    assert.equal(pa!.taskArn, a);
    assert.equal(pa!.protectionEnabled, true);
    const expires = pa!.expirationDate!.getTime();
    assert.ok(
      expires >= t0 + 120 * MINUTE - 1000 && expires <= Date.now() + 120 * MINUTE + 1000,
      `expires ${new Date(expires).toISOString()}`,
    );

    const id = b!.split("/").pop()!;
    const hour = await ecs.send(new UpdateTaskProtectionCommand({ cluster, tasks: [id], protectionEnabled: true, expiresInMinutes: 60 }));
    assert.equal(hour.protectedTasks![0]!.taskArn, b, "a task id answers with its ARN");
    assert.ok(Math.abs(hour.protectedTasks![0]!.expirationDate!.getTime() - (Date.now() + 60 * MINUTE)) < 5000);

    const read = await ecs.send(new GetTaskProtectionCommand({ cluster, tasks: [a!, b!] }));
    assert.deepEqual(
      read.protectedTasks!.map((p) => [p.taskArn, p.protectionEnabled, p.expirationDate?.getTime()]),
      [
        [a, true, expires],
        [b, true, hour.protectedTasks![0]!.expirationDate!.getTime()],
      ],
    );

    const off = await ecs.send(new UpdateTaskProtectionCommand({ cluster, tasks: [b!], protectionEnabled: false }));
    assert.deepEqual(off.protectedTasks, [{ taskArn: b, protectionEnabled: false }]);
    const again = await ecs.send(new GetTaskProtectionCommand({ cluster, tasks: [b!] }));
    assert.deepEqual(again.protectedTasks, [{ taskArn: b, protectionEnabled: false }]);
  });

  test("a missing task and a task of no service are failures, the others are still protected", async () => {
    const unknown = "0123456789abcdef0123456789abcdef";
    const out = await ecs.send(
      new UpdateTaskProtectionCommand({
        cluster,
        tasks: [unknown, standalone, serviceTasks[2]!],
        protectionEnabled: true,
        expiresInMinutes: 5,
      }),
    );
    assert.deepEqual(
      out.protectedTasks!.map((p) => p.taskArn),
      [serviceTasks[2]],
    );
    assert.deepEqual(
      out.failures!.map((f) => [f.arn, f.reason]),
      [
        [`arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:task/${cluster}/${unknown}`, "MISSING"],
        [standalone, "TASK_NOT_VALID"],
      ],
    );
    const read = await ecs.send(new GetTaskProtectionCommand({ cluster, tasks: [unknown, standalone] }));
    assert.deepEqual(read.protectedTasks, []);
    assert.deepEqual(
      read.failures!.map((f) => f.reason),
      ["MISSING", "TASK_NOT_VALID"],
    );
    await ecs.send(new UpdateTaskProtectionCommand({ cluster, tasks: [serviceTasks[2]!], protectionEnabled: false }));
  });

  test("refused input: ECS's exceptions, and nothing changes", async () => {
    const task = serviceTasks[1]!;
    for (const minutes of [0, 2881]) {
      await assert.rejects(
        ecs.send(new UpdateTaskProtectionCommand({ cluster, tasks: [task], protectionEnabled: true, expiresInMinutes: minutes })),
        (err: Error) => err.name === "InvalidParameterException" && /expiresInMinutes/.test(err.message),
      );
    }
    await assert.rejects(
      ecs.send(new UpdateTaskProtectionCommand({ cluster, tasks: Array(11).fill(task) as string[], protectionEnabled: true })),
      (err: Error) => err.name === "InvalidParameterException",
    );
    await assert.rejects(
      ecs.send(new UpdateTaskProtectionCommand({ cluster: "nowhere", tasks: [task], protectionEnabled: true })),
      (err: Error) => err.name === "ClusterNotFoundException",
    );
    await assert.rejects(
      ecs.send(new GetTaskProtectionCommand({ cluster: "nowhere", tasks: [task] })),
      (err: Error) => err.name === "ClusterNotFoundException",
    );
    const read = await ecs.send(new GetTaskProtectionCommand({ cluster, tasks: [task] }));
    assert.deepEqual(read.protectedTasks, [{ taskArn: task, protectionEnabled: false }]);
  });

  test("scale-in passes the protected task over, and can stop it once its protection is removed", async () => {
    await ecs.send(new UpdateTaskProtectionCommand({ cluster, tasks: serviceTasks, protectionEnabled: false }));
    // The one scale-in would stop first unprotected: the newest (all three are equally pending).
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster, tasks: serviceTasks }));
    const newestFirst = [...tasks!].sort((x, y) => y.createdAt!.getTime() - x.createdAt!.getTime() || (x.taskArn! < y.taskArn! ? 1 : -1));
    const kept = newestFirst[0]!.taskArn;
    await ecs.send(new UpdateTaskProtectionCommand({ cluster, tasks: [kept!], protectionEnabled: true }));
    await ecs.send(new UpdateServiceCommand({ cluster, service: "web", desiredCount: 1 }));
    const left = await waitFor(serviceTaskArns, { until: (arns) => arns.length === 1 });
    assert.deepEqual(left, [kept]);

    await ecs.send(new UpdateTaskProtectionCommand({ cluster, tasks: [kept!], protectionEnabled: false }));
    await ecs.send(new UpdateServiceCommand({ cluster, service: "web", desiredCount: 0 }));
    await waitFor(serviceTaskArns, { until: (arns) => arns.length === 0 });
    const described = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [kept!] }));
    assert.equal(described.tasks![0]!.desiredStatus, "STOPPED");
  });
});
