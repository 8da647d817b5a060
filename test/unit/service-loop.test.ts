// The service loop on a port that records what it is asked: which services it reads, under
// which lock, and which plans it applies. No state, no agents: the port is the loop's world.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Scope } from "../../src/domain/scope.js";
import { ServiceScheduler } from "../../src/scheduler/service-loop.js";
import type { AppliedPlan, ServicePort, ServiceSnapshot } from "../../src/scheduler/service-port.js";
import { emptyMemory, type Plan } from "../../src/scheduler/service/index.js";
import { deployment, service } from "../support/service-world.js";
import type { Logger } from "../../src/log/logger.js";
import { memoryLog } from "../support/log.js";

const SCOPE: Scope = { accountId: "123456789012", region: "us-east-1" };

class RecordingPort implements ServicePort {
  readonly reads: string[] = [];
  readonly applied: { id: string; plan: Plan; sameNow: boolean }[] = [];
  /** Whether each read and apply ran inside `exclusive`. */
  readonly locked: boolean[] = [];
  private inside = 0;
  private readonly readAt = new Map<string, Date>();

  constructor(
    private readonly ids: string[],
    /** The snapshot each service shows on its first read; later reads find nothing to do. */
    private readonly first: (id: string) => ServiceSnapshot | undefined,
    private readonly result: AppliedPlan = { started: 0, unplaced: [] },
  ) {}

  async scopes(): Promise<Scope[]> {
    return [SCOPE];
  }
  async serviceIds(): Promise<Iterable<string>> {
    return this.ids;
  }
  async exclusive<T>(_scope: Scope, section: () => Promise<T>): Promise<T> {
    this.inside++;
    try {
      return await section();
    } finally {
      this.inside--;
    }
  }
  async read(_scope: Scope, id: string, now: Date): Promise<ServiceSnapshot | undefined> {
    this.locked.push(this.inside === 1);
    const firstRead = !this.reads.includes(id);
    this.reads.push(id);
    this.readAt.set(id, now);
    return firstRead ? this.first(id) : undefined;
  }
  async apply(_scope: Scope, id: string, plan: Plan, now: Date): Promise<AppliedPlan> {
    this.locked.push(this.inside === 1);
    this.applied.push({ id, plan, sameNow: this.readAt.get(id) === now });
    return this.result;
  }
}

const snapshot = (desiredCount: number): ServiceSnapshot => ({
  service: service({ desiredCount }),
  deployments: [deployment({ desiredCount })],
  tasks: [],
  instances: [],
  memory: emptyMemory(),
  unplaced: [],
});

async function until(what: string, done: () => boolean): Promise<void> {
  for (const end = Date.now() + 5_000; !done(); await new Promise((r) => setTimeout(r, 5))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

/** A logger that fails the test on any line: these runs must not log. */
const failOnLog: Logger = { debug: fail, info: fail, warn: fail, error: fail, child: () => failOnLog };
function fail(message: string): never {
  assert.fail(message);
}

describe("service loop", () => {
  test("a poked service is read and its plan applied, both under the scope's lock, at one time", async () => {
    const port = new RecordingPort(["web/api"], () => snapshot(2), { started: 2, unplaced: [] });
    const loop = new ServiceScheduler(port, failOnLog);
    try {
      loop.poke(SCOPE, "web/api");
      await until("the plan applied", () => port.applied.length === 1);
      const { id, plan, sameNow } = port.applied[0]!;
      assert.equal(id, "web/api");
      assert.deepEqual(
        plan.start.map((s) => s.count),
        [2],
      );
      assert.ok(sameNow, "apply gets the time the snapshot was read at");
      assert.ok(port.locked.every(Boolean), "read and apply inside exclusive()");
      // Tasks were started: the service is looked at again to follow them.
      await until("a second look", () => port.reads.length === 2);
    } finally {
      loop.stop();
    }
  });

  test("pokeCluster pokes the cluster's services and no other's", async () => {
    const port = new RecordingPort(["web/a", "webx/b", "web/c", "db/d"], () => undefined);
    const loop = new ServiceScheduler(port, failOnLog);
    try {
      await loop.pokeCluster(SCOPE, "web");
      await until("both read", () => port.reads.length === 2);
      await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual([...port.reads].sort(), ["web/a", "web/c"]);
    } finally {
      loop.stop();
    }
  });

  test("a service that fails is logged; the others still run", async () => {
    const { log, lines: logged } = memoryLog();
    const port = new RecordingPort(["web/bad", "web/good"], (id) => {
      if (id === "web/bad") throw new Error("no such luck");
      return snapshot(1);
    });
    const loop = new ServiceScheduler(port, log);
    try {
      loop.poke(SCOPE, "web/bad");
      loop.poke(SCOPE, "web/good");
      await until("the good one applied", () => port.applied.length === 1);
      assert.equal(port.applied[0]!.id, "web/good");
      await until("the failure logged", () => logged.length === 1);
      assert.equal(logged[0]!.service, "web/bad");
      assert.match(JSON.stringify(logged[0]!.err), /no such luck/);
    } finally {
      loop.stop();
    }
  });
});
