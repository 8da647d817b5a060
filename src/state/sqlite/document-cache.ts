// Decoded documents kept between reads, and how the store knows when one may be trusted
// without asking SQLite.
import type { Db } from "./open.js";

/** Where a document's row is, and the version it holds. */
export interface RowRef {
  rowid: number;
  version: number;
}

export interface CachedDocument {
  version: number;
  doc: unknown;
  /** Where the row is, so a write can go straight to it. */
  rowid: number;
  /** The data_version epoch the entry was last known current in. */
  epoch: number;
}

/**
 * Decoded documents by kind, scope and id, each with the row (rowid and version) it was
 * decoded from. Cached documents are deeply frozen because every reader shares them. Once the
 * cache is full the least recently written entries go first (a hit does not reorder: a list of
 * thousands of hits would otherwise pay for thousands of reinsertions); correctness never
 * depends on a hit.
 *
 * A read need not ask SQLite for the row at all when no other connection has committed since
 * the cached copy was known to be current: SQLite's data_version changes exactly then (this
 * connection's own commits reach the cache as they land). So reads look at data_version first,
 * which costs less than looking up a row (bench/RESULTS.md), and each entry carries the `epoch`
 * of data_version it was last known current in; DescribeTasks of 100 tasks looks once. Hot
 * queries (every live task of a cluster) still list rows and versions, and decode only what
 * the cache lacks.
 */
export class DocumentCache {
  private readonly entries = new Map<string, CachedDocument>();
  private readonly dataVersion;
  private seenDataVersion = -1;
  /** Counts the changes of data_version seen: entries stamped with an older one may be stale. */
  private epoch = 0;

  constructor(
    db: Db,
    private readonly capacity: number,
  ) {
    this.dataVersion = db.prepare("PRAGMA data_version").pluck();
  }

  /** Notes whether another connection has committed since the last look; before any read that trusts `fresh`. */
  look(): void {
    const now = this.dataVersion.get() as number;
    if (now !== this.seenDataVersion) {
      this.seenDataVersion = now;
      this.epoch++;
    }
  }

  /** The entry, if nothing can have changed its row since it was known current. */
  fresh(key: string): CachedDocument | undefined {
    const hit = this.entries.get(key);
    return hit && hit.epoch === this.epoch ? hit : undefined;
  }

  /** The document at `version` (just read from its row), now known current. */
  get(key: string, version: number): unknown {
    const hit = this.entries.get(key);
    if (!hit || hit.version !== version) return undefined;
    hit.epoch = this.epoch;
    return hit.doc;
  }

  /** The entry at whatever version it holds: a write may start from it and check the version as it writes. */
  peek(key: string): CachedDocument | undefined {
    return this.entries.get(key);
  }

  /** Caches what was just read from its row, or just committed to it: current as of now. */
  set(key: string, row: RowRef, doc: unknown): void {
    this.entries.delete(key);
    this.entries.set(key, { version: row.version, rowid: row.rowid, doc, epoch: this.epoch });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
