// A task's secrets, secretOptions and repositoryCredentials resolved against an in-memory
// Secrets Manager and Parameter Store behind the agent's ExecutionResources interface (the real
// clients against berth's APIs are exercised by test/e2e/task-secrets.test.ts).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import {
  needsExecutionResources,
  resolveSecrets,
  SSM_BATCH,
  type ExecutionResources,
  type FetchedParameters,
} from "../../src/agent/task-runner/secrets.js";
import { TaskFailure } from "../../src/agent/task-runner/failure.js";

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:";
const PREFIX = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ";

class ServiceError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Secrets by id (and by "id|stage" / "id|versionId"), parameters by "region|name". */
class FakeResources implements ExecutionResources {
  readonly secretCalls: { secretId: string; region?: string; versionStage?: string; versionId?: string }[] = [];
  readonly parameterCalls: { names: string[]; region: string | undefined }[] = [];
  constructor(
    private readonly secrets: Record<string, string | undefined>,
    private readonly params: Record<string, string>,
  ) {}

  secretString(ref: { secretId: string; region?: string; versionStage?: string; versionId?: string }): Promise<string | undefined> {
    this.secretCalls.push(ref);
    const key = [ref.secretId, ref.versionStage, ref.versionId].filter(Boolean).join("|");
    if (!(key in this.secrets)) {
      return Promise.reject(new ServiceError("ResourceNotFoundException", "Secrets Manager can't find the specified secret."));
    }
    return Promise.resolve(this.secrets[key]);
  }

  parameters(names: readonly string[], region: string | undefined): Promise<FetchedParameters> {
    this.parameterCalls.push({ names: [...names], region });
    const found = names.filter((n) => `${region ?? "here"}|${n}` in this.params);
    return Promise.resolve({
      parameters: found.map((n) => ({ name: n, value: this.params[`${region ?? "here"}|${n}`]! })),
      invalid: names.filter((n) => !found.includes(n)),
    });
  }
}

const failure = async (promise: Promise<unknown>): Promise<TaskFailure> => {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof TaskFailure, `expected a TaskFailure, got ${String(err)}`);
    assert.equal(err.containerName, undefined, "a task resource's failure is the task's, not one container's");
    return err;
  }
  assert.fail("expected the resolution to fail");
};

describe("task secrets", () => {
  test("environment and log options from both services, json keys, versions and SSM by name or ARN", async () => {
    const fake = new FakeResources(
      {
        [`${ARN}db-AbCdEf`]: JSON.stringify({ username: "admin", password: "s3cret", port: 5432 }),
        [`${ARN}db-AbCdEf|AWSPREVIOUS`]: JSON.stringify({ password: "old" }),
        [`${ARN}token-XyZ123`]: "plain-token",
      },
      { "here|/app/db/host": "db.internal", "here|app-param": "v", "eu-west-1|/shared/key": "eu-value" },
    );
    const defs: ContainerDefinition[] = [
      {
        name: "web",
        image: "x",
        secrets: [
          { name: "DB_PASSWORD", valueFrom: `${ARN}db-AbCdEf:password::` },
          { name: "DB_PORT", valueFrom: `${ARN}db-AbCdEf:port::` },
          { name: "OLD_PASSWORD", valueFrom: `${ARN}db-AbCdEf:password:AWSPREVIOUS:` },
          { name: "TOKEN", valueFrom: `${ARN}token-XyZ123` },
          { name: "DB_HOST", valueFrom: "/app/db/host" },
          { name: "EU", valueFrom: "arn:aws:ssm:eu-west-1:123456789012:parameter/shared/key" },
        ],
        logConfiguration: { logDriver: "syslog", secretOptions: [{ name: "syslog-address", valueFrom: "app-param" }] },
      },
      { name: "sidecar", image: "y", secrets: [{ name: "TOKEN", valueFrom: `${ARN}token-XyZ123` }] },
    ];
    assert.equal(needsExecutionResources(defs), true);
    const resolved = await resolveSecrets(defs, fake);
    assert.deepEqual(resolved.environment.get("web"), {
      DB_PASSWORD: "s3cret",
      DB_PORT: "5432",
      OLD_PASSWORD: "old",
      TOKEN: "plain-token",
      DB_HOST: "db.internal",
      EU: "eu-value",
    });
    assert.deepEqual(resolved.environment.get("sidecar"), { TOKEN: "plain-token" });
    assert.deepEqual(resolved.logOptions.get("web"), { "syslog-address": "v" });
    assert.equal(resolved.logOptions.get("sidecar"), undefined);
    // One call per distinct valueFrom; the same secret under two valueFroms is two calls.
    assert.equal(fake.secretCalls.length, 4);
    assert.deepEqual(
      fake.secretCalls.find((c) => c.versionStage),
      { secretId: `${ARN}db-AbCdEf`, region: "us-east-1", versionStage: "AWSPREVIOUS" },
    );
    // The task's region and eu-west-1 each get their own GetParameters.
    assert.deepEqual(
      fake.parameterCalls.map((c) => [c.region, c.names.sort()]),
      [
        [undefined, ["/app/db/host", "app-param"]],
        ["eu-west-1", ["/shared/key"]],
      ],
    );
  });

  test("SSM parameters are fetched ten at a time", async () => {
    const names = Array.from({ length: 23 }, (_, i) => `/p/${i}`);
    const fake = new FakeResources({}, Object.fromEntries(names.map((n) => [`here|${n}`, n.toUpperCase()])));
    const defs: ContainerDefinition[] = [{ name: "app", image: "x", secrets: names.map((n, i) => ({ name: `V${i}`, valueFrom: n })) }];
    const resolved = await resolveSecrets(defs, fake);
    assert.deepEqual(
      fake.parameterCalls.map((c) => c.names.length),
      [SSM_BATCH, SSM_BATCH, 3],
    );
    assert.equal(resolved.environment.get("app")!.V22, "/P/22");
  });

  test("a missing parameter or secret stops the task with ECS's reason, naming it and never a value", async () => {
    const fake = new FakeResources({ [`${ARN}ok-AAAAAA`]: "hunter2", [`${ARN}notjson-BBBBBB`]: "hunter3" }, { "here|/there": "hunter4" });
    const ssm = await failure(
      resolveSecrets(
        [
          {
            name: "a",
            image: "x",
            secrets: [
              { name: "A", valueFrom: "/missing" },
              { name: "B", valueFrom: "/there" },
            ],
          },
        ],
        fake,
      ),
    );
    assert.equal(ssm.reason, `${PREFIX}unable to retrieve secrets from ssm: invalid ssm parameters: /missing`);
    const asm = await failure(
      resolveSecrets(
        [
          {
            name: "a",
            image: "x",
            secrets: [
              { name: "A", valueFrom: `${ARN}gone-CCCCCC` },
              { name: "B", valueFrom: `${ARN}ok-AAAAAA` },
            ],
          },
        ],
        fake,
      ),
    );
    assert.equal(
      asm.reason,
      `${PREFIX}unable to retrieve secret from asm: failed to fetch secret ${ARN}gone-CCCCCC from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
    );
    const key = await failure(
      resolveSecrets([{ name: "a", image: "x", secrets: [{ name: "A", valueFrom: `${ARN}ok-AAAAAA:k::` }] }], fake),
    );
    assert.match(
      key.reason,
      /^ResourceInitializationError: .*unable to retrieve secret from asm: secret .*ok-AAAAAA: its value is not a JSON object/,
    );
    const malformed = await failure(
      resolveSecrets([{ name: "a", image: "x", secrets: [{ name: "A", valueFrom: `${ARN}ok-AAAAAA:k` }] }], fake),
    );
    assert.match(malformed.reason, /unable to retrieve secret from asm: .*json-key:version-stage:version-id/);
    for (const err of [ssm, asm, key, malformed]) assert.doesNotMatch(err.reason, /hunter/);
  });

  test("a service that cannot be reached is the task's failure too", async () => {
    const down: ExecutionResources = {
      secretString: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:1")),
      parameters: () => Promise.reject(new ServiceError("AccessDeniedException", "not allowed")),
    };
    const ssm = await failure(resolveSecrets([{ name: "a", image: "x", secrets: [{ name: "A", valueFrom: "/p" }] }], down));
    assert.equal(ssm.reason, `${PREFIX}unable to retrieve secrets from ssm: AccessDeniedException: not allowed`);
    const auth = await failure(
      resolveSecrets([{ name: "a", image: "127.0.0.1:5000/app", repositoryCredentials: { credentialsParameter: "login" } }], down),
    );
    assert.equal(
      auth.reason,
      `${PREFIX}unable to get registry auth from asm: fetching secret login for the registry auth: connect ECONNREFUSED 127.0.0.1:1`,
    );
  });

  test("repositoryCredentials give the container's registry its auth", async () => {
    const fake = new FakeResources(
      {
        login: JSON.stringify({ username: "puller", password: "pw" }),
        [`${ARN}half-DDDDDD`]: JSON.stringify({ username: "puller" }),
        [`${ARN}text-EEEEEE`]: "puller:pw",
      },
      {},
    );
    const defs: ContainerDefinition[] = [
      { name: "app", image: "127.0.0.1:5000/team/app:1", repositoryCredentials: { credentialsParameter: "login" } },
      { name: "plain", image: "busybox" },
    ];
    assert.equal(needsExecutionResources(defs), true);
    assert.equal(needsExecutionResources([{ name: "plain", image: "busybox" }]), false);
    const resolved = await resolveSecrets(defs, fake);
    assert.deepEqual(resolved.registryAuth.get("app"), { username: "puller", password: "pw", serveraddress: "127.0.0.1:5000" });
    assert.equal(resolved.registryAuth.has("plain"), false);
    const half = await failure(
      resolveSecrets(
        [{ name: "app", image: "r.example.com/a", repositoryCredentials: { credentialsParameter: `${ARN}half-DDDDDD` } }],
        fake,
      ),
    );
    assert.match(
      half.reason,
      /^ResourceInitializationError: .*unable to get registry auth from asm: secret .*half-DDDDDD: .*no "password"$/,
    );
    const text = await failure(
      resolveSecrets(
        [{ name: "app", image: "r.example.com/a", repositoryCredentials: { credentialsParameter: `${ARN}text-EEEEEE` } }],
        fake,
      ),
    );
    assert.match(text.reason, /not a JSON object with "username" and "password"/);
    assert.doesNotMatch(text.reason, /puller|pw/);
  });
});
