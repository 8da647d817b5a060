// The service scheduler's outer loop: the one place where services act on the world. For a
// service it reads a snapshot through its port, asks the pure reconciler for a plan, and has
// the port apply it — placing and starting tasks, stopping tasks, writing deployments,
// events and memory. What is due when (pokes, pacing, services at rest) is decided here.
import { randomBytes } from "node:crypto";
import { newPauseHookId } from "../domain/lifecycle-hooks.js";
import { scopeKey, type Scope } from "../domain/scope.js";
import { newDeploymentId, reconcile } from "./service/index.js";
import type { ServicePort } from "./service-port.js";
import type { Logger } from "../log/logger.js";

const SWEEP_MS = 2_000;
/**
 * After a service is reconciled it waits PACE times as long as observing it took (reading
 * its tasks and instances and planning; applying a plan is work done once) before the next
 * run. Agents report task changes one by one, each poking the service; pacing gathers them
 * into one run and keeps the loop to about a fifth of the CPU however large the service.
 */
const PACE = 4;
/**
 * A service at rest (all its tasks running, nothing to start, stop or roll out) is swept
 * only this often: thousands of idle services must not cost the loop every two seconds.
 * What can disturb it — a task report, an API call, an instance change, a lost host — pokes
 * it at once; the sweep is only the safety net.
 */
const RESTING_SWEEP_MS = 30_000;
/**
 * At most this many services at rest are looked at per second by the sweep: with 12,000
 * idle services, looking at each every 30 s kept a core busy doing nothing (bench/RESULTS.md). Beyond
 * 3,000 services at rest the safety net's interval grows instead (12,000: every 2 minutes).
 */
const RESTING_SWEEPS_PER_SECOND = 100;
/**
 * When a service at rest is looked at again, spread ±25% so services that came to rest
 * together (thousands created in one go) are not all looked at again in the same second.
 */
function nextRestingSweep(now: number, resting: number): number {
  const interval = Math.max(RESTING_SWEEP_MS, (resting / RESTING_SWEEPS_PER_SECOND) * 1000);
  return now + interval * (0.75 + Math.random() / 2);
}

interface Pending {
  scope: Scope;
  id: string;
}

export class ServiceScheduler {
  private readonly dirty = new Map<string, Pending>();
  /** Per service: not to be reconciled again before this time (epoch ms). */
  private readonly notBefore = new Map<string, number>();
  /** Per service at rest: the sweep leaves it alone until this time (epoch ms). */
  private readonly restingUntil = new Map<string, number>();
  private running = false;
  private timer?: NodeJS.Timeout;
  private wakeTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly port: ServicePort,
    private readonly log: Logger,
  ) {}

  /** Looks at every service now and then every few seconds: tasks stop and agents vanish unannounced. */
  start(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
    void this.sweep();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.wakeTimer);
  }

  /** Something about this service changed: reconcile it soon. */
  poke(scope: Scope, id: string): void {
    const key = scopeKey(scope, id);
    this.restingUntil.delete(key);
    this.dirty.set(key, { scope, id });
    setImmediate(() => void this.drain());
  }

  /** The cluster's instances changed (joined, drained, left, relabelled): every service may care. */
  async pokeCluster(scope: Scope, cluster: string): Promise<void> {
    // A service's id starts with its cluster's name, which cannot hold "/".
    const prefix = `${cluster}/`;
    for (const id of await this.port.serviceIds(scope)) if (id.startsWith(prefix)) this.poke(scope, id);
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const [key, at] of this.notBefore) if (at <= now) this.notBefore.delete(key);
    for (const [key, at] of this.restingUntil) if (at <= now) this.restingUntil.delete(key);
    // From the in-memory ids, not the documents: thousands of services at rest cost the
    // sweep a set walk, not a read and decode of every service every two seconds.
    for (const scope of await this.port.scopes()) {
      for (const id of await this.port.serviceIds(scope)) {
        const key = scopeKey(scope, id);
        if (!this.restingUntil.has(key)) this.dirty.set(key, { scope, id });
      }
    }
    await this.drain();
  }

  private async drain(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      for (let next = this.nextReady(); next && !this.stopped; next = this.nextReady()) {
        const [key, item] = next;
        this.dirty.delete(key);
        let outcome = { observeMs: 0, resting: false };
        try {
          outcome = await this.port.exclusive(item.scope, () => this.reconcileOne(item.scope, item.id));
        } catch (err) {
          this.log.error("service reconciliation failed", { service: item.id, err });
        }
        this.notBefore.set(key, Date.now() + PACE * outcome.observeMs);
        if (outcome.resting && !this.dirty.has(key)) this.restingUntil.set(key, nextRestingSweep(Date.now(), this.restingUntil.size));
        // The store answers synchronously, so without this a busy loop would keep requests out.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.running = false;
    }
  }

  /** The first dirty service whose pause is over; if all are paused, a wake-up for the first. */
  private nextReady(): [string, Pending] | undefined {
    const now = Date.now();
    let wait = Infinity;
    for (const entry of this.dirty) {
      const at = this.notBefore.get(entry[0]) ?? 0;
      if (at <= now) return entry;
      wait = Math.min(wait, at - now);
    }
    if (wait < Infinity) {
      clearTimeout(this.wakeTimer);
      this.wakeTimer = setTimeout(() => {
        this.wakeTimer = undefined;
        void this.drain();
      }, wait);
      this.wakeTimer.unref();
    }
    return undefined;
  }

  /** Reconciles one service; returns how long observing and planning took (ms), and whether it is at rest. */
  private async reconcileOne(scope: Scope, id: string): Promise<{ observeMs: number; resting: boolean }> {
    const started = performance.now();
    const now = new Date();
    const snapshot = await this.port.read(scope, id, now);
    if (!snapshot) return { observeMs: 0, resting: false };
    const plan = reconcile({
      ...snapshot,
      now,
      nextDeploymentId: newDeploymentId(Math.random),
      nextHookId: newPauseHookId(randomBytes(32)),
    });
    const observeMs = performance.now() - started;
    const applied = await this.port.apply(scope, id, plan, now);
    if (applied.started || applied.registered || plan.stop.length || plan.release?.length) this.poke(scope, id);
    if (plan.wakeAt) {
      const delay = Math.max(0, plan.wakeAt.getTime() - Date.now());
      setTimeout(() => this.poke(scope, id), Math.min(delay, 2 ** 31 - 1)).unref();
    }
    const live = plan.deployments.filter((d) => d.status !== "INACTIVE");
    const resting =
      !plan.start.length &&
      !plan.stop.length &&
      !plan.register?.length &&
      !plan.release?.length &&
      !plan.events.length &&
      !applied.unplaced.length &&
      plan.pendingCount === 0 &&
      // An EXTERNAL service rests when its task sets do; the others when their one deployment is done.
      (plan.taskSets
        ? plan.taskSets.every((s) => s.stabilityStatus === "STEADY_STATE")
        : plan.runningCount === plan.desiredCount && live.length === 1 && live[0]!.rolloutState !== "IN_PROGRESS") &&
      (!plan.wakeAt || plan.wakeAt.getTime() - Date.now() > RESTING_SWEEP_MS);
    return { observeMs, resting };
  }
}
