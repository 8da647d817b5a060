// Secrets Manager in-process: the real @aws-sdk/client-secrets-manager (JSON 1.1, SigV4) against
// the whole control plane with no port; the CLIs' view, restarts and the bytes on disk are in
// test/e2e/secretsmanager-cli.test.ts. Each test uses its own secret names.
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  RotateSecretCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
  paginateListSecrets,
  type ListSecretsCommandInput,
} from "@aws-sdk/client-secrets-manager";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { secretsManagerService } from "../../src/services/secretsmanager/index.js";
import { dataDirSealer } from "../../src/state/sealing.js";
import { secretsState } from "../../src/state/secrets-state.js";
import { openSqliteStore } from "../../src/state/sqlite/sqlite-store.js";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { inProcessBerth } from "../support/in-process.js";
import { silentLog } from "../support/log.js";

type AwsError = Error & { $metadata?: { httpStatusCode?: number } };

/** Asserts the call fails with `name` (and a message matching `message`), as the SDK parses it. */
async function refused(call: Promise<unknown>, name: string, message?: RegExp | string): Promise<void> {
  await assert.rejects(call, (err: AwsError) => {
    assert.equal(err.name, name, err.message);
    if (typeof message === "string") assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    assert.ok((err.$metadata?.httpStatusCode ?? 0) < 500, `status ${err.$metadata?.httpStatusCode}`);
    return true;
  });
}

const NOT_FOUND = "Secrets Manager can't find the specified secret.";
const MARKED = "You can't perform this operation on the secret because it was marked for deletion.";
const token = (n: number) => `${n}`.padStart(8, "0") + "-0000-4000-8000-000000000000";

describe("Secrets Manager in-process", () => {
  const berth = inProcessBerth();
  after(() => berth.close());
  const sm = berth.secrets;

  test("CreateSecret makes an ARN of the name and six random alphanumerics; GetSecretValue answers by name, full and partial ARN", async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: "app/db-password", SecretString: "hunter2", Description: "the db" }));
    assert.match(created.ARN!, new RegExp(`^arn:aws:secretsmanager:us-east-1:${TEST_ACCOUNT}:secret:app/db-password-[A-Za-z0-9]{6}$`));
    assert.equal(created.Name, "app/db-password");
    assert.match(created.VersionId!, /^[0-9a-f-]{36}$/);
    const partial = created.ARN!.slice(0, -7);
    for (const SecretId of ["app/db-password", created.ARN!, partial]) {
      const got = await sm.send(new GetSecretValueCommand({ SecretId }));
      assert.equal(got.SecretString, "hunter2", SecretId);
      assert.equal(got.ARN, created.ARN);
      assert.equal(got.Name, "app/db-password");
      assert.equal(got.VersionId, created.VersionId);
      assert.deepEqual(got.VersionStages, ["AWSCURRENT"]);
      assert.ok(got.CreatedDate instanceof Date);
      assert.equal(got.SecretBinary, undefined);
    }
    await refused(
      sm.send(new GetSecretValueCommand({ SecretId: created.ARN!.slice(0, -1) + "?" })),
      "ResourceNotFoundException",
      NOT_FOUND,
    );
    await refused(sm.send(new GetSecretValueCommand({ SecretId: "app/nothing" })), "ResourceNotFoundException", NOT_FOUND);
    const otherRegion = created.ARN!.replace("us-east-1", "eu-west-1");
    await refused(sm.send(new GetSecretValueCommand({ SecretId: otherRegion })), "ResourceNotFoundException", NOT_FOUND);
    await refused(
      berth.secretsClient({ region: "eu-west-1" }).send(new GetSecretValueCommand({ SecretId: "app/db-password" })),
      "ResourceNotFoundException",
    );
  });

  test("a binary secret travels as bytes; 65536 bytes are accepted, one more is refused and changes nothing", async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255, 10]);
    await sm.send(new CreateSecretCommand({ Name: "bin", SecretBinary: bytes }));
    const got = await sm.send(new GetSecretValueCommand({ SecretId: "bin" }));
    assert.deepEqual(Buffer.from(got.SecretBinary!), bytes);
    assert.equal(got.SecretString, undefined);
    await sm.send(new PutSecretValueCommand({ SecretId: "bin", SecretBinary: Buffer.alloc(65536, 7) }));
    await refused(
      sm.send(new PutSecretValueCommand({ SecretId: "bin", SecretBinary: Buffer.alloc(65537, 7) })),
      "ValidationException",
      /less than or equal to 65536/,
    );
    await refused(sm.send(new PutSecretValueCommand({ SecretId: "bin", SecretString: "x".repeat(65537) })), "ValidationException", /65536/);
    assert.equal(Buffer.from((await sm.send(new GetSecretValueCommand({ SecretId: "bin" }))).SecretBinary!).length, 65536);
    const versions = await sm.send(new ListSecretVersionIdsCommand({ SecretId: "bin" }));
    assert.equal(versions.Versions!.length, 2);
  });

  test("bad CreateSecret input is refused and creates nothing", async () => {
    await refused(
      sm.send(new CreateSecretCommand({ Name: "both", SecretString: "a", SecretBinary: Buffer.from("b") })),
      "InvalidParameterException",
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
    await refused(sm.send(new CreateSecretCommand({ Name: "bad name!", SecretString: "a" })), "ValidationException", /Invalid name/);
    await refused(
      sm.send(new CreateSecretCommand({ Name: "short-token", SecretString: "a", ClientRequestToken: "short" })),
      "ValidationException",
      /ClientRequestToken.*greater than or equal to 32/,
    );
    for (const SecretId of ["both", "bad name!", "short-token"])
      await refused(sm.send(new DescribeSecretCommand({ SecretId })), "ResourceNotFoundException");
  });

  test("CreateSecret with the same token and value is a retry; anything else on that name is ResourceExistsException", async () => {
    const first = await sm.send(new CreateSecretCommand({ Name: "idem", SecretString: "v1", ClientRequestToken: token(1) }));
    const again = await sm.send(new CreateSecretCommand({ Name: "idem", SecretString: "v1", ClientRequestToken: token(1) }));
    assert.deepEqual([again.ARN, again.VersionId], [first.ARN, token(1)]);
    await refused(
      sm.send(new CreateSecretCommand({ Name: "idem", SecretString: "v2", ClientRequestToken: token(1) })),
      "ResourceExistsException",
      "The operation failed because the secret idem already exists.",
    );
    await refused(sm.send(new CreateSecretCommand({ Name: "idem", SecretString: "v1" })), "ResourceExistsException");
    const versions = await sm.send(new ListSecretVersionIdsCommand({ SecretId: "idem" }));
    assert.deepEqual(
      versions.Versions!.map((v) => v.VersionId),
      [token(1)],
    );
  });

  test("PutSecretValue moves AWSCURRENT and leaves AWSPREVIOUS behind; VersionId and VersionStage pick a version", async () => {
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: "rotating", SecretString: "one", ClientRequestToken: token(11) }));
    const put = await sm.send(new PutSecretValueCommand({ SecretId: ARN, SecretString: "two", ClientRequestToken: token(12) }));
    assert.deepEqual([put.ARN, put.Name, put.VersionId, put.VersionStages], [ARN, "rotating", token(12), ["AWSCURRENT"]]);
    const pending = await sm.send(
      new PutSecretValueCommand({
        SecretId: "rotating",
        SecretString: "three",
        ClientRequestToken: token(13),
        VersionStages: ["AWSPENDING"],
      }),
    );
    assert.deepEqual(pending.VersionStages, ["AWSPENDING"]);
    const value = (input: { VersionId?: string; VersionStage?: string }) =>
      sm.send(new GetSecretValueCommand({ SecretId: "rotating", ...input })).then((o) => o.SecretString);
    assert.equal(await value({}), "two");
    assert.equal(await value({ VersionStage: "AWSPREVIOUS" }), "one");
    assert.equal(await value({ VersionStage: "AWSPENDING" }), "three");
    assert.equal(await value({ VersionId: token(11) }), "one");
    assert.equal(await value({ VersionId: token(12), VersionStage: "AWSCURRENT" }), "two");
    await refused(
      value({ VersionId: token(11), VersionStage: "AWSCURRENT" }),
      "InvalidRequestException",
      "You provided a VersionStage that is not associated to the provided VersionId.",
    );
    await refused(
      value({ VersionStage: "NOPE" }),
      "ResourceNotFoundException",
      "Secrets Manager can't find the specified secret value for staging label: NOPE",
    );
    await refused(
      value({ VersionId: token(99) }),
      "ResourceNotFoundException",
      `Secrets Manager can't find the specified secret value for VersionId: ${token(99)}`,
    );
    // A retry of a put is no new version; the same token with another value is refused.
    const retry = await sm.send(new PutSecretValueCommand({ SecretId: "rotating", SecretString: "two", ClientRequestToken: token(12) }));
    assert.deepEqual(retry.VersionStages, ["AWSCURRENT"]);
    await refused(
      sm.send(new PutSecretValueCommand({ SecretId: "rotating", SecretString: "other", ClientRequestToken: token(12) })),
      "ResourceExistsException",
      "You can't modify an existing version, you can only create a new version.",
    );
    await refused(
      sm.send(new PutSecretValueCommand({ SecretId: "rotating" })),
      "InvalidParameterException",
      "You must provide either SecretString or SecretBinary.",
    );
    const described = await sm.send(new DescribeSecretCommand({ SecretId: "rotating" }));
    assert.deepEqual(described.VersionIdsToStages, {
      [token(11)]: ["AWSPREVIOUS"],
      [token(12)]: ["AWSCURRENT"],
      [token(13)]: ["AWSPENDING"],
    });
  });

  test("UpdateSecretVersionStage moves labels; AWSCURRENT moves only from where it is", async () => {
    await sm.send(new CreateSecretCommand({ Name: "staged", SecretString: "a", ClientRequestToken: token(21) }));
    await sm.send(
      new PutSecretValueCommand({ SecretId: "staged", SecretString: "b", ClientRequestToken: token(22), VersionStages: ["AWSPENDING"] }),
    );
    await refused(
      sm.send(new UpdateSecretVersionStageCommand({ SecretId: "staged", VersionStage: "AWSCURRENT", MoveToVersionId: token(22) })),
      "InvalidParameterException",
      /RemoveFromVersionId can't be empty.*attached to version 00000021/,
    );
    await refused(
      sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: "staged",
          VersionStage: "AWSCURRENT",
          RemoveFromVersionId: token(22),
          MoveToVersionId: token(21),
        }),
      ),
      "InvalidParameterException",
    );
    await refused(
      sm.send(new UpdateSecretVersionStageCommand({ SecretId: "staged", VersionStage: "X", MoveToVersionId: token(29) })),
      "InvalidParameterException",
      `Not a valid version: ${token(29)}`,
    );
    await sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId: "staged",
        VersionStage: "AWSCURRENT",
        RemoveFromVersionId: token(21),
        MoveToVersionId: token(22),
      }),
    );
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: "staged", VersionStage: "AWSPENDING", RemoveFromVersionId: token(22) }));
    const described = await sm.send(new DescribeSecretCommand({ SecretId: "staged" }));
    assert.deepEqual(described.VersionIdsToStages, { [token(21)]: ["AWSPREVIOUS"], [token(22)]: ["AWSCURRENT"] });
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "staged" }))).SecretString, "b");
  });

  test("UpdateSecret changes the description and KMS key, and a value makes a new current version", async () => {
    await sm.send(new CreateSecretCommand({ Name: "upd", Description: "old", KmsKeyId: "alias/one" }));
    const bare = await sm.send(new DescribeSecretCommand({ SecretId: "upd" }));
    assert.equal(bare.VersionIdsToStages, undefined);
    await refused(sm.send(new GetSecretValueCommand({ SecretId: "upd" })), "ResourceNotFoundException", /staging label: AWSCURRENT/);
    const out = await sm.send(
      new UpdateSecretCommand({
        SecretId: "upd",
        Description: "new",
        KmsKeyId: "alias/two",
        SecretString: "s",
        ClientRequestToken: token(31),
      }),
    );
    assert.equal(out.VersionId, token(31));
    const described = await sm.send(new DescribeSecretCommand({ SecretId: "upd" }));
    assert.deepEqual([described.Description, described.KmsKeyId, described.RotationEnabled], ["new", "alias/two", false]);
    assert.deepEqual(described.VersionIdsToStages, { [token(31)]: ["AWSCURRENT"] });
    assert.ok(described.CreatedDate instanceof Date && described.LastChangedDate instanceof Date);
    assert.ok(described.LastAccessedDate === undefined, "never read yet");
    await sm.send(new GetSecretValueCommand({ SecretId: "upd" }));
    const read = await sm.send(new DescribeSecretCommand({ SecretId: "upd" }));
    assert.equal(read.LastAccessedDate!.getTime() % 86_400_000, 0, "a date, as AWS keeps it");
  });

  test("DeleteSecret schedules deletion: reads and changes are refused, DescribeSecret shows it, RestoreSecret undoes it", async () => {
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: "doomed", SecretString: "x", Tags: [{ Key: "k", Value: "v" }] }));
    await refused(
      sm.send(new DeleteSecretCommand({ SecretId: "doomed", RecoveryWindowInDays: 6 })),
      "InvalidParameterException",
      "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).",
    );
    await refused(sm.send(new DeleteSecretCommand({ SecretId: "doomed", RecoveryWindowInDays: 31 })), "InvalidParameterException");
    await refused(
      sm.send(new DeleteSecretCommand({ SecretId: "doomed", RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })),
      "InvalidParameterException",
      /ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays/,
    );
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: "doomed" }))).DeletedDate, undefined, "refusals changed nothing");
    const before = Date.now();
    const deleted = await sm.send(new DeleteSecretCommand({ SecretId: ARN }));
    assert.equal(deleted.ARN, ARN);
    const days = (deleted.DeletionDate!.getTime() - before) / 86_400_000;
    assert.ok(days > 29.99 && days < 30.01, `default window 30 days, got ${days}`);
    await refused(sm.send(new GetSecretValueCommand({ SecretId: "doomed" })), "InvalidRequestException", MARKED);
    await refused(sm.send(new PutSecretValueCommand({ SecretId: "doomed", SecretString: "y" })), "InvalidRequestException", MARKED);
    await refused(sm.send(new UpdateSecretCommand({ SecretId: "doomed", Description: "d" })), "InvalidRequestException", MARKED);
    await refused(
      sm.send(new TagResourceCommand({ SecretId: "doomed", Tags: [{ Key: "a", Value: "b" }] })),
      "InvalidRequestException",
      MARKED,
    );
    await refused(sm.send(new DeleteSecretCommand({ SecretId: "doomed" })), "InvalidRequestException", MARKED);
    await refused(
      sm.send(new CreateSecretCommand({ Name: "doomed", SecretString: "again" })),
      "InvalidRequestException",
      /already scheduled for deletion/,
    );
    assert.ok((await sm.send(new DescribeSecretCommand({ SecretId: "doomed" }))).DeletedDate instanceof Date);
    const listed = async (IncludePlannedDeletion?: boolean) =>
      (await sm.send(new ListSecretsCommand({ IncludePlannedDeletion, Filters: [{ Key: "name", Values: ["doomed"] }] }))).SecretList!.map(
        (s) => s.Name,
      );
    assert.deepEqual(await listed(), []);
    assert.deepEqual(await listed(true), ["doomed"]);
    const restored = await sm.send(new RestoreSecretCommand({ SecretId: "doomed" }));
    assert.equal(restored.ARN, ARN);
    assert.equal((await sm.send(new GetSecretValueCommand({ SecretId: "doomed" }))).SecretString, "x");
    assert.equal((await sm.send(new DescribeSecretCommand({ SecretId: "doomed" }))).DeletedDate, undefined);
  });

  test("ForceDeleteWithoutRecovery removes the secret at once and frees its name for a new secret", async () => {
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: "gone", SecretString: "x" }));
    await sm.send(new DeleteSecretCommand({ SecretId: "gone", RecoveryWindowInDays: 7 }));
    const forced = await sm.send(new DeleteSecretCommand({ SecretId: ARN, ForceDeleteWithoutRecovery: true }));
    assert.ok(Math.abs(forced.DeletionDate!.getTime() - Date.now()) < 60_000);
    await refused(sm.send(new DescribeSecretCommand({ SecretId: "gone" })), "ResourceNotFoundException", NOT_FOUND);
    await refused(sm.send(new DeleteSecretCommand({ SecretId: "gone", ForceDeleteWithoutRecovery: true })), "ResourceNotFoundException");
    const again = await sm.send(new CreateSecretCommand({ Name: "gone", SecretString: "y" }));
    assert.notEqual(again.ARN, ARN, "a new secret, a new suffix");
    await refused(sm.send(new GetSecretValueCommand({ SecretId: ARN })), "ResourceNotFoundException", NOT_FOUND);
  });

  test("TagResource merges, UntagResource removes; ListSecrets filters by tag", async () => {
    await sm.send(new CreateSecretCommand({ Name: "tagged", Tags: [{ Key: "team", Value: "red" }] }));
    await sm.send(
      new TagResourceCommand({
        SecretId: "tagged",
        Tags: [
          { Key: "team", Value: "blue" },
          { Key: "env", Value: "prod" },
        ],
      }),
    );
    assert.deepEqual((await sm.send(new DescribeSecretCommand({ SecretId: "tagged" }))).Tags, [
      { Key: "team", Value: "blue" },
      { Key: "env", Value: "prod" },
    ]);
    const names = async (Key: "tag-key" | "tag-value", value: string) =>
      (await sm.send(new ListSecretsCommand({ Filters: [{ Key, Values: [value] }] })))
        .SecretList!.map((s) => s.Name)
        .filter((n) => n === "tagged");
    assert.deepEqual(await names("tag-value", "pro"), ["tagged"]);
    assert.deepEqual(await names("tag-key", "Env"), [], "case-sensitive");
    await sm.send(new UntagResourceCommand({ SecretId: "tagged", TagKeys: ["env"] }));
    assert.deepEqual((await sm.send(new DescribeSecretCommand({ SecretId: "tagged" }))).Tags, [{ Key: "team", Value: "blue" }]);
    await refused(
      sm.send(new TagResourceCommand({ SecretId: "untagged-nothing", Tags: [{ Key: "a", Value: "b" }] })),
      "ResourceNotFoundException",
    );
  });

  test("ListSecrets: filters (prefix, negation, description, all), sort order and pages with NextToken", async () => {
    const sm2 = berth.secretsClient({ region: "ap-south-1" });
    for (const [i, name] of ["list/alpha", "list/beta", "list/gamma", "other/delta"].entries()) {
      await sm2.send(new CreateSecretCommand({ Name: name, Description: i % 2 === 0 ? "Primary Database password" : "api key" }));
    }
    const names = async (input: ListSecretsCommandInput) => (await sm2.send(new ListSecretsCommand(input))).SecretList!.map((s) => s.Name);
    assert.deepEqual(await names({ Filters: [{ Key: "name", Values: ["list/"] }] }), ["list/alpha", "list/beta", "list/gamma"]);
    assert.deepEqual(await names({ Filters: [{ Key: "name", Values: ["list/"] }], SortOrder: "desc" }), [
      "list/gamma",
      "list/beta",
      "list/alpha",
    ]);
    assert.deepEqual(await names({ Filters: [{ Key: "name", Values: ["!list/"] }] }), ["other/delta"]);
    assert.deepEqual(await names({ Filters: [{ Key: "description", Values: ["primary"] }] }), ["list/alpha", "list/gamma"]);
    assert.deepEqual(await names({ Filters: [{ Key: "all", Values: ["database gamma"] }] }), ["list/gamma"]);
    assert.deepEqual(
      await names({
        Filters: [
          { Key: "name", Values: ["list/"] },
          { Key: "description", Values: ["api"] },
        ],
      }),
      ["list/beta"],
    );
    const first = await sm2.send(new ListSecretsCommand({ MaxResults: 3 }));
    assert.equal(first.SecretList!.length, 3);
    assert.ok(first.NextToken);
    const second = await sm2.send(new ListSecretsCommand({ MaxResults: 3, NextToken: first.NextToken }));
    assert.deepEqual(
      second.SecretList!.map((s) => s.Name),
      ["other/delta"],
    );
    assert.equal(second.NextToken, undefined);
    const all: string[] = [];
    for await (const page of paginateListSecrets({ client: sm2, pageSize: 1 }, {})) all.push(...page.SecretList!.map((s) => s.Name!));
    assert.deepEqual(all, ["list/alpha", "list/beta", "list/gamma", "other/delta"]);
    await refused(sm2.send(new ListSecretsCommand({ NextToken: "garbage" })), "InvalidNextTokenException");
    await refused(sm2.send(new ListSecretsCommand({ MaxResults: 101 })), "ValidationException");
  });

  test("BatchGetSecretValue by ids (with errors per id) and by filters", async () => {
    await sm.send(new CreateSecretCommand({ Name: "batch/one", SecretString: "1" }));
    await sm.send(new CreateSecretCommand({ Name: "batch/two", SecretString: "2" }));
    const byId = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: ["batch/one", "batch/missing"] }));
    assert.deepEqual(
      byId.SecretValues!.map((v) => [v.Name, v.SecretString]),
      [["batch/one", "1"]],
    );
    assert.deepEqual(byId.Errors, [{ SecretId: "batch/missing", ErrorCode: "ResourceNotFoundException", Message: NOT_FOUND }]);
    const byFilter = await sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: "name", Values: ["batch/"] }] }));
    assert.deepEqual(
      byFilter.SecretValues!.map((v) => v.SecretString),
      ["1", "2"],
    );
    await refused(sm.send(new BatchGetSecretValueCommand({})), "InvalidParameterException");
    await refused(sm.send(new BatchGetSecretValueCommand({ SecretIdList: ["batch/one"], MaxResults: 5 })), "InvalidParameterException");
  });

  test("an operation of the model berth does not serve says so, with 501", async () => {
    await sm.send(new CreateSecretCommand({ Name: "rot", SecretString: "x" }));
    await assert.rejects(sm.send(new RotateSecretCommand({ SecretId: "rot" })), (err: AwsError) => {
      assert.equal(err.name, "NotImplemented");
      assert.match(err.message, /RotateSecret is part of the Secrets Manager API/);
      assert.equal(err.$metadata?.httpStatusCode, 501);
      return true;
    });
  });

  test("the store holds no value in plaintext", async () => {
    const marker = "plaintext-marker-" + "Zq8".repeat(6);
    await sm.send(new CreateSecretCommand({ Name: "sealed", SecretString: marker }));
    await sm.send(new PutSecretValueCommand({ SecretId: "sealed", SecretBinary: Buffer.from(marker + "-bin") }));
    const files = readdirSync(berth.dataDir).filter((f) => f.startsWith("berth.sqlite"));
    assert.ok(files.length > 0);
    for (const file of files) {
      const bytes = readFileSync(join(berth.dataDir, file));
      assert.equal(bytes.includes(marker), false, file);
      assert.equal(bytes.includes(Buffer.from(marker).toString("base64").slice(0, 20)), false, file);
    }
  });
});

describe("Secrets Manager's clock: a scheduled secret is purged after its deletion date", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "berth-secrets-clock-"));
  const store = openSqliteStore(join(dataDir, "berth.sqlite"));
  after(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const service = secretsManagerService({ state: secretsState(store), sealer: dataDirSealer(dataDir) });
  const caller = {
    scope: { accountId: TEST_ACCOUNT, region: "us-east-1" },
    principal: { accountId: TEST_ACCOUNT, arn: `arn:aws:iam::${TEST_ACCOUNT}:root`, userId: TEST_ACCOUNT },
    accessKeyId: "AKIATEST",
    endpoint: "http://in-process",
    requestId: "req",
    log: silentLog,
  };
  const call = (operation: string, input: object, at: Date) => service.invoke(caller, operation, input, at);
  const day = 86_400_000;

  test("before its deletion date it can be restored; after it, it is gone and the name is free", async () => {
    const t0 = new Date("2030-01-01T00:00:00Z");
    const { ARN } = (await call("CreateSecret", { Name: "timed", SecretString: "x" }, t0)) as { ARN: string };
    await call("DeleteSecret", { SecretId: "timed", RecoveryWindowInDays: 7 }, t0);
    const justBefore = new Date(t0.getTime() + 7 * day - 1);
    assert.ok(((await call("DescribeSecret", { SecretId: ARN }, justBefore)) as { DeletedDate?: Date }).DeletedDate);
    const after = new Date(t0.getTime() + 7 * day);
    await assert.rejects(call("DescribeSecret", { SecretId: ARN }, after), { code: "ResourceNotFoundException" });
    const listed = (await call("ListSecrets", { IncludePlannedDeletion: true }, after)) as { SecretList: unknown[] };
    assert.deepEqual(listed.SecretList, []);
    assert.equal(await secretsState(store).secrets.get(caller.scope, "timed"), undefined, "purged from the store");
    const again = (await call("CreateSecret", { Name: "timed", SecretString: "y" }, after)) as { ARN: string };
    assert.notEqual(again.ARN, ARN);
  });

  test("a purge found by ListSecrets happens before anyone reads the name", async () => {
    const t0 = new Date("2031-01-01T00:00:00Z");
    await call("CreateSecret", { Name: "timed-list", SecretString: "x" }, t0);
    await call("DeleteSecret", { SecretId: "timed-list", RecoveryWindowInDays: 30 }, t0);
    await call("ListSecrets", {}, new Date(t0.getTime() + 31 * day));
    assert.equal(await secretsState(store).secrets.get(caller.scope, "timed-list"), undefined);
  });
});
