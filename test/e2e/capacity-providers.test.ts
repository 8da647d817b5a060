// Capacity providers end to end, through the real @aws-sdk/client-ecs and the real AWS CLIs.
import {
  type CapacityProvider,
  type CapacityProviderStrategyItem,
  CreateCapacityProviderCommand,
  type CreateCapacityProviderCommandInput,
  CreateClusterCommand,
  DeleteCapacityProviderCommand,
  DescribeCapacityProvidersCommand,
  type DescribeCapacityProvidersCommandInput,
  DescribeClustersCommand,
  type ECSClient,
  PutClusterCapacityProvidersCommand,
  UpdateCapacityProviderCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type BerthProcess, TEST_ACCOUNT, startBerth } from "../support/berth-process.js";
import { type CliResult, availableClis, runCli, sdkClient } from "../support/clients.js";
import { expectCliError, expectError } from "../support/assertions.js";

const cpArn = (name: string) => `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:capacity-provider/${name}`;
const asgArn = (name: string) =>
  `arn:aws:autoscaling:us-east-1:${TEST_ACCOUNT}:autoScalingGroup:a1b2c3d4-5678-90ab-cdef-${name.padEnd(12, "0").slice(0, 12)}:autoScalingGroupName/${name}`;

describe("capacity providers", () => {
  let berth: BerthProcess;
  let ecs: ECSClient;

  const create = (name: string, extra: Partial<CreateCapacityProviderCommandInput> = {}) =>
    ecs.send(new CreateCapacityProviderCommand({ name, autoScalingGroupProvider: { autoScalingGroupArn: asgArn(name) }, ...extra }));
  const describeCps = (input: DescribeCapacityProvidersCommandInput = {}) => ecs.send(new DescribeCapacityProvidersCommand(input));
  const one = async (name: string): Promise<CapacityProvider> => {
    const out = await describeCps({ capacityProviders: [name], include: ["TAGS"] });
    assert.equal(out.capacityProviders?.length, 1, JSON.stringify(out.failures));
    return out.capacityProviders[0]!;
  };
  const associate = (cluster: string, capacityProviders: string[], defaultCapacityProviderStrategy: CapacityProviderStrategyItem[] = []) =>
    ecs.send(new PutClusterCapacityProvidersCommand({ cluster, capacityProviders, defaultCapacityProviderStrategy }));
  const clusterMissing = async (name: string) => {
    const out = await ecs.send(new DescribeClustersCommand({ clusters: [name] }));
    assert.deepEqual(
      out.failures?.map((f) => f.reason),
      ["MISSING"],
    );
  };

  before(async () => {
    berth = await startBerth();
    ecs = sdkClient(berth.endpoint);
  });
  after(async () => {
    ecs?.destroy();
    await berth?.stop();
  });

  test("FARGATE and FARGATE_SPOT are built in", async () => {
    const all = await describeCps();
    assert.deepEqual(all.capacityProviders, [
      { capacityProviderArn: cpArn("FARGATE"), name: "FARGATE", status: "ACTIVE", tags: [] },
      { capacityProviderArn: cpArn("FARGATE_SPOT"), name: "FARGATE_SPOT", status: "ACTIVE", tags: [] },
    ]);
    assert.equal((await one(cpArn("FARGATE_SPOT"))).name, "FARGATE_SPOT");
  });

  test("CreateCapacityProvider fills in the Auto Scaling group provider defaults", async () => {
    const { capacityProvider: cp } = await create("cp-a", { tags: [{ key: "team", value: "infra" }] });
    assert.equal(cp!.capacityProviderArn, cpArn("cp-a"));
    assert.equal(cp!.status, "ACTIVE");
    assert.deepEqual(cp!.autoScalingGroupProvider, {
      autoScalingGroupArn: asgArn("cp-a"),
      managedScaling: {
        status: "DISABLED",
        targetCapacity: 100,
        minimumScalingStepSize: 1,
        maximumScalingStepSize: 10000,
        instanceWarmupPeriod: 300,
      },
      managedTerminationProtection: "DISABLED",
    });
    const explicit = await create("cp-b", {
      autoScalingGroupProvider: {
        autoScalingGroupArn: asgArn("cp-b"),
        managedScaling: { status: "ENABLED", targetCapacity: 75 },
        managedTerminationProtection: "ENABLED",
      },
    });
    assert.equal(explicit.capacityProvider!.autoScalingGroupProvider!.managedScaling!.targetCapacity, 75);
    assert.equal(explicit.capacityProvider!.autoScalingGroupProvider!.managedScaling!.maximumScalingStepSize, 10000);
  });

  test("duplicate names, reused Auto Scaling groups, reserved prefixes and bad settings are rejected", async () => {
    await expectError(create("cp-a"), "ClientException", /already exists/);
    await expectError(
      create("cp-copy", { autoScalingGroupProvider: { autoScalingGroupArn: asgArn("cp-a") } }),
      "ClientException",
      /already being used by another capacity provider/,
    );
    for (const name of ["aws-things", "ecs_pool", "fargate2", "AWSpool", "Fargate-x", "bad name!"]) {
      await expectError(create(name), "ClientException", /cannot be prefixed with "aws", "ecs", or "fargate"/);
    }
    await expectError(
      create("cp-protect", {
        autoScalingGroupProvider: { autoScalingGroupArn: asgArn("cp-protect"), managedTerminationProtection: "ENABLED" },
      }),
      "InvalidParameterException",
    );
    await expectError(
      create("cp-target", {
        autoScalingGroupProvider: { autoScalingGroupArn: asgArn("cp-target"), managedScaling: { targetCapacity: 0 } },
      }),
      "InvalidParameterException",
    );
    const out = await describeCps({ capacityProviders: ["cp-copy", "aws-things", "cp-protect", "cp-target"] });
    assert.deepEqual(out.capacityProviders, []);
    assert.equal(out.failures?.length, 4);
  });

  test("DescribeCapacityProviders by name or ARN, with tags on request, and MISSING failures", async () => {
    const out = await describeCps({ capacityProviders: ["cp-a", cpArn("cp-b"), "nope", cpArn("gone")] });
    assert.deepEqual(
      out.capacityProviders!.map((cp) => cp.name),
      ["cp-a", "cp-b"],
    );
    assert.deepEqual(out.capacityProviders![0]!.tags ?? [], []);
    assert.deepEqual(out.failures, [
      { arn: cpArn("nope"), reason: "MISSING" },
      { arn: cpArn("gone"), reason: "MISSING" },
    ]);
    assert.deepEqual((await one("cp-a")).tags, [{ key: "team", value: "infra" }]);
  });

  test("DescribeCapacityProviders pages with maxResults and nextToken", async () => {
    for (const name of ["cp-c", "cp-d", "cp-e"]) await create(name);
    const names: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await describeCps({ maxResults: 2, nextToken });
      assert.ok(page.capacityProviders!.length <= 2);
      names.push(...page.capacityProviders!.map((cp) => cp.name!));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    assert.deepEqual(names, ["cp-a", "cp-b", "cp-c", "cp-d", "cp-e", "FARGATE", "FARGATE_SPOT"]);
    assert.equal(pages, 4);
    await expectError(describeCps({ maxResults: 11 }), "InvalidParameterException");
    await expectError(describeCps({ nextToken: "garbage" }), "InvalidParameterException");
  });

  test("UpdateCapacityProvider changes managed scaling and keeps the rest", async () => {
    const { capacityProvider: answer } = await ecs.send(
      new UpdateCapacityProviderCommand({
        name: "cp-a",
        autoScalingGroupProvider: { managedScaling: { status: "ENABLED", targetCapacity: 80 }, managedTerminationProtection: "ENABLED" },
      }),
    );
    assert.equal(answer!.updateStatus, "UPDATE_IN_PROGRESS");
    const cp = await one(cpArn("cp-a"));
    assert.equal(cp.updateStatus, "UPDATE_COMPLETE");
    assert.deepEqual(cp.autoScalingGroupProvider, {
      autoScalingGroupArn: asgArn("cp-a"),
      managedScaling: {
        status: "ENABLED",
        targetCapacity: 80,
        minimumScalingStepSize: 1,
        maximumScalingStepSize: 10000,
        instanceWarmupPeriod: 300,
      },
      managedTerminationProtection: "ENABLED",
    });
    assert.deepEqual(cp.tags, [{ key: "team", value: "infra" }]);
    const update = (name: string) =>
      ecs.send(new UpdateCapacityProviderCommand({ name, autoScalingGroupProvider: { managedScaling: { targetCapacity: 50 } } }));
    await expectError(update("nope"), "ClientException");
    await expectError(update("FARGATE"), "InvalidParameterException");
    await expectError(
      ecs.send(
        new UpdateCapacityProviderCommand({
          name: "cp-a",
          autoScalingGroupProvider: { managedScaling: { minimumScalingStepSize: 20, maximumScalingStepSize: 10 } },
        }),
      ),
      "InvalidParameterException",
    );
    assert.equal((await one("cp-a")).autoScalingGroupProvider!.managedScaling!.targetCapacity, 80);
  });

  test("CreateCluster and PutClusterCapacityProviders validate providers and the default strategy", async () => {
    const bad: [string, string[], CapacityProviderStrategyItem[], string][] = [
      ["unknown provider", ["nope"], [], "InvalidParameterException"],
      ["strategy outside the list", ["cp-b"], [{ capacityProvider: "cp-c", weight: 1 }], "InvalidParameterException"],
      [
        "two bases",
        ["cp-b", "cp-c"],
        [
          { capacityProvider: "cp-b", base: 1 },
          { capacityProvider: "cp-c", base: 2 },
        ],
        "InvalidParameterException",
      ],
      [
        "FARGATE mixed with an ASG provider",
        ["FARGATE", "cp-b"],
        [
          { capacityProvider: "FARGATE", weight: 1 },
          { capacityProvider: "cp-b", weight: 1 },
        ],
        "ClientException",
      ],
    ];
    for (const [why, capacityProviders, defaultCapacityProviderStrategy, code] of bad) {
      await expectError(
        ecs.send(new CreateClusterCommand({ clusterName: "cp-bad", capacityProviders, defaultCapacityProviderStrategy })),
        code,
        undefined,
      ).catch((err: Error) => assert.fail(`${why}: ${err.message}`));
    }
    await clusterMissing("cp-bad");

    const { cluster } = await ecs.send(
      new CreateClusterCommand({
        clusterName: "cp-cluster",
        capacityProviders: ["cp-b", "FARGATE"],
        defaultCapacityProviderStrategy: [{ capacityProvider: "cp-b", base: 1, weight: 2 }],
      }),
    );
    assert.deepEqual(cluster!.capacityProviders, ["cp-b", "FARGATE"]);
    assert.deepEqual(cluster!.defaultCapacityProviderStrategy, [{ capacityProvider: "cp-b", base: 1, weight: 2 }]);

    for (const [why, providers, strategy, code] of bad) {
      await expectError(associate("cp-cluster", providers, strategy), code).catch((err: Error) => assert.fail(`${why}: ${err.message}`));
    }
    const unchanged = await ecs.send(new DescribeClustersCommand({ clusters: ["cp-cluster"] }));
    assert.deepEqual(unchanged.clusters![0]!.capacityProviders, ["cp-b", "FARGATE"]);

    const put = await associate("cp-cluster", ["cp-c", "FARGATE_SPOT"], [{ capacityProvider: "cp-c" }]);
    assert.deepEqual(put.cluster!.capacityProviders, ["cp-c", "FARGATE_SPOT"]);
    assert.deepEqual(put.cluster!.defaultCapacityProviderStrategy, [{ capacityProvider: "cp-c", weight: 0, base: 0 }]);
    await expectError(associate("no-such-cluster", []), "ClusterNotFoundException");
  });

  test("DescribeCapacityProviders with a cluster shows only the providers associated with it", async () => {
    const out = await describeCps({ cluster: "cp-cluster" });
    assert.deepEqual(
      out.capacityProviders!.map((cp) => cp.name),
      ["cp-c", "FARGATE_SPOT"],
    );
    await expectError(describeCps({ cluster: "no-such-cluster" }), "ClusterNotFoundException");
  });

  test("an Auto Scaling group provider serves one cluster at a time", async () => {
    await create("cp-single");
    await ecs.send(new CreateClusterCommand({ clusterName: "cp-owner" }));
    await ecs.send(new CreateClusterCommand({ clusterName: "cp-other" }));
    await associate("cp-owner", ["cp-single"]);
    await expectError(associate("cp-other", ["cp-single"]), "InvalidParameterException");
    await expectError(
      ecs.send(new CreateClusterCommand({ clusterName: "cp-third", capacityProviders: ["cp-single"] })),
      "InvalidParameterException",
    );
    await clusterMissing("cp-third");
    await associate("cp-owner", ["cp-single", "FARGATE"]); // the owner may re-associate it
    await associate("cp-other", ["FARGATE"]); // FARGATE serves every cluster
    await associate("cp-owner", []);
    await associate("cp-other", ["cp-single"]);
  });

  test("DeleteCapacityProvider fails while the provider is associated, and leaves it INACTIVE afterwards", async () => {
    const refused = await ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: "cp-c" }));
    assert.equal(refused.capacityProvider!.status, "ACTIVE");
    assert.equal(refused.capacityProvider!.updateStatus, "DELETE_FAILED");
    assert.match(refused.capacityProvider!.updateStatusReason!, /associated with cluster: cp-cluster/);
    assert.equal((await one("cp-c")).status, "ACTIVE");

    await associate("cp-cluster", [], []);
    const { capacityProvider: deleted } = await ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: cpArn("cp-c") }));
    assert.equal(deleted!.updateStatus, "DELETE_IN_PROGRESS");
    const after = await one("cp-c");
    assert.equal(after.status, "INACTIVE");
    assert.equal(after.updateStatus, "DELETE_COMPLETE");
    assert.equal(after.updateStatusReason, undefined);
    const all = await describeCps({ maxResults: 10 });
    assert.ok(!all.capacityProviders!.some((cp) => cp.name === "cp-c"), "INACTIVE providers are not listed");

    await expectError(ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: "cp-c" })), "ClientException");
    await expectError(ecs.send(new DeleteCapacityProviderCommand({ capacityProvider: "FARGATE" })), "InvalidParameterException");
    await expectError(associate("cp-cluster", ["cp-c"]), "InvalidParameterException");
  });

  test("the AWS CLIs create, describe, update, associate and delete capacity providers", () => {
    const clis = availableClis();
    assert.ok(clis.length >= 1, "no AWS CLI installed");
    clis.forEach((cli, i) => {
      const aws = (...args: string[]) => runCli(cli, berth.endpoint, ["ecs", ...args]);
      const ok = (r: CliResult) => {
        assert.equal(r.status, 0, `${cli.name}: ${r.stderr}`);
        return r.json;
      };
      const name = `cli${i}-cp`;
      const cluster = `cli${i}-cluster`;

      const created = ok(
        aws(
          "create-capacity-provider",
          "--name",
          name,
          "--tags",
          "key=via,value=cli",
          "--auto-scaling-group-provider",
          `autoScalingGroupArn=${asgArn(name)},managedScaling={status=ENABLED,targetCapacity=90},managedTerminationProtection=DISABLED`,
        ),
      );
      assert.equal(created.capacityProvider.autoScalingGroupProvider.managedScaling.maximumScalingStepSize, 10000);
      expectCliError(
        aws("create-capacity-provider", "--name", "ecs-nope", "--auto-scaling-group-provider", `autoScalingGroupArn=${asgArn("x")}`),
        "ClientException",
        "CreateCapacityProvider",
      );

      const described = ok(aws("describe-capacity-providers", "--capacity-providers", name, "nope", "--include", "TAGS"));
      assert.deepEqual(described.capacityProviders[0].tags, [{ key: "via", value: "cli" }]);
      assert.deepEqual(described.failures, [{ arn: cpArn("nope"), reason: "MISSING" }]);
      const page = ok(aws("describe-capacity-providers", "--max-results", "1"));
      assert.equal(page.capacityProviders.length, 1);
      assert.ok(page.nextToken);

      // managedDraining is not in the v2.9.19 model, so only managedScaling is updated here.
      ok(aws("update-capacity-provider", "--name", name, "--auto-scaling-group-provider", "managedScaling={targetCapacity=70}"));
      assert.equal(
        ok(aws("describe-capacity-providers", "--capacity-providers", name)).capacityProviders[0].autoScalingGroupProvider.managedScaling
          .targetCapacity,
        70,
      );

      ok(aws("create-cluster", "--cluster-name", cluster));
      const put = ok(
        aws(
          "put-cluster-capacity-providers",
          "--cluster",
          cluster,
          "--capacity-providers",
          name,
          "FARGATE",
          "--default-capacity-provider-strategy",
          `capacityProvider=${name},weight=1,base=1`,
        ),
      );
      assert.deepEqual(put.cluster.capacityProviders, [name, "FARGATE"]);
      expectCliError(
        aws(
          "put-cluster-capacity-providers",
          "--cluster",
          cluster,
          "--capacity-providers",
          name,
          "--default-capacity-provider-strategy",
          "capacityProvider=FARGATE,weight=1",
        ),
        "InvalidParameterException",
        "PutClusterCapacityProviders",
      );

      const refused = ok(aws("delete-capacity-provider", "--capacity-provider", name));
      assert.equal(refused.capacityProvider.updateStatus, "DELETE_FAILED");
      ok(
        aws(
          "put-cluster-capacity-providers",
          "--cluster",
          cluster,
          "--capacity-providers",
          "[]",
          "--default-capacity-provider-strategy",
          "[]",
        ),
      );
      ok(aws("delete-capacity-provider", "--capacity-provider", cpArn(name)));
      assert.equal(ok(aws("describe-capacity-providers", "--capacity-providers", name)).capacityProviders[0].status, "INACTIVE");
      expectCliError(aws("delete-capacity-provider", "--capacity-provider", name), "ClientException", "DeleteCapacityProvider");
    });
  });
});
