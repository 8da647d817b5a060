// The task lifecycle against the FakeDriver: what is reported, in which order, and what is
// started, stopped and removed.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ContainerSpec } from "../../src/runtime/driver.js";
import { FakeDriver, type FakeBehaviour } from "../../src/runtime/fake/index.js";
import { TaskRunner, OOM_REASON, ESSENTIAL_EXITED, LABEL } from "../../src/agent/task-runner/index.js";
import { assignment, recorder, sleep } from "./helpers.js";

const IMAGES = ["app:1", "side:1", "berth/pause:latest"];

/** A FakeDriver that remembers the order of start and stop calls by ECS container name. */
class OrderedDriver extends FakeDriver {
  readonly started: string[] = [];
  readonly stopped: string[] = [];
  constructor(behaviours: Record<string, FakeBehaviour> = {}, extra: ConstructorParameters<typeof FakeDriver>[0] = {}) {
    super({ images: IMAGES, behaviour: (spec: ContainerSpec) => behaviours[spec.labels[LABEL.containerName]!] ?? {}, ...extra });
  }
  override async start(id: string): Promise<void> {
    this.started.push((await this.inspect(id))?.labels[LABEL.containerName] ?? id);
    return super.start(id);
  }
  override async stop(id: string, timeoutSeconds: number): Promise<void> {
    this.stopped.push((await this.inspect(id))?.labels[LABEL.containerName] ?? id);
    return super.stop(id, timeoutSeconds);
  }
}

describe("task runner (fake driver)", () => {
  test("PENDING → RUNNING → STOPPED, with runtime ids, dynamic host ports and cleanup", async () => {
    const driver = new OrderedDriver();
    const a = assignment([{ name: "web", image: "app:1", portMappings: [{ containerPort: 8080, hostPort: 0, protocol: "tcp" }] }]);
    const released: string[] = [];
    const rec = recorder(driver, { releaseHostPort: (ip, protocol, port) => released.push(`${ip}/${protocol}/${port}`) });
    const runner = new TaskRunner(a, rec.deps);
    const done = runner.run();
    const running = await rec.until((r) => r.status === "RUNNING");
    const web = running.containers!.find((c) => c.containerName === "web")!;
    assert.equal(web.status, "RUNNING");
    assert.match(web.runtimeId!, /^[0-9a-f]{64}$/);
    assert.deepEqual(web.networkBindings, [{ bindIP: "127.0.0.1", containerPort: 8080, hostPort: 49153, protocol: "tcp" }]);
    const state = await driver.inspect(web.runtimeId!);
    assert.deepEqual(state!.ports, [{ containerPort: 8080, hostPort: 49153, protocol: "tcp", hostIp: "127.0.0.1" }]);
    runner.stop("Task stopped by user");
    runner.stop();
    await done;
    assert.deepEqual(rec.statuses(), ["PENDING", "PENDING", "RUNNING", "STOPPED"]);
    assert.ok(rec.reports[0]!.pullStartedAt instanceof Date);
    assert.ok(rec.reports[1]!.pullStoppedAt instanceof Date);
    const stopped = rec.reports.at(-1)!;
    assert.equal(stopped.reason, "Task stopped by user");
    assert.ok(stopped.executionStoppedAt instanceof Date);
    assert.deepEqual(
      stopped.containers!.map((c) => [c.containerName, c.status, c.exitCode]),
      [["web", "STOPPED", 143]],
    );
    assert.equal(driver.size, 0, "containers removed");
    assert.deepEqual(released, ["127.0.0.1/tcp/49153"]);
    assert.equal(driver.calls.pullImage, undefined, "a present image is not pulled");
  });

  test("an essential container's exit stops the others; a non-essential one's does not", async () => {
    const driver = new OrderedDriver({ app: { exitAfterMs: 150, exitCode: 3 }, job: { exitAfterMs: 20, exitCode: 0 } });
    const a = assignment([
      { name: "app", image: "app:1" },
      { name: "side", image: "side:1" },
      { name: "job", image: "side:1", essential: false },
    ]);
    const rec = recorder(driver);
    await new TaskRunner(a, rec.deps).run();
    const job = rec.containerReports("job").find((c) => c.status === "STOPPED")!;
    assert.equal(job.exitCode, 0);
    const jobIndex = rec.reports.findIndex((r) => r.containers?.some((c) => c.containerName === "job" && c.status === "STOPPED"));
    const appIndex = rec.reports.findIndex((r) => r.containers?.some((c) => c.containerName === "app" && c.status === "STOPPED"));
    assert.ok(jobIndex < appIndex, "job's exit is reported while the task keeps running");
    assert.ok(!rec.reports.slice(0, appIndex).some((r) => r.status === "STOPPED"));
    assert.equal(rec.reports[appIndex]!.containers![0]!.exitCode, 3);
    const final = rec.reports.at(-1)!;
    assert.equal(final.status, "STOPPED");
    assert.equal(final.reason, ESSENTIAL_EXITED);
    assert.deepEqual(Object.fromEntries(final.containers!.map((c) => [c.containerName, c.exitCode])), { app: 3, side: 143, job: 0 });
    assert.deepEqual(driver.stopped, ["side"]);
  });

  test("a failed pull stops the container and the task with CannotPullContainerError", async () => {
    const driver = new FakeDriver({
      images: [],
      registry: () => "pull access denied for nope, repository does not exist or may require 'docker login'",
    });
    const rec = recorder(driver);
    await new TaskRunner(assignment([{ name: "app", image: "nope" }]), rec.deps).run();
    const reason = "CannotPullContainerError: pull access denied for nope, repository does not exist or may require 'docker login'";
    const final = rec.reports.at(-1)!;
    assert.equal(final.status, "STOPPED");
    assert.equal(final.reason, reason);
    assert.ok(final.pullStoppedAt instanceof Date);
    assert.deepEqual(final.containers, [{ containerName: "app", status: "STOPPED", reason }]);
    assert.ok(!rec.statuses().includes("RUNNING"));
    assert.equal(driver.calls.create, undefined);
  });

  test("a missing image is pulled once for all the containers using it", async () => {
    const driver = new FakeDriver({ images: [] });
    const rec = recorder(driver);
    const runner = new TaskRunner(
      assignment([
        { name: "a", image: "app:1" },
        { name: "b", image: "app:1" },
      ]),
      rec.deps,
    );
    const done = runner.run();
    await rec.until((r) => r.status === "RUNNING");
    runner.stop();
    await done;
    assert.equal(driver.calls.pullImage, 1);
    assert.match(rec.reports.find((r) => r.pullStoppedAt)!.containers![0]!.imageDigest!, /^sha256:/);
  });

  test("dependsOn: SUCCESS and HEALTHY gate the start; START-only containers start together", async () => {
    const driver = new OrderedDriver({ migrate: { exitAfterMs: 80, exitCode: 0 }, proxy: { health: "HEALTHY", healthAfterMs: 120 } });
    const a = assignment([
      {
        name: "app",
        image: "app:1",
        dependsOn: [
          { containerName: "migrate", condition: "SUCCESS" },
          { containerName: "proxy", condition: "HEALTHY" },
        ],
      },
      { name: "migrate", image: "side:1", essential: false },
      { name: "proxy", image: "side:1", healthCheck: { command: ["CMD", "true"] } },
      { name: "logs", image: "side:1", dependsOn: [{ containerName: "proxy", condition: "START" }] },
    ]);
    const rec = recorder(driver, { healthPollMs: 50 });
    const runner = new TaskRunner(a, rec.deps);
    const done = runner.run();
    const running = await rec.until((r) => r.status === "RUNNING");
    assert.deepEqual(driver.started.slice(0, 2).sort(), ["migrate", "proxy"]);
    assert.equal(driver.started.at(-1), "app");
    assert.ok(driver.started.indexOf("logs") > driver.started.indexOf("proxy"));
    assert.equal(running.containers!.find((c) => c.containerName === "migrate")!.status, "STOPPED");
    assert.deepEqual(runner.health(), [{ containerName: "proxy", healthStatus: "HEALTHY" }]);
    runner.stop();
    await done;
    // Dependants first: app and logs before proxy.
    assert.ok(driver.stopped.indexOf("proxy") > driver.stopped.indexOf("app"));
    assert.ok(driver.stopped.indexOf("proxy") > driver.stopped.indexOf("logs"));
  });

  test("a SUCCESS dependency that fails stops the task; an unmet HEALTHY one times out", async () => {
    const failing = new OrderedDriver({ migrate: { exitAfterMs: 10, exitCode: 2 } });
    const rec = recorder(failing);
    await new TaskRunner(
      assignment([
        { name: "app", image: "app:1", dependsOn: [{ containerName: "migrate", condition: "SUCCESS" }] },
        { name: "migrate", image: "side:1", essential: false },
      ]),
      rec.deps,
    ).run();
    const final = rec.reports.at(-1)!;
    assert.match(final.reason!, /^CannotStartContainerError: dependency graph: .*\[migrate\] for target \[app\].*exited with code 2/);
    assert.deepEqual(failing.started, ["migrate"]);

    const sick = new OrderedDriver({ proxy: { health: "UNHEALTHY" } });
    const rec2 = recorder(sick);
    const started = Date.now();
    await new TaskRunner(
      assignment([
        { name: "app", image: "app:1", startTimeout: 1, dependsOn: [{ containerName: "proxy", condition: "HEALTHY" }] },
        { name: "proxy", image: "side:1", healthCheck: { command: ["CMD", "true"] } },
      ]),
      rec2.deps,
    ).run();
    assert.ok(Date.now() - started >= 1000);
    const final2 = rec2.reports.at(-1)!;
    assert.match(final2.reason!, /^DependencyTimeoutError: .*app: proxy \(HEALTHY\)/);
    assert.equal(final2.containers!.find((c) => c.containerName === "proxy")!.exitCode, 143);
  });

  test("stop(): dependants first, SIGKILL after stopTimeout for a container ignoring SIGTERM", async () => {
    const driver = new OrderedDriver({ app: { ignoresSigterm: true } });
    const a = assignment([
      { name: "app", image: "app:1", stopTimeout: 1, dependsOn: [{ containerName: "db", condition: "START" }] },
      { name: "db", image: "side:1" },
    ]);
    const rec = recorder(driver);
    const runner = new TaskRunner(a, rec.deps);
    const done = runner.run();
    await rec.until((r) => r.status === "RUNNING");
    const t0 = Date.now();
    runner.stop();
    await done;
    assert.ok(Date.now() - t0 >= 1000, "waited for app's stopTimeout");
    assert.deepEqual(driver.stopped, ["app", "db"]);
    const final = rec.reports.at(-1)!;
    assert.deepEqual(Object.fromEntries(final.containers!.map((c) => [c.containerName, c.exitCode])), { app: 137, db: 143 });
  });

  test("a task stopped between create and start leaves no Created container behind", async () => {
    // Set below; the driver's create() reaches it once the runner runs.
    const held: { runner?: TaskRunner } = {};
    class StopAfterCreate extends OrderedDriver {
      override async create(spec: ContainerSpec): Promise<string> {
        const id = await super.create(spec);
        held.runner!.stop("Task stopped by user");
        return id;
      }
    }
    const driver = new StopAfterCreate();
    // Containers that ran are kept an hour for their logs; one that never ran has none.
    const rec = recorder(driver, { cleanupDelayMs: 3_600_000 });
    const runner = (held.runner = new TaskRunner(assignment([{ name: "app", image: "app:1" }]), rec.deps));
    await runner.run();
    assert.deepEqual(driver.started, [], "never started");
    assert.equal(rec.statuses().at(-1), "STOPPED");
    assert.equal(driver.size, 0, "the created container is removed at once");
  });

  test("OOM and start failures carry ECS's reasons", async () => {
    const driver = new OrderedDriver({
      app: { exitAfterMs: 20, oomKilled: true },
      side: { startError: 'exec: "nope": executable file not found in $PATH' },
    });
    const rec = recorder(driver);
    await new TaskRunner(
      assignment([
        { name: "app", image: "app:1" },
        { name: "side", image: "side:1", essential: false },
      ]),
      rec.deps,
    ).run();
    const final = rec.reports.at(-1)!;
    const byName = Object.fromEntries(final.containers!.map((c) => [c.containerName, c]));
    assert.equal(byName.app!.exitCode, 137);
    assert.equal(byName.app!.reason, OOM_REASON);
    assert.equal(byName.side!.reason, 'CannotStartContainerError: exec: "nope": executable file not found in $PATH');
    assert.equal(final.reason, ESSENTIAL_EXITED);
  });

  test("awsvpc: a pause container on the task's network holds the namespace and publishes on the loopback", async () => {
    const driver = new OrderedDriver();
    const a = assignment(
      [{ name: "web", image: "app:1", portMappings: [{ containerPort: 80, hostPort: 80, protocol: "tcp" }] }],
      { networkMode: "awsvpc" },
      {
        network: {
          subnetId: "subnet-1",
          vpcId: "vpc-1",
          securityGroupIds: [],
          networkName: "berth-vpc-1",
          cidr: "10.211.9.0/24",
          gateway: "10.211.9.1",
          ipv4Address: "10.211.9.4",
          loopbackAddress: "127.1.0.4",
          attachmentId: "x",
          networkInterfaceId: "eni-x",
          macAddress: "02:42:0a:d3:09:04",
        },
      },
    );
    const rec = recorder(driver);
    const runner = new TaskRunner(a, rec.deps);
    const done = runner.run();
    const running = await rec.until((r) => r.status === "RUNNING");
    assert.deepEqual(running.containers![0]!.networkBindings, [{ bindIP: "127.1.0.4", containerPort: 80, hostPort: 80, protocol: "tcp" }]);
    const [pause] = await driver.list({ [LABEL.containerName]: "~internal~ecs~pause", [LABEL.taskArn]: a.taskArn });
    assert.deepEqual(pause!.networks, { "berth-vpc-1": { ipv4Address: "10.211.9.4" } });
    assert.deepEqual(pause!.ports, [{ containerPort: 80, hostPort: 80, protocol: "tcp", hostIp: "127.1.0.4" }]);
    assert.deepEqual(driver.started, ["~internal~ecs~pause", "web"]);
    runner.stop();
    await done;
    assert.equal(driver.size, 0);
  });

  test("task-scoped volumes are created for the task and removed with it", async () => {
    const driver = new OrderedDriver();
    const a = assignment([{ name: "app", image: "app:1", mountPoints: [{ sourceVolume: "scratch", containerPath: "/scratch" }] }], {
      volumes: [{ name: "scratch" }],
    });
    const rec = recorder(driver);
    const runner = new TaskRunner(a, rec.deps);
    const done = runner.run();
    await rec.until((r) => r.status === "RUNNING");
    assert.equal(driver.calls.createVolume, 1);
    runner.stop();
    await done;
    assert.equal(driver.calls.removeVolume, 1);
  });

  test("reports are retried in order until accepted; stop before run reports STOPPED only", async () => {
    const driver = new OrderedDriver();
    let failures = 3;
    const rec = recorder(driver);
    const flaky = recorder(driver, {
      report: async (change) => {
        if (failures-- > 0) throw new Error("control plane unavailable");
        await rec.deps.report(change);
      },
    });
    const runner = new TaskRunner(assignment([{ name: "app", image: "app:1" }]), flaky.deps);
    const done = runner.run();
    await rec.until((r) => r.status === "RUNNING");
    runner.stop();
    await done;
    assert.deepEqual(rec.statuses(), ["PENDING", "PENDING", "RUNNING", "STOPPED"]);

    const early = recorder(driver);
    const never = new TaskRunner(assignment([{ name: "app", image: "app:1" }]), early.deps);
    never.stop();
    await never.run();
    assert.deepEqual(early.statuses(), ["STOPPED"]);
    assert.equal(early.reports[0]!.containers![0]!.status, "STOPPED");
  });

  test("recover(): adopts running containers, reports exits that happened meanwhile, creates nothing", async () => {
    const driver = new OrderedDriver();
    const a = assignment([
      { name: "app", image: "app:1" },
      { name: "job", image: "side:1", essential: false },
    ]);
    const first = recorder(driver);
    const original = new TaskRunner(a, first.deps);
    const detached = original.run();
    await first.until((r) => r.status === "RUNNING");
    original.dispose();
    await detached;
    // While no agent watches: job exits.
    const job = (await driver.list({ [LABEL.taskArn]: a.taskArn })).find((c) => c.labels[LABEL.containerName] === "job")!;
    driver.exit(job.id, 7);
    const creates = driver.calls.create;
    const existing = await driver.list({ [LABEL.taskArn]: a.taskArn });
    const rec = recorder(driver);
    const runner = TaskRunner.recover({ ...a, lastStatus: "RUNNING" }, rec.deps, existing);
    const done = runner.run();
    const jobReport = await rec.until((r) => r.containers?.some((c) => c.containerName === "job" && c.status === "STOPPED") ?? false);
    assert.equal(jobReport.containers![0]!.exitCode, 7);
    // A moment in which the adopting runner must NOT create anything: a window, not a wait.
    await sleep(20);
    assert.equal(driver.calls.create, creates);
    assert.ok(!rec.statuses().includes("PENDING"));
    // The adopted app is still watched: its exit stops the task.
    const app = existing.find((c) => c.labels[LABEL.containerName] === "app")!;
    driver.exit(app.id, 0);
    await done;
    const final = rec.reports.at(-1)!;
    assert.equal(final.status, "STOPPED");
    assert.equal(final.reason, ESSENTIAL_EXITED);
    assert.deepEqual(Object.fromEntries(final.containers!.map((c) => [c.containerName, c.exitCode])), { app: 0, job: 7 });
    assert.equal(driver.size, 0);
  });

  test("recover(): an essential container that exited while the agent was away stops the task", async () => {
    const driver = new OrderedDriver();
    const a = assignment([
      { name: "app", image: "app:1" },
      { name: "side", image: "side:1" },
    ]);
    const first = recorder(driver);
    const original = new TaskRunner(a, first.deps);
    const detached = original.run();
    await first.until((r) => r.status === "RUNNING");
    original.dispose();
    await detached;
    const existing = await driver.list({ [LABEL.taskArn]: a.taskArn });
    driver.exit(existing.find((c) => c.labels[LABEL.containerName] === "app")!.id, 1);
    const rec = recorder(driver);
    await TaskRunner.recover({ ...a, lastStatus: "RUNNING" }, rec.deps, await driver.list({ [LABEL.taskArn]: a.taskArn })).run();
    const final = rec.reports.at(-1)!;
    assert.equal(final.reason, ESSENTIAL_EXITED);
    assert.deepEqual(Object.fromEntries(final.containers!.map((c) => [c.containerName, c.exitCode])), { app: 1, side: 143 });
    assert.deepEqual(driver.stopped, ["side"]);
  });

  test("recover(): a task the control plane already stopped has its adopted containers stopped", async () => {
    const driver = new OrderedDriver();
    const a = assignment([{ name: "app", image: "app:1" }]);
    const first = recorder(driver);
    const original = new TaskRunner(a, first.deps);
    const detached = original.run();
    await first.until((r) => r.status === "RUNNING");
    original.dispose();
    await detached;
    const rec = recorder(driver);
    await TaskRunner.recover(
      { ...a, desiredStatus: "STOPPED", lastStatus: "RUNNING" },
      rec.deps,
      await driver.list({ [LABEL.taskArn]: a.taskArn }),
    ).run();
    assert.deepEqual(rec.statuses(), ["STOPPED"]);
    assert.equal(rec.reports[0]!.containers![0]!.exitCode, 143);
    assert.equal(driver.size, 0);
  });

  test("cleanupDelayMs keeps stopped containers (for their logs) until the delay or cleanup()", async () => {
    const driver = new OrderedDriver();
    const a = assignment([{ name: "app", image: "app:1", mountPoints: [{ sourceVolume: "v", containerPath: "/v" }] }], {
      volumes: [{ name: "v" }],
    });
    const rec = recorder(driver, { cleanupDelayMs: 60_000 });
    const runner = new TaskRunner(a, rec.deps);
    const done = runner.run();
    await rec.until((r) => r.status === "RUNNING");
    runner.stop();
    await done;
    assert.equal(rec.reports.at(-1)!.status, "STOPPED");
    const [kept] = await driver.list({ [LABEL.taskArn]: a.taskArn });
    assert.equal(kept!.status, "exited");
    assert.equal(driver.calls.removeVolume, undefined);
    await runner.cleanup();
    assert.equal(driver.size, 0);
    assert.equal(driver.calls.removeVolume, 1);
  });

  test("registry credentials are asked for per image being pulled", async () => {
    const asked: string[] = [];
    const driver = new FakeDriver({ images: [] });
    const rec = recorder(driver, { registryAuth: (image) => (asked.push(image), { username: "u", password: "p" }) });
    const runner = new TaskRunner(assignment([{ name: "a", image: "127.0.0.1:5000/app:1" }]), rec.deps);
    const done = runner.run();
    await rec.until((r) => r.status === "RUNNING");
    runner.stop();
    await done;
    assert.deepEqual(asked, ["127.0.0.1:5000/app:1"]);
  });

  test("a leftover container of the same task under the Docker name is replaced; a stranger's is a conflict", async () => {
    const driver = new OrderedDriver();
    const a = assignment([{ name: "app", image: "app:1" }]);
    const name = `ecs-web-3-app-${a.taskArn.split("/").pop()}`;
    const base = { image: "app:1", env: {}, portBindings: [], network: { mode: "bridge" as const }, mounts: [] };
    const leftover = await driver.create({ ...base, name, labels: { [LABEL.taskArn]: a.taskArn } });
    const rec = recorder(driver);
    const runner = new TaskRunner(a, rec.deps);
    const done = runner.run();
    const running = await rec.until((r) => r.status === "RUNNING");
    assert.notEqual(running.containers![0]!.runtimeId, leftover);
    assert.equal(await driver.inspect(leftover), undefined);
    runner.stop();
    await done;

    const b = assignment([{ name: "app", image: "app:1" }]);
    const stranger = await driver.create({ ...base, name: `ecs-web-3-app-${b.taskArn.split("/").pop()}`, labels: {} });
    const rec2 = recorder(driver);
    await new TaskRunner(b, rec2.deps).run();
    assert.match(rec2.reports.at(-1)!.reason!, /^CannotCreateContainerError: Conflict\. The container name/);
    assert.ok(await driver.inspect(stranger));
  });
});
