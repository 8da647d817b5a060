// The task event stream: "ECS Task State Change" events as Server-Sent Events, for a
// cluster or a whole account and region, signed like every other call.
import { CreateClusterCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { packageRoot } from "../../src/paths.js";
import { after, before, describe, test } from "node:test";
import { subscribeTaskEvents, type TaskEvent } from "../../src/services/ecs/events/client.js";
import { EVENTS_PATH } from "../../src/services/ecs/events/task-events.js";
import { startBerth, TEST_ACCESS_KEY, TEST_ACCOUNT, TEST_SECRET_KEY, type BerthProcess } from "../support/berth-process.js";
import { sdkClient } from "../support/clients.js";
import { waitFor } from "../support/wait.js";
import { SimulatedAgent } from "../support/simulated-agent.js";

const credentials = { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY };

/** Collects events and resolves waits for the first one matching. */
class Recorder {
  readonly events: TaskEvent[] = [];
  private waiters: { match: (e: TaskEvent) => boolean; resolve: (e: TaskEvent) => void }[] = [];
  readonly push = (e: TaskEvent) => {
    this.events.push(e);
    this.waiters = this.waiters.filter((w) => (w.match(e) ? (w.resolve(e), false) : true));
  };
  next(match: (e: TaskEvent) => boolean): Promise<TaskEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching event among ${this.events.length}`)), 10_000);
      this.waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  }
}

describe("task event stream", () => {
  let berth: BerthProcess;
  const agents: SimulatedAgent[] = [];
  before(async () => {
    berth = await startBerth();
    const ecs = sdkClient(berth.endpoint);
    for (const clusterName of ["events", "elsewhere"]) {
      await ecs.send(new CreateClusterCommand({ clusterName }));
      agents.push(await new SimulatedAgent(berth.endpoint, { cluster: clusterName }).start());
    }
    await ecs.send(
      new RegisterTaskDefinitionCommand({ family: "evt", containerDefinitions: [{ name: "app", image: "busybox", memory: 32 }] }),
    );
  });
  after(async () => {
    for (const a of agents) await a.stop();
    await berth.stop();
  });

  test("a task's changes arrive in order as ECS Task State Change events, for its cluster only", async () => {
    const ecs = sdkClient(berth.endpoint);
    const mine = new Recorder();
    const everything = new Recorder();
    const sub = await subscribeTaskEvents({ endpoint: berth.endpoint, region: "us-east-1", credentials, cluster: "events" }, mine.push);
    const all = await subscribeTaskEvents({ endpoint: berth.endpoint, region: "us-east-1", credentials }, everything.push);
    try {
      const run = await ecs.send(new RunTaskCommand({ cluster: "events", taskDefinition: "evt" }));
      const other = await ecs.send(new RunTaskCommand({ cluster: "elsewhere", taskDefinition: "evt" }));
      const arn = run.tasks![0]!.taskArn!;
      const running = await mine.next((e) => e.detail.taskArn === arn && e.detail.lastStatus === "RUNNING");
      assert.equal(running["detail-type"], "ECS Task State Change");
      assert.equal(running.source, "aws.ecs");
      assert.equal(running.account, TEST_ACCOUNT);
      assert.equal(running.region, "us-east-1");
      assert.deepEqual(running.resources, [arn]);
      assert.match(running.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.match(String(running.detail.startedAt), /^\d{4}-\d\d-\d\dT/, "dates are ISO strings, as in EventBridge");
      assert.equal(running.detail.clusterArn, run.tasks![0]!.clusterArn);
      assert.ok(!("tags" in running.detail), "tags are not part of the event");

      await ecs.send(new StopTaskCommand({ cluster: "events", task: arn, reason: "done with it" }));
      const stopped = await mine.next((e) => e.detail.taskArn === arn && e.detail.lastStatus === "STOPPED");
      assert.equal(stopped.detail.stopCode, "UserInitiated");
      assert.equal(stopped.detail.stoppedReason, "done with it");
      const versions = mine.events.filter((e) => e.detail.taskArn === arn).map((e) => e.detail.version);
      assert.deepEqual(
        versions,
        [...versions].sort((a, b) => a - b),
        "in the order they were committed",
      );
      assert.ok(versions.length >= 3, `creation, RUNNING and STOPPED at least: ${versions.join(", ")}`);

      const otherArn = other.tasks![0]!.taskArn!;
      await everything.next((e) => e.detail.taskArn === otherArn && e.detail.lastStatus === "RUNNING");
      await everything.next((e) => e.detail.taskArn === arn && e.detail.lastStatus === "STOPPED");
      assert.ok(!mine.events.some((e) => e.detail.taskArn === otherArn), "another cluster's task is not in this cluster's stream");
    } finally {
      sub.close();
      all.close();
    }
  });

  test("a stream is refused like any call: unsigned, or for a cluster that does not exist", async () => {
    const unsigned = await fetch(`${berth.endpoint}${EVENTS_PATH}`);
    assert.equal(unsigned.headers.get("x-amzn-errortype"), "MissingAuthenticationTokenException");
    await unsigned.text();
    await assert.rejects(
      subscribeTaskEvents({ endpoint: berth.endpoint, region: "us-east-1", credentials, cluster: "no-such-cluster" }, () => undefined),
      /ClusterNotFoundException/,
    );
  });

  test("a closed stream is let go: later changes still reach the others", async () => {
    const ecs = sdkClient(berth.endpoint);
    const first = new Recorder();
    const second = new Recorder();
    const a = await subscribeTaskEvents({ endpoint: berth.endpoint, region: "us-east-1", credentials, cluster: "events" }, first.push);
    const b = await subscribeTaskEvents({ endpoint: berth.endpoint, region: "us-east-1", credentials, cluster: "events" }, second.push);
    a.close();
    await a.ended;
    const run = await ecs.send(new RunTaskCommand({ cluster: "events", taskDefinition: "evt" }));
    const arn = run.tasks![0]!.taskArn!;
    await second.next((e) => e.detail.taskArn === arn && e.detail.lastStatus === "RUNNING");
    assert.equal(first.events.filter((e) => e.detail.taskArn === arn).length, 0);
    b.close();
  });

  test("berth events prints each change as it happens; --json prints the events", async () => {
    const ecs = sdkClient(berth.endpoint);
    const cli = (json: boolean) => {
      const child = spawn(
        process.execPath,
        [
          join(packageRoot, "dist/src/cli/main.js"),
          "events",
          "--endpoint",
          berth.endpoint,
          "--cluster",
          "events",
          "--access-key-id",
          TEST_ACCESS_KEY,
          "--secret-access-key",
          TEST_SECRET_KEY,
          ...(json ? ["--json"] : []),
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let out = "";
      let err = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      const following = new Promise<void>((resolve) =>
        child.stderr.on("data", (d: Buffer) => ((err += d.toString()), err.includes("following") && resolve())),
      );
      return { child, following, out: () => out, err: () => err };
    };
    const text = cli(false);
    const json = cli(true);
    try {
      await Promise.all([text.following, json.following]);
      const arn = (await ecs.send(new RunTaskCommand({ cluster: "events", taskDefinition: "evt" }))).tasks![0]!.taskArn!;
      const id = arn.split("/").pop()!;
      await waitFor(() => ({ text: text.out() + text.err(), json: json.out() + json.err() }), {
        until: () => text.out().includes(`events/${id}  RUNNING`) && json.out().includes('"lastStatus":"RUNNING"'),
        message: "a RUNNING line from both",
        intervalMs: 50,
      });
      assert.match(text.out(), new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+Z  events/${id}  PENDING \\(desired RUNNING\\) v1$`, "m"));
      const events = json
        .out()
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as TaskEvent);
      assert.ok(events.every((e) => e["detail-type"] === "ECS Task State Change" && e.detail.taskArn === arn));
    } finally {
      text.child.kill();
      json.child.kill();
    }
  });
});
