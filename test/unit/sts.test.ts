// STS in-process: the real SDK's STS client, its Query protocol and SigV4, against the
// front door with no port; the CLIs' view is in test/e2e/sts.test.ts.
import { GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createFrontDoor } from "../../src/aws/server.js";
import { stsService } from "../../src/services/sts/index.js";
import { inProcessHandler } from "../support/in-process.js";
import { silentLog } from "../support/log.js";

const KEY = "AKIAINPROCESS0000000";
const SECRET = "in-process-secret";
const principal = { accountId: "111122223333", arn: "arn:aws:iam::111122223333:root", userId: "111122223333" };
const frontDoor = createFrontDoor({
  services: [stsService()],
  credentialFor: (key) => (key === KEY ? { secretAccessKey: SECRET, principal } : undefined),
  log: silentLog,
});

const sts = (credentials = { accessKeyId: KEY, secretAccessKey: SECRET }) =>
  new STSClient({ endpoint: "http://berth.in-process", region: "eu-central-1", credentials, maxAttempts: 1, requestHandler: inProcessHandler(frontDoor.handle) });

describe("STS in-process", () => {
  test("GetCallerIdentity names the account's root user", async () => {
    const out = await sts().send(new GetCallerIdentityCommand({}));
    assert.equal(out.Account, "111122223333");
    assert.equal(out.Arn, "arn:aws:iam::111122223333:root");
    assert.equal(out.UserId, "111122223333");
    assert.match(out.$metadata.requestId ?? "", /^[0-9a-f-]{36}$/);
  });

  test("signature failures have the query protocol's names", async () => {
    await assert.rejects(sts({ accessKeyId: KEY, secretAccessKey: "wrong" }).send(new GetCallerIdentityCommand({})), { name: "SignatureDoesNotMatch" });
    await assert.rejects(sts({ accessKeyId: "AKIANOBODY", secretAccessKey: SECRET }).send(new GetCallerIdentityCommand({})), { name: "InvalidClientTokenId" });
  });

  test("an operation of the model berth does not serve yet says so, with 501", async () => {
    await assert.rejects(sts().send(new GetSessionTokenCommand({})), (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(err.name, "NotImplemented");
      assert.match(err.message, /GetSessionToken is part of the STS API/);
      assert.equal(err.$metadata?.httpStatusCode, 501);
      return true;
    });
  });

  test("input that breaks the model's constraints is ValidationError naming the member", async () => {
    await assert.rejects(sts().send(new GetSessionTokenCommand({ DurationSeconds: 5 })), (err: Error) => {
      assert.equal(err.name, "ValidationError");
      assert.match(err.message, /DurationSeconds.*greater than or equal to 900/);
      return true;
    });
  });
});
