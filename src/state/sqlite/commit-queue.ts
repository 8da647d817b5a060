import type { Db } from "./open.js";

interface QueuedWrite {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit. Grouped writes queue up while the event loop handles the requests at hand
 * and are committed together in one transaction once it turns (setImmediate), one write's
 * failure leaving the others (commitAll); any other write commits at once, taking what is
 * queued along. A commit costs about as much as a write (the log appends every page a
 * transaction dirtied, and writes that land together share pages), so writes that share one
 * cost less CPU each and more of them go through, for a lone grouped writer's wait of one
 * turn (bench/RESULTS.md). A write is acknowledged (its promise resolves) only once the
 * shared commit is done. Mutations must not write (the Store contract): a write started
 * inside one would join the open transaction.
 */
export class CommitQueue {
  private pending: QueuedWrite[] = [];

  constructor(
    private readonly db: Db,
    /** Forgets cached documents: after a failed commit they may include what was rolled back. */
    private readonly forget: () => void,
    /** Hears a failure that no write's caller is told of. */
    private readonly onError: (err: unknown) => void,
  ) {}

  /**
   * Runs `write` in a transaction: at once (with whatever is queued), or, when `grouped`,
   * in the one shared by everything asked for until the loop turns. `committed` turns its
   * result into the answer once it is on disk.
   */
  enqueue<R, A>(write: () => R, committed: (result: R) => A, grouped = false): Promise<A> {
    const answer = new Promise<A>((resolve, reject) => {
      if (this.pending.length === 0 && grouped) setImmediate(() => this.flush());
      this.pending.push({ run: write, resolve: (r) => resolve(committed(r as R)), reject });
    });
    if (!grouped) this.flush();
    return answer;
  }

  /** Commits what is queued now (also what close() calls, so nothing queued is dropped). */
  flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 1) {
      // Alone, a write is the whole transaction: no savepoint needed to protect the others.
      const only = batch[0]!;
      let value: unknown;
      try {
        value = this.db.transaction(only.run)();
      } catch (error) {
        only.reject(error);
        return;
      }
      settle(only, value);
      return;
    }
    let outcomes: Outcome[];
    try {
      outcomes = this.commitAll(batch);
    } catch (error) {
      this.forget();
      for (const item of batch) item.reject(error);
      return;
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) settle(item, outcome.value);
      else item.reject(outcome.error);
    });
  }

  /**
   * Runs the batch in one transaction. Writes rarely fail, so they first run bare; if one
   * throws, that attempt is rolled back and the batch runs again with each write in a
   * savepoint of its own (a savepoint per write is not free: bench/RESULTS.md), so the
   * failure leaves the others. Writes may run twice: mutations are pure (the Store contract).
   */
  private commitAll(batch: readonly QueuedWrite[]): Outcome[] {
    let firstError: unknown;
    try {
      return this.db.transaction(() => batch.map((item): Outcome => ({ ok: true, value: item.run() })))();
    } catch (error) {
      firstError = error;
      // Whatever failed is found again below, item by item. The attempt may have cached
      // documents it read from writes now undone; a pure mutation writes the same again under
      // the same version, but nothing here can tell, so the cache starts over (rarely: writes
      // seldom fail).
      this.forget();
    }
    const outcomes: Outcome[] = [];
    this.db.transaction(() => {
      for (const item of batch) {
        try {
          outcomes.push({ ok: true, value: this.db.transaction(item.run)() });
        } catch (error) {
          outcomes.push({ ok: false, error });
        }
      }
    })();
    // Nothing failed this time (a transient error, or a mutation that is not pure): no caller
    // hears of the first failure, so it is reported here.
    if (outcomes.every((outcome) => outcome.ok)) this.onError(firstError);
    return outcomes;
  }
}

/** Answers a committed write; what its `committed` step throws becomes its error. */
function settle(item: QueuedWrite, value: unknown): void {
  try {
    item.resolve(value);
  } catch (error) {
    item.reject(error);
  }
}
