// The task endpoint's real HTTP server in front of tasks a TaskRunner runs on the fake driver:
// the containers' environment points at it, and it answers metadata, stats and credentials
// from what the agent holds (no control plane involved), until the task is gone.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { ContainerSpec } from "../../src/runtime/driver.js";
import { FakeDriver } from "../../src/runtime/fake/index.js";
import { TaskRunner, LABEL } from "../../src/agent/task-runner/index.js";
import { TaskCredentialsStore } from "../../src/agent/task-credentials.js";
import { TaskEndpoint } from "../../src/agent/task-endpoint/index.js";
import { Nft } from "../../src/agent/firewall/nft.js";
import { waitFor } from "../support/wait.js";
import { createLogger } from "../../src/log/logger.js";
import { assignment, recorder } from "./helpers.js";

class RecordingDriver extends FakeDriver {
  readonly specs = new Map<string, ContainerSpec>();
  constructor() {
    super({ images: ["app:1", "side:1"] });
  }
  override async create(spec: ContainerSpec): Promise<string> {
    this.specs.set(spec.labels[LABEL.containerName]!, spec);
    return super.create(spec);
  }
}

const ROLE = {
  roleArn: "arn:aws:iam::123456789012:role/app",
  accessKeyId: "ASIABERTHTEST0000001",
  secretAccessKey: "secret/abc",
  sessionToken: "token-xyz",
  expiration: "2026-12-06T18:00:00Z",
};

describe("task endpoint (HTTP server, fake driver)", () => {
  const stateDir = mkdtempSync(join(tmpdir(), "berth-task-endpoint-"));
  const log = createLogger({ level: "error" });
  const driver = new RecordingDriver();
  const store = new TaskCredentialsStore();
  let endpoint: TaskEndpoint;
  let base = "";

  before(async () => {
    endpoint = await TaskEndpoint.start({ port: 0, stateDir, credentials: store, driver, redirect: false, log });
    base = `http://127.0.0.1:${endpoint.port}`;
  });
  after(async () => {
    await endpoint.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const get = async (path: string) => {
    const res = await fetch(base + path);
    return { status: res.status, type: res.headers.get("content-type"), body: (await res.json()) as Record<string, unknown> & string };
  };

  test("a task's containers read their metadata, stats and role credentials; once the task is gone, nothing", async () => {
    const a = assignment([
      {
        name: "web",
        image: "app:1",
        environment: [
          { name: "AWS_EXECUTION_ENV", value: "mine" },
          { name: "ECS_CONTAINER_METADATA_URI_V4", value: "x" },
        ],
      },
      { name: "side", image: "side:1", essential: false },
    ]);
    store.put([{ taskArn: a.taskArn, credentialsId: "cred-1", task: ROLE }]);
    const rec = recorder(driver, {
      metadataToken: (arn) => endpoint.token(arn),
      roleCredentialsId: (arn) => store.ofTask(arn)?.credentialsId,
    });
    const runner = new TaskRunner(a, rec.deps);
    endpoint.track({ assignment: a, availabilityZone: "us-east-1a", snapshot: () => runner.snapshot() });
    const done = runner.run();
    await rec.until((r) => r.status === "RUNNING");

    const env = driver.specs.get("web")!.env;
    const token = endpoint.token(a.containers[0]!.containerArn);
    assert.notEqual(token, a.containers[0]!.containerArn.split("/").pop(), "the token is not the ARN's uuid");
    assert.match(token, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(env.ECS_CONTAINER_METADATA_URI_V4, `http://169.254.170.2/v4/${token}`);
    assert.equal(env.ECS_CONTAINER_METADATA_URI, `http://169.254.170.2/v3/${token}`);
    assert.equal(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, "/v2/credentials/cred-1");
    assert.equal(env.AWS_EXECUTION_ENV, "mine", "the definition's own AWS_EXECUTION_ENV wins");
    assert.equal(driver.specs.get("side")!.env.AWS_EXECUTION_ENV, "AWS_ECS_EC2");

    const container = await get(`/v4/${token}`);
    assert.equal(container.status, 200);
    assert.equal(container.type, "application/json");
    const webState = (await driver.list({ [LABEL.taskArn]: a.taskArn })).find((c) => c.labels[LABEL.containerName] === "web")!;
    assert.equal(container.body.DockerId, webState.id);
    assert.equal(container.body.Name, "web");
    assert.equal(container.body.KnownStatus, "RUNNING");
    assert.equal(container.body.ContainerARN, a.containers[0]!.containerArn);

    const task = await get(`/v4/${token}/task`);
    assert.equal(task.body.TaskARN, a.taskArn);
    assert.equal(task.body.KnownStatus, "RUNNING");
    assert.deepEqual(
      (task.body.Containers as { Name: string }[]).map((c) => c.Name),
      ["web", "side"],
    );
    assert.equal(typeof task.body.PullStartedAt, "string");
    assert.deepEqual((await get(`/v4/${token}/taskWithTags`)).body, task.body);
    assert.equal((await get(`/v3/${token}/task`)).body.TaskARN, a.taskArn);

    const stats = await get(`/v4/${token}/stats`);
    assert.equal(stats.status, 200);
    assert.equal(stats.body.id, webState.id);
    const taskStats = await get(`/v4/${token}/task/stats`);
    assert.equal(Object.keys(taskStats.body).length, 2);

    const creds = await get("/v2/credentials/cred-1");
    assert.equal(creds.status, 200);
    assert.equal(creds.body.AccessKeyId, ROLE.accessKeyId);
    assert.equal(creds.body.Token, ROLE.sessionToken);

    runner.stop();
    await done;
    const stopped = await get(`/v4/${token}/task`);
    assert.equal(stopped.body.KnownStatus, "STOPPED", "still tracked until the agent lets the task go");
    endpoint.untrack(a.taskArn);
    store.forget(a.taskArn);
    assert.equal((await get(`/v4/${token}/task`)).status, 404);
    assert.equal((await get("/v2/credentials/cred-1")).body.code, "InvalidIdInRequest");
  });

  test("credentials of a task this host does not run are not served, whatever the store holds", async () => {
    store.put([{ taskArn: "arn:aws:ecs:us-east-1:123456789012:task/default/elsewhere", credentialsId: "cred-x", task: ROLE }]);
    const answer = await get("/v2/credentials/cred-x");
    assert.equal(answer.status, 400);
    assert.equal(answer.body.code, "InvalidIdInRequest");
  });

  test("a bridge container's address goes into the redirect's set once it runs, and out when it exits", async () => {
    // The nft binary is outside the unit: the scripts it is given are recorded.
    const scripts: string[] = [];
    const nft = new (class extends Nft {
      override apply(script: string) {
        scripts.push(script);
        return Promise.resolve("");
      }
      override deleteTable() {
        return Promise.resolve();
      }
    })("nft");
    const dir = mkdtempSync(join(tmpdir(), "berth-task-endpoint-"));
    const routed = await TaskEndpoint.start({
      port: 0,
      stateDir: dir,
      credentials: store,
      driver,
      redirect: { nft, routeLocalnet: () => undefined },
      log,
    });
    const set = () => /set tasks \{ type ipv4_addr;(?: elements = \{ (.*) \})? \}/.exec(scripts.at(-1)!)?.[1]?.split(", ") ?? [];
    try {
      assert.deepEqual(set(), [], "no container yet");
      const a = assignment([{ name: "web", image: "app:1" }], { networkMode: "bridge" });
      const rec = recorder(driver, {
        bridgeContainerUp: (id) => void routed.bridgeContainerUp(id),
        bridgeContainerDown: (id) => void routed.bridgeContainerDown(id),
      });
      const runner = new TaskRunner(a, rec.deps);
      routed.track({ assignment: a, availabilityZone: "us-east-1a", snapshot: () => runner.snapshot() });
      const done = runner.run();
      await rec.until((r) => r.status === "RUNNING");
      const web = (await driver.list({ [LABEL.taskArn]: a.taskArn }))[0]!;
      const address = web.networks.bridge!.ipv4Address;
      assert.match(address, /^172\.17\./);
      await waitFor(() => (set().includes(address) ? true : undefined));
      runner.stop();
      await done;
      await waitFor(() => (set().includes(address) ? undefined : true));
      // A task this endpoint does not track (another agent's): its containers are left to the catch-all.
      const other = assignment([{ name: "web", image: "app:1" }], { networkMode: "bridge" });
      const otherRec = recorder(driver, { bridgeContainerUp: (id) => void routed.bridgeContainerUp(id) });
      const otherRunner = new TaskRunner(other, otherRec.deps);
      const otherDone = otherRunner.run();
      await otherRec.until((r) => r.status === "RUNNING");
      const otherWeb = (await driver.list({ [LABEL.taskArn]: other.taskArn }))[0]!;
      const applied = scripts.length;
      await routed.bridgeContainerUp(otherWeb.id);
      assert.equal(scripts.length, applied, "no new script");
      assert.deepEqual(set(), []);
      otherRunner.stop();
      await otherDone;
    } finally {
      await routed.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("taskWithTags: the task's and the instance's tags as ECS answers them; one it cannot get is in v4's Errors", async () => {
    const asked: string[] = [];
    const tagged = await TaskEndpoint.start({
      port: 0,
      stateDir: mkdtempSync(join(tmpdir(), "berth-task-endpoint-tags-")),
      credentials: store,
      driver,
      redirect: false,
      tags: async (arn) => {
        asked.push(arn);
        if (arn.includes(":container-instance/")) throw Object.assign(new Error("connect ECONNREFUSED"), { name: "Error" });
        return { team: "web" };
      },
      log,
    });
    try {
      const a = assignment([{ name: "web", image: "app:1" }]);
      const instance = "arn:aws:ecs:us-east-1:123456789012:container-instance/default/abc";
      const runner = new TaskRunner(a, recorder(driver).deps);
      tagged.track({ assignment: a, availabilityZone: "us-east-1a", containerInstanceArn: instance, snapshot: () => runner.snapshot() });
      const token = tagged.token(a.containers[0]!.containerArn);
      const read = async (path: string) =>
        (await (await fetch(`http://127.0.0.1:${tagged.port}${path}`)).json()) as Record<string, unknown>;
      const v4 = await read(`/v4/${token}/taskWithTags`);
      assert.equal(v4.TaskARN, a.taskArn);
      assert.deepEqual(v4.TaskTags, { team: "web" });
      assert.equal(v4.ContainerInstanceTags, undefined);
      assert.deepEqual(v4.Errors, [
        { ErrorField: "ContainerInstanceTags", ErrorCode: "Error", ErrorMessage: "connect ECONNREFUSED", ResourceARN: instance },
      ]);
      assert.deepEqual(asked.sort(), [instance, a.taskArn].sort());
      const v3 = await read(`/v3/${token}/taskWithTags`);
      assert.deepEqual(v3.TaskTags, { team: "web" });
      assert.equal(v3.Errors, undefined, "v3 has no Errors");
      assert.equal((await read(`/v4/${token}/task`)).TaskTags, undefined, "/task asks for none");
      tagged.untrack(a.taskArn);
    } finally {
      await tagged.close();
    }
  });

  test("tokens survive a restart (the key stays in the state directory) and differ between hosts", async () => {
    const arn = "arn:aws:ecs:us-east-1:123456789012:container/default/t/u";
    const again = await TaskEndpoint.start({ port: 0, stateDir, credentials: store, driver, redirect: false, log });
    const otherDir = mkdtempSync(join(tmpdir(), "berth-task-endpoint-"));
    const other = await TaskEndpoint.start({ port: 0, stateDir: otherDir, credentials: store, driver, redirect: false, log });
    try {
      assert.equal(again.token(arn), endpoint.token(arn));
      assert.notEqual(other.token(arn), endpoint.token(arn));
    } finally {
      await again.close();
      await other.close();
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
