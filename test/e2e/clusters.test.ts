// Clusters through the real SDK (with its paginator) and every installed AWS CLI.
import {
  CreateClusterCommand,
  DeleteClusterCommand,
  DescribeClustersCommand,
  ListClustersCommand,
  PutClusterCapacityProvidersCommand,
  UpdateClusterCommand,
  UpdateClusterSettingsCommand,
  paginateListClusters,
  type ECSClient,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startBerth, TEST_ACCOUNT, type BerthProcess } from "../support/berth-process.js";
import { availableClis, runCli, sdkClient } from "../support/clients.js";

const arnOf = (name: string) => `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:cluster/${name}`;

describe("clusters", () => {
  let berth: BerthProcess;
  let ecs: ECSClient;
  before(async () => {
    berth = await startBerth();
    ecs = sdkClient(berth.endpoint);
  });
  after(async () => {
    await berth.stop();
  });

  test("create is idempotent on the name and returns ECS's shape", async () => {
    const first = await ecs.send(
      new CreateClusterCommand({
        clusterName: "web",
        tags: [{ key: "env", value: "dev" }],
        settings: [{ name: "containerInsights", value: "enabled" }],
      }),
    );
    assert.deepEqual(first.cluster, {
      clusterArn: arnOf("web"),
      clusterName: "web",
      status: "ACTIVE",
      registeredContainerInstancesCount: 0,
      runningTasksCount: 0,
      pendingTasksCount: 0,
      activeServicesCount: 0,
      statistics: [],
      tags: [{ key: "env", value: "dev" }],
      settings: [{ name: "containerInsights", value: "enabled" }],
      capacityProviders: [],
      defaultCapacityProviderStrategy: [],
    });
    const again = await ecs.send(new CreateClusterCommand({ clusterName: "web" }));
    assert.deepEqual(again.cluster, first.cluster, "the existing cluster comes back unchanged");
  });

  test("describe: default cluster, include, failures for unknown names", async () => {
    const none = await ecs.send(new DescribeClustersCommand({}));
    assert.deepEqual(none.clusters, []);
    assert.deepEqual(none.failures, [{ arn: arnOf("default"), reason: "MISSING" }]);
    await ecs.send(new CreateClusterCommand({}));
    const byDefault = await ecs.send(new DescribeClustersCommand({}));
    assert.equal(byDefault.clusters![0]!.clusterName, "default");

    const plain = await ecs.send(new DescribeClustersCommand({ clusters: ["web", arnOf("web"), "ghost"] }));
    assert.equal(plain.clusters!.length, 2);
    assert.deepEqual(plain.clusters![0]!.tags, [], "tags only with include TAGS");
    assert.deepEqual(plain.failures, [{ arn: arnOf("ghost"), reason: "MISSING" }]);

    const full = await ecs.send(new DescribeClustersCommand({ clusters: ["web"], include: ["TAGS", "SETTINGS", "STATISTICS"] }));
    const web = full.clusters![0]!;
    assert.deepEqual(web.tags, [{ key: "env", value: "dev" }]);
    assert.deepEqual(web.settings, [{ name: "containerInsights", value: "enabled" }]);
    assert.ok(web.statistics!.some((s) => s.name === "runningFargateTasksCount" && s.value === "0"));
  });

  test("list with the SDK paginator sees every ACTIVE cluster once", async () => {
    const names = Array.from({ length: 12 }, (_, i) => `page-${String(i).padStart(2, "0")}`);
    await Promise.all(names.map((clusterName) => ecs.send(new CreateClusterCommand({ clusterName }))));
    const seen: string[] = [];
    for await (const page of paginateListClusters({ client: ecs, pageSize: 5 }, {})) seen.push(...page.clusterArns!);
    for (const n of names) assert.equal(seen.filter((a) => a === arnOf(n)).length, 1);
    assert.equal(new Set(seen).size, seen.length);
    await assert.rejects(ecs.send(new ListClustersCommand({ maxResults: 101 })), { name: "InvalidParameterException" });
    await assert.rejects(ecs.send(new ListClustersCommand({ nextToken: "garbage" })), { name: "InvalidParameterException" });
  });

  test("update and update-settings change settings and configuration", async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: "tuned" }));
    const updated = await ecs.send(
      new UpdateClusterCommand({
        cluster: "tuned",
        settings: [{ name: "containerInsights", value: "enhanced" }],
        configuration: { executeCommandConfiguration: { logging: "DEFAULT" } },
      }),
    );
    assert.deepEqual(updated.cluster!.settings, [{ name: "containerInsights", value: "enhanced" }]);
    assert.deepEqual(updated.cluster!.configuration, { executeCommandConfiguration: { logging: "DEFAULT" } });
    const settings = await ecs.send(
      new UpdateClusterSettingsCommand({ cluster: arnOf("tuned"), settings: [{ name: "containerInsights", value: "disabled" }] }),
    );
    assert.deepEqual(settings.cluster!.settings, [{ name: "containerInsights", value: "disabled" }]);
    await assert.rejects(
      ecs.send(new UpdateClusterSettingsCommand({ cluster: "tuned", settings: [{ name: "containerInsights", value: "loud" }] })),
      { name: "InvalidParameterException" },
    );
    await assert.rejects(ecs.send(new UpdateClusterCommand({ cluster: "ghost", settings: [] })), { name: "ClusterNotFoundException" });
  });

  test("capacity providers on a cluster", async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: "fargate" }));
    const out = await ecs.send(
      new PutClusterCapacityProvidersCommand({
        cluster: "fargate",
        capacityProviders: ["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy: [
          { capacityProvider: "FARGATE", weight: 1, base: 1 },
          { capacityProvider: "FARGATE_SPOT", weight: 3 },
        ],
      }),
    );
    assert.deepEqual(out.cluster!.capacityProviders, ["FARGATE", "FARGATE_SPOT"]);
    assert.deepEqual(out.cluster!.defaultCapacityProviderStrategy, [
      { capacityProvider: "FARGATE", weight: 1, base: 1 },
      { capacityProvider: "FARGATE_SPOT", weight: 3, base: 0 },
    ]);
    await assert.rejects(
      ecs.send(
        new PutClusterCapacityProvidersCommand({
          cluster: "fargate",
          capacityProviders: ["FARGATE"],
          defaultCapacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
        }),
      ),
      { name: "InvalidParameterException" },
    );
    const after = await ecs.send(new DescribeClustersCommand({ clusters: ["fargate"] }));
    assert.deepEqual(after.clusters![0]!.capacityProviders, ["FARGATE", "FARGATE_SPOT"], "a refused call changed nothing");
  });

  test("delete makes the cluster INACTIVE; it can be created again", async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: "doomed" }));
    const deleted = await ecs.send(new DeleteClusterCommand({ cluster: "doomed" }));
    assert.equal(deleted.cluster!.status, "INACTIVE");
    const described = await ecs.send(new DescribeClustersCommand({ clusters: ["doomed"] }));
    assert.equal(described.clusters![0]!.status, "INACTIVE");
    const listed = await ecs.send(new ListClustersCommand({}));
    assert.ok(!listed.clusterArns!.includes(arnOf("doomed")));
    await assert.rejects(ecs.send(new DeleteClusterCommand({ cluster: "doomed" })), { name: "ClusterNotFoundException" });
    const revived = await ecs.send(new CreateClusterCommand({ clusterName: "doomed" }));
    assert.equal(revived.cluster!.status, "ACTIVE");
  });

  test("invalid names are refused", async () => {
    for (const clusterName of ["has space", "x".repeat(256), "bad/slash"]) {
      await assert.rejects(ecs.send(new CreateClusterCommand({ clusterName })), { name: "InvalidParameterException" });
    }
  });

  for (const cli of availableClis()) {
    test(`${cli.name}: the cluster lifecycle`, () => {
      const name = `cli-${cli.name.replace(/\W/g, "")}`;
      const ok = (args: string[]) => {
        const r = runCli(cli, berth.endpoint, ["ecs", ...args]);
        assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
        return r.json;
      };
      assert.equal(ok(["create-cluster", "--cluster-name", name, "--tags", "key=a,value=b"]).cluster.clusterArn, arnOf(name));
      assert.ok(ok(["list-clusters"]).clusterArns.includes(arnOf(name)));
      const described = ok(["describe-clusters", "--clusters", name, "missing", "--include", "TAGS"]);
      assert.deepEqual(described.clusters[0].tags, [{ key: "a", value: "b" }]);
      assert.deepEqual(described.failures, [{ arn: arnOf("missing"), reason: "MISSING" }]);
      ok(["update-cluster-settings", "--cluster", name, "--settings", "name=containerInsights,value=enabled"]);
      ok([
        "put-cluster-capacity-providers",
        "--cluster",
        name,
        "--capacity-providers",
        "FARGATE",
        "--default-capacity-provider-strategy",
        "capacityProvider=FARGATE,weight=1",
      ]);
      assert.equal(ok(["delete-cluster", "--cluster", name]).cluster.status, "INACTIVE");
      const gone = runCli(cli, berth.endpoint, ["ecs", "delete-cluster", "--cluster", name]);
      assert.notEqual(gone.status, 0);
      assert.match(gone.stderr, /ClusterNotFoundException/);
    });
  }
});
