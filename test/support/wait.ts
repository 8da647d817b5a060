// Waiting for a state in tests: poll a probe until it answers, with a deadline. The one way tests
// wait for something to happen (a sleep stands only for a window in which something must NOT happen).
import { setTimeout as sleep } from "node:timers/promises";
import { inspect } from "node:util";

export interface WaitOptions {
  /** What is awaited, for the timeout message ("3 tasks running"); default: the probe's source. */
  message?: string;
  /** Default 10 s. */
  timeoutMs?: number;
  /** Pause between probes; default 100 ms (the probes of most tests are API or Docker calls). */
  intervalMs?: number;
  /**
   * Treat a probe that throws as "not yet" (a server still starting refuses connections); the
   * last error is reported on timeout. Off by default: an unexpected error fails at once.
   */
  retryErrors?: boolean;
}

type Falsy = false | 0 | 0n | "" | null | undefined;

/**
 * Polls `probe` until it returns a truthy value, or, given `until`, a value `until` accepts, and
 * resolves with that value. Past the deadline it rejects with the message and the last value seen.
 */
export function waitFor<T>(probe: () => T | Promise<T>, opts: WaitOptions & { until: (value: T) => boolean }): Promise<T>;
export function waitFor<T>(probe: () => T | Promise<T>, opts?: WaitOptions): Promise<Exclude<T, Falsy>>;
export async function waitFor<T>(probe: () => T | Promise<T>, opts: WaitOptions & { until?: (value: T) => boolean } = {}): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 100, retryErrors = false } = opts;
  const accepts = opts.until ?? ((value: T) => Boolean(value));
  const deadline = Date.now() + timeoutMs;
  let last: Seen<T> | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (accepts(value)) return value;
      last = { value };
    } catch (error) {
      if (!retryErrors) throw error;
      last = { error };
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${opts.message ?? String(probe)}; last seen: ${lastSeen(last)}`);
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}

type Seen<T> = { value: T } | { error: unknown };

function lastSeen<T>(last: Seen<T> | undefined): string {
  if (last === undefined) return "nothing";
  if ("error" in last) return `error ${String(last.error)}`;
  return inspect(last.value, { depth: 4, breakLength: Infinity });
}
