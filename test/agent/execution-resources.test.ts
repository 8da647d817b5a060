// The agent's Secrets Manager and SSM calls as they leave it: the real SDK clients against a
// loopback server that records what was asked and how it was signed. Which credentials sign
// (the task's execution role, refreshed; else the agent's own) is the point here; the services'
// answers are berth's own in test/e2e/task-secrets.test.ts.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { executionCredentials } from "../../src/agent/execution-credentials.js";
import { executionResourcesFor } from "../../src/agent/execution-resources.js";
import { TaskCredentialsStore } from "../../src/agent/task-credentials.js";
import type { RoleCredentials } from "../../src/wire/task-credentials.js";

interface Seen {
  target: string;
  body: Record<string, unknown>;
  accessKeyId: string;
  region: string;
  sessionToken: string | undefined;
}

const TASK = "arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef";
const role = (accessKeyId: string): RoleCredentials => ({
  roleArn: "arn:aws:iam::123456789012:role/exec",
  accessKeyId,
  secretAccessKey: "secret",
  sessionToken: `token-of-${accessKeyId}`,
  expiration: new Date(Date.now() + 3_600_000).toISOString(),
});

describe("execution resources (real SDK clients)", () => {
  let server: Server;
  let endpoint = "";
  const seen: Seen[] = [];

  before(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let text = "";
      req.on("data", (d: Buffer) => (text += d.toString()));
      req.on("end", () => {
        // "AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, …"
        const credential = /Credential=([^/]+)\/\d+\/([^/]+)\//.exec(req.headers.authorization ?? "")!;
        const target = String(req.headers["x-amz-target"]);
        const body = JSON.parse(text) as Record<string, unknown>;
        seen.push({
          target,
          body,
          accessKeyId: credential[1]!,
          region: credential[2]!,
          sessionToken: req.headers["x-amz-security-token"] as string | undefined,
        });
        res.setHeader("content-type", "application/x-amz-json-1.1");
        if (target === "secretsmanager.GetSecretValue") {
          res.end(JSON.stringify({ ARN: body.SecretId, Name: "db", SecretString: "value" }));
        } else {
          const names = body.Names as string[];
          res.end(
            JSON.stringify({
              Parameters: names.filter((n) => n !== "/missing").map((n) => ({ Name: n, Value: `v:${n}`, Type: "SecureString" })),
              InvalidParameters: names.filter((n) => n === "/missing"),
            }),
          );
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const resourcesOf = (store: TaskCredentialsStore) =>
    executionResourcesFor({
      endpoint,
      region: "us-east-1",
      credentials: executionCredentials({
        region: "us-east-1",
        agentCredentials: { accessKeyId: "AKIAAGENT", secretAccessKey: "agent-secret" },
        executionRole: (taskArn) => store.executionRole(taskArn),
      }),
    });

  test("signed as the task's execution role, refreshed between calls; the agent's own keys without one", async () => {
    const store = new TaskCredentialsStore();
    const forTask = resourcesOf(store);
    const resources = forTask(TASK);

    // No execution role held for the task: the agent's own credentials, as ECS on EC2 falls back to the instance's.
    assert.equal(await resources.secretString({ secretId: "db" }), "value");
    assert.equal(seen.at(-1)!.accessKeyId, "AKIAAGENT");
    assert.equal(seen.at(-1)!.sessionToken, undefined);

    store.put([{ taskArn: TASK, credentialsId: "c1", execution: role("ASIAEXEC1") }]);
    await resources.secretString({
      secretId: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf",
      region: "eu-west-1",
      versionStage: "AWSPREVIOUS",
    });
    assert.deepEqual(seen.at(-1), {
      target: "secretsmanager.GetSecretValue",
      body: { SecretId: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf", VersionStage: "AWSPREVIOUS" },
      accessKeyId: "ASIAEXEC1",
      region: "eu-west-1",
      sessionToken: "token-of-ASIAEXEC1",
    });

    store.put([{ taskArn: TASK, credentialsId: "c1", execution: role("ASIAEXEC2") }]);
    const fetched = await resources.parameters(["/app/db", "/missing"], undefined);
    assert.deepEqual(fetched, { parameters: [{ name: "/app/db", value: "v:/app/db" }], invalid: ["/missing"] });
    assert.deepEqual(seen.at(-1), {
      target: "AmazonSSM.GetParameters",
      body: { Names: ["/app/db", "/missing"], WithDecryption: true },
      accessKeyId: "ASIAEXEC2",
      region: "us-east-1",
      sessionToken: "token-of-ASIAEXEC2",
    });
  });

  test("one client follows the task's role as it is pushed, refreshed and forgotten", async () => {
    const store = new TaskCredentialsStore();
    const resources = resourcesOf(store)(TASK);
    const signer = async () => {
      await resources.parameters(["/app/db"], undefined);
      return seen.at(-1)!.accessKeyId;
    };
    assert.equal(await signer(), "AKIAAGENT");
    store.put([{ taskArn: TASK, credentialsId: "c1", execution: role("ASIAEXEC1") }]);
    assert.equal(await signer(), "ASIAEXEC1", "a role pushed after the agent's keys signed");
    store.put([{ taskArn: TASK, credentialsId: "c1", execution: role("ASIAEXEC2") }]);
    assert.equal(await signer(), "ASIAEXEC2", "refreshed long before the old role expires");
    store.forget(TASK);
    assert.equal(await signer(), "AKIAAGENT");
  });
});
