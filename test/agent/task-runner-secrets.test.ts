// Secrets in the task lifecycle, against the FakeDriver and an in-memory ExecutionResources:
// values reach the containers' environment and the pull's registry auth, a secret that cannot be
// had stops the task before any container exists, and no value shows in a report or the log.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ContainerSpec, RegistryAuth } from "../../src/runtime/driver.js";
import { FakeDriver } from "../../src/runtime/fake/index.js";
import { TaskRunner } from "../../src/agent/task-runner/index.js";
import type { ExecutionResources } from "../../src/agent/task-runner/secrets.js";
import { assignment, recorder } from "./helpers.js";

const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:";
const VALUE = "correct-horse-battery-staple";

/** Remembers what was created and with which auth each image was pulled. */
class RecordingDriver extends FakeDriver {
  readonly specs: ContainerSpec[] = [];
  readonly pulls: { image: string; auth: RegistryAuth | undefined }[] = [];
  override create(spec: ContainerSpec): Promise<string> {
    this.specs.push(spec);
    return super.create(spec);
  }
  override pullImage(image: string, onProgress?: (line: string) => void, auth?: RegistryAuth): Promise<void> {
    this.pulls.push({ image, auth });
    return super.pullImage(image, onProgress, auth);
  }
}

const resources = (secrets: Record<string, string>, params: Record<string, string>): ExecutionResources => ({
  secretString: (ref) =>
    ref.secretId in secrets
      ? Promise.resolve(secrets[ref.secretId])
      : Promise.reject(Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: "ResourceNotFoundException" })),
  parameters: (names) =>
    Promise.resolve({
      parameters: names.filter((n) => n in params).map((n) => ({ name: n, value: params[n]! })),
      invalid: names.filter((n) => !(n in params)),
    }),
});

describe("task runner: secrets", () => {
  test("secrets reach the environment, repositoryCredentials the pull; ECS_ENGINE_AUTH_DATA is the fallback", async () => {
    const driver = new RecordingDriver({ images: [] });
    const rec = recorder(driver, {
      executionResources: resources(
        { [`${ARN}db-AbCdEf`]: JSON.stringify({ password: VALUE }), login: JSON.stringify({ username: "puller", password: "pw" }) },
        { "/app/host": "db.internal" },
      ),
      registryAuth: () => ({ username: "engine", password: "engine-pw" }),
    });
    const a = assignment([
      {
        name: "app",
        image: "127.0.0.1:5000/app:1",
        repositoryCredentials: { credentialsParameter: "login" },
        environment: [{ name: "DB_PASSWORD", value: "overridden" }],
        secrets: [
          { name: "DB_PASSWORD", valueFrom: `${ARN}db-AbCdEf:password::` },
          { name: "DB_HOST", valueFrom: "/app/host" },
        ],
      },
      { name: "side", image: "127.0.0.1:5000/side:1" },
    ]);
    const runner = new TaskRunner(a, rec.deps);
    const done = runner.run();
    await rec.until((r) => r.status === "RUNNING");
    runner.stop();
    await done;
    const app = driver.specs.find((s) => s.image === "127.0.0.1:5000/app:1")!;
    assert.equal(app.env.DB_PASSWORD, VALUE);
    assert.equal(app.env.DB_HOST, "db.internal");
    assert.deepEqual(
      driver.pulls.map((p) => [p.image, p.auth?.username]),
      [
        ["127.0.0.1:5000/app:1", "puller"],
        ["127.0.0.1:5000/side:1", "engine"],
      ],
    );
    assert.equal(driver.pulls[0]!.auth!.serveraddress, "127.0.0.1:5000");
    const everything = JSON.stringify(rec.reports) + rec.logs.join("\n");
    assert.ok(!everything.includes(VALUE), "no value in a report or the agent's log");
  });

  test("a missing secret stops the task before any pull or container, with ECS's reason", async () => {
    const driver = new RecordingDriver({ images: ["app:1"] });
    const rec = recorder(driver, { executionResources: resources({}, { "/there": VALUE }) });
    const a = assignment([
      { name: "app", image: "app:1", secrets: [{ name: "X", valueFrom: "/there" }] },
      { name: "other", image: "app:1", secrets: [{ name: "Y", valueFrom: `${ARN}gone-AbCdEf` }] },
    ]);
    await new TaskRunner(a, rec.deps).run();
    const final = rec.reports.at(-1)!;
    assert.equal(final.status, "STOPPED");
    assert.equal(
      final.reason,
      `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: failed to fetch secret ${ARN}gone-AbCdEf from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
    );
    assert.ok(!rec.statuses().includes("RUNNING"));
    assert.equal(driver.calls.create, undefined);
    assert.equal(driver.calls.inspectImage, undefined, "nothing is pulled for a task that cannot start");
    assert.deepEqual(
      final.containers!.map((c) => [c.containerName, c.status]),
      [
        ["app", "STOPPED"],
        ["other", "STOPPED"],
      ],
    );
    assert.ok(!(JSON.stringify(rec.reports) + rec.logs.join("\n")).includes(VALUE));
  });

  test("an agent without access to Secrets Manager or SSM fails a task that has secrets", async () => {
    const driver = new RecordingDriver({ images: ["app:1"] });
    const rec = recorder(driver);
    await new TaskRunner(assignment([{ name: "app", image: "app:1", secrets: [{ name: "X", valueFrom: "/p" }] }]), rec.deps).run();
    assert.match(rec.reports.at(-1)!.reason!, /^ResourceInitializationError: unable to pull secrets or registry auth: /);
    assert.equal(driver.calls.create, undefined);
  });
});
