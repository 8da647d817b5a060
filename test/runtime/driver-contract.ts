// The RuntimeDriver contract: what the agent may rely on from any driver, written once and run
// against Docker (docker-contract.test.ts) and the fake (fake-contract.test.ts), so the fake
// cannot drift from Docker. What Docker does here was seen on Docker Engine 20.10.
//
// Containers run only the PROGRAMS below (busybox on Docker); the fake scripts each of them to
// behave as Docker runs it.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { cidrsOverlap } from "../../src/ipv4-cidr.js";
import { isRuntimeError, type ContainerSpec, type RuntimeDriver, type RuntimeEvent } from "../../src/runtime/driver.js";
import { waitFor } from "../support/wait.js";

export const PROGRAMS = {
  exits: (code: number) => ["sh", "-c", `exit ${code}`],
  /** Runs until stopped. As PID 1 with no handler it ignores SIGTERM, so stop() kills it (137) after the timeout. */
  sleeps: ["sleep", "600"],
  /** Exits 0 on SIGTERM. */
  exitsOnSigterm: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.1; done"],
  /** Not in the image: start fails. */
  missingExecutable: ["/no/such/binary"],
  /** Prints "tick" every 0.1 s; exits 0 on SIGTERM. */
  ticks: ["sh", "-c", "trap 'exit 0' TERM; while true; do echo tick; sleep 0.1; done"],
  /** Writes to both streams, one line longer than json-file's 16 KB buffer, then exits 0. */
  prints: ["sh", "-c", "echo one; echo two >&2; printf '%20000s\\n' '' | tr ' ' x; echo four"],
};

export const HEALTH_CHECKS = {
  passes: ["CMD", "true"],
  fails: ["CMD-SHELL", "test -f /nonexistent"],
};

/** An unreachable registry: how Docker answers a pull from it. */
export const UNREACHABLE_REGISTRY_IMAGE = "127.0.0.1:1/nope:latest";

export interface ContractSubject {
  driver: RuntimeDriver;
  /** Present in the driver; runs the PROGRAMS. */
  image: string;
  /** A driver of the same kind whose engine cannot be reached. */
  unreachable: RuntimeDriver;
}

export function driverContract(name: string, subject: () => ContractSubject | Promise<ContractSubject>): void {
  const run = randomBytes(4).toString("hex");
  const LABELS = { "berth.test": "1", "berth.test.run": run };
  const networks = new Set<string>();
  const volumes = new Set<string>();
  let driver: RuntimeDriver;
  let unreachable: RuntimeDriver;
  let image = "";
  let serial = 0;

  const spec = (overrides: Partial<ContainerSpec> = {}): ContainerSpec => ({
    name: `berth-test-${run}-${serial++}`,
    image,
    command: PROGRAMS.sleeps,
    env: {},
    portBindings: [],
    network: { mode: "bridge" },
    mounts: [],
    ...overrides,
    labels: { ...LABELS, ...overrides.labels },
  });
  const started = async (s: ContainerSpec): Promise<string> => {
    const id = await driver.create(s);
    await driver.start(id);
    return id;
  };
  const runToEnd = async (s: ContainerSpec) => {
    const id = await started(s);
    return { id, ...(await driver.wait(id)) };
  };
  /** This run's /24 (its first three octets): a second run at the same time most likely picks another. */
  const subnetBase = `10.213.${16 + (parseInt(run.slice(0, 2), 16) % 200)}`;
  /** The network-listing test's /24, apart from the other tests' (they run concurrently). */
  const listingBase = `10.214.${16 + (parseInt(run.slice(0, 2), 16) % 200)}`;

  describe(`${name}: the RuntimeDriver contract`, { concurrency: true }, () => {
    before(async () => {
      ({ driver, image, unreachable } = await subject());
    });
    after(async () => {
      for (const c of await driver.list(LABELS)) await driver.destroy(c.id);
      for (const network of networks) await driver.removeNetwork(network);
      for (const volume of volumes) await driver.removeVolume(volume);
    });

    test("ping and info describe a Linux engine", async () => {
      await driver.ping();
      const info = await driver.info();
      assert.ok(info.cpus >= 1 && info.memoryMiB > 0);
      assert.equal(info.os, "linux");
      assert.ok(info.serverVersion.length > 0);
    });

    test("an engine that cannot be reached rejects every call as unavailable", async () => {
      for (const call of [
        unreachable.ping(),
        unreachable.inspect("x"),
        unreachable.list(LABELS),
        unreachable.hasImage(image),
        unreachable.create(spec()),
      ]) {
        await expectRuntimeError(call, "unavailable", /^(ping: )?Cannot connect to the Docker daemon/);
      }
    });

    test("images: present with or without the default tag; a missing one is absent", async () => {
      assert.equal(await driver.hasImage(image), true);
      assert.equal(await driver.hasImage(image.replace(/:latest$/, "")), true);
      assert.match((await driver.inspectImage(image))?.id ?? "", /^sha256:/);
      assert.equal(await driver.hasImage(`berth-test/missing-${run}:1`), false);
      assert.equal(await driver.inspectImage(`berth-test/missing-${run}:1`), undefined);
    });

    test("pulling from an unreachable registry fails quickly with the engine's message, leaving no image", async () => {
      const began = Date.now();
      await expectRuntimeError(driver.pullImage(UNREACHABLE_REGISTRY_IMAGE), "failed", /127\.0\.0\.1:1.*connection refused/);
      assert.ok(Date.now() - began < 15_000);
      assert.equal(await driver.hasImage(UNREACHABLE_REGISTRY_IMAGE), false);
    });

    test("create makes a container that has not run: its name, image and labels, no exit code", async () => {
      const s = spec({ labels: { "com.amazonaws.ecs.container-name": "web" } });
      const id = await driver.create(s);
      const state = await driver.inspect(id);
      assert.equal(state?.id, id);
      assert.equal(state?.name, s.name);
      assert.equal(state?.image, image);
      assert.match(state?.imageId ?? "", /^sha256:/);
      assert.equal(state?.status, "created");
      assert.equal(state?.exitCode, undefined);
      assert.equal(state?.startedAt, undefined);
      assert.ok(state?.createdAt);
      assert.deepEqual(state?.labels, s.labels);
      assert.deepEqual(state?.ports, []);
      assert.equal((await driver.inspect(s.name))?.id, id, "found by name too");
      assert.equal(await driver.inspect("0".repeat(64)), undefined);
    });

    test("a name in use is a conflict; a missing image is not-found", async () => {
      const s = spec();
      await driver.create(s);
      await expectRuntimeError(driver.create(s), "conflict", /already in use/);
      await expectRuntimeError(driver.create(spec({ image: `berth-test/missing-${run}:1` })), "not-found", /No such image/);
    });

    test("start, then wait reports the exit code and times; a second wait answers at once", async () => {
      const { id, exitCode, oomKilled } = await runToEnd(spec({ command: PROGRAMS.exits(3) }));
      assert.deepEqual({ exitCode, oomKilled }, { exitCode: 3, oomKilled: false });
      const state = await driver.inspect(id);
      assert.equal(state?.status, "exited");
      assert.equal(state?.exitCode, 3);
      assert.ok(state?.startedAt && state.finishedAt && state.finishedAt >= state.startedAt);
      assert.deepEqual(await driver.wait(id), { exitCode: 3, oomKilled: false });
    });

    test("start of a running container is fine; wait on one never started answers at once", async () => {
      const id = await started(spec());
      await driver.start(id);
      const state = await driver.inspect(id);
      assert.equal(state?.status, "running");
      assert.ok(state?.startedAt);
      assert.equal(state?.exitCode, undefined);
      const idle = await driver.create(spec());
      assert.deepEqual(await driver.wait(idle), { exitCode: 0, oomKilled: false });
      assert.equal((await driver.inspect(idle))?.status, "created");
    });

    test("stop sends SIGTERM, then SIGKILL after the timeout; fine when stopped or gone", async () => {
      const [stubborn, polite, withInit] = await Promise.all([
        started(spec()),
        started(spec({ command: PROGRAMS.exitsOnSigterm })),
        started(spec({ init: true })),
      ]);
      let began = Date.now();
      await driver.stop(polite, 10);
      assert.ok(Date.now() - began < 5_000, "a container that honours SIGTERM stops before the timeout");
      assert.deepEqual(await driver.wait(polite), { exitCode: 0, oomKilled: false });
      // An init as PID 1 passes SIGTERM on, and the process dies of it: 128 + 15.
      await driver.stop(withInit, 10);
      assert.deepEqual(await driver.wait(withInit), { exitCode: 143, oomKilled: false });

      began = Date.now();
      await driver.stop(stubborn, 2);
      const elapsed = Date.now() - began;
      assert.ok(elapsed >= 1_900 && elapsed < 10_000, `killed after the 2 s timeout, not after ${elapsed} ms`);
      assert.deepEqual(await driver.wait(stubborn), { exitCode: 137, oomKilled: false });
      await driver.stop(stubborn, 2);
      await driver.stop("0".repeat(64), 1);
    });

    test("destroy removes a running container (wait then sees it killed), and is fine when it is gone", async () => {
      const id = await started(spec());
      const waiting = driver.wait(id);
      await driver.destroy(id);
      assert.deepEqual(await waiting, { exitCode: 137, oomKilled: false });
      assert.equal(await driver.inspect(id), undefined);
      await driver.destroy(id);
      await expectRuntimeError(driver.wait(id), "not-found", /No such container/i);
      await expectRuntimeError(driver.start(id), "not-found", /No such container/i);
    });

    test("stats: one sample of a running container's usage at once; a missing container has none", async () => {
      const id = await driver.create(spec());
      await driver.start(id);
      const stats = await driver.stats(id);
      assert.ok(stats);
      assert.equal(stats.id, id);
      assert.equal(stats.name, `/${(await driver.inspect(id))!.name}`);
      assert.ok(Date.parse(stats.read) > Date.parse("2000-01-01"), stats.read);
      const memory = stats.memory_stats as { usage?: number; limit?: number };
      assert.ok((memory.usage ?? 0) > 0 && (memory.limit ?? 0) > 0, JSON.stringify(memory));
      assert.ok(stats.cpu_stats && typeof stats.cpu_stats === "object");
      await driver.destroy(id);
      assert.equal(await driver.stats(id), undefined);
    });

    test("list finds containers by label in every state", async () => {
      const group = { "berth.test.group": `g-${run}` };
      const running = await started(spec({ labels: { ...group, "com.amazonaws.ecs.container-name": "web" } }));
      const { id: exited } = await runToEnd(spec({ command: PROGRAMS.exits(0), labels: group }));
      const created = await driver.create(spec({ labels: group }));
      await driver.create(spec({ labels: { "berth.test.group": "other" } }));

      const byId = new Map((await driver.list({ ...LABELS, ...group })).map((s) => [s.id, s]));
      assert.deepEqual([...byId.keys()].sort(), [running, exited, created].sort());
      assert.equal(byId.get(running)?.status, "running");
      assert.equal(byId.get(running)?.labels["com.amazonaws.ecs.container-name"], "web");
      assert.equal(byId.get(exited)?.status, "exited");
      assert.equal(byId.get(exited)?.exitCode, 0);
      assert.equal(byId.get(created)?.status, "created");
    });

    test("a start that fails leaves the container created, with the engine's error and an exit code", async () => {
      const missing = await driver.create(spec({ command: PROGRAMS.missingExecutable }));
      await expectRuntimeError(driver.start(missing), "invalid", /\/no\/such\/binary.*no such file or directory/);
      const state = await driver.inspect(missing);
      assert.equal(state?.status, "created");
      assert.equal(state?.exitCode, 127);
      assert.match(state?.error ?? "", /no such file or directory/);
      assert.deepEqual(await driver.wait(missing), { exitCode: 127, oomKilled: false });

      // A missing network or namespace owner is found out at start, not at create.
      const network = `berth-test-${run}-absent`;
      for (const [attachment, message] of [
        [{ mode: "network", name: network }, new RegExp(`network ${network} not found`)],
        [{ mode: "container", containerId: "0".repeat(64) }, /No such container/],
      ] as const) {
        const id = await driver.create(spec({ network: attachment }));
        await expectRuntimeError(driver.start(id), "not-found", message);
        const failed = await driver.inspect(id);
        assert.deepEqual([failed?.status, failed?.exitCode], ["created", 128]);
        assert.match(failed?.error ?? "", message);
      }
    });

    test("ports are published on the asked address, a free host port when none is given, and released on stop", async () => {
      const id = await started(
        spec({
          portBindings: [
            { containerPort: 8080, protocol: "tcp", hostIp: "127.0.0.1" },
            { containerPort: 53, protocol: "udp", hostIp: "127.0.0.1" },
          ],
        }),
      );
      const ports = (await driver.inspect(id))!.ports.sort((a, b) => a.containerPort - b.containerPort);
      assert.deepEqual(
        ports.map((p) => ({ containerPort: p.containerPort, protocol: p.protocol, hostIp: p.hostIp })),
        [
          { containerPort: 53, protocol: "udp", hostIp: "127.0.0.1" },
          { containerPort: 8080, protocol: "tcp", hostIp: "127.0.0.1" },
        ],
      );
      assert.ok(
        ports.every((p) => p.hostPort > 0),
        JSON.stringify(ports),
      );
      await driver.stop(id, 0);
      assert.deepEqual((await driver.inspect(id))?.ports, [], "ports are released when the container stops");
      // Host networking publishes nothing of its own.
      const host = await started(
        spec({ network: { mode: "host" }, portBindings: [{ containerPort: 8080, protocol: "tcp", hostIp: "127.0.0.1" }] }),
      );
      assert.deepEqual((await driver.inspect(host))?.ports, []);
    });

    test("a taken host port is a conflict (0.0.0.0 takes it on every address); the port is free again once its holder is gone", async () => {
      const holder = await started(spec({ portBindings: [{ containerPort: 80, protocol: "tcp", hostIp: "0.0.0.0" }] }));
      const hostPort = (await driver.inspect(holder))!.ports[0]!.hostPort;
      const second = await driver.create(spec({ portBindings: [{ containerPort: 80, hostPort, protocol: "tcp", hostIp: "127.0.0.1" }] }));
      await expectRuntimeError(driver.start(second), "conflict", /already allocated|address already in use/);
      const failed = await driver.inspect(second);
      assert.deepEqual([failed?.status, failed?.exitCode, failed?.ports], ["created", 128, []]);
      assert.match(failed?.error ?? "", /already allocated|address already in use/);
      await driver.destroy(holder);
      await driver.start(second);
      assert.equal((await driver.inspect(second))?.ports[0]?.hostPort, hostPort);
    });

    test("a container's networks: named from create, addressed while running, blank once stopped", async () => {
      const byMode = async (network: ContainerSpec["network"]) => (await driver.inspect(await driver.create(spec({ network }))))?.networks;
      assert.deepEqual(await byMode({ mode: "bridge" }), { bridge: { ipv4Address: "" } });
      assert.deepEqual(await byMode({ mode: "host" }), { host: { ipv4Address: "" } });
      assert.deepEqual(await byMode({ mode: "none" }), { none: { ipv4Address: "" } });
      const owner = await started(spec());
      assert.match((await driver.inspect(owner))!.networks.bridge!.ipv4Address, /^\d+\.\d+\.\d+\.\d+$/);
      const joiner = await started(spec({ network: { mode: "container", containerId: owner } }));
      assert.deepEqual((await driver.inspect(joiner))?.networks, {}, "a joined namespace is the owner's");
      await driver.stop(owner, 0);
      assert.deepEqual((await driver.inspect(owner))?.networks, { bridge: { ipv4Address: "" } });
    });

    test("user-defined networks: idempotent on the name, fixed or assigned addresses, busy while a container runs on it", async () => {
      const fixed = `berth-test-${run}-fixed`;
      networks.add(fixed);
      const network = await driver.createNetwork(fixed, { subnet: `${subnetBase}.0/24`, labels: LABELS });
      assert.deepEqual({ subnet: network.subnet, gateway: network.gateway }, { subnet: `${subnetBase}.0/24`, gateway: `${subnetBase}.1` });
      assert.deepEqual(
        await driver.createNetwork(fixed, { subnet: `${subnetBase}.0/24`, labels: LABELS }),
        network,
        "idempotent on the name",
      );
      const server = await started(
        spec({ network: { mode: "network", name: fixed, ipv4Address: `${subnetBase}.10`, aliases: ["alpha"] } }),
      );
      assert.deepEqual((await driver.inspect(server))?.networks, { [fixed]: { ipv4Address: `${subnetBase}.10` } });
      const other = await started(spec({ network: { mode: "network", name: fixed } }));
      const assigned = (await driver.inspect(other))!.networks[fixed]!.ipv4Address;
      assert.ok(assigned.startsWith(`${subnetBase}.`) && assigned !== `${subnetBase}.10`, assigned);

      await expectRuntimeError(driver.removeNetwork(fixed), "conflict", /active endpoints/);
      await driver.stop(server, 0);
      await driver.destroy(other);
      assert.deepEqual((await driver.inspect(server))?.networks, { [fixed]: { ipv4Address: "" } });
      await driver.removeNetwork(fixed);
      await driver.removeNetwork(fixed);

      // Without a subnet the engine picks one, and addresses come from it.
      const picked = `berth-test-${run}-picked`;
      networks.add(picked);
      const chosen = await driver.createNetwork(picked, { labels: LABELS });
      assert.match(chosen.subnet, /^\d+\.\d+\.\d+\.\d+\/\d+$/);
      assert.ok(inSubnet(chosen.gateway, chosen.subnet), JSON.stringify(chosen));
      const others = (await driver.listNetworks()).filter((n) => n.name !== picked);
      assert.ok(
        !others.some((n) => n.ipv4Subnets.some((pool) => cidrsOverlap(pool, chosen.subnet))),
        `${chosen.subnet}: a pool of its own`,
      );
      const member = await started(spec({ network: { mode: "network", name: picked } }));
      const address = (await driver.inspect(member))!.networks[picked]!.ipv4Address;
      assert.ok(inSubnet(address, chosen.subnet), `${address} in ${chosen.subnet}`);
    });

    test("networks are listed with pools, labels and the containers that join them in any state; pools must not overlap", async () => {
      const name = `berth-test-${run}-pools`;
      const pool = `${listingBase}.0/24`;
      networks.add(name).add(`${name}-b`);
      const network = await driver.createNetwork(name, { subnet: pool, labels: LABELS });
      await expectRuntimeError(
        driver.createNetwork(`${name}-b`, { subnet: `${listingBase}.128/25`, labels: LABELS }),
        "conflict",
        /^Pool overlaps with other one on this address space$/,
      );
      assert.deepEqual(
        await driver.createNetwork(name, { subnet: "10.216.250.0/24", labels: {} }),
        network,
        "a name in use is that network, whatever its pool",
      );
      const created = await driver.create(spec({ network: { mode: "network", name } }));
      const running = await started(spec({ network: { mode: "network", name } }));
      const joiner = await driver.create(spec({ network: { mode: "container", containerId: running } }));
      const listed = await driver.listNetworks();
      assert.deepEqual(
        listed.find((n) => n.name === name),
        { id: network.id, name, ipv4Subnets: [pool], labels: LABELS, containers: [created, running].sort() },
      );
      assert.deepEqual(
        listed.map((n) => n.name),
        listed.map((n) => n.name).sort(),
        "by name",
      );
      assert.equal(listed.find((n) => n.name === "bridge")!.ipv4Subnets.length, 1);
      assert.deepEqual(listed.find((n) => n.name === "host")!.ipv4Subnets, []);
      assert.ok(!listed.some((n) => n.containers.includes(joiner)), "a shared namespace joins no network");
      await expectRuntimeError(driver.removeNetwork("bridge"), "conflict", /bridge is a pre-defined network and cannot be removed/);

      // Only a running container keeps the network from being removed.
      await expectRuntimeError(driver.removeNetwork(name), "conflict", /active endpoints/);
      await driver.destroy(joiner);
      await driver.destroy(running);
      await driver.removeNetwork(name);
      assert.equal(
        (await driver.listNetworks()).find((n) => n.name === name),
        undefined,
      );
      await driver.destroy(created);
    });

    test("a network's Linux bridge can be named: listed with it, and one bridge serves one network", async () => {
      const name = `berth-test-${run}-bridge`;
      const bridgeName = `bt-${run}`;
      networks.add(name).add(`${name}-b`);
      await driver.createNetwork(name, { labels: LABELS, bridgeName });
      assert.equal((await driver.listNetworks()).find((n) => n.name === name)?.bridgeName, bridgeName);
      await expectRuntimeError(driver.createNetwork(`${name}-b`, { labels: LABELS, bridgeName }), "conflict", /./);
      assert.equal(
        (await driver.listNetworks()).find((n) => n.name === `${name}-b`),
        undefined,
      );
      await driver.removeNetwork(name);
    });

    test("named volumes: idempotent create; in use while any container mounts one, even one it created; removable after", async () => {
      const made = `berth-test-${run}-made`;
      const implied = `berth-test-${run}-implied`;
      volumes.add(made).add(implied);
      await driver.createVolume(made, { labels: LABELS });
      await driver.createVolume(made, { labels: LABELS });
      const user = await driver.create(spec({ mounts: [{ type: "volume", source: made, target: "/data" }] }));
      // A mount of a volume that does not exist creates it.
      const creator = await driver.create(spec({ mounts: [{ type: "volume", source: implied, target: "/data", readOnly: true }] }));
      await expectRuntimeError(driver.removeVolume(made), "conflict", /in use/);
      await expectRuntimeError(driver.removeVolume(implied), "conflict", /in use/);
      await driver.destroy(user);
      await driver.destroy(creator);
      await driver.removeVolume(made);
      await driver.removeVolume(implied);
      await driver.removeVolume(made);
    });

    test("events: start, and die with the exit code, carrying the container's name, image and labels", async () => {
      const events: RuntimeEvent[] = [];
      const subscription = driver.events((e) => events.push(e));
      await subscription.ready;
      try {
        const { id } = await runToEnd(spec({ command: PROGRAMS.exits(7) }));
        const die = await waitFor(() => events.find((e) => e.id === id && e.action === "die"), { message: "a die event" });
        assert.equal(die.exitCode, 7);
        assert.equal(die.attributes["berth.test.run"], run);
        assert.equal(die.attributes.name, (await driver.inspect(id))?.name);
        assert.equal(die.attributes.image, image);
        assert.ok(events.some((e) => e.id === id && e.action === "start"));
        const destroyed = await started(spec());
        await driver.destroy(destroyed);
        const killed = await waitFor(() => events.find((e) => e.id === destroyed && e.action === "die"), {
          message: "the destroyed container's die event",
        });
        assert.equal(killed.exitCode, 137);
      } finally {
        subscription.close();
      }
    });

    test("logs: the lines of both streams in order, stamped, a long line whole; since keeps the later ones", async () => {
      const { id } = await runToEnd(spec({ command: PROGRAMS.prints }));
      const read = async (opts: { sinceNs?: bigint; follow: boolean }) => {
        const lines = [];
        for await (const line of driver.logs(id, opts)) lines.push(line);
        return lines;
      };
      const lines = await read({ follow: false });
      const shown = (l: { stream: string; text: string }) => `${l.stream} ${l.text.length > 100 ? `x×${l.text.length}` : l.text}`;
      // Each stream's lines keep their order; between the two streams only the time orders them.
      assert.deepEqual(lines.filter((l) => l.stream === "stdout").map(shown), ["stdout one", "stdout x×20000", "stdout four"]);
      assert.deepEqual(lines.filter((l) => l.stream === "stderr").map(shown), ["stderr two"]);
      assert.equal(lines.find((l) => l.text.length > 100)!.text, "x".repeat(20_000));
      for (let i = 1; i < lines.length; i++) assert.ok(lines[i]!.timeNs >= lines[i - 1]!.timeNs, "in time order");
      const now = BigInt(Date.now()) * 1_000_000n;
      assert.ok(lines[0]!.timeNs > now - 120_000_000_000n && lines[0]!.timeNs <= now, "stamped with the time written");
      // A stopped container's log ends even when followed.
      const long = lines.findIndex((l) => l.text.length > 100);
      assert.deepEqual((await read({ sinceNs: lines[long]!.timeNs, follow: true })).map(shown), lines.slice(long).map(shown));
      await expectRuntimeError(
        read({ follow: false })
          .then(() => driver.destroy(id))
          .then(() => read({ follow: false })),
        "not-found",
        /No such container/i,
      );
    });

    test("logs followed: new lines come as the container writes them, and the stream ends when it stops", async () => {
      const id = await started(spec({ command: PROGRAMS.ticks }));
      const seen: string[] = [];
      const following = (async () => {
        for await (const line of driver.logs(id, { follow: true })) seen.push(line.text);
      })();
      await waitFor(() => seen.length >= 3, { message: "three ticks followed" });
      await driver.stop(id, 5);
      await following;
      assert.ok(seen.every((t) => t === "tick"));
    });

    test("health checks turn HEALTHY and UNHEALTHY, with events; no check, no health", async () => {
      const events: RuntimeEvent[] = [];
      const subscription = driver.events((e) => events.push(e));
      await subscription.ready;
      try {
        const check = { intervalSeconds: 0.3, timeoutSeconds: 2, retries: 2 };
        const healthy = await driver.create(spec({ healthCheck: { command: HEALTH_CHECKS.passes, ...check } }));
        const sick = await driver.create(spec({ healthCheck: { command: HEALTH_CHECKS.fails, ...check } }));
        const plain = await driver.create(spec());
        assert.equal((await driver.inspect(healthy))?.health, undefined, "not started, no health yet");
        await Promise.all([driver.start(healthy), driver.start(sick), driver.start(plain)]);
        const healthOf = async (id: string) => (await driver.inspect(id))?.health;
        await waitFor(() => healthOf(healthy), { until: (h) => h === "HEALTHY", message: "HEALTHY", timeoutMs: 20_000 });
        await waitFor(() => healthOf(sick), { until: (h) => h === "UNHEALTHY", message: "UNHEALTHY", timeoutMs: 20_000 });
        assert.equal(await healthOf(plain), undefined, "no health check, no health");
        await waitFor(
          () =>
            events.some((e) => e.id === healthy && e.health === "HEALTHY") && events.some((e) => e.id === sick && e.health === "UNHEALTHY"),
          {
            message: "health events",
          },
        );
        const event = events.find((e) => e.id === healthy && e.action === "health_status");
        assert.equal(event?.attributes["berth.test.run"], run);
      } finally {
        subscription.close();
      }
    });
  });
}

export async function expectRuntimeError(promise: Promise<unknown>, kind: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isRuntimeError(err), `not a RuntimeError: ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    assert.match(err.message, message);
    return true;
  });
}

function inSubnet(address: string, cidr: string): boolean {
  const [base = "", bits] = cidr.split("/");
  const toNumber = (ip: string) => ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toNumber(address) / size) === Math.floor(toNumber(base) / size);
}
