// Tags on what runs: a service created by the AWS CLI with propagateTags SERVICE and ECS managed
// tags, its task started by a real agent on Docker carrying the service's tags and
// aws:ecs:clusterName / aws:ecs:serviceName, and both AWS CLIs (v1 and v2) tagging, listing and
// untagging that service, that task and the agent's container instance.
import {
  DeleteServiceCommand,
  DescribeTasksCommand,
  ListTagsForResourceCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  type ECSClient,
  type Tag,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TEST_ACCOUNT, type BerthProcess } from "../support/berth-process.js";
import { berthWithAgent, type BerthWithAgent } from "../support/berth-with-agent.js";
import { expectCliError } from "../support/assertions.js";
import { availableClis, runCli, sdkClient, type CliResult } from "../support/clients.js";
import { ensureBusyboxImage } from "../support/images.js";
import { waitFor } from "../support/wait.js";

// A cluster name of its own per run: containers on this host are told apart by their cluster label.
const CLUSTER = `tags-${process.pid}`;
const byKey = (tags: Tag[] | undefined) => [...(tags ?? [])].sort((a, b) => a.key!.localeCompare(b.key!));

describe("tags on a service's tasks on real containers, through the AWS CLIs", () => {
  let world: BerthWithAgent | undefined;
  let berth: BerthProcess;
  let ecs: ECSClient;
  let instanceArn = "";
  const clis = availableClis();
  const ok = (r: CliResult, what: string) => {
    assert.equal(r.status, 0, `${what}: ${r.stderr}`);
    return r.json;
  };
  const list = async (resourceArn: string) => byKey((await ecs.send(new ListTagsForResourceCommand({ resourceArn }))).tags);

  before(async () => {
    const image = await ensureBusyboxImage();
    world = await berthWithAgent({ cluster: CLUSTER });
    ({ berth, ecs } = world);
    instanceArn = world.registered[0]!;
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "tags-sleeper",
        containerDefinitions: [{ name: "app", image, memory: 16, stopTimeout: 2, command: ["sleep", "600"] }],
        tags: [{ key: "from", value: "definition" }],
      }),
    );
  });
  after(async () => {
    await ecs?.send(new DeleteServiceCommand({ cluster: CLUSTER, service: "tagged", force: true })).catch(() => undefined);
    await world?.close();
  });

  test("propagateTags SERVICE and enableECSManagedTags: the running task carries the service's tags and ECS's", async () => {
    assert.ok(clis.length >= 1, "no AWS CLI installed");
    const created = ok(
      runCli(clis[0]!, berth.endpoint, [
        "ecs",
        "create-service",
        "--cluster",
        CLUSTER,
        "--service-name",
        "tagged",
        "--task-definition",
        "tags-sleeper",
        "--desired-count",
        "1",
        "--tags",
        "key=team,value=web",
        "--propagate-tags",
        "SERVICE",
        "--enable-ecs-managed-tags",
      ]),
      "create-service",
    );
    assert.deepEqual(created.service.tags, [{ key: "team", value: "web" }]);
    assert.equal(created.service.propagateTags, "SERVICE");
    assert.equal(created.service.enableECSManagedTags, true);

    const taskArn = await waitFor(
      async () => {
        const arns = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: "tagged" }))).taskArns!;
        if (arns.length !== 1) return undefined;
        const [task] = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks!;
        return task?.lastStatus === "RUNNING" ? task.taskArn : undefined;
      },
      { message: "the service's task RUNNING on Docker", timeoutMs: 60_000 },
    );
    const expected = [
      { key: "aws:ecs:clusterName", value: CLUSTER },
      { key: "aws:ecs:serviceName", value: "tagged" },
      { key: "team", value: "web" },
    ];
    assert.deepEqual(await list(taskArn), expected);
    for (const cli of clis) {
      const aws = (...args: string[]) => runCli(cli, berth.endpoint, ["ecs", ...args]);
      const plain = ok(aws("describe-tasks", "--cluster", CLUSTER, "--tasks", taskArn), cli.name);
      assert.equal(plain.tasks[0].tags, undefined, `${cli.name}: tags only when asked`);
      const withTags = ok(aws("describe-tasks", "--cluster", CLUSTER, "--tasks", taskArn, "--include", "TAGS"), cli.name);
      assert.deepEqual(byKey(withTags.tasks[0].tags), expected, cli.name);
    }
  });

  test("both CLIs tag, list and untag the service, its task and the container instance", async () => {
    const [taskArn] = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: "tagged" }))).taskArns!;
    const serviceArn = `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:service/${CLUSTER}/tagged`;
    const targets = { service: serviceArn, task: taskArn!, "container instance": instanceArn };
    clis.forEach((cli, i) => {
      const aws = (...args: string[]) => runCli(cli, berth.endpoint, ["ecs", ...args]);
      const key = `cli${i}`;
      for (const [kind, resourceArn] of Object.entries(targets)) {
        const what = `${cli.name} ${kind}`;
        assert.equal(ok(aws("tag-resource", "--resource-arn", resourceArn, "--tags", `key=${key},value=one`), what), undefined);
        const listed = ok(aws("list-tags-for-resource", "--resource-arn", resourceArn), what).tags as Tag[];
        assert.deepEqual(
          listed.find((t) => t.key === key),
          { key, value: "one" },
          what,
        );
        assert.equal(ok(aws("untag-resource", "--resource-arn", resourceArn, "--tag-keys", key), what), undefined);
      }
      // ECS's own tags on the task cannot be removed; a short service ARN cannot be tagged.
      // Once is enough: each CLI call costs a couple of seconds of start-up.
      if (i > 0) return;
      expectCliError(
        aws("untag-resource", "--resource-arn", taskArn!, "--tag-keys", "aws:ecs:clusterName"),
        "InvalidParameterException",
        "UntagResource",
      );
      expectCliError(
        aws("tag-resource", "--resource-arn", serviceArn.replace(`service/${CLUSTER}/`, "service/"), "--tags", "key=a,value=b"),
        "InvalidParameterException",
        "TagResource",
      );
    });
    // A new client: the CLIs ran synchronously for a minute, long enough for the server to
    // close the old client's idle keep-alive socket without its noticing.
    const fresh = sdkClient(berth.endpoint);
    const listed = async (resourceArn: string) => (await fresh.send(new ListTagsForResourceCommand({ resourceArn }))).tags ?? [];
    for (const resourceArn of Object.values(targets)) {
      assert.ok(!(await listed(resourceArn)).some((t) => t.key!.startsWith("cli")), `${resourceArn}: untagged`);
    }
    assert.ok((await listed(taskArn!)).some((t) => t.key === "aws:ecs:clusterName"));
    fresh.destroy();
  });
});
