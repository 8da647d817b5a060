// What the load balancers' health checks have observed of each target, as the data plane
// reports it (src/dataplane): not stored, since the engine keeps checking while the control
// plane is down and reports again when it is back. DescribeTargetHealth combines it with the
// stored registration (draining, unused) into ELB's states and reasons; ECS reads it to
// complete deployments and to stop tasks that fail their checks.

/** What the checks have concluded of one target (in every load balancer that uses its group). */
export interface ObservedHealth {
  /** initial: registered, not yet passed HealthyThresholdCount checks in a row. */
  status: "initial" | "healthy" | "unhealthy";
  /** Why the last check failed, while it is not healthy. */
  failure?: HealthCheckFailure;
  /** When `status` last changed (ms). */
  since: number;
}

export type HealthCheckFailure =
  /** No answer within HealthCheckTimeoutSeconds (also a connection the target's security groups drop). */
  | { kind: "timeout" }
  /** The connection was refused or reset, or the answer was not HTTP. */
  | { kind: "connection" }
  /** An HTTP answer whose code the matcher does not admit. */
  | { kind: "response-code"; code: number };

/** The key of one target of one target group: ELB's unit of health. */
export const healthKey = (targetGroupId: string, targetId: string, port: number) => `${targetGroupId}/${targetId}:${port}`;

export type HealthListener = (key: string, before: ObservedHealth | undefined, after: ObservedHealth | undefined) => void;

/** The latest observation of every target the data plane checks, with a listener for changes. */
export class TargetHealthBoard {
  private readonly observed = new Map<string, ObservedHealth>();
  private readonly listeners = new Set<HealthListener>();

  get(key: string): ObservedHealth | undefined {
    return this.observed.get(key);
  }

  /** Records an observation (undefined: the target is no longer checked); listeners hear of real changes only. */
  set(key: string, next: ObservedHealth | undefined): void {
    const before = this.observed.get(key);
    if (sameHealth(before, next)) return;
    if (next) this.observed.set(key, next);
    else this.observed.delete(key);
    for (const listener of this.listeners) listener(key, before, next);
  }

  keys(): IterableIterator<string> {
    return this.observed.keys();
  }

  watch(listener: HealthListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function sameHealth(a: ObservedHealth | undefined, b: ObservedHealth | undefined): boolean {
  if (!a || !b) return a === b;
  return a.status === b.status && JSON.stringify(a.failure) === JSON.stringify(b.failure);
}
