// When each agent was last heard from. Agents are heard every few seconds (pongs and
// messages on their channels); writing each to the instance's document cost a transaction
// each and made every placement view of that instance stale. The control plane that hears an agent remembers it here, and
// persists lastSeenAt only when the stored one has aged a quarter of the agent timeout: an
// agent is heard from at least every half timeout, so the stored value, which a restarted
// (or another) control plane reads, is never older than three quarters of the timeout.
import type { StoredInstance } from "./ecs-documents.js";
import { scopeKey, type Scope } from "../domain/scope.js";

export class Heartbeats {
  /** Epoch ms by scope, then host id: placement asks about every instance of a cluster per call. */
  private readonly heard = new Map<string, Map<string, number>>();

  /** A request asks about every instance with one scope object: its map is found once. */
  private readonly byScopeObject = new WeakMap<Scope, Map<string, number>>();

  private hosts(scope: Scope): Map<string, number> {
    let hosts = this.byScopeObject.get(scope);
    if (hosts) return hosts;
    const key = scopeKey(scope);
    hosts = this.heard.get(key);
    if (!hosts) this.heard.set(key, (hosts = new Map<string, number>()));
    this.byScopeObject.set(scope, hosts);
    return hosts;
  }

  private readonly listeners = new Set<(scope: Scope, hostId: string) => void>();

  record(scope: Scope, hostId: string, at: Date): void {
    this.hosts(scope).set(hostId, at.getTime());
    for (const listener of this.listeners) listener(scope, hostId);
  }

  /** Calls `listener` each time an agent is heard from. */
  onHeard(listener: (scope: Scope, hostId: string) => void): void {
    this.listeners.add(listener);
  }

  /** The later of what the store holds and what this control plane heard (epoch ms). */
  lastSeenMs(scope: Scope, host: StoredInstance): number {
    return latest(this.hosts(scope), host);
  }

  /** lastSeenMs for many hosts of one scope (RunTask asks about every instance of a cluster). */
  lastSeenLookup(scope: Scope): (host: StoredInstance) => number {
    const heard = this.hosts(scope);
    return (host) => latest(heard, host);
  }

  lastSeen(scope: Scope, host: StoredInstance): Date {
    return new Date(this.lastSeenMs(scope, host));
  }

  /** Whether `host`'s stored lastSeenAt is due to be written again. */
  static due(host: StoredInstance, now: Date, agentTimeoutMs: number): boolean {
    return now.getTime() - host.lastSeenAt.getTime() >= agentTimeoutMs / 4;
  }
}

function latest(heard: ReadonlyMap<string, number>, host: StoredInstance): number {
  return Math.max(heard.get(host.id) ?? 0, host.lastSeenAt.getTime());
}
