// Store.transact on SQLite: one queued write (see CommitQueue) whose run makes every write of
// the unit of work. As for a single write, the cache and the listeners hear of the documents
// only once the transaction has committed; the run may happen twice (the queue's retry),
// each time with a new SqliteTransaction.
import type { Collection, Scope, Transaction } from "../store.js";
import type { SqliteCollection, Written } from "./collection.js";
import type { RowRef } from "./document-cache.js";

interface Wrote {
  collection: SqliteCollection<unknown>;
  scope: Scope;
  id: string;
  /** Undefined for a removal. */
  row?: RowRef;
  doc: unknown;
  removed?: boolean;
}

export class SqliteTransaction implements Transaction {
  /** Every write made, in order, for the cache and the listeners once committed. */
  private readonly wrote: Wrote[] = [];
  /** The latest write of each document (by cache key): a later write of it builds on that. */
  private readonly latest = new Map<string, Written<unknown> & { row: RowRef }>();

  constructor(
    /** The store's own collection behind `collection`; throws for any other. */
    private readonly own: <T>(collection: Collection<T>) => SqliteCollection<T>,
  ) {}

  write<T>(collection: Collection<T>, scope: Scope, id: string, mutate: (current: T | undefined) => T | undefined): T | undefined {
    const c = this.own(collection);
    const key = c.cacheKey(scope, id);
    const earlier = this.latest.get(key) as (Written<T> & { row: RowRef }) | undefined;
    const written = earlier ? c.writeOver(scope, id, earlier, mutate) : c.writeNow(scope, id, mutate);
    if (written.row) this.note(c, key, scope, id, written.row, written.doc as T);
    return written.doc;
  }

  put<T>(collection: Collection<T>, scope: Scope, id: string, doc: T): void {
    const c = this.own(collection);
    this.note(c, c.cacheKey(scope, id), scope, id, c.put(scope, id, doc), doc);
  }

  remove<T>(collection: Collection<T>, scope: Scope, id: string): void {
    const c = this.own(collection);
    const removed = c.removeNow(scope, id);
    this.latest.delete(c.cacheKey(scope, id));
    this.wrote.push({ collection: c as SqliteCollection<unknown>, scope, id, doc: undefined, removed });
  }

  /** Once committed: caches what was written and tells the listeners, in the order written. */
  committed(): void {
    for (const w of this.wrote) {
      if (w.row) w.collection.remember(w.scope, w.id, w.row, w.doc);
      else w.collection.forget(w.scope, w.id, w.removed === true);
    }
  }

  private note<T>(collection: SqliteCollection<T>, key: string, scope: Scope, id: string, row: RowRef, doc: T): void {
    this.wrote.push({ collection: collection as SqliteCollection<unknown>, scope, id, row, doc });
    this.latest.set(key, { row, doc });
  }
}
