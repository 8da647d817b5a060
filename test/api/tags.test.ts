// Tags on services, tasks and container instances, in-process: TagResource, UntagResource and
// ListTagsForResource on each, the tags given at creation (CreateService, RunTask, StartTask,
// RegisterContainerInstance), propagateTags and ECS managed tags onto tasks, `include: TAGS`,
// and ECS's limits and errors. The container instance is registered through the API as an
// agent would; no containers run (test/e2e/tags.test.ts runs them on Docker).
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTagsForResourceCommand,
  ListTasksCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StartTaskCommand,
  SubmitTaskStateChangeCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
  type ECSClient,
  type Tag,
  type Task,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { expectError } from "../support/assertions.js";
import { inProcessBerth } from "../support/in-process.js";
import { waitFor } from "../support/wait.js";

const CLUSTER = "tagging";
const arn = (resource: string) => `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:${resource}`;
const byKey = (tags: Tag[] | undefined) => [...(tags ?? [])].sort((a, b) => a.key!.localeCompare(b.key!));
const manyTags = (n: number, prefix = "k") => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: `v${i}` }));
const DEFINITION_TAGS = [
  { key: "cost", value: "42" },
  { key: "team", value: "platform" },
];

describe("tags on services, tasks and container instances (in-process)", () => {
  const berth = inProcessBerth();
  const { ecs } = berth;
  let instanceArn = "";
  after(() => berth.close());

  const list = async (resourceArn: string) => byKey((await ecs.send(new ListTagsForResourceCommand({ resourceArn }))).tags);
  const tag = (resourceArn: string, tags: Tag[]) => ecs.send(new TagResourceCommand({ resourceArn, tags }));
  const untag = (resourceArn: string, tagKeys: string[]) => ecs.send(new UntagResourceCommand({ resourceArn, tagKeys }));
  const describeTask = async (client: ECSClient, taskArn: string, withTags: boolean): Promise<Task> =>
    (await client.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn], ...(withTags ? { include: ["TAGS"] } : {}) })))
      .tasks![0]!;
  const runTask = async (extra: Partial<ConstructorParameters<typeof RunTaskCommand>[0]> = {}) =>
    (await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: "tagged-web", ...extra }))).tasks![0]!;
  const instanceCount = async () => (await ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER }))).containerInstanceArns!.length;

  before(async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "tagged-web",
        containerDefinitions: [{ name: "app", image: "busybox", memory: 32 }],
        tags: DEFINITION_TAGS,
      }),
    );
    const { containerInstance } = await ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: CLUSTER,
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 4096 },
          { name: "MEMORY", type: "INTEGER", integerValue: 8192 },
        ],
        tags: [{ key: "rack", value: "r1" }],
      }),
    );
    instanceArn = containerInstance!.containerInstanceArn!;
  });

  test("DescribeTaskDefinition shows the definition's tags only with include TAGS", async () => {
    const plain = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "tagged-web" }));
    assert.equal(plain.tags, undefined);
    const withTags = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "tagged-web", include: ["TAGS"] }));
    assert.deepEqual(byKey(withTags.tags), DEFINITION_TAGS);
  });

  describe("container instances", () => {
    test("RegisterContainerInstance's tags are listed, and shown by DescribeContainerInstances only with include TAGS", async () => {
      assert.deepEqual(await list(instanceArn), [{ key: "rack", value: "r1" }]);
      const plain = await ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: [instanceArn] }));
      assert.equal(plain.containerInstances![0]!.tags, undefined);
      const withTags = await ecs.send(
        new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: [instanceArn], include: ["TAGS"] }),
      );
      assert.deepEqual(withTags.containerInstances![0]!.tags, [{ key: "rack", value: "r1" }]);
    });

    test("RegisterContainerInstance refuses tags ECS refuses, and registers nothing", async () => {
      const before = await instanceCount();
      for (const tags of [[{ key: "aws:owner", value: "x" }], manyTags(51), [{ key: "bad*key", value: "x" }]]) {
        await expectError(ecs.send(new RegisterContainerInstanceCommand({ cluster: CLUSTER, tags })), "InvalidParameterException");
      }
      assert.equal(await instanceCount(), before);
    });
  });

  describe("RunTask and StartTask", () => {
    test("tags, the task definition's propagated (the task's own winning) and aws:ecs:clusterName", async () => {
      const task = await runTask({
        tags: [{ key: "team", value: "web" }],
        propagateTags: "TASK_DEFINITION",
        enableECSManagedTags: true,
      });
      const expected = [
        { key: "aws:ecs:clusterName", value: CLUSTER },
        { key: "cost", value: "42" },
        { key: "team", value: "web" },
      ];
      assert.deepEqual(byKey(task.tags), expected);
      assert.deepEqual(await list(task.taskArn!), expected);
      assert.equal((await describeTask(ecs, task.taskArn!, false)).tags, undefined, "tags only when asked");
      assert.deepEqual(byKey((await describeTask(ecs, task.taskArn!, true)).tags), expected);
    });

    test("without propagateTags (NONE) and managed tags, only the task's own", async () => {
      const task = await runTask({ tags: [{ key: "only", value: "mine" }] });
      assert.deepEqual(await list(task.taskArn!), [{ key: "only", value: "mine" }]);
      const bare = await runTask({ propagateTags: "NONE" });
      assert.deepEqual(await list(bare.taskArn!), []);
    });

    test("StartTask: the same rules", async () => {
      const { tasks } = await ecs.send(
        new StartTaskCommand({
          cluster: CLUSTER,
          taskDefinition: "tagged-web",
          containerInstances: [instanceArn],
          propagateTags: "TASK_DEFINITION",
          enableECSManagedTags: true,
        }),
      );
      assert.deepEqual(await list(tasks![0]!.taskArn!), byKey([...DEFINITION_TAGS, { key: "aws:ecs:clusterName", value: CLUSTER }]));
    });

    test("refused: propagateTags SERVICE, reserved keys, more than 50; no task is started", async () => {
      const count = async () => (await ecs.send(new ListTasksCommand({ cluster: CLUSTER }))).taskArns!.length;
      const before = await count();
      await expectError(runTask({ propagateTags: "SERVICE" }), "InvalidParameterException", /SERVICE/);
      await expectError(runTask({ tags: [{ key: "aws:ecs:clusterName", value: "x" }] }), "InvalidParameterException", /aws:/);
      await expectError(runTask({ tags: manyTags(51) }), "InvalidParameterException", /50/);
      // 49 of its own and 2 from the definition: 51 in all.
      await expectError(runTask({ tags: manyTags(49), propagateTags: "TASK_DEFINITION" }), "InvalidParameterException", /50/);
      await expectError(
        ecs.send(
          new StartTaskCommand({
            cluster: CLUSTER,
            taskDefinition: "tagged-web",
            containerInstances: [instanceArn],
            tags: [{ key: "AWS:x", value: "y" }],
          }),
        ),
        "InvalidParameterException",
      );
      assert.equal(await count(), before);
    });
  });

  describe("TagResource, UntagResource and ListTagsForResource", () => {
    const targets: Record<string, () => Promise<string>> = {
      service: async () =>
        (
          await ecs.send(
            new CreateServiceCommand({
              cluster: CLUSTER,
              serviceName: "round-trip",
              taskDefinition: "tagged-web",
              desiredCount: 0,
              tags: [{ key: "env", value: "prod" }],
            }),
          )
        ).service!.serviceArn!,
      task: async () => (await runTask({ tags: [{ key: "env", value: "prod" }], enableECSManagedTags: true })).taskArn!,
      "container instance": async () => {
        await tag(instanceArn, [{ key: "env", value: "prod" }]);
        await untag(instanceArn, ["rack"]);
        return instanceArn;
      },
    };
    for (const [kind, create] of Object.entries(targets)) {
      test(`${kind}: add, overwrite, remove; ECS's limits; rejected calls change nothing`, async () => {
        const target = await create();
        const mine = async () => (await list(target)).filter((t) => !t.key!.startsWith("aws:"));
        assert.deepEqual(await mine(), [{ key: "env", value: "prod" }]);
        await tag(target, [
          { key: "team", value: "a" },
          { key: "empty", value: "" },
        ]);
        await tag(target, [{ key: "team", value: "b" }]);
        assert.deepEqual(await mine(), [
          { key: "empty", value: "" },
          { key: "env", value: "prod" },
          { key: "team", value: "b" },
        ]);
        await untag(target, ["empty", "never-set"]);
        assert.deepEqual(await mine(), [
          { key: "env", value: "prod" },
          { key: "team", value: "b" },
        ]);

        const before = await list(target);
        await expectError(tag(target, [{ key: "aws:owner", value: "x" }]), "InvalidParameterException", /aws:/);
        await expectError(tag(target, [{ key: "k".repeat(129), value: "x" }]), "InvalidParameterException");
        await expectError(tag(target, [{ key: "v", value: "x".repeat(257) }]), "InvalidParameterException");
        await expectError(tag(target, manyTags(49)), "InvalidParameterException", /50/); // 2 there + 49
        await expectError(untag(target, ["aws:ecs:clusterName"]), "InvalidParameterException");
        assert.deepEqual(await list(target), before);

        await tag(target, manyTags(48));
        assert.equal((await mine()).length, 50);
        await untag(
          target,
          manyTags(48).map((t) => t.key),
        );
      });
    }

    test("a task's managed tags stay and do not count against the 50", async () => {
      const task = await runTask({ enableECSManagedTags: true });
      await tag(task.taskArn!, manyTags(50));
      const listed = await list(task.taskArn!);
      assert.equal(listed.length, 51);
      assert.ok(listed.some((t) => t.key === "aws:ecs:clusterName" && t.value === CLUSTER));
    });

    test("a tag written while the agent reports keeps both", async () => {
      const task = await runTask();
      await Promise.all([
        tag(task.taskArn!, [{ key: "while", value: "reporting" }]),
        ecs.send(new SubmitTaskStateChangeCommand({ cluster: CLUSTER, task: task.taskArn!, status: "RUNNING" })),
      ]);
      const seen = await describeTask(ecs, task.taskArn!, true);
      assert.equal(seen.lastStatus, "RUNNING");
      assert.deepEqual(seen.tags, [{ key: "while", value: "reporting" }]);
    });

    test("a stopped task's tags can be listed and described, not changed", async () => {
      const task = await runTask({ tags: [{ key: "kept", value: "yes" }] });
      await ecs.send(new SubmitTaskStateChangeCommand({ cluster: CLUSTER, task: task.taskArn!, status: "STOPPED" }));
      await waitFor(async () => (await describeTask(ecs, task.taskArn!, false)).lastStatus === "STOPPED");
      const stopped = /The specified task is stopped\. Specify a running task and try again\./;
      await expectError(tag(task.taskArn!, [{ key: "late", value: "x" }]), "InvalidParameterException", stopped);
      await expectError(untag(task.taskArn!, ["kept"]), "InvalidParameterException", stopped);
      assert.deepEqual(await list(task.taskArn!), [{ key: "kept", value: "yes" }]);
      assert.deepEqual((await describeTask(ecs, task.taskArn!, true)).tags, [{ key: "kept", value: "yes" }]);
    });

    test("unknown resources, short ARNs and deleted clusters: ECS's errors", async () => {
      const taskArn = (await runTask()).taskArn!;
      const taskId = taskArn.split("/").pop()!;
      const instanceId = instanceArn.split("/").pop()!;
      await ecs.send(new CreateClusterCommand({ clusterName: "gone" }));
      await ecs.send(new DeleteClusterCommand({ cluster: "gone" }));
      const cases: [string, string, RegExp][] = [
        [arn("service/round-trip"), "InvalidParameterException", /^Long arn format must be used for tagging operations$/],
        [arn(`task/${taskId}`), "InvalidParameterException", /Long arn format/],
        [arn(`service/${CLUSTER}/nope`), "InvalidParameterException", /The specified service does not exist/],
        [arn(`task/${CLUSTER}/0123456789abcdef0123456789abcdef`), "InvalidParameterException", /The specified task does not exist/],
        [arn(`task/default/${taskId}`), "ClusterNotFoundException", /Cluster not found/],
        [arn(`container-instance/${CLUSTER}/nope`), "InvalidParameterException", /container instance does not exist/],
        [arn(`container-instance/nope/${instanceId}`), "ClusterNotFoundException", /Cluster not found/],
        [arn(`service/nope/round-trip`), "ClusterNotFoundException", /Cluster not found/],
        [arn(`service/gone/round-trip`), "InvalidParameterException", /The specified cluster is inactive/],
        [arn("cluster/gone"), "InvalidParameterException", /The specified cluster is inactive/],
        [arn(`service/${CLUSTER}/round-trip/extra`), "InvalidParameterException", /not valid/],
        [arn("task-set/x/y/z"), "InvalidParameterException", /not valid/],
        [arn("fargate-profile/x"), "InvalidParameterException", /cannot be tagged/],
      ];
      for (const [resourceArn, code, message] of cases) {
        for (const call of [
          () => tag(resourceArn, [{ key: "a", value: "b" }]),
          () => untag(resourceArn, ["a"]),
          () => ecs.send(new ListTagsForResourceCommand({ resourceArn })),
        ]) {
          await expectError(call(), code, message).catch((err: Error) => assert.fail(`${resourceArn}: ${err.message}`));
        }
      }
      // The same task by a task ARN of its own cluster is fine.
      assert.deepEqual(await list(taskArn), []);
    });
  });

  describe("services", () => {
    test("CreateService tags; its tasks get the service's tags and the managed tags; UpdateService changes what new tasks get", async () => {
      const { service } = await ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName: "propagating",
          taskDefinition: "tagged-web",
          desiredCount: 1,
          tags: [{ key: "svc", value: "propagating" }],
          propagateTags: "SERVICE",
          enableECSManagedTags: true,
        }),
      );
      assert.deepEqual(service!.tags, [{ key: "svc", value: "propagating" }]);
      assert.equal(service!.propagateTags, "SERVICE");
      assert.equal(service!.enableECSManagedTags, true);
      const described = async (include: boolean) =>
        (
          await ecs.send(
            new DescribeServicesCommand({ cluster: CLUSTER, services: ["propagating"], ...(include ? { include: ["TAGS"] } : {}) }),
          )
        ).services![0]!;
      assert.equal((await described(false)).tags, undefined, "tags only when asked");
      assert.deepEqual((await described(true)).tags, [{ key: "svc", value: "propagating" }]);

      const serviceTasks = async () =>
        (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: "propagating" }))).taskArns ?? [];
      const [first] = await waitFor(serviceTasks, { until: (arns) => arns.length === 1, message: "the service's first task" });
      assert.deepEqual(await list(first!), [
        { key: "aws:ecs:clusterName", value: CLUSTER },
        { key: "aws:ecs:serviceName", value: "propagating" },
        { key: "svc", value: "propagating" },
      ]);

      const updated = await ecs.send(
        new UpdateServiceCommand({
          cluster: CLUSTER,
          service: "propagating",
          desiredCount: 2,
          propagateTags: "TASK_DEFINITION",
          enableECSManagedTags: false,
        }),
      );
      assert.equal(updated.service!.propagateTags, "TASK_DEFINITION");
      assert.equal(updated.service!.enableECSManagedTags, false);
      assert.equal(updated.service!.deployments!.length, 1, "no new deployment for tag settings");
      const arns = await waitFor(serviceTasks, { until: (a) => a.length === 2, message: "the service's second task" });
      const second = arns.find((a) => a !== first)!;
      assert.deepEqual(await list(second), DEFINITION_TAGS);
      // The task started before the update keeps its tags.
      assert.equal((await list(first!)).length, 3);
    });
  });
});
