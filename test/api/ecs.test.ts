// ECS handlers in-process: the real ECS client (its JSON protocol, SigV4, paginators and
// waiters) against a whole control plane built in this process, with no port and no child
// process; what needs the binary, agents or Docker stays in test/e2e/. The example to copy
// for a fast handler test.
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  ListClustersCommand,
  TagResourceCommand,
  UpdateContainerAgentCommand,
  paginateListClusters,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { inProcessBerth } from "../support/in-process.js";

describe("ECS in-process", () => {
  const berth = inProcessBerth();
  const { ecs } = berth;
  after(() => berth.close());

  test("clusters: create, page through, describe (unknown names as failures), delete", async () => {
    for (const name of ["a", "b", "c"]) await ecs.send(new CreateClusterCommand({ clusterName: name }));
    const arns: string[] = [];
    for await (const page of paginateListClusters({ client: ecs, pageSize: 2 }, {})) arns.push(...(page.clusterArns ?? []));
    assert.deepEqual(
      arns.sort(),
      ["a", "b", "c"].map((n) => `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:cluster/${n}`),
    );
    const described = await ecs.send(new DescribeClustersCommand({ clusters: ["a", "nope"] }));
    assert.equal(described.clusters![0]!.status, "ACTIVE");
    assert.deepEqual(described.failures, [{ arn: `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:cluster/nope`, reason: "MISSING" }]);
    assert.equal((await ecs.send(new DeleteClusterCommand({ cluster: "c" }))).cluster!.status, "INACTIVE");
  });

  test("input the model refuses is refused at the edge, and changes nothing", async () => {
    await assert.rejects(
      ecs.send(new CreateClusterCommand({ clusterName: "d", settings: [{ name: "bogus" as never, value: "x" }] })),
      (err: Error) => {
        assert.equal(err.name, "InvalidParameterException");
        assert.equal(err.message, "settings[0].name should be one of [containerInsights]");
        return true;
      },
    );
    assert.equal((await ecs.send(new DescribeClustersCommand({ clusters: ["d"] }))).failures![0]!.reason, "MISSING");
    await assert.rejects(
      ecs.send(
        new TagResourceCommand({
          resourceArn: `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:cluster/a`,
          tags: [{ key: "aws:reserved", value: "x" }],
        }),
      ),
      { name: "InvalidParameterException" },
    );
    const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: ["a"], include: ["TAGS"] }));
    assert.deepEqual(clusters![0]!.tags ?? [], []);
  });

  test("the region in the signature partitions state", async () => {
    const west = berth.ecsClient({ region: "eu-west-1" });
    assert.deepEqual((await west.send(new ListClustersCommand({}))).clusterArns, []);
  });

  test("an operation berth does not serve yet says so by name", async () => {
    await assert.rejects(
      ecs.send(new UpdateContainerAgentCommand({ cluster: "a", containerInstance: "i" })),
      (err: Error) => err.name === "UnsupportedFeatureException" && /UpdateContainerAgent/.test(err.message),
    );
  });
});
