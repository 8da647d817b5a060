// valueFrom and credentialsParameter in every form the ECS developer guide documents.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseCredentialsParameter, parseSecretRef, type SecretRefResult } from "../../src/domain/task/secret-ref.js";

const SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf";
const VERSION_ID = "9d4cb84b-ad69-40c0-a0ab-cead3EXAMPLE";

const ref = (result: SecretRefResult) => {
  assert.ok("ref" in result, `expected a reference, got ${JSON.stringify(result)}`);
  return result.ref;
};
const problem = (result: SecretRefResult) => {
  assert.ok("problem" in result, `expected a problem, got ${JSON.stringify(result)}`);
  return result.problem;
};

test("a Secrets Manager secret's full ARN is its SecretId, whole", () => {
  assert.deepEqual(ref(parseSecretRef(SECRET)), { source: "secretsmanager", secretId: SECRET, region: "us-east-1" });
  // A partial ARN (no random suffix) is passed as written: Secrets Manager resolves it.
  const partial = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db";
  assert.deepEqual(ref(parseSecretRef(partial)), { source: "secretsmanager", secretId: partial, region: "eu-west-1" });
});

test("json-key, version-stage and version-id, each optional", () => {
  assert.deepEqual(ref(parseSecretRef(`${SECRET}:password::`)), {
    source: "secretsmanager",
    secretId: SECRET,
    region: "us-east-1",
    jsonKey: "password",
  });
  assert.deepEqual(ref(parseSecretRef(`${SECRET}::AWSPREVIOUS:`)), {
    source: "secretsmanager",
    secretId: SECRET,
    region: "us-east-1",
    versionStage: "AWSPREVIOUS",
  });
  assert.deepEqual(ref(parseSecretRef(`${SECRET}:::${VERSION_ID}`)), {
    source: "secretsmanager",
    secretId: SECRET,
    region: "us-east-1",
    versionId: VERSION_ID,
  });
  assert.deepEqual(ref(parseSecretRef(`${SECRET}:username:AWSCURRENT:${VERSION_ID}`)), {
    source: "secretsmanager",
    secretId: SECRET,
    region: "us-east-1",
    jsonKey: "username",
    versionStage: "AWSCURRENT",
    versionId: VERSION_ID,
  });
  // All three empty: the whole current value, as with no suffix.
  assert.deepEqual(ref(parseSecretRef(`${SECRET}:::`)), { source: "secretsmanager", secretId: SECRET, region: "us-east-1" });
});

test("a Secrets Manager suffix must have all three parts", () => {
  assert.match(problem(parseSecretRef(`${SECRET}:password`)), /json-key:version-stage:version-id/);
  assert.match(problem(parseSecretRef(`${SECRET}:password:`)), /json-key:version-stage:version-id/);
  assert.match(problem(parseSecretRef(`${SECRET}:a:b:c:d`)), /json-key:version-stage:version-id/);
  assert.match(
    problem(parseSecretRef("arn:aws:secretsmanager:us-east-1:123456789012:db-AbCdEf")),
    /not a valid Secrets Manager secret ARN/,
  );
  assert.match(problem(parseSecretRef("arn:aws:secretsmanager:us-east-1:123456789012:secret:")), /not a valid/);
});

test("SSM parameters by name: hierarchical or not, with a version or label", () => {
  assert.deepEqual(ref(parseSecretRef("/app/db/password")), { source: "ssm", name: "/app/db/password" });
  assert.deepEqual(ref(parseSecretRef("app-param")), { source: "ssm", name: "app-param" });
  assert.deepEqual(ref(parseSecretRef("app-param:3")), { source: "ssm", name: "app-param:3" });
  // A bare name is never taken for a Secrets Manager secret: ECS reads it from SSM.
  assert.deepEqual(ref(parseSecretRef("db-AbCdEf")), { source: "ssm", name: "db-AbCdEf" });
});

test("SSM parameters by ARN: the name as GetParameters takes it, and the ARN's region", () => {
  assert.deepEqual(ref(parseSecretRef("arn:aws:ssm:us-east-1:123456789012:parameter/app/db")), {
    source: "ssm",
    name: "/app/db",
    region: "us-east-1",
  });
  assert.deepEqual(ref(parseSecretRef("arn:aws:ssm:eu-west-1:123456789012:parameter/app-param")), {
    source: "ssm",
    name: "app-param",
    region: "eu-west-1",
  });
  assert.deepEqual(ref(parseSecretRef("arn:aws:ssm:us-east-1:123456789012:parameter/app-param:2")), {
    source: "ssm",
    name: "app-param:2",
    region: "us-east-1",
  });
  assert.match(problem(parseSecretRef("arn:aws:ssm:us-east-1:123456789012:document/x")), /not a valid SSM parameter ARN/);
  assert.match(problem(parseSecretRef("arn:aws:ssm:us-east-1:123456789012:parameter/")), /not a valid SSM parameter ARN/);
});

test("neither service, or not an ARN at all", () => {
  assert.match(problem(parseSecretRef("arn:aws:s3:::bucket/key")), /neither a Secrets Manager secret nor an SSM parameter/);
  assert.match(problem(parseSecretRef("arn:aws")), /not a valid ARN/);
  assert.match(problem(parseSecretRef("")), /empty/);
});

test("repositoryCredentials: a Secrets Manager secret by ARN or by name", () => {
  assert.deepEqual(ref(parseCredentialsParameter(SECRET)), { source: "secretsmanager", secretId: SECRET, region: "us-east-1" });
  assert.deepEqual(ref(parseCredentialsParameter("registry-login")), { source: "secretsmanager", secretId: "registry-login" });
  assert.match(problem(parseCredentialsParameter("arn:aws:ssm:us-east-1:123456789012:parameter/x")), /not a Secrets Manager secret/);
  assert.match(problem(parseCredentialsParameter("")), /empty/);
});
