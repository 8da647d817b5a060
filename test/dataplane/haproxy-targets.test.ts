// The HAProxy engine's targets against a real HAProxy: health checks with ELB's states and
// reasons, no traffic to a target before it is healthy, fail open (to unhealthy targets, never
// to initial ones), drain, a hitless reload
// under load, and a restarted control plane adopting the running proxy.
import { badStatuses, steadyLoad, type LoadResult } from "../support/load.js";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { DataPlaneConfig, PlaneTarget, PlaneRule } from "../../src/domain/elbv2/data-plane.js";
import { healthKey, type ObservedHealth } from "../../src/domain/elbv2/target-health.js";
import { HaproxyEngine } from "../../src/dataplane/haproxy/engine.js";
import { haproxyCommand } from "../../src/dataplane/haproxy/socket.js";
import { silentLog } from "../support/log.js";
import { waitFor } from "../support/wait.js";
import { addressBlock, get, httpLoadBalancer, httpTarget, planeTarget, targetGroup, tempDir, type HttpTarget } from "./support.js";

/** One HTTP load balancer on `lbAddress`:8000 forwarding to group "g" after `extraRules`. */
function oneGroup(lbAddress: string, source: string, targets: PlaneTarget[], extraRules: PlaneRule[] = []): DataPlaneConfig {
  return {
    loadBalancers: [
      httpLoadBalancer("lb", lbAddress, source, [
        {
          id: "l",
          port: 8000,
          protocol: "HTTP",
          rules: [
            ...extraRules,
            { priority: "default", conditions: [], action: { type: "forward", targetGroups: [{ id: "g", weight: 1 }] } },
          ],
        },
      ]),
    ],
    targetGroups: [targetGroup("g", targets)],
  };
}

/** Rule changes the hitless-reload test makes (the adoption test after it starts from their end). */
const RELOADS = 10;

const statusOf = (engine: HaproxyEngine, key: string): ObservedHealth | undefined => engine.observations().get(key);

describe("HAProxy engine: health checks", () => {
  const at = addressBlock();
  const engine = new HaproxyEngine({ dir: tempDir("health"), log: silentLog, pollMs: 100 });
  const targets: HttpTarget[] = [];
  after(async () => {
    await engine.stop();
    for (const t of targets) await t.close();
  });

  test("initial (no traffic) → unhealthy by code (served fail-open) → healthy → unhealthy by timeout, refusal → healthy", async () => {
    let t = await httpTarget(at(10));
    targets.push(t);
    t.health = 503;
    const key = healthKey("g", at(10), 8080);
    // Registered into a running proxy, as ECS registers tasks (HAProxy marks a server of its
    // starting configuration down after a single failed check).
    await engine.apply(oneGroup(at(1), at(2), []));
    await engine.apply(oneGroup(at(1), at(2), [planeTarget(at(10))]));
    assert.equal(statusOf(engine, key)?.status, "initial");
    assert.equal((await get(`http://${at(1)}:8000/first`)).status, 503, "ELB sends nothing to a target still initial");
    assert.equal(t.requests.length, 0);
    const wrong = await waitFor(() => statusOf(engine, key), { until: (o) => o?.status === "unhealthy", message: "unhealthy" });
    assert.deepEqual(wrong!.failure, { kind: "response-code", code: 503 });
    await waitFor(async () => (await get(`http://${at(1)}:8000/open`)).status === 200, {
      message: "fail open: no target is healthy, the unhealthy one serves",
    });

    t.health = 200;
    await waitFor(() => statusOf(engine, key)?.status === "healthy", { message: "healthy" });

    t.health = "hang";
    await waitFor(() => statusOf(engine, key)?.failure?.kind === "timeout", { message: "timeout" });
    await t.close();
    await waitFor(() => statusOf(engine, key)?.failure?.kind === "connection", { message: "refused" });

    t = await httpTarget(at(10));
    targets.push(t);
    await waitFor(() => statusOf(engine, key)?.status === "healthy", { message: "healthy again" });
  });

  test("a new target gets no request before it passes its checks, then its share", async () => {
    const second = await httpTarget(at(11));
    targets.push(second);
    const key = healthKey("g", at(11), 8080);
    await engine.apply(oneGroup(at(1), at(2), [planeTarget(at(10)), planeTarget(at(11))]));
    while (statusOf(engine, key)?.status !== "healthy") {
      assert.equal(second.requests.length, 0, "no request while initial");
      assert.equal((await get(`http://${at(1)}:8000/x`)).status, 200);
      await sleep(20);
    }
    await waitFor(async () => (await get(`http://${at(1)}:8000/y`)) && second.requests.length > 0, {
      message: "traffic to the new target",
    });
  });
});

describe("HAProxy engine: drain", () => {
  const at = addressBlock();
  const dir = tempDir("drain");
  const engine = new HaproxyEngine({ dir, log: silentLog, pollMs: 100 });
  const targets: HttpTarget[] = [];
  after(async () => {
    await engine.stop();
    for (const t of targets) await t.close();
  });

  test("a draining target finishes its requests, takes no new ones, and is removed", async () => {
    const [a, b] = [await httpTarget(at(10), 8080, "a"), await httpTarget(at(11), 8080, "b")];
    targets.push(a, b);
    const both = [planeTarget(at(10)), planeTarget(at(11))];
    await engine.apply(oneGroup(at(1), at(2), both));
    await waitFor(() => [...engine.observations().values()].every((o) => o.status === "healthy") && engine.observations().size === 2);
    a.delayMs = b.delayMs = 800;
    const inFlight = Promise.all(Array.from({ length: 4 }, (_, i) => get(`http://${at(1)}:8000/slow${i}`)));
    await waitFor(() => a.requests.length > 0, { intervalMs: 10 });
    await engine.apply(oneGroup(at(1), at(2), [{ ...both[0]!, drainUntil: Date.now() + 5_000 }, both[1]!]));
    a.delayMs = b.delayMs = 0;
    const seen = a.requests.length;
    for (let i = 0; i < 10; i++) assert.equal((await get(`http://${at(1)}:8000/after${i}`)).body, `b /after${i}`);
    assert.ok(
      (await inFlight).every((answer) => answer.status === 200),
      "in-flight requests complete",
    );
    assert.equal(a.requests.length, seen, "no new request to the draining target");
    await engine.apply(oneGroup(at(1), at(2), [both[1]!]));
    const state = await haproxyCommand(join(dir, "admin.sock"), "show servers state");
    assert.doesNotMatch(state, new RegExp(at(10).replace(/\./g, "\\.")));
    assert.doesNotMatch(readFileSync(join(dir, "haproxy.cfg"), "utf8"), new RegExp(`${at(10).replace(/\./g, "\\.")}:`));
  });
});

describe("HAProxy engine: reloads and restarts", () => {
  const at = addressBlock();
  const dir = tempDir("reload");
  let engine = new HaproxyEngine({ dir, log: silentLog, pollMs: 100 });
  const targets: HttpTarget[] = [];
  after(async () => {
    await engine.stop();
    for (const t of targets) await t.close();
  });

  const fixed = (n: number): PlaneRule => ({
    priority: n,
    conditions: [{ Field: "path-pattern", Values: [`/fixed${n}`] }],
    action: { type: "fixed-response", statusCode: 200, body: `fixed ${n}` },
  });

  test("rules change by hitless reloads under a steady load: no request fails", async () => {
    targets.push(await httpTarget(at(10)));
    await engine.apply(oneGroup(at(1), at(2), [planeTarget(at(10))]));
    await waitFor(() => engine.observations().get(healthKey("g", at(10), 8080))?.status === "healthy");
    const load = steadyLoad(`http://${at(1)}:8000/load`, { clients: 8, pauseMs: 1 });
    const rules: PlaneRule[] = [];
    // Keep-alive clients: a reload must not close an idle connection under a request being sent.
    for (let n = 1; n <= RELOADS; n++) {
      rules.push(fixed(n));
      await engine.apply(oneGroup(at(1), at(2), [planeTarget(at(10))], rules));
      await sleep(200);
    }
    const result = await load.stop();
    assertNothingDropped(result);
    assert.equal((await get(`http://${at(1)}:8000/fixed${RELOADS}`)).body, `fixed ${RELOADS}`);
    assert.equal(engine.observations().get(healthKey("g", at(10), 8080))?.status, "healthy", "health survives reloads");
  });

  test("a restarted control plane adopts the running proxy: no gap, no reload, the difference applied", async () => {
    const master = (await haproxyCommand(join(dir, "master.sock"), "show proc")).split("\n").find((l) => /worker/.test(l) && /^\d/.test(l));
    await engine.close(); // berth goes away; HAProxy keeps serving
    const load = steadyLoad(`http://${at(1)}:8000/load`);
    await sleep(200);
    targets.push(await httpTarget(at(11)));
    engine = new HaproxyEngine({ dir, log: silentLog, pollMs: 100 });
    // The rules the reloads left: the same configuration, so no reload.
    const rules = Array.from({ length: RELOADS }, (_, i) => fixed(i + 1));
    await engine.apply(oneGroup(at(1), at(2), [planeTarget(at(10)), planeTarget(at(11))], rules));
    await waitFor(() => engine.observations().get(healthKey("g", at(11), 8080))?.status === "healthy");
    const result = await load.stop();
    assertNothingDropped(result);
    const now = (await haproxyCommand(join(dir, "master.sock"), "show proc")).split("\n").find((l) => /worker/.test(l) && /^\d/.test(l));
    assert.equal(now?.split(/\s+/)[0], master?.split(/\s+/)[0], "the same worker serves: no reload");
    assert.equal(engine.observations().get(healthKey("g", at(10), 8080))?.status, "healthy");
  });
});

describe("HAProxy engine: stickiness", () => {
  const at = addressBlock();
  const engine = new HaproxyEngine({ dir: tempDir("sticky"), log: silentLog, pollMs: 100 });
  const targets: HttpTarget[] = [];
  after(async () => {
    await engine.stop();
    for (const t of targets) await t.close();
  });

  test("an lb_cookie sticky group keeps a client on its target, and takes new targets (by reload)", async () => {
    targets.push(await httpTarget(at(10), 8080, "a"), await httpTarget(at(11), 8080, "b"));
    const sticky = (ts: PlaneTarget[]): DataPlaneConfig => {
      const base = oneGroup(at(1), at(2), ts);
      return { ...base, targetGroups: [{ ...base.targetGroups[0]!, stickiness: { type: "lb_cookie", durationSeconds: 60 } }] };
    };
    await engine.apply(sticky([planeTarget(at(10))]));
    await engine.apply(sticky([planeTarget(at(10)), planeTarget(at(11))]));
    await waitFor(() => [...engine.observations().values()].filter((o) => o.status === "healthy").length === 2, {
      message: "both healthy",
    });
    const first = await get(`http://${at(1)}:8000/s`);
    const cookie = String(first.headers["set-cookie"]?.[0] ?? "").split(";")[0]!;
    assert.match(cookie, /^AWSALB=/);
    for (let i = 0; i < 6; i++) assert.equal((await get(`http://${at(1)}:8000/s`, { cookie })).body, first.body);
  });
});

/** Every request of the load was answered, and with 200. */
function assertNothingDropped(result: LoadResult): void {
  assert.deepEqual(result.failures, []);
  assert.deepEqual(badStatuses(result), []);
  assert.ok(result.requests > 50, `${result.requests} requests`);
}
