// Wakes the long polls of agents when something about their tasks changes. In one
// control-plane process an in-memory counter per host is enough; a control plane spread
// over several nodes would feed the same interface from the database (LISTEN/NOTIFY).
import { randomUUID } from "node:crypto";
import type { Scope } from "../../domain/scope.js";

export interface HostVersion {
  /** Changes when the control plane restarts, so an agent's remembered counter is void. */
  epoch: string;
  n: number;
}

export class HostNotifier {
  readonly epoch = randomUUID();
  private readonly counters = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();

  private key(scope: Scope, hostId: string): string {
    return `${scope.accountId}/${scope.region}/${hostId}`;
  }

  current(scope: Scope, hostId: string): HostVersion {
    return { epoch: this.epoch, n: this.counters.get(this.key(scope, hostId)) ?? 0 };
  }

  /** Something changed for `hostId`: its agent should look again. */
  bump(scope: Scope, hostId: string | undefined): void {
    if (!hostId) return;
    const key = this.key(scope, hostId);
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
    const waiting = this.waiters.get(key);
    if (!waiting) return;
    this.waiters.delete(key);
    for (const wake of waiting) wake();
  }

  /** Resolves once the host's version differs from `seen`, or after `timeoutMs`. */
  async waitForChange(scope: Scope, hostId: string, seen: HostVersion | undefined, timeoutMs: number, abort: AbortSignal): Promise<void> {
    const now = this.current(scope, hostId);
    if (!seen || seen.epoch !== now.epoch || seen.n !== now.n) return;
    const key = this.key(scope, hostId);
    await new Promise<void>((resolve) => {
      let set = this.waiters.get(key);
      if (!set) this.waiters.set(key, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        abort.removeEventListener("abort", done);
        set!.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      abort.addEventListener("abort", done, { once: true });
      set.add(done);
    });
  }
}
