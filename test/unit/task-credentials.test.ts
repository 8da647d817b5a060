// The pure parts of tasks' role credentials: the formats STS gives its temporary keys, the
// principal of a role's session, a task's roles, when credentials are due for refresh, and
// what a request's session token says.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  assumedRolePrincipal,
  checkSession,
  newSecretAccessKey,
  newSessionToken,
  newTemporaryAccessKeyId,
  refreshDue,
  roleNameOf,
  roleUniqueId,
  taskRoles,
} from "../../src/domain/task-credentials.js";

test("temporary keys look like STS's: ASIA + 16 of [A-Z2-7], a 40-character secret, a long base64 token", () => {
  const keys = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const key = newTemporaryAccessKeyId();
    assert.match(key, /^ASIA[A-Z2-7]{16}$/);
    keys.add(key);
    assert.match(newSecretAccessKey(), /^[A-Za-z0-9+/]{40}$/);
  }
  assert.equal(keys.size, 200);
  const token = newSessionToken();
  assert.ok(token.length >= 500, `a token of ${token.length} characters`);
  assert.match(token, /^[A-Za-z0-9+/]+=*$/);
  assert.notEqual(newSessionToken(), token);
});

test("a role's session is arn:aws:sts::<account>:assumed-role/<role name>/<session>, its user id AROA…:<session>", () => {
  const roleArn = "arn:aws:iam::123456789012:role/service-role/app-task-role";
  assert.equal(roleNameOf(roleArn), "app-task-role");
  assert.equal(roleNameOf("arn:aws:iam::123456789012:role/plain"), "plain");
  const principal = assumedRolePrincipal("000000000000", roleArn, "0123abcd");
  assert.equal(principal.arn, "arn:aws:sts::000000000000:assumed-role/app-task-role/0123abcd");
  assert.equal(principal.accountId, "000000000000");
  assert.match(principal.userId, /^AROA[A-Z2-7]{17}:0123abcd$/);
  assert.equal(roleUniqueId(roleArn), roleUniqueId(roleArn), "stable for the ARN");
  assert.notEqual(roleUniqueId(roleArn), roleUniqueId("arn:aws:iam::123456789012:role/other"));
});

test("a task's roles are its definition's unless its overrides name others", () => {
  const td = { taskRoleArn: "arn:aws:iam::1:role/t", executionRoleArn: "arn:aws:iam::1:role/e" };
  assert.deepEqual(taskRoles(td, {}), { task: "arn:aws:iam::1:role/t", execution: "arn:aws:iam::1:role/e" });
  assert.deepEqual(taskRoles(td, { taskRoleArn: "arn:aws:iam::1:role/o" }), {
    task: "arn:aws:iam::1:role/o",
    execution: "arn:aws:iam::1:role/e",
  });
  assert.deepEqual(taskRoles({}, { executionRoleArn: "arn:aws:iam::1:role/x" }), { execution: "arn:aws:iam::1:role/x" });
  assert.deepEqual(taskRoles({}, undefined), {});
});

test("credentials are due for refresh once less than half their life remains", () => {
  const issuedAt = new Date("2026-01-01T00:00:00Z");
  const expiration = new Date("2026-01-01T06:00:00Z");
  assert.equal(refreshDue(issuedAt, expiration, new Date("2026-01-01T02:59:59Z")), false);
  assert.equal(refreshDue(issuedAt, expiration, new Date("2026-01-01T03:00:01Z")), true);
  assert.equal(refreshDue(issuedAt, expiration, new Date("2026-01-01T07:00:00Z")), true);
});

test("a session token is valid only as issued and before expiry; absent or another is invalid", () => {
  const issued = { sessionToken: "tok-A", expiration: new Date("2026-01-01T06:00:00Z") };
  const before = new Date("2026-01-01T05:59:59Z");
  assert.equal(checkSession(issued, "tok-A", before), "valid");
  assert.equal(checkSession(issued, undefined, before), "invalid");
  assert.equal(checkSession(issued, "tok-B", before), "invalid");
  assert.equal(checkSession(issued, "tok-A-longer", before), "invalid");
  assert.equal(checkSession(issued, "tok-A", new Date("2026-01-01T06:00:00Z")), "expired");
  assert.equal(checkSession(issued, "tok-B", new Date("2026-01-01T07:00:00Z")), "invalid", "a wrong token is invalid, expired or not");
});
