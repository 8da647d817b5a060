// ECS Exec's session tokens: random, good for one connection, void once unused too long.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ExecSessions, TOKEN_TTL_MS } from "../../src/services/ecs/exec/sessions.js";

const fields = {
  scope: { accountId: "123456789012", region: "us-east-1" },
  taskArn: "arn:aws:ecs:us-east-1:123456789012:task/c/0123456789abcdef0123456789abcdef",
  containerName: "app",
  hostId: "h1",
  command: "sh",
};

test("a token lets its session in once", () => {
  const sessions = new ExecSessions();
  const { session, token } = sessions.create(fields);
  assert.match(session.id, /^ecs-execute-command-[0-9a-f]{17}$/);
  assert.ok(token.length >= 64);
  assert.equal(sessions.claim(session.id, `${token}x`), undefined);
  assert.equal(sessions.claim(session.id, token.slice(1)), undefined);
  assert.equal(sessions.claim(session.id, token)?.id, session.id);
  assert.equal(sessions.claim(session.id, token), undefined);
  assert.equal(sessions.has(session.id), false);
});

test("tokens differ, and one unused for its lifetime is void", () => {
  let now = 0;
  const sessions = new ExecSessions(() => now);
  const a = sessions.create(fields);
  const b = sessions.create(fields);
  assert.notEqual(a.token, b.token);
  assert.notEqual(a.session.id, b.session.id);
  assert.notEqual(a.session.agentToken, b.session.agentToken);
  now = TOKEN_TTL_MS - 1;
  assert.ok(sessions.has(a.session.id));
  now = TOKEN_TTL_MS;
  assert.equal(sessions.claim(a.session.id, a.token), undefined);
  assert.equal(sessions.has(b.session.id), false);
});
