// TagResource / UntagResource / ListTagsForResource end to end, through the real
// @aws-sdk/client-ecs and the real AWS CLIs, on clusters, task definitions and capacity providers.
import {
  CreateCapacityProviderCommand,
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  type ECSClient,
  ListTagsForResourceCommand,
  RegisterTaskDefinitionCommand,
  type Tag,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type BerthProcess, TEST_ACCOUNT, startBerth } from "../support/berth-process.js";
import { type CliResult, availableClis, runCli, sdkClient } from "../support/clients.js";
import { expectCliError, expectError } from "../support/assertions.js";

const arn = (resource: string) => `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:${resource}`;
const byKey = (tags: Tag[] | undefined) => [...(tags ?? [])].sort((a, b) => a.key!.localeCompare(b.key!));
const manyTags = (n: number, prefix = "k") => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: `v${i}` }));

describe("tags", () => {
  let berth: BerthProcess;
  let ecs: ECSClient;
  /** One resource of each taggable kind, by label, with the tags it was created with. */
  const resources: Record<string, { arn: string; initial: Tag[] }> = {};

  const list = async (resourceArn: string) => byKey((await ecs.send(new ListTagsForResourceCommand({ resourceArn }))).tags);
  const tag = (resourceArn: string, tags: Tag[]) => ecs.send(new TagResourceCommand({ resourceArn, tags }));
  const untag = (resourceArn: string, tagKeys: string[]) => ecs.send(new UntagResourceCommand({ resourceArn, tagKeys }));

  before(async () => {
    berth = await startBerth();
    ecs = sdkClient(berth.endpoint);
    const initial = [{ key: "env", value: "prod" }];
    const cluster = await ecs.send(new CreateClusterCommand({ clusterName: "tagged-cluster", tags: initial }));
    const td = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "tagged",
        containerDefinitions: [{ name: "app", image: "busybox", memory: 64 }],
        tags: initial,
      }),
    );
    const cp = await ecs.send(
      new CreateCapacityProviderCommand({
        name: "tagged-cp",
        autoScalingGroupProvider: {
          autoScalingGroupArn: `arn:aws:autoscaling:us-east-1:${TEST_ACCOUNT}:autoScalingGroup:x:autoScalingGroupName/tagged`,
        },
        tags: initial,
      }),
    );
    resources["cluster"] = { arn: cluster.cluster!.clusterArn!, initial };
    resources["task definition"] = { arn: td.taskDefinition!.taskDefinitionArn!, initial };
    resources["capacity provider"] = { arn: cp.capacityProvider!.capacityProviderArn!, initial };
    assert.equal(resources["task definition"].arn, arn("task-definition/tagged:1"));
  });
  after(async () => {
    ecs?.destroy();
    await berth?.stop();
  });

  for (const kind of ["cluster", "task definition", "capacity provider"]) {
    describe(kind, () => {
      const target = () => resources[kind]!.arn;

      test("tags given at creation are listed", async () => {
        assert.deepEqual(await list(target()), resources[kind]!.initial);
      });

      test("TagResource adds and overwrites; UntagResource removes, ignoring unknown keys", async () => {
        await tag(target(), [
          { key: "team", value: "a" },
          { key: "tier", value: "web" },
          { key: "empty", value: "" },
        ]);
        assert.deepEqual(await list(target()), [
          { key: "empty", value: "" },
          { key: "env", value: "prod" },
          { key: "team", value: "a" },
          { key: "tier", value: "web" },
        ]);
        await tag(target(), [{ key: "team", value: "b" }]);
        assert.deepEqual(
          (await list(target())).find((t) => t.key === "team"),
          { key: "team", value: "b" },
        );
        await untag(target(), ["tier", "empty", "never-set"]);
        assert.deepEqual(await list(target()), [
          { key: "env", value: "prod" },
          { key: "team", value: "b" },
        ]);
      });

      test("rejected calls change nothing", async () => {
        const before = await list(target());
        await expectError(tag(target(), [{ key: "aws:owner", value: "x" }]), "InvalidParameterException", /aws:/);
        await expectError(
          tag(target(), [
            { key: "ok", value: "1" },
            { key: "AWS:Owner", value: "x" },
          ]),
          "InvalidParameterException",
        );
        await expectError(tag(target(), [{ key: "bad*key", value: "x" }]), "InvalidParameterException");
        await expectError(tag(target(), [{ key: "", value: "x" }]), "InvalidParameterException");
        await expectError(tag(target(), [{ key: "k".repeat(129), value: "x" }]), "InvalidParameterException");
        await expectError(tag(target(), [{ key: "v", value: "x".repeat(257) }]), "InvalidParameterException");
        await expectError(tag(target(), manyTags(51)), "InvalidParameterException");
        await expectError(untag(target(), ["aws:cloudformation:stack-name"]), "InvalidParameterException");
        assert.deepEqual(await list(target()), before);
      });

      test("at most 50 tags per resource, counting what is already there", async () => {
        await tag(target(), manyTags(48));
        assert.equal((await list(target())).length, 50);
        await expectError(tag(target(), manyTags(1, "extra")), "InvalidParameterException", /50/);
        await tag(target(), [
          { key: "team", value: "c" },
          { key: "k0", value: "changed" },
        ]); // overwriting is not adding
        const full = await list(target());
        assert.equal(full.length, 50);
        assert.equal(full.find((t) => t.key === "k0")!.value, "changed");
        await untag(
          target(),
          manyTags(48).map((t) => t.key),
        );
        assert.deepEqual(await list(target()), [
          { key: "env", value: "prod" },
          { key: "team", value: "c" },
        ]);
      });
    });
  }

  test("tags are per resource", async () => {
    await tag(resources["cluster"]!.arn, [{ key: "only", value: "cluster" }]);
    assert.ok(!(await list(resources["task definition"]!.arn)).some((t) => t.key === "only"));
    assert.ok(!(await list(resources["capacity provider"]!.arn)).some((t) => t.key === "only"));
    await untag(resources["cluster"]!.arn, ["only"]);
  });

  test("unknown resources, unknown resource types and malformed ARNs are errors", async () => {
    const calls = (resourceArn: string) => [
      () => tag(resourceArn, [{ key: "a", value: "b" }]),
      () => untag(resourceArn, ["a"]),
      () => ecs.send(new ListTagsForResourceCommand({ resourceArn })),
    ];
    const cases: [string, string][] = [
      [arn("cluster/nope"), "ClusterNotFoundException"],
      [`arn:aws:ecs:eu-west-1:${TEST_ACCOUNT}:cluster/tagged-cluster`, "ClusterNotFoundException"],
      [arn("task-definition/tagged:9"), "ResourceNotFoundException"],
      [arn("task-definition/nope:1"), "ResourceNotFoundException"],
      [arn("capacity-provider/nope"), "ResourceNotFoundException"],
      [arn("widget/w-1"), "InvalidParameterException"],
      [arn("cluster"), "InvalidParameterException"],
      [`arn:aws:s3:::bucket/key`, "InvalidParameterException"],
      ["tagged-cluster", "InvalidParameterException"],
      ["not an arn at all", "InvalidParameterException"],
    ];
    for (const [resourceArn, code] of cases) {
      for (const call of calls(resourceArn)) {
        await expectError(call(), code).catch((err: Error) => assert.fail(`${resourceArn}: ${err.message}`));
      }
    }
  });

  test("a deleted cluster cannot be tagged: ECS says it is inactive", async () => {
    const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: "short-lived" }));
    await ecs.send(new DeleteClusterCommand({ cluster: "short-lived" }));
    const inactive = /^The specified cluster is inactive\. Specify an active cluster and try again\.$/;
    await expectError(tag(cluster!.clusterArn!, [{ key: "a", value: "b" }]), "InvalidParameterException", inactive);
    await expectError(
      ecs.send(new ListTagsForResourceCommand({ resourceArn: cluster!.clusterArn! })),
      "InvalidParameterException",
      inactive,
    );
  });

  test("DescribeClusters with include TAGS shows what TagResource set", async () => {
    await tag(resources["cluster"]!.arn, [{ key: "seen", value: "yes" }]);
    const out = await ecs.send(new DescribeClustersCommand({ clusters: ["tagged-cluster"], include: ["TAGS"] }));
    assert.ok(out.clusters![0]!.tags!.some((t) => t.key === "seen" && t.value === "yes"));
    await untag(resources["cluster"]!.arn, ["seen"]);
  });

  test("the AWS CLIs tag, list and untag every kind of resource", () => {
    const clis = availableClis();
    assert.ok(clis.length >= 1, "no AWS CLI installed");
    clis.forEach((cli, i) => {
      const aws = (...args: string[]) => runCli(cli, berth.endpoint, ["ecs", ...args]);
      const ok = (r: CliResult) => {
        assert.equal(r.status, 0, `${cli.name}: ${r.stderr}`);
        return r.json;
      };
      const key = `cli${i}`;
      // Overwriting is covered through the SDK; each CLI call costs a second or two of start-up.
      for (const { arn: resourceArn } of Object.values(resources)) {
        // tag-resource and untag-resource print nothing on success.
        assert.equal(
          ok(aws("tag-resource", "--resource-arn", resourceArn, "--tags", `key=${key},value=one`, "key=tmp,value=x")),
          undefined,
        );
        const listed = ok(aws("list-tags-for-resource", "--resource-arn", resourceArn)).tags as Tag[];
        assert.deepEqual(
          listed.find((t) => t.key === key),
          { key, value: "one" },
          cli.name,
        );
        assert.deepEqual(
          listed.find((t) => t.key === "tmp"),
          { key: "tmp", value: "x" },
          cli.name,
        );
        assert.equal(ok(aws("untag-resource", "--resource-arn", resourceArn, "--tag-keys", key, "tmp")), undefined);
      }
      const remaining = ok(aws("list-tags-for-resource", "--resource-arn", resources["cluster"]!.arn)).tags as Tag[];
      assert.ok(!remaining.some((t) => t.key === key || t.key === "tmp"), cli.name);
      const clusterArn = resources["cluster"]!.arn;
      expectCliError(
        aws("tag-resource", "--resource-arn", clusterArn, "--tags", "key=aws:x,value=y"),
        "InvalidParameterException",
        "TagResource",
      );
      expectCliError(
        aws("tag-resource", "--resource-arn", arn("cluster/nope"), "--tags", "key=a,value=b"),
        "ClusterNotFoundException",
        "TagResource",
      );
      expectCliError(aws("list-tags-for-resource", "--resource-arn", "garbage"), "InvalidParameterException", "ListTagsForResource");
      expectCliError(
        aws("untag-resource", "--resource-arn", arn("widget/1"), "--tag-keys", "a"),
        "InvalidParameterException",
        "UntagResource",
      );
    });
  });
});
