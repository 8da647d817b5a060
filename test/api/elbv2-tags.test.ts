// ELBv2's tags in-process: AddTags, RemoveTags and DescribeTags over every kind of resource
// (load balancers here; target groups, listeners and rules as stored documents), all or none.
import { DescribeSubnetsCommand } from "@aws-sdk/client-ec2";
import {
  AddTagsCommand,
  CreateLoadBalancerCommand,
  DescribeTagsCommand,
  RemoveTagsCommand,
  type Tag,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { newElbId, targetGroupArn } from "../../src/domain/elbv2/arns.js";
import { expectError as refused } from "../support/assertions.js";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { inProcessBerth } from "../support/in-process.js";

describe("ELBv2 tags in-process", () => {
  const berth = inProcessBerth();
  const { elb, ec2 } = berth;
  const scope = { accountId: TEST_ACCOUNT, region: "us-east-1" };
  let lbArn: string;
  let tgArn: string;
  after(() => berth.close());

  const tagsOf = async (arn: string) =>
    (await elb.send(new DescribeTagsCommand({ ResourceArns: [arn] }))).TagDescriptions![0]!.Tags!.map((t) => `${t.Key}=${t.Value}`).sort();

  before(async () => {
    const subnets = (await ec2.send(new DescribeSubnetsCommand({}))).Subnets!.map((s) => s.SubnetId!);
    lbArn = (
      await elb.send(new CreateLoadBalancerCommand({ Name: "tagged", Subnets: subnets.slice(0, 2), Tags: [{ Key: "env", Value: "dev" }] }))
    ).LoadBalancers![0]!.LoadBalancerArn!;
    // A target group as its part stores it: tags reach every kind of resource through its document.
    const id = newElbId();
    tgArn = targetGroupArn(scope, "web", id);
    await berth.plane.state.elbv2.targetGroups.putMany(scope, [
      {
        id,
        doc: {
          targetGroup: { TargetGroupArn: tgArn, TargetGroupName: "web", VpcId: "vpc-1" },
          attributes: [],
          tags: [],
          targets: [],
          createdAt: 1,
        },
      },
    ]);
  });

  test("tags given at creation, added (a key again replaces its value), removed, and described for several resources", async () => {
    assert.deepEqual(await tagsOf(lbArn), ["env=dev"]);
    await elb.send(
      new AddTagsCommand({
        ResourceArns: [lbArn, tgArn],
        Tags: [
          { Key: "env", Value: "prod" },
          { Key: "team", Value: "a" },
        ],
      }),
    );
    assert.deepEqual(await tagsOf(lbArn), ["env=prod", "team=a"]);
    assert.deepEqual(await tagsOf(tgArn), ["env=prod", "team=a"]);
    await elb.send(new RemoveTagsCommand({ ResourceArns: [lbArn], TagKeys: ["team", "absent"] }));
    assert.deepEqual(await tagsOf(lbArn), ["env=prod"]);
    const both = await elb.send(new DescribeTagsCommand({ ResourceArns: [tgArn, lbArn] }));
    assert.deepEqual(
      both.TagDescriptions!.map((d) => d.ResourceArn),
      [tgArn, lbArn],
    );
  });

  test("refused changes: duplicate keys, more than fifty, a missing resource of each kind, a bad ARN; none applied", async () => {
    const before = [await tagsOf(lbArn), await tagsOf(tgArn)];
    const many: Tag[] = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    const missingTg = targetGroupArn(scope, "gone", newElbId());
    const missingLb = lbArn.replace(/[0-9a-f]{16}$/, "0000000000000000");
    const missingListener = lbArn.replace(":loadbalancer/", ":listener/") + "/0000000000000000";
    const missingRule = missingListener.replace(":listener/", ":listener-rule/") + "/0000000000000000";
    await refused(
      elb.send(
        new AddTagsCommand({
          ResourceArns: [lbArn],
          Tags: [
            { Key: "a", Value: "1" },
            { Key: "a", Value: "2" },
          ],
        }),
      ),
      "DuplicateTagKeysException",
    );
    await refused(elb.send(new AddTagsCommand({ ResourceArns: [tgArn, lbArn], Tags: many })), "TooManyTagsException");
    await refused(
      elb.send(new AddTagsCommand({ ResourceArns: [lbArn, missingTg], Tags: [{ Key: "x", Value: "1" }] })),
      "TargetGroupNotFoundException",
    );
    await refused(
      elb.send(new AddTagsCommand({ ResourceArns: [tgArn, missingLb], Tags: [{ Key: "x", Value: "1" }] })),
      "LoadBalancerNotFoundException",
    );
    await refused(elb.send(new RemoveTagsCommand({ ResourceArns: [missingListener], TagKeys: ["env"] })), "ListenerNotFoundException");
    await refused(elb.send(new DescribeTagsCommand({ ResourceArns: [missingRule] })), "RuleNotFoundException");
    await refused(elb.send(new DescribeTagsCommand({ ResourceArns: ["arn:aws:s3:::bucket"] })), "ValidationError");
    const tooMany = Array.from({ length: 21 }, (_, i) => targetGroupArn(scope, `t${i}`, newElbId()));
    await refused(elb.send(new DescribeTagsCommand({ ResourceArns: tooMany })), "ValidationError");
    assert.deepEqual([await tagsOf(lbArn), await tagsOf(tgArn)], before);
  });
});
