// Tells the agent channels of hosts when something about their tasks changes, and remembers
// at which of the host's versions each task last changed, so a push carries what the
// agent has not seen rather than every task of its host. In one control-plane process an
// in-memory counter per host is enough; a control plane spread over several nodes would
// feed the same interface from the database (LISTEN/NOTIFY).
import { randomUUID } from "node:crypto";
import type { HostVersion } from "../../../wire/agent-channel.js";
import { OccupiedPools } from "./occupied-pools.js";
import { AgentLinks } from "./links.js";
import { scopeKey, type Scope } from "../../../domain/scope.js";

export class HostNotifier {
  readonly epoch = randomUUID();
  /** What agents report of their hosts' Docker networks, for RunTask to plan subnets around. */
  readonly pools = new OccupiedPools();
  /** The hosts' open channels, for what is sent to one agent outside its assignments (ECS Exec). */
  readonly links = new AgentLinks();
  private readonly counters = new Map<string, number>();
  private readonly listeners = new Map<string, Set<() => void>>();
  /** Per host: task id → the host version its last change was made at. */
  private readonly changedAt = new Map<string, Map<string, number>>();

  private key(scope: Scope, hostId: string): string {
    return scopeKey(scope, hostId);
  }

  current(scope: Scope, hostId: string): HostVersion {
    return { epoch: this.epoch, n: this.counters.get(this.key(scope, hostId)) ?? 0 };
  }

  /** Task `taskId` changed in a way `hostId`'s agent must learn of (new, or to be stopped). */
  bump(scope: Scope, hostId: string | undefined, taskId: string): void {
    if (!hostId) return;
    const key = this.key(scope, hostId);
    const n = (this.counters.get(key) ?? 0) + 1;
    this.counters.set(key, n);
    let changed = this.changedAt.get(key);
    if (!changed) this.changedAt.set(key, (changed = new Map<string, number>()));
    changed.set(taskId, n);
    const listening = this.listeners.get(key);
    if (listening) for (const listener of listening) listener();
  }

  /**
   * Which tasks an agent that has seen `seen` must be sent again. A version from before this
   * control plane started (or none) knows nothing; a task changed after `seen`, or not heard
   * of since the start, is sent.
   */
  unseen(scope: Scope, hostId: string, seen: HostVersion | undefined): (taskId: string) => boolean {
    if (!seen || seen.epoch !== this.epoch) return () => true;
    const changed = this.changedAt.get(this.key(scope, hostId));
    return (taskId) => {
      const at = changed?.get(taskId);
      return at === undefined || at > seen.n;
    };
  }

  /** Drops what is remembered of tasks no longer assigned to the host. */
  retain(scope: Scope, hostId: string, assigned: { has(taskId: string): boolean }): void {
    const changed = this.changedAt.get(this.key(scope, hostId));
    if (!changed) return;
    for (const id of changed.keys()) if (!assigned.has(id)) changed.delete(id);
  }

  /** Calls `listener` after every change of the host's version, until the returned function is called. */
  subscribe(scope: Scope, hostId: string, listener: () => void): () => void {
    const key = this.key(scope, hostId);
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(key) === set) this.listeners.delete(key);
    };
  }

  /** Whether an agent that has seen `seen` is behind the host's current version. */
  behind(scope: Scope, hostId: string, seen: HostVersion | undefined): boolean {
    const now = this.current(scope, hostId);
    return !seen || seen.epoch !== now.epoch || seen.n !== now.n;
  }
}
