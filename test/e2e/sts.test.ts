// STS on berth's endpoint, as the unmodified AWS CLIs and the SDK meet it: the second
// service on the front door, in the AWS Query protocol beside ECS's JSON.
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { ListClustersCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startBerth, TEST_ACCESS_KEY, TEST_ACCOUNT, TEST_SECRET_KEY, type BerthProcess } from "../support/berth-process.js";
import { availableClis, runCli, sdkClient } from "../support/clients.js";

describe("STS on the same endpoint as ECS", () => {
  let berth: BerthProcess;
  before(async () => {
    berth = await startBerth();
  });
  after(async () => {
    await berth.stop();
  });

  const sts = (secretAccessKey = TEST_SECRET_KEY) =>
    new STSClient({
      endpoint: berth.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey },
      maxAttempts: 1,
    });

  test("the SDK's GetCallerIdentity names the account's root user; ECS answers on the same port", async () => {
    const who = await sts().send(new GetCallerIdentityCommand({}));
    assert.deepEqual(
      { Account: who.Account, Arn: who.Arn, UserId: who.UserId },
      { Account: TEST_ACCOUNT, Arn: `arn:aws:iam::${TEST_ACCOUNT}:root`, UserId: TEST_ACCOUNT },
    );
    assert.ok(Array.isArray((await sdkClient(berth.endpoint).send(new ListClustersCommand({}))).clusterArns));
    await assert.rejects(sts("wrong").send(new GetCallerIdentityCommand({})), { name: "SignatureDoesNotMatch" });
  });

  test("an unsigned query call is MissingAuthenticationToken in STS's XML", async () => {
    const res = await fetch(berth.endpoint + "/", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    });
    assert.equal(res.status, 403);
    assert.match(res.headers.get("content-type") ?? "", /xml/);
    assert.match(
      await res.text(),
      /^<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code>/,
    );
  });

  for (const cli of availableClis()) {
    test(`${cli.name} (${cli.path}): sts get-caller-identity, and its failures`, () => {
      const ok = runCli(cli, berth.endpoint, ["sts", "get-caller-identity"]);
      assert.equal(ok.status, 0, ok.stderr);
      assert.deepEqual(ok.json, { UserId: TEST_ACCOUNT, Account: TEST_ACCOUNT, Arn: `arn:aws:iam::${TEST_ACCOUNT}:root` });
      const unknown = runCli(cli, berth.endpoint, ["sts", "get-caller-identity"], { accessKeyId: "AKIANOBODY0000000000" });
      assert.notEqual(unknown.status, 0);
      assert.match(unknown.stderr, /InvalidClientTokenId/);
      const notYet = runCli(cli, berth.endpoint, ["sts", "get-session-token"]);
      assert.notEqual(notYet.status, 0);
      assert.match(notYet.stderr, /NotImplemented.*GetSessionToken is part of the STS API/);
    });
  }
});
