// Task sets and the EXTERNAL deployment controller, in-process: the five task set operations,
// their statuses, computed counts and errors, and CreateService/UpdateService on an EXTERNAL
// service. No agent runs here, so no task reaches RUNNING: scheduling the sets' tasks is
// tested in test/e2e/task-sets-api.test.ts (simulated agents) and task-sets-containers (Docker).
import {
  CreateClusterCommand,
  CreateServiceCommand,
  CreateTaskSetCommand,
  DeleteServiceCommand,
  DeleteTaskSetCommand,
  DescribeServicesCommand,
  DescribeTaskSetsCommand,
  ListTagsForResourceCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UpdateServiceCommand,
  UpdateServicePrimaryTaskSetCommand,
  UpdateTaskSetCommand,
  type TaskSet,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { inProcessBerth } from "../support/in-process.js";
import { defaultNetwork } from "../support/vpc.js";
import { waitFor } from "../support/wait.js";

const CLUSTER = "sets";

describe("task sets (in-process)", () => {
  const berth = inProcessBerth();
  const { ecs } = berth;
  let td1 = "";
  let td2 = "";
  /** A subnet of the default VPC. */
  let subnet = "";
  after(() => berth.close());

  before(async () => {
    subnet = (await defaultNetwork(berth)).subnetIds[0]!;
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    const register = async (image: string) =>
      (await ecs.send(new RegisterTaskDefinitionCommand({ family: "web", containerDefinitions: [{ name: "app", image, memory: 64 }] })))
        .taskDefinition!.taskDefinitionArn!;
    td1 = await register("app:1");
    td2 = await register("app:2");
  });

  const external = async (serviceName: string, desiredCount = 4) =>
    (await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName, desiredCount, deploymentController: { type: "EXTERNAL" } })))
      .service!;
  const createSet = async (service: string, taskDefinition: string, value?: number, extra: Record<string, unknown> = {}) =>
    (
      await ecs.send(
        new CreateTaskSetCommand({
          cluster: CLUSTER,
          service,
          taskDefinition,
          ...(value !== undefined ? { scale: { value, unit: "PERCENT" } } : {}),
          ...extra,
        }),
      )
    ).taskSet!;
  const describeSets = async (service: string, taskSets?: string[]) =>
    ecs.send(new DescribeTaskSetsCommand({ cluster: CLUSTER, service, ...(taskSets ? { taskSets } : {}) }));
  const describeService = async (service: string) =>
    (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }))).services![0]!;
  const rejects = (p: Promise<unknown>, name: string, message?: RegExp) =>
    assert.rejects(p, (err: Error) => {
      assert.equal(err.name, name, err.message);
      if (message) assert.match(err.message, message);
      return true;
    });

  test("CreateService with the EXTERNAL controller takes no task definition and has no deployment", async () => {
    const service = await external("ext");
    assert.deepEqual(service.deploymentController, { type: "EXTERNAL" });
    assert.equal(service.taskDefinition, undefined);
    assert.deepEqual(service.deployments, []);
    assert.deepEqual(service.taskSets, []);
    assert.equal(service.desiredCount, 4);
    assert.equal(service.status, "ACTIVE");
  });

  test("CreateService with EXTERNAL refuses what belongs to task sets, and creates nothing", async () => {
    for (const extra of [
      { taskDefinition: "web:1" },
      { launchType: "EC2" as const },
      { networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } } },
      { platformVersion: "LATEST" },
    ]) {
      await rejects(
        ecs.send(
          new CreateServiceCommand({
            cluster: CLUSTER,
            serviceName: "refused",
            desiredCount: 1,
            deploymentController: { type: "EXTERNAL" },
            ...extra,
          }),
        ),
        "InvalidParameterException",
        /EXTERNAL deployment controller/,
      );
    }
    await rejects(
      ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName: "refused",
          schedulingStrategy: "DAEMON",
          deploymentController: { type: "EXTERNAL" },
        }),
      ),
      "InvalidParameterException",
      /DAEMON/,
    );
    const described = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ["refused"] }));
    assert.equal(described.failures![0]!.reason, "MISSING");
  });

  test("CreateTaskSet: ARN, id, ACTIVE, computedDesiredCount rounded up, STABILIZING; clientToken retries return it", async () => {
    await external("create", 3);
    const set = await createSet("create", "web:1", 50, { externalId: "blue", clientToken: "tok-1", tags: [{ key: "team", value: "a" }] });
    assert.match(set.id!, /^ecs-svc\/\d{19}$/);
    assert.equal(set.taskSetArn, `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:task-set/${CLUSTER}/create/${set.id}`);
    assert.equal(set.serviceArn, `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:service/${CLUSTER}/create`);
    assert.equal(set.clusterArn, `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:cluster/${CLUSTER}`);
    assert.equal(set.status, "ACTIVE");
    assert.equal(set.taskDefinition, td1);
    assert.equal(set.externalId, "blue");
    assert.deepEqual(set.scale, { value: 50, unit: "PERCENT" });
    assert.equal(set.computedDesiredCount, 2, "ceil(3 × 50 %)");
    assert.equal(set.stabilityStatus, "STABILIZING");
    assert.equal(set.launchType, "EC2");
    assert.deepEqual(set.tags, [{ key: "team", value: "a" }]);
    assert.ok(set.createdAt instanceof Date && set.stabilityStatusAt instanceof Date);

    const again = await createSet("create", "web:1", 50, { externalId: "blue", clientToken: "tok-1" });
    assert.equal(again.id, set.id);
    assert.equal((await describeSets("create")).taskSets!.length, 1);
    const defaulted = await createSet("create", "web:2");
    assert.deepEqual(defaulted.scale, { value: 0, unit: "PERCENT" }, "no scale: 0 %, as the AWS CLI example shows");
    assert.equal(defaulted.computedDesiredCount, 0);
  });

  test("DescribeTaskSets: all, by id or ARN, unknown ones as failures, tags only with include TAGS", async () => {
    await external("describe", 2);
    const a = await createSet("describe", td1, 100, { tags: [{ key: "k", value: "v" }] });
    const b = await createSet("describe", td2, 0);
    const all = await describeSets("describe");
    assert.deepEqual(all.taskSets!.map((s) => s.id).sort(), [a.id, b.id].sort());
    assert.equal(all.taskSets![0]!.tags, undefined);
    const some = await describeSets("describe", [a.taskSetArn!, b.id!, "ecs-svc/1111111111111111111"]);
    assert.deepEqual(
      some.taskSets!.map((s) => s.id),
      [a.id, b.id],
    );
    assert.deepEqual(some.failures, [{ arn: "ecs-svc/1111111111111111111", reason: "MISSING" }]);
    const tagged = await ecs.send(
      new DescribeTaskSetsCommand({ cluster: CLUSTER, service: "describe", taskSets: [a.id!], include: ["TAGS"] }),
    );
    assert.deepEqual(tagged.taskSets![0]!.tags, [{ key: "k", value: "v" }]);
    // The service lists its task sets.
    const service = await describeService("describe");
    assert.deepEqual(service.taskSets!.map((s) => s.id).sort(), [a.id, b.id].sort());
  });

  test("UpdateTaskSet changes the scale and the computed desired count; UpdateService's desiredCount moves it too", async () => {
    await external("scale", 5);
    const set = await createSet("scale", td1, 100);
    assert.equal(set.computedDesiredCount, 5);
    const updated = (
      await ecs.send(
        new UpdateTaskSetCommand({ cluster: CLUSTER, service: "scale", taskSet: set.taskSetArn!, scale: { value: 30, unit: "PERCENT" } }),
      )
    ).taskSet!;
    assert.deepEqual(updated.scale, { value: 30, unit: "PERCENT" });
    assert.equal(updated.computedDesiredCount, 2, "ceil(5 × 30 %)");
    assert.equal(updated.stabilityStatus, "STABILIZING");
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "scale", desiredCount: 10 }));
    const [after] = (
      await waitFor(() => describeSets("scale"), {
        until: (d) => d.taskSets![0]!.computedDesiredCount === 3,
        message: "ceil(10 × 30 %) = 3",
      })
    ).taskSets!;
    assert.equal(after!.computedDesiredCount, 3);
    await rejects(
      ecs.send(new UpdateTaskSetCommand({ cluster: CLUSTER, service: "scale", taskSet: set.id!, scale: { value: 101, unit: "PERCENT" } })),
      "InvalidParameterException",
    );
    assert.deepEqual((await describeSets("scale")).taskSets![0]!.scale, { value: 30, unit: "PERCENT" });
  });

  test("UpdateServicePrimaryTaskSet: one PRIMARY, the previous one ACTIVE, the service shows the primary's task definition", async () => {
    await external("primary", 2);
    const blue = await createSet("primary", td1, 100);
    const green = await createSet("primary", td2, 0);
    assert.equal((await describeService("primary")).taskDefinition, undefined, "no primary yet");
    const first = (
      await ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster: CLUSTER, service: "primary", primaryTaskSet: blue.taskSetArn! }))
    ).taskSet!;
    assert.equal(first.status, "PRIMARY");
    assert.equal((await describeService("primary")).taskDefinition, td1);
    await ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster: CLUSTER, service: "primary", primaryTaskSet: green.id! }));
    const sets = (await describeSets("primary")).taskSets!;
    const status = (s: TaskSet | undefined) => s?.status;
    assert.equal(status(sets.find((s) => s.id === green.id)), "PRIMARY");
    assert.equal(status(sets.find((s) => s.id === blue.id)), "ACTIVE");
    assert.equal(sets[0]!.id, green.id, "PRIMARY first");
    const service = await describeService("primary");
    assert.equal(service.taskDefinition, td2);
    assert.equal(service.launchType, "EC2");
  });

  test("DeleteTaskSet: the PRIMARY or a scaled set needs force; a deleted set is DRAINING, then gone", async () => {
    await external("delete", 2);
    const blue = await createSet("delete", td1, 100);
    const idle = await createSet("delete", td2, 0);
    await ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster: CLUSTER, service: "delete", primaryTaskSet: blue.id! }));
    await rejects(
      ecs.send(new DeleteTaskSetCommand({ cluster: CLUSTER, service: "delete", taskSet: blue.id! })),
      "InvalidParameterException",
      /force/,
    );
    const drained = (await ecs.send(new DeleteTaskSetCommand({ cluster: CLUSTER, service: "delete", taskSet: idle.taskSetArn! }))).taskSet!;
    assert.equal(drained.status, "DRAINING");
    // No task to stop: the scheduler removes it at its next look.
    await waitFor(async () => (await describeSets("delete")).taskSets!.every((s) => s.id !== idle.id), { message: "the deleted set gone" });
    const forced = (await ecs.send(new DeleteTaskSetCommand({ cluster: CLUSTER, service: "delete", taskSet: blue.id!, force: true })))
      .taskSet!;
    assert.equal(forced.status, "DRAINING");
    await rejects(
      ecs.send(new UpdateTaskSetCommand({ cluster: CLUSTER, service: "delete", taskSet: blue.id!, scale: { value: 10, unit: "PERCENT" } })),
      "InvalidParameterException",
    );
    await waitFor(async () => (await describeSets("delete")).taskSets!.length === 0, { message: "every set gone" });
    await rejects(
      ecs.send(new DeleteTaskSetCommand({ cluster: CLUSTER, service: "delete", taskSet: blue.id! })),
      "TaskSetNotFoundException",
    );
  });

  test("task set operations refuse an ECS-controlled service, unknown services, clusters and sets", async () => {
    await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: "ecs-controlled", taskDefinition: td1, desiredCount: 0 }));
    await rejects(
      createSet("ecs-controlled", td1, 100),
      "InvalidParameterException",
      /^Amazon ECS only supports task set management on services configured to use external deployment controllers\.$/,
    );
    await rejects(describeSets("ecs-controlled"), "InvalidParameterException");
    await rejects(createSet("nope", td1, 100), "ServiceNotFoundException");
    await rejects(ecs.send(new DescribeTaskSetsCommand({ cluster: "no-cluster", service: "ext" })), "ClusterNotFoundException");
    await rejects(
      ecs.send(
        new UpdateTaskSetCommand({
          cluster: CLUSTER,
          service: "ext",
          taskSet: "ecs-svc/1234567890123456789",
          scale: { value: 1, unit: "PERCENT" },
        }),
      ),
      "TaskSetNotFoundException",
    );
    await rejects(
      ecs.send(new UpdateServicePrimaryTaskSetCommand({ cluster: CLUSTER, service: "ext", primaryTaskSet: "ecs-svc/1234567890123456789" })),
      "TaskSetNotFoundException",
    );
    await rejects(createSet("ext", "web:99", 100), "ClientException");
    await rejects(createSet("ext", td1, 100, { launchType: "FARGATE" }), "InvalidParameterException");
    await rejects(createSet("ext", td1, 100, { tags: [{ key: "aws:x", value: "y" }] }), "InvalidParameterException");
    assert.deepEqual((await describeSets("ext")).taskSets, [], "nothing was created");
  });

  test("a sixth task set is refused with ECS's message", async () => {
    await external("limit", 1);
    for (let i = 0; i < 5; i++) await createSet("limit", td1, 0);
    await rejects(
      createSet("limit", td1, 0),
      "InvalidParameterException",
      /^5 deployments exist on the service\. Unable to create new TaskSet since this exceeds the maximum limit\.$/,
    );
  });

  test("UpdateService on an EXTERNAL service changes the desired count only; the rest belongs to task sets", async () => {
    await external("update", 1);
    await rejects(
      ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "update", taskDefinition: td2 })),
      "InvalidParameterException",
      /task set/,
    );
    const updated = (
      await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "update", desiredCount: 3, healthCheckGracePeriodSeconds: 5 }))
    ).service!;
    assert.equal(updated.desiredCount, 3);
    assert.equal(updated.healthCheckGracePeriodSeconds, 5);
    assert.deepEqual(updated.deployments, []);
  });

  test("task sets take tags through TagResource and ListTagsForResource", async () => {
    await external("tags", 1);
    const set = await createSet("tags", td1, 0, { tags: [{ key: "a", value: "1" }] });
    await ecs.send(new TagResourceCommand({ resourceArn: set.taskSetArn!, tags: [{ key: "b", value: "2" }] }));
    const listed = await ecs.send(new ListTagsForResourceCommand({ resourceArn: set.taskSetArn! }));
    assert.deepEqual(listed.tags, [
      { key: "a", value: "1" },
      { key: "b", value: "2" },
    ]);
    await rejects(
      ecs.send(new ListTagsForResourceCommand({ resourceArn: `${set.taskSetArn!.slice(0, -1)}x` })),
      "InvalidParameterException",
    );
  });

  test("DeleteService of an EXTERNAL service drains it to INACTIVE", async () => {
    await external("gone", 0);
    await createSet("gone", td1, 100);
    const deleted = (await ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: "gone" }))).service!;
    assert.equal(deleted.status, "DRAINING");
    assert.deepEqual(
      deleted.taskSets!.map((s) => s.status),
      ["DRAINING"],
    );
    const inactive = await waitFor(() => describeService("gone"), { until: (s) => s.status === "INACTIVE", message: "INACTIVE" });
    assert.deepEqual(inactive.taskSets, [], "its drained sets are gone with it");
    await rejects(createSet("gone", td1, 100), "ServiceNotActiveException");
  });
});
