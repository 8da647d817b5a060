// The task runner on the real Docker Engine with the locally built busybox image. Every task's
// containers carry berth.test.run=<run>; containers, the awsvpc network and volumes are removed.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { ContainerDefinition, TaskDefinition } from "@aws-sdk/client-ecs";
import type { TaskAssignment } from "../../src/wire/agent-channel.js";
import { DockerDriver } from "../../src/runtime/docker/index.js";
import { ESSENTIAL_EXITED, LABEL, OOM_REASON, TaskRunner } from "../../src/agent/task-runner/index.js";
import { ensureBusyboxImage } from "../support/images.js";
import { waitFor } from "../support/wait.js";
import { ensurePauseImage } from "./docker-images.js";
import { assignment as baseAssignment, freeHostPort, recorder } from "./helpers.js";

const driver = new DockerDriver();
const run = randomBytes(4).toString("hex");
const NETWORK = `berth-test-vpc-${run}`;
const tasks: TaskAssignment[] = [];
let image = "";
let pauseImage = "";
const tempDirs: string[] = [];

function assignment(
  containers: ContainerDefinition[],
  td: Partial<TaskDefinition> = {},
  extra: Partial<TaskAssignment> = {},
): TaskAssignment {
  const a = baseAssignment(
    containers.map((c) => ({ image, ...c, dockerLabels: { "berth.test.run": run, ...c.dockerLabels } })),
    { family: `berth-test-${run}`, ...td },
    extra,
  );
  tasks.push(a);
  return a;
}

function deps() {
  return recorder(driver, { pauseImage, allocateHostPort: (ip) => freeHostPort(ip), healthPollMs: 500 });
}

/** The body of the first 200 from `url`: the server in the container may still be starting. */
async function get(url: string, timeoutMs = 10_000): Promise<string> {
  const answer = await waitFor(
    async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return res.ok && { body: await res.text() };
    },
    { message: `an answer from ${url}`, timeoutMs, retryErrors: true },
  );
  return answer.body;
}

const httpd = (text: string): string[] => ["sh", "-c", `mkdir -p /tmp && echo ${text} > /tmp/index.html && exec httpd -f -p 8080 -h /tmp`];

before(async () => {
  image = await ensureBusyboxImage();
  pauseImage = await ensurePauseImage();
});

after(async () => {
  for (const a of tasks) for (const c of await driver.list({ [LABEL.taskArn]: a.taskArn })) await driver.destroy(c.id);
  await driver.removeNetwork(NETWORK);
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe("task runner (Docker)", () => {
  test("bridge: a dynamic host port on 127.0.0.1 serves HTTP; stop() ends the task", async () => {
    const a = assignment([
      {
        name: "web",
        command: httpd("hello-bridge"),
        portMappings: [{ containerPort: 8080, hostPort: 0, protocol: "tcp" }],
        linuxParameters: { initProcessEnabled: true },
      },
    ]);
    const rec = deps();
    const runner = new TaskRunner(a, rec.deps);
    const done = runner.run();
    const running = await rec.until((r) => r.status === "RUNNING");
    const [binding] = running.containers![0]!.networkBindings!;
    assert.equal(binding!.bindIP, "127.0.0.1");
    assert.ok(binding!.hostPort! >= 49153);
    assert.equal((await get(`http://127.0.0.1:${binding!.hostPort}/index.html`)).trim(), "hello-bridge");
    const state = await driver.inspect(running.containers![0]!.runtimeId!);
    assert.equal(state!.labels[LABEL.family], `berth-test-${run}`);
    assert.match(state!.name, new RegExp(`^ecs-berth-test-${run}-3-web-[0-9a-f]{32}$`));
    runner.stop("Task stopped by user");
    await done;
    const final = rec.reports.at(-1)!;
    assert.equal(final.status, "STOPPED");
    assert.equal(final.containers![0]!.exitCode, 143);
    assert.equal(await driver.inspect(state!.id), undefined, "removed");
  });

  test("awsvpc: the task answers on its loopback address with hostPort = containerPort", async () => {
    const a = assignment(
      [
        {
          name: "web",
          command: httpd("hello-awsvpc"),
          portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }],
          linuxParameters: { initProcessEnabled: true },
        },
      ],
      { networkMode: "awsvpc" },
      {
        network: {
          subnetId: `subnet-${run}`,
          // Its bridge, bv-<run>, is this run's alone.
          vpcId: `vpc-${run}`,
          securityGroupIds: [],
          networkName: NETWORK,
          cidr: "10.211.250.0/24",
          gateway: "10.211.250.1",
          ipv4Address: "10.211.250.5",
          loopbackAddress: "127.1.250.5",
          attachmentId: "att",
          networkInterfaceId: "eni-test",
          macAddress: "02:42:0a:d3:fa:05",
        },
      },
    );
    const rec = deps();
    const runner = new TaskRunner(a, rec.deps);
    const done = runner.run();
    const running = await rec.until((r) => r.status === "RUNNING");
    assert.deepEqual(running.containers![0]!.networkBindings, [
      { bindIP: "127.1.250.5", containerPort: 8080, hostPort: 8080, protocol: "tcp" },
    ]);
    assert.equal((await get("http://127.1.250.5:8080/index.html")).trim(), "hello-awsvpc");
    const [pause] = await driver.list({ [LABEL.taskArn]: a.taskArn, [LABEL.containerName]: "~internal~ecs~pause" });
    assert.equal(pause!.networks[NETWORK]!.ipv4Address, "10.211.250.5");
    runner.stop();
    await done;
    assert.deepEqual(await driver.list({ [LABEL.taskArn]: a.taskArn }), [], "task and pause containers removed");
  });

  test("an essential container's exit stops the other container", async () => {
    const a = assignment(
      [
        { name: "main", command: ["sh", "-c", "sleep 1; exit 5"] },
        { name: "other", command: ["sleep", "300"], stopTimeout: 2 },
      ],
      { cpu: "4096", memory: "128" },
    ); // more cpu than this host has: capped, not refused
    const rec = deps();
    await new TaskRunner(a, rec.deps).run();
    const final = rec.reports.at(-1)!;
    assert.equal(final.reason, ESSENTIAL_EXITED);
    // sleep as PID 1 ignores SIGTERM: SIGKILL after stopTimeout.
    assert.deepEqual(Object.fromEntries(final.containers!.map((c) => [c.containerName, c.exitCode])), { main: 5, other: 137 });
  });

  test("OOM: exit 137 with OutOfMemoryError", async () => {
    const a = assignment([{ name: "hog", command: ["tail", "/dev/zero"], memory: 8, linuxParameters: { maxSwap: 0 } }]);
    const rec = deps();
    await new TaskRunner(a, rec.deps).run();
    const hog = rec.reports.at(-1)!.containers![0]!;
    assert.equal(hog.exitCode, 137);
    assert.equal(hog.reason, OOM_REASON);
  });

  test("a missing executable is a CannotStartContainerError", async () => {
    const a = assignment([{ name: "broken", command: ["/no/such/binary"] }]);
    const rec = deps();
    await new TaskRunner(a, rec.deps).run();
    const final = rec.reports.at(-1)!;
    assert.match(final.reason!, /^CannotStartContainerError: .*no such file or directory/);
    assert.equal(final.containers![0]!.reason, final.reason);
    assert.ok(!rec.statuses().includes("RUNNING"));
  });

  test("a health check reaches HEALTHY and releases a HEALTHY dependant", async () => {
    const a = assignment([
      {
        name: "db",
        command: ["sleep", "300"],
        linuxParameters: { initProcessEnabled: true },
        healthCheck: { command: ["CMD-SHELL", "test -e /bin/sh"], interval: 1, timeout: 2, retries: 2 },
      },
      {
        name: "app",
        command: ["sleep", "300"],
        linuxParameters: { initProcessEnabled: true },
        dependsOn: [{ containerName: "db", condition: "HEALTHY" }],
      },
    ]);
    const rec = deps();
    const runner = new TaskRunner(a, rec.deps);
    const done = runner.run();
    const running = await rec.until((r) => r.status === "RUNNING", 20_000);
    assert.deepEqual(runner.health(), [{ containerName: "db", healthStatus: "HEALTHY" }]);
    assert.equal(running.containers!.find((c) => c.containerName === "app")!.status, "RUNNING");
    runner.stop();
    await done;
    assert.deepEqual(Object.fromEntries(rec.reports.at(-1)!.containers!.map((c) => [c.containerName, c.exitCode])), { db: 143, app: 143 });
  });

  test("a task stopped between create and start leaves no container in Docker's Created state", async () => {
    const a = assignment([{ name: "app", command: ["sleep", "60"] }]);
    // Set below; the driver's create() reaches it once the runner runs.
    const held: { runner?: TaskRunner } = {};
    const stopping = new (class extends DockerDriver {
      override async create(...args: Parameters<DockerDriver["create"]>): Promise<string> {
        const id = await super.create(...args);
        held.runner!.stop("Task stopped by user");
        return id;
      }
    })();
    const rec = recorder(stopping, { pauseImage, allocateHostPort: (ip) => freeHostPort(ip), cleanupDelayMs: 3_600_000 });
    const runner = (held.runner = new TaskRunner(a, rec.deps));
    await runner.run();
    assert.equal(rec.statuses().at(-1), "STOPPED");
    assert.deepEqual(await driver.list({ [LABEL.taskArn]: a.taskArn }), [], "Docker holds no container of the task");
  });

  test("recover(): a new runner adopts the running container and stops it", async () => {
    const a = assignment([{ name: "app", command: ["sleep", "300"], linuxParameters: { initProcessEnabled: true } }]);
    const first = deps();
    const original = new TaskRunner(a, first.deps);
    const detached = original.run();
    const running = await first.until((r) => r.status === "RUNNING");
    original.dispose();
    await detached;
    const existing = await driver.list({ [LABEL.taskArn]: a.taskArn });
    assert.equal(existing.length, 1);
    const rec = deps();
    const runner = TaskRunner.recover({ ...a, lastStatus: "RUNNING" }, rec.deps, existing);
    const done = runner.run();
    runner.stop();
    await done;
    const final = rec.reports.at(-1)!;
    assert.equal(final.containers![0]!.runtimeId, running.containers![0]!.runtimeId);
    assert.equal(final.containers![0]!.exitCode, 143);
  });

  test("volumes: a task volume shared through volumesFrom, a host bind, an environment file; the volume goes with the task", async () => {
    const dir = mkdtempSync(join(tmpdir(), "berth-agent-test-"));
    chmodSync(dir, 0o777);
    tempDirs.push(dir);
    writeFileSync(join(dir, "app.env"), "FROM_FILE=yes\n");
    const check = 'test "$(cat /data/x)" = hello && test "$FROM_FILE" = yes && test -n "$ECS_CONTAINER_METADATA_URI_V4" && exit 0; exit 9';
    const a = assignment(
      [
        {
          name: "writer",
          essential: false,
          command: ["sh", "-c", "echo hello > /data/x && echo from-writer > /host/w"],
          mountPoints: [
            { sourceVolume: "scratch", containerPath: "/data" },
            { sourceVolume: "host", containerPath: "/host" },
          ],
        },
        {
          name: "reader",
          command: ["sh", "-c", check],
          dependsOn: [{ containerName: "writer", condition: "SUCCESS" }],
          volumesFrom: [{ sourceContainer: "writer", readOnly: true }],
          environmentFiles: [{ type: "s3", value: join(dir, "app.env") }],
        },
      ],
      { volumes: [{ name: "scratch" }, { name: "host", host: { sourcePath: dir } }] },
    );
    const rec = deps();
    await new TaskRunner(a, rec.deps).run();
    const final = rec.reports.at(-1)!;
    assert.deepEqual(
      Object.fromEntries(final.containers!.map((c) => [c.containerName, c.exitCode])),
      { writer: 0, reader: 0 },
      rec.logs.join("\n"),
    );
    assert.equal(readFileSync(join(dir, "w"), "utf8").trim(), "from-writer");
    const volume = `ecs-berth-test-${run}-3-scratch-${a.taskArn.split("/").pop()}`;
    await assert.rejects(driver.docker.getVolume(volume).inspect(), (err: { statusCode?: number }) => err.statusCode === 404);
  });
});
