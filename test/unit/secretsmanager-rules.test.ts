// Secrets Manager's pure rules (src/domain/secretsmanager) and the JSON protocol's blobs,
// which SecretBinary is the first served model to have.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ProtocolError } from "../../src/aws/errors.js";
import { validateInput } from "../../src/aws/validate.js";
import { matchesFilters } from "../../src/domain/secretsmanager/list-filters.js";
import { pageOf } from "../../src/domain/secretsmanager/paging.js";
import { SecretsRefusal } from "../../src/domain/secretsmanager/refusal.js";
import { addVersion, MAX_VERSIONS, secretLookups, updateVersionStage, type StoredSecret } from "../../src/domain/secretsmanager/secret.js";
import { secretsManagerModel } from "../../src/services/secretsmanager/model.js";
import { toAwsJson } from "../../src/wire/aws-json.js";

const scope = { accountId: "123456789012", region: "us-east-1" };
const ARN_PREFIX = "arn:aws:secretsmanager:us-east-1:123456789012:secret:";

function secret(name: string, suffix = "AbCdEf", extra: Partial<StoredSecret> = {}): StoredSecret {
  return { arn: `${ARN_PREFIX}${name}-${suffix}`, name, tags: [], createdAt: 0, lastChangedAt: 0, versions: [], ...extra };
}

const version = (versionId: string, createdAt = 0) => ({ versionId, createdAt, kind: "string" as const, sealed: "x" });
const stages = (s: StoredSecret) => Object.fromEntries(s.versions.map((v) => [v.versionId, v.stages]));

describe("which secret a SecretId names", () => {
  const found = (id: string, stored: StoredSecret[]) =>
    secretLookups(scope, id)
      .map((lookup) => stored.find((s) => s.name === lookup.name && lookup.matches(s)))
      .find(Boolean)?.arn;

  test("a name, a full ARN (with the suffix) or a partial ARN (without it)", () => {
    const db = secret("db");
    assert.equal(found("db", [db]), db.arn);
    assert.equal(found(db.arn, [db]), db.arn);
    assert.equal(found(`${ARN_PREFIX}db`, [db]), db.arn);
    assert.equal(found(`${ARN_PREFIX}db-ZZZZZZ`, [db]), undefined, "another suffix: another (gone) secret");
  });

  test("a name that itself ends like a suffix is still found by its partial ARN and its full one", () => {
    const odd = secret("app-123456", "QwErTy");
    assert.equal(found(`${ARN_PREFIX}app-123456`, [odd]), odd.arn);
    assert.equal(found(odd.arn, [odd]), odd.arn);
    assert.equal(found("app-123456", [odd]), odd.arn);
  });

  test("an ARN of another account or region, or of another service, names nothing", () => {
    assert.deepEqual(secretLookups(scope, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db"), []);
    assert.deepEqual(secretLookups(scope, "arn:aws:secretsmanager:us-east-1:999999999999:secret:db"), []);
    assert.deepEqual(secretLookups(scope, "arn:aws:ssm:us-east-1:123456789012:parameter/db"), []);
  });
});

describe("versions and staging labels", () => {
  test("the first version is AWSCURRENT whatever stages it asks for; AWSCURRENT moving leaves AWSPREVIOUS", () => {
    let s = addVersion(secret("s"), version("v1"), ["AWSPENDING"], 1);
    assert.deepEqual(stages(s), { v1: ["AWSPENDING", "AWSCURRENT"] });
    s = addVersion(s, version("v2"), undefined, 2);
    assert.deepEqual(stages(s), { v1: ["AWSPENDING", "AWSPREVIOUS"], v2: ["AWSCURRENT"] });
    s = addVersion(s, version("v3"), ["AWSCURRENT", "AWSPENDING"], 3);
    assert.deepEqual(stages(s), { v1: [], v2: ["AWSPREVIOUS"], v3: ["AWSCURRENT", "AWSPENDING"] });
  });

  test("beyond the version limit the oldest deprecated versions go, labelled ones stay", () => {
    let s = addVersion(secret("s"), version("keep"), ["AWSCURRENT", "MINE"], 0);
    for (let i = 1; i <= MAX_VERSIONS + 5; i++) s = addVersion(s, version(`v${i}`), undefined, i);
    assert.equal(s.versions.length, MAX_VERSIONS);
    assert.ok(s.versions.some((v) => v.versionId === "keep"));
    assert.equal(s.versions.find((v) => v.stages.includes("AWSCURRENT"))!.versionId, `v${MAX_VERSIONS + 5}`);
    assert.ok(!s.versions.some((v) => v.versionId === "v1"));
  });

  test("UpdateSecretVersionStage refuses what would leave AWSCURRENT nowhere or move it unnamed", () => {
    const s = addVersion(addVersion(secret("s"), version("a"), undefined, 1), version("b"), ["AWSPENDING"], 2);
    const refusal = (fn: () => unknown) =>
      assert.throws(fn, (err: unknown) => err instanceof SecretsRefusal && err.code === "InvalidParameterException");
    refusal(() => updateVersionStage(s, "AWSCURRENT", "a", undefined, 3));
    refusal(() => updateVersionStage(s, "AWSCURRENT", undefined, "b", 3));
    refusal(() => updateVersionStage(s, "AWSPENDING", "a", undefined, 3));
    assert.deepEqual(stages(updateVersionStage(s, "AWSCURRENT", "a", "b", 3)), { a: ["AWSPREVIOUS"], b: ["AWSPENDING", "AWSCURRENT"] });
    assert.deepEqual(stages(updateVersionStage(s, "MINE", undefined, "a", 3)), { a: ["AWSCURRENT", "MINE"], b: ["AWSPENDING"] });
  });
});

describe("ListSecrets filters and pages", () => {
  const tagged = secret("prod/db", "AbCdEf", { description: "Main Database", tags: [{ Key: "team", Value: "core" }] });

  test("prefixes, case, negation, words, and filters that must all hold", () => {
    const holds = (Key: string, ...Values: string[]) => matchesFilters(tagged, [{ Key, Values }]);
    assert.ok(holds("name", "prod/"));
    assert.ok(!holds("name", "Prod/"), "name is case-sensitive");
    assert.ok(holds("description", "main data"), "description is not");
    assert.ok(holds("tag-key", "te") && holds("tag-value", "co"));
    assert.ok(!holds("name", "!prod") && holds("name", "!dev"));
    assert.ok(holds("name", "dev", "prod"), "values are alternatives");
    assert.ok(holds("all", "database core"));
    assert.ok(!holds("all", "database nothing"));
    assert.ok(!holds("primary-region", "us"));
    assert.ok(
      !matchesFilters(tagged, [
        { Key: "name", Values: ["prod"] },
        { Key: "tag-key", Values: ["owner"] },
      ]),
    );
  });

  test("a page boundary holds when the last item given has gone; a token not berth's is refused", () => {
    const items = ["a", "b", "c", "d", "e"];
    const first = pageOf(items, (x) => x, undefined, 2);
    assert.deepEqual(first.items, ["a", "b"]);
    assert.deepEqual(pageOf(items, (x) => x, first.nextToken, 2).items, ["c", "d"]);
    assert.deepEqual(pageOf(["a", "c", "d", "e"], (x) => x, first.nextToken, 2).items, ["c", "d"], "b deleted meanwhile");
    assert.throws(
      () => pageOf(items, (x) => x, "not-a-token", 2),
      (err: unknown) => err instanceof SecretsRefusal && err.code === "InvalidNextTokenException",
    );
  });
});

describe("blobs in AWS JSON", () => {
  const model = secretsManagerModel();
  const check = (body: Record<string, unknown>) =>
    validateInput(model, model.operations.PutSecretValue!.input, body, (message) => new SecretsRefusal("ValidationException", message));

  test("base64 in, Buffer to the handler; the length limit counts bytes, not base64 characters", () => {
    const body: Record<string, unknown> = { SecretId: "s", SecretBinary: Buffer.alloc(65536, 1).toString("base64") };
    check(body);
    assert.ok(Buffer.isBuffer(body.SecretBinary) && body.SecretBinary.length === 65536);
    assert.throws(
      () => check({ SecretId: "s", SecretBinary: Buffer.alloc(65537).toString("base64") }),
      (err: unknown) => err instanceof SecretsRefusal,
    );
    assert.throws(
      () => check({ SecretId: "s", SecretBinary: "not base64!" }),
      (err: unknown) => err instanceof ProtocolError && err.code === "SerializationException",
    );
    assert.throws(() => check({ SecretId: "s", SecretBinary: 12 }), ProtocolError);
  });

  test("Buffers out as base64, and Buffer's own JSON is back afterwards", () => {
    assert.equal(toAwsJson({ b: Buffer.from([0, 255]), at: new Date(1000) }), '{"b":"AP8=","at":1}');
    assert.equal(JSON.stringify(Buffer.from([1])), '{"type":"Buffer","data":[1]}');
  });
});
