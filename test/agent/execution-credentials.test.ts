// The one provider of what the agent signs with on a task's behalf (secrets, parameters, logs):
// the task's execution role, else the agent's own keys, else the SDK's default chain, always
// with an expiration close enough that the SDK asks again at its next request.
import assert from "node:assert/strict";
import { test } from "node:test";
import { executionCredentials } from "../../src/agent/execution-credentials.js";
import type { RoleCredentials } from "../../src/wire/task-credentials.js";

const TASK = "arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef";
const ROLE: RoleCredentials = {
  roleArn: "arn:aws:iam::123456789012:role/exec",
  accessKeyId: "ASIAEXEC",
  secretAccessKey: "exec-secret",
  sessionToken: "exec-token",
  expiration: new Date(Date.now() + 3_600_000).toISOString(),
};
// The SDK keeps an answer until five minutes before its expiration; sooner means "ask me again".
const asksAgain = (expiration: Date | undefined) => expiration !== undefined && expiration.getTime() - Date.now() < 300_000;

test("the task's execution role, asked again at each request", async () => {
  const roles = new Map([[TASK, ROLE]]);
  const of = executionCredentials({
    region: "us-east-1",
    agentCredentials: { accessKeyId: "AKIAAGENT", secretAccessKey: "agent-secret" },
    executionRole: (taskArn) => roles.get(taskArn),
  });
  const creds = await of(TASK)();
  assert.deepEqual(
    { ...creds, expiration: undefined },
    {
      accessKeyId: "ASIAEXEC",
      secretAccessKey: "exec-secret",
      sessionToken: "exec-token",
      expiration: undefined,
    },
  );
  assert.ok(asksAgain(creds.expiration));
  const other = await of("arn:aws:ecs:us-east-1:123456789012:task/default/other")();
  assert.equal(other.accessKeyId, "AKIAAGENT");
  assert.equal(other.sessionToken, undefined);
  assert.ok(asksAgain(other.expiration), "the agent's keys give way to a role pushed later");
});

test("no role and no keys of the agent's own: the SDK's default chain, as the agent's ECS client", async () => {
  process.env.AWS_ACCESS_KEY_ID = "AKIAFROMENV";
  process.env.AWS_SECRET_ACCESS_KEY = "env-secret";
  delete process.env.AWS_SESSION_TOKEN;
  const creds = await executionCredentials({ region: "us-east-1", executionRole: () => undefined })(TASK)();
  assert.equal(creds.accessKeyId, "AKIAFROMENV");
  assert.equal(creds.secretAccessKey, "env-secret");
  assert.ok(asksAgain(creds.expiration));
});
