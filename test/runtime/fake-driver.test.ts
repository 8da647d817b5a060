// What only the in-memory test double has: a scripted registry, its default and scripted
// behaviours on a mock clock, deterministic ids and ports. Where it must behave as Docker does,
// the contract holds it (fake-contract.test.ts).
import assert from "node:assert/strict";
import { describe, mock, test } from "node:test";
import { isRuntimeError, type ContainerSpec, type RuntimeEvent } from "../../src/runtime/driver.js";
import { FakeDriver } from "../../src/runtime/fake/index.js";

const spec = (name: string, overrides: Partial<ContainerSpec> = {}): ContainerSpec => ({
  name,
  image: "app",
  env: {},
  portBindings: [],
  network: { mode: "bridge" },
  mounts: [],
  labels: { task: "t1" },
  ...overrides,
});

async function rejectsWith(promise: Promise<unknown>, kind: string, message: RegExp) {
  await assert.rejects(promise, (err: unknown) => isRuntimeError(err, kind as never) && message.test(err.message));
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("fake driver", () => {
  test("images must be pulled before create; failed pulls carry the registry's message", async () => {
    const fake = new FakeDriver({ registry: (image) => (image.startsWith("private/") ? "pull access denied for private/app" : true) });
    await rejectsWith(fake.create(spec("a")), "not-found", /No such image: app/);
    await fake.pullImage("app");
    assert.equal(await fake.hasImage("app:latest"), true);
    await rejectsWith(fake.pullImage("private/app"), "failed", /pull access denied/);
    assert.equal(fake.calls.pullImage, 2);
  });

  test("a container runs until stopped; wait and events see the exit", async () => {
    const fake = new FakeDriver({ images: ["app"] });
    const events: RuntimeEvent[] = [];
    fake.events((e) => events.push(e));
    const id = await fake.create(spec("a"));
    assert.equal((await fake.inspect(id))?.status, "created");
    await fake.start(id);
    const waiting = fake.wait(id);
    assert.equal((await fake.inspect(id))?.status, "running");
    await fake.stop(id, 30);
    assert.deepEqual(await waiting, { exitCode: 143, oomKilled: false });
    await tick();
    assert.deepEqual(
      events.map((e) => [e.action, e.exitCode]),
      [
        ["start", undefined],
        ["die", 143],
      ],
    );
    assert.equal(events[1]?.attributes.task, "t1");
  });

  test("scripted behaviour: exits, OOM kills, health, SIGTERM ignored until the timeout", async () => {
    mock.timers.enable({ apis: ["setTimeout"] });
    try {
      const fake = new FakeDriver({
        images: ["app"],
        behaviour: (s) =>
          s.name === "batch"
            ? { exitAfterMs: 1_000, exitCode: 3 }
            : s.name === "hog"
              ? { exitAfterMs: 500, oomKilled: true }
              : s.name === "stubborn"
                ? { ignoresSigterm: true }
                : { health: "UNHEALTHY", healthAfterMs: 2_000 },
      });
      const batch = await fake.create(spec("batch"));
      const hog = await fake.create(spec("hog"));
      const stubborn = await fake.create(spec("stubborn"));
      const web = await fake.create(
        spec("web", { healthCheck: { command: ["CMD", "true"], intervalSeconds: 5, timeoutSeconds: 2, retries: 3 } }),
      );
      for (const id of [batch, hog, stubborn, web]) await fake.start(id);
      assert.equal((await fake.inspect(web))?.health, "UNKNOWN");

      mock.timers.tick(600);
      assert.deepEqual(await fake.wait(hog), { exitCode: 137, oomKilled: true });
      assert.equal((await fake.inspect(batch))?.status, "running");
      mock.timers.tick(500);
      assert.deepEqual(await fake.wait(batch), { exitCode: 3, oomKilled: false });
      mock.timers.tick(1_000);
      assert.equal((await fake.inspect(web))?.health, "UNHEALTHY");

      const stopping = fake.stop(stubborn, 10);
      mock.timers.tick(9_000);
      assert.equal((await fake.inspect(stubborn))?.status, "running");
      mock.timers.tick(1_000);
      await stopping;
      assert.deepEqual(await fake.wait(stubborn), { exitCode: 137, oomKilled: false });
    } finally {
      mock.timers.reset();
    }
  });

  test("ids are deterministic per seed; dynamic host ports are the lowest free from 49153; size counts containers until destroyed", async () => {
    const fake = new FakeDriver({ images: ["app"], seed: "host-1" });
    const again = new FakeDriver({ images: ["app"], seed: "host-1" });
    const first = await fake.create(spec("a", { portBindings: [{ containerPort: 80, protocol: "tcp", hostIp: "0.0.0.0" }] }));
    assert.equal(first, await again.create(spec("a")));
    await fake.start(first);
    const [bound] = (await fake.inspect(first))!.ports;
    assert.deepEqual(bound, { containerPort: 80, hostPort: 49153, protocol: "tcp", hostIp: "0.0.0.0" });
    const second = await fake.create(spec("b", { portBindings: [{ containerPort: 80, protocol: "tcp", hostIp: "127.0.0.1" }] }));
    await fake.start(second);
    assert.equal((await fake.inspect(second))!.ports[0]!.hostPort, 49154);
    assert.equal(fake.size, 2);
    await fake.destroy(first);
    assert.equal(fake.size, 1);
  });
});
