// The wire protocol as real clients meet it: SigV4, error shapes, regions, unknown calls.
import { CreateClusterCommand, UpdateContainerAgentCommand, ListClustersCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startBerth, TEST_SECRET_KEY, type BerthProcess } from "../support/berth-process.js";
import { availableClis, runCli, sdkClient } from "../support/clients.js";
import { ECS_TARGET, rawCall } from "../support/raw.js";

describe("AWS JSON 1.1 protocol", () => {
  let berth: BerthProcess;
  before(async () => {
    berth = await startBerth();
  });
  after(async () => {
    await berth.stop();
  });

  test("an unsigned request is MissingAuthenticationTokenException", async () => {
    const res = await rawCall(berth.endpoint, ECS_TARGET("ListClusters"), "{}", { sign: false });
    assert.equal(res.status, 400);
    assert.equal(res.errorType, "MissingAuthenticationTokenException");
    assert.equal(res.body.__type, "MissingAuthenticationTokenException");
    assert.equal(typeof res.body.message, "string");
  });

  test("the SDK with a wrong secret gets InvalidSignatureException; an unknown key UnrecognizedClientException", async () => {
    const wrongSecret = sdkClient(berth.endpoint, { secretAccessKey: TEST_SECRET_KEY + "x" });
    await assert.rejects(wrongSecret.send(new ListClustersCommand({})), { name: "InvalidSignatureException" });
    const unknownKey = sdkClient(berth.endpoint, { accessKeyId: "AKIAUNKNOWNKEY000000" });
    await assert.rejects(unknownKey.send(new ListClustersCommand({})), { name: "UnrecognizedClientException" });
    // and nothing was created by a refused call
    await assert.rejects(wrongSecret.send(new CreateClusterCommand({ clusterName: "sneaky" })), { name: "InvalidSignatureException" });
    const { clusterArns } = await sdkClient(berth.endpoint).send(new ListClustersCommand({}));
    assert.ok(!clusterArns!.some((a) => a.endsWith("/sneaky")));
  });

  test("malformed JSON is SerializationException, never a 500", async () => {
    for (const body of ["{", "[1,2", '{"clusterName": }', "nul"]) {
      const res = await rawCall(berth.endpoint, ECS_TARGET("CreateCluster"), body);
      assert.equal(res.status, 400, body);
      assert.equal(res.body.__type, "SerializationException", body);
    }
  });

  test("wrong member types are SerializationException naming the member", async () => {
    const res = await rawCall(berth.endpoint, ECS_TARGET("ListClusters"), '{"maxResults":"ten"}');
    assert.equal(res.body.__type, "SerializationException");
    assert.match(res.body.message, /maxResults/);
  });

  test("an unknown operation is UnknownOperationException", async () => {
    const res = await rawCall(berth.endpoint, ECS_TARGET("LaunchRockets"), "{}");
    assert.equal(res.status, 400);
    assert.equal(res.body.__type, "UnknownOperationException");
    const noTarget = await rawCall(berth.endpoint, "", "{}");
    assert.equal(noTarget.body.__type, "UnknownOperationException");
  });

  test("an ECS operation berth does not serve says so by name", async () => {
    await assert.rejects(
      sdkClient(berth.endpoint).send(new UpdateContainerAgentCommand({ cluster: "c", containerInstance: "i" })),
      (err: Error) => err.name === "UnsupportedFeatureException" && /^UpdateContainerAgent is not supported by berth/.test(err.message),
    );
  });

  test("the region in the signature partitions state", async () => {
    const east = sdkClient(berth.endpoint, { region: "us-east-1" });
    const west = sdkClient(berth.endpoint, { region: "eu-west-1" });
    const { cluster } = await west.send(new CreateClusterCommand({ clusterName: "regional" }));
    assert.equal(cluster!.clusterArn, "arn:aws:ecs:eu-west-1:123456789012:cluster/regional");
    const inWest = await west.send(new ListClustersCommand({}));
    const inEast = await east.send(new ListClustersCommand({}));
    assert.ok(inWest.clusterArns!.includes(cluster!.clusterArn));
    assert.ok(!inEast.clusterArns!.some((a) => a.includes("regional")));
  });

  for (const cli of availableClis()) {
    test(`${cli.name} (${cli.path}): auth failures`, () => {
      const bad = runCli(cli, berth.endpoint, ["ecs", "list-clusters"], { secretAccessKey: "wrong" });
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /InvalidSignatureException/);
      const unknown = runCli(cli, berth.endpoint, ["ecs", "list-clusters"], { accessKeyId: "AKIANOBODY0000000000" });
      assert.notEqual(unknown.status, 0);
      assert.match(unknown.stderr, /UnrecognizedClientException/);
      const good = runCli(cli, berth.endpoint, ["ecs", "list-clusters"]);
      assert.equal(good.status, 0, good.stderr);
      assert.ok(Array.isArray(good.json.clusterArns));
    });
  }

  test("an AWS CLI is installed for the CLI tests", () => {
    assert.ok(availableClis().length > 0, "no `aws` CLI found: install Debian's awscli");
  });
});
