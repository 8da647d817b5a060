// The awslogs driver in the task runner, against the fake engine and an in-memory Logs API:
// the stream exists before the container starts, lines arrive named as ECS names them, a
// missing group fails the container as Docker's driver does, multi-line events join, and a
// restarted agent resumes from the shipped position without sending a line twice.
import { strict as assert } from "node:assert";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import { AwsLogs } from "../../src/agent/awslogs/awslogs.js";
import { LABEL, TaskRunner } from "../../src/agent/task-runner/index.js";
import { FakeDriver } from "../../src/runtime/fake/index.js";
import { FakeLogsApi } from "../support/fake-logs-api.js";
import { silentLog } from "../support/log.js";
import { waitFor } from "../support/wait.js";
import { assignment, recorder } from "./helpers.js";

const logged = (options: Record<string, string>, extra: Partial<ContainerDefinition> = {}): ContainerDefinition => ({
  name: "app",
  image: "app:1",
  logConfiguration: { logDriver: "awslogs", options },
  ...extra,
});

function world(api = new FakeLogsApi()) {
  const driver = new FakeDriver({ images: ["app:1"], behaviour: () => ({ output: [{ stream: "stdout", text: "hello" }] }) });
  const stateDir = mkdtempSync(join(tmpdir(), "berth-awslogs-"));
  // The in-memory API takes the SDK client's place: nothing is signed.
  const unsigned = () => () => Promise.reject(new Error("the in-memory Logs API needs no credentials"));
  const awslogs = () =>
    new AwsLogs({
      endpoint: "http://unused",
      region: "us-east-1",
      credentials: unsigned,
      driver,
      stateDir,
      log: silentLog,
      flushMs: 50,
      api: () => api,
    });
  return { api, driver, awslogs, stateDir };
}

describe("awslogs in the task runner", () => {
  test("the group is created when asked, the stream prefix/container/task-id before start, and lines arrive", async () => {
    const { api, driver, awslogs } = world();
    const a = assignment([logged({ "awslogs-group": "/ecs/web", "awslogs-stream-prefix": "web", "awslogs-create-group": "true" })]);
    const rec = recorder(driver, { awslogs: awslogs() });
    const runner = new TaskRunner(a, rec.deps);
    const done = runner.run();
    const running = await rec.until((r) => r.status === "RUNNING");
    const taskId = a.taskArn.split("/").pop()!;
    const stream = `web/app/${taskId}`;
    assert.deepEqual(api.streamNames("/ecs/web"), [stream]);
    const id = running.containers![0]!.runtimeId!;
    driver.print(id, "second");
    driver.print(id, "oops", "stderr");
    await waitFor(() => api.messages("/ecs/web", stream).length === 3, { message: "three lines shipped" });
    assert.deepEqual(api.messages("/ecs/web", stream), ["hello", "second", "oops"]);
    runner.stop();
    await done;
  });

  test("without a prefix the stream is the container's Docker id; an existing group is fine", async () => {
    const { api, driver, awslogs } = world();
    await api.createLogGroup("g");
    const rec = recorder(driver, { awslogs: awslogs() });
    const runner = new TaskRunner(assignment([logged({ "awslogs-group": "g", "awslogs-create-group": "true" })]), rec.deps);
    const done = runner.run();
    const id = (await rec.until((r) => r.status === "RUNNING")).containers![0]!.runtimeId!;
    await waitFor(() => api.messages("g", id).length === 1, { message: "the line in the stream named after the container" });
    runner.stop();
    await done;
  });

  test("a missing group without create-group fails the container as Docker's driver does", async () => {
    const { driver, awslogs } = world();
    const rec = recorder(driver, { awslogs: awslogs() });
    const runner = new TaskRunner(assignment([logged({ "awslogs-group": "nope", "awslogs-stream-prefix": "p" })]), rec.deps);
    await runner.run();
    const stopped = rec.reports.at(-1)!;
    assert.equal(stopped.status, "STOPPED");
    const reason =
      "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.";
    assert.equal(stopped.reason, reason);
    assert.equal(stopped.containers![0]!.reason, reason);
    assert.equal(driver.calls.start, undefined, "never started");
  });

  test("bad options fail the container with Docker's message", async () => {
    const { driver, awslogs } = world();
    const rec = recorder(driver, { awslogs: awslogs() });
    await new TaskRunner(assignment([logged({ "awslogs-stream-prefix": "p" })]), rec.deps).run();
    assert.equal(
      rec.reports.at(-1)!.reason,
      "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: must specify a value for log opt 'awslogs-group'",
    );
  });

  test("multi-line pattern: a stack trace is one event", async () => {
    const { api, driver, awslogs } = world();
    await api.createLogGroup("g");
    const rec = recorder(driver, { awslogs: awslogs() });
    const runner = new TaskRunner(
      assignment([logged({ "awslogs-group": "g", "awslogs-stream-prefix": "p", "awslogs-multiline-pattern": "^\\[" })]),
      rec.deps,
    );
    const done = runner.run();
    const running = await rec.until((r) => r.status === "RUNNING");
    const id = running.containers![0]!.runtimeId!;
    for (const line of ["[1] boom", "  at a", "  at b", "[2] fine"]) driver.print(id, line);
    const name = api.streamNames("g")[0]!;
    await waitFor(() => api.messages("g", name).length === 3, { message: "hello, the trace, and the idle last event" });
    assert.deepEqual(api.messages("g", name), ["hello\n", "[1] boom\n  at a\n  at b\n", "[2] fine\n"]);
    runner.stop();
    await done;
  });

  test("a restarted agent resumes after the shipped position: every line once", async () => {
    const { api, driver, awslogs } = world();
    await api.createLogGroup("g");
    const a = assignment([logged({ "awslogs-group": "g", "awslogs-stream-prefix": "p" })]);
    const first = awslogs();
    const rec = recorder(driver, { awslogs: first });
    const runner = new TaskRunner(a, rec.deps);
    void runner.run();
    const id = (await rec.until((r) => r.status === "RUNNING")).containers![0]!.runtimeId!;
    const name = `p/app/${a.taskArn.split("/").pop()}`;
    driver.print(id, "before");
    await waitFor(() => api.messages("g", name).length === 2, { message: "shipped before the restart" });
    // The agent goes away; the container goes on writing, and the Logs API is briefly down too.
    runner.dispose();
    first.stopAll();
    api.down = true;
    driver.print(id, "while away 1");
    driver.print(id, "while away 2");
    const second = awslogs();
    const rec2 = recorder(driver, { awslogs: second });
    const adopted = TaskRunner.recover({ ...a, lastStatus: "RUNNING" }, rec2.deps, await driver.list({ [LABEL.taskArn]: a.taskArn }));
    const done = adopted.run();
    driver.print(id, "after");
    api.down = false;
    await waitFor(() => api.messages("g", name).length === 5, { message: "all five lines" });
    assert.deepEqual(api.messages("g", name), ["hello", "before", "while away 1", "while away 2", "after"]);
    adopted.stop();
    await done;
  });
});
