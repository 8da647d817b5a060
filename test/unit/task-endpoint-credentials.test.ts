// The credentials route and the endpoint's errors, with the ECS agent's codes and bodies.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { TaskCredentials } from "../../src/wire/task-credentials.js";
import { route, type MetadataSource } from "../../src/agent/task-endpoint/routes.js";
import type { CredentialsLookup } from "../../src/agent/task-endpoint/credentials.js";
import { answerJson } from "../../src/agent/task-endpoint/answer.js";

const ROLE = {
  roleArn: "arn:aws:iam::123456789012:role/app",
  accessKeyId: "ASIABERTHTEST0000001",
  secretAccessKey: "secret/abc",
  sessionToken: "token-xyz",
  expiration: "2026-12-06T18:00:00.000Z",
};
const BRIDGE_TASK = "arn:aws:ecs:us-east-1:123456789012:task/default/aaaa";
const VPC_TASK = "arn:aws:ecs:us-east-1:123456789012:task/default/bbbb";
const held: TaskCredentials[] = [
  { taskArn: BRIDGE_TASK, credentialsId: "id-bridge", task: ROLE },
  { taskArn: VPC_TASK, credentialsId: "id-vpc", task: ROLE },
  { taskArn: "arn:aws:ecs:us-east-1:123456789012:task/default/cccc", credentialsId: "id-exec-only", execution: ROLE },
];
const credentials: CredentialsLookup = {
  withId: (id) => held.find((c) => c.credentialsId === id),
  interfaceAddress: (arn) => (arn === VPC_TASK ? "10.0.0.5" : undefined),
};
const metadata: MetadataSource = { answer: async () => undefined };
const get = (path: string, client = "172.17.0.2") => route("GET", path, client, { credentials, metadata });

describe("task endpoint: credentials", () => {
  test("the task role's credentials, named as the ECS agent names them, Expiration in UTC seconds", async () => {
    assert.deepEqual(await get("/v2/credentials/id-bridge"), {
      status: 200,
      body: {
        RoleArn: ROLE.roleArn,
        AccessKeyId: ROLE.accessKeyId,
        SecretAccessKey: ROLE.secretAccessKey,
        Token: ROLE.sessionToken,
        Expiration: "2026-12-06T18:00:00Z",
      },
    });
  });

  test("no id: 400 NoIdInRequest; an unknown id, or a task with only an execution role: 400 InvalidIdInRequest", async () => {
    const noId = {
      status: 400,
      body: { code: "NoIdInRequest", message: "CredentialsV2Request: No Credential ID in the request", HTTPErrorCode: 400 },
    };
    assert.deepEqual(await get("/v2/credentials/"), noId);
    assert.deepEqual(await get("/v2/credentials"), noId);
    const invalid = {
      status: 400,
      body: { code: "InvalidIdInRequest", message: "CredentialsV2Request: Credentials not found", HTTPErrorCode: 400 },
    };
    assert.deepEqual(await get("/v2/credentials/nope"), invalid);
    assert.deepEqual(await get("/v2/credentials/id-exec-only"), invalid);
  });

  test("a body is made and serialized once per credentials; a refresh (new credentials) gets its own", async () => {
    const first = (await get("/v2/credentials/id-bridge")).body;
    assert.equal((await get("/v2/credentials/id-bridge")).body, first, "the same object, not a copy");
    assert.ok(Object.isFrozen(first));
    assert.equal(answerJson(first), JSON.stringify(first));
    const refreshed = { ...ROLE, sessionToken: "token-refreshed", expiration: "2026-12-06T19:00:00Z" };
    const lookup: CredentialsLookup = {
      withId: () => ({ taskArn: BRIDGE_TASK, credentialsId: "id-bridge", task: refreshed }),
      interfaceAddress: () => undefined,
    };
    const after = (await route("GET", "/v2/credentials/id-bridge", "172.17.0.2", { credentials: lookup, metadata })).body;
    assert.notEqual(after, first);
    assert.deepEqual(JSON.parse(answerJson(after)), { ...(first as object), Token: "token-refreshed", Expiration: "2026-12-06T19:00:00Z" });
    assert.equal(answerJson({ fresh: 1 }), '{"fresh":1}', "other bodies are serialized as they come");
  });

  test("an awsvpc task's credentials go to its own interface's address only", async () => {
    assert.equal((await get("/v2/credentials/id-vpc", "10.0.0.5")).status, 200);
    for (const other of ["10.0.0.6", "127.0.0.1", "172.17.0.2"]) {
      const answer = await get("/v2/credentials/id-vpc", other);
      assert.equal(answer.status, 400, other);
      assert.equal((answer.body as { code: string }).code, "InvalidIdInRequest");
    }
  });
});

describe("task endpoint: unknown paths and tokens", () => {
  test("v4: 404 with the handler's words; v3: the agent's 500 and 400", async () => {
    assert.deepEqual(await get("/v4/tok"), {
      status: 404,
      body: "V4 container metadata handler: unable to get container ID from request: unable to get docker ID from v3 endpoint ID: tok",
    });
    assert.deepEqual(await get("/v4/tok/task"), {
      status: 404,
      body: "V4 task metadata handler: unable to get task arn from request: unable to get task Arn from v3 endpoint ID: tok",
    });
    assert.equal((await get("/v4/tok/task/stats")).status, 404);
    assert.deepEqual(await get("/v3/tok/task"), {
      status: 500,
      body: "V3 task metadata handler: unable to get task arn from request: unable to get task Arn from v3 endpoint ID: tok",
    });
    assert.equal((await get("/v3/tok/stats")).status, 400);
    assert.deepEqual(await get("/v5/tok"), { status: 404, body: "404 page not found" });
    assert.equal((await route("POST", "/v4/tok", "127.0.0.1", { credentials, metadata })).status, 405);
  });
});
