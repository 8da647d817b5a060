// STS in-process: the real SDK's STS client, its Query protocol and SigV4, against the whole
// control plane with no port; the CLIs' view is in test/e2e/sts.test.ts.
import { GetCallerIdentityCommand, GetSessionTokenCommand } from "@aws-sdk/client-sts";
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { TEST_ACCESS_KEY, TEST_ACCOUNT } from "../support/berth-process.js";
import { inProcessBerth } from "../support/in-process.js";

describe("STS in-process", () => {
  const berth = inProcessBerth();
  after(() => berth.close());
  const withSecret = (secretAccessKey: string, accessKeyId = TEST_ACCESS_KEY) => berth.stsClient({ accessKeyId, secretAccessKey });

  test("GetCallerIdentity names the account's root user", async () => {
    const out = await berth.sts.send(new GetCallerIdentityCommand({}));
    assert.equal(out.Account, TEST_ACCOUNT);
    assert.equal(out.Arn, `arn:aws:iam::${TEST_ACCOUNT}:root`);
    assert.equal(out.UserId, TEST_ACCOUNT);
    assert.match(out.$metadata.requestId ?? "", /^[0-9a-f-]{36}$/);
  });

  test("signature failures have the query protocol's names", async () => {
    await assert.rejects(withSecret("wrong").send(new GetCallerIdentityCommand({})), { name: "SignatureDoesNotMatch" });
    await assert.rejects(withSecret("wrong", "AKIANOBODY").send(new GetCallerIdentityCommand({})), { name: "InvalidClientTokenId" });
  });

  test("an operation of the model berth does not serve yet says so, with 501", async () => {
    await assert.rejects(berth.sts.send(new GetSessionTokenCommand({})), (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(err.name, "NotImplemented");
      assert.match(err.message, /GetSessionToken is part of the STS API/);
      assert.equal(err.$metadata?.httpStatusCode, 501);
      return true;
    });
  });

  test("input that breaks the model's constraints is ValidationError naming the member", async () => {
    await assert.rejects(berth.sts.send(new GetSessionTokenCommand({ DurationSeconds: 5 })), (err: Error) => {
      assert.equal(err.name, "ValidationError");
      assert.match(err.message, /DurationSeconds.*greater than or equal to 900/);
      return true;
    });
  });
});
