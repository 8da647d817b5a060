// The Store on embedded SQLite (better-sqlite3). WAL journal: a committed transaction is
// on disk before the write is acknowledged, so an acknowledged write survives kill -9 of berth.
// better-sqlite3 is synchronous, so each write's read-modify-write runs whole, with no
// other request interleaving; writes asked for together commit together (CommitQueue).
import Database from "better-sqlite3";
import { stringifyWithDates } from "../../json-dates.js";
import type { ChangeListener, Collection, CollectionSpec, IndexKeys, ListQuery, Scope, Store, WriteOptions } from "../store.js";
import { BACKSTOP_AUTOCHECKPOINT_PAGES, startCheckpointer } from "./checkpointer.js";
import { migrations } from "./migrations.js";

type Db = Database.Database;

interface ListedRow {
  id: string;
  rowid: number;
  version: number;
}

/** How many decoded documents the store keeps (BERTH_DOCUMENT_CACHE overrides). */
const DEFAULT_CACHE_DOCUMENTS = 50_000;

export function openSqliteStore(path: string): Store {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // NORMAL in WAL mode keeps every commit across a process crash (kill -9); FULL would add
  // an fsync per commit to also survive power loss. BERTH_SQLITE_SYNC=FULL chooses that.
  db.pragma(`synchronous = ${process.env.BERTH_SQLITE_SYNC === "FULL" ? "FULL" : "NORMAL"}`);
  db.pragma("busy_timeout = 5000");
  // Checkpoints run on their own thread; the log file is cut back to this size after one.
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_AUTOCHECKPOINT_PAGES}`);
  db.pragma("journal_size_limit = 16777216");
  migrate(db);
  const checkpointer = startCheckpointer(path);
  const collections = new Map<string, SqliteCollection<unknown>>();
  const cache = new DocumentCache(db, Number(process.env.BERTH_DOCUMENT_CACHE ?? DEFAULT_CACHE_DOCUMENTS));
  const scopes = new KnownScopes(db);
  const commits = new CommitQueue(db, () => cache.clear());
  return {
    collection<T>(spec: CollectionSpec<T>): Collection<T> {
      let c = collections.get(spec.name);
      if (!c) {
        c = new SqliteCollection(db, cache, scopes, commits, spec as CollectionSpec<unknown>);
        collections.set(spec.name, c);
      }
      return c as unknown as Collection<T>;
    },
    async scopes() {
      return scopes.all();
    },
    async close() {
      commits.flush();
      await checkpointer.close();
      db.close();
    },
  };
}

function migrate(db: Db): void {
  const applied = db.pragma("user_version", { simple: true }) as number;
  for (let i = applied; i < migrations.length; i++) {
    db.transaction(() => {
      db.exec(migrations[i]!);
      db.pragma(`user_version = ${i + 1}`);
    })();
  }
}

// Dates survive the JSON round trip as {"$date": ms}; the AWS shapes are full of them.
function storedDate(this: Date): { $date: number } {
  return { $date: this.getTime() };
}

const encode = (doc: unknown): string => stringifyWithDates(doc, storedDate);

function decode<T>(body: string): T {
  // A walk after a plain parse: about 3× faster than a JSON.parse reviver, which calls back
  // for every value. It freezes as it goes: decoded documents are cached and shared.
  return revive(JSON.parse(body)) as T;
}

function revive(value: object): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item !== null && typeof item === "object") value[i] = revive(item);
    }
    return Object.freeze(value);
  }
  const record = value as Record<string, unknown>;
  if (typeof record.$date === "number" && Object.keys(record).length === 1) return Object.freeze(new Date(record.$date));
  for (const key in record) {
    const item = record[key];
    if (item !== null && typeof item === "object") record[key] = revive(item);
  }
  return Object.freeze(record);
}

/** Freezes a document about to be cached; parts it shares with a cached one are frozen already. */
function deepFreeze(value: object): void {
  if (Object.isFrozen(value)) return;
  Object.freeze(value);
  // for…in rather than Object.values: no array per object frozen (documents are plain data).
  for (const key in value) {
    const item: unknown = (value as Record<string, unknown>)[key];
    if (item !== null && typeof item === "object") deepFreeze(item);
  }
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
 * connection's own commits reach the cache as they land). So reads look at data_version first
 * (~3 µs, against ~8 µs for looking up a row), and each entry carries the `epoch` of
 * data_version it was last known current in; DescribeTasks of 100 tasks looks once. Hot
 * queries (every live task of a cluster) still list rows and versions, and decode only what
 * the cache lacks.
 */
class DocumentCache {
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

interface CachedDocument {
  version: number;
  doc: unknown;
  /** Where the row is, so a write can go straight to it. */
  rowid: number;
  /** The data_version epoch the entry was last known current in. */
  epoch: number;
}

interface RowRef {
  rowid: number;
  version: number;
}

/** What a write leaves: the document as it now is, and its row when it wrote one. */
interface Written<T> {
  doc: T | undefined;
  row?: RowRef;
}

/**
 * The accounts and regions that hold documents: read from the database once, then kept from
 * the writes. Sweeps ask every few seconds, and the DISTINCT over every document it replaces
 * read the whole index each time. A scope whose documents were all removed stays listed;
 * the sweeps then find nothing in it.
 */
class KnownScopes {
  private known?: Map<string, Scope>;

  constructor(private readonly db: Db) {}

  all(): Scope[] {
    this.known ??= new Map(
      (this.db.prepare("SELECT DISTINCT account, region FROM documents").all() as { account: string; region: string }[]).map((r) => [
        `${r.account}\0${r.region}`,
        { accountId: r.account, region: r.region },
      ]),
    );
    return [...this.known.values()];
  }

  note(scope: Scope): void {
    const key = `${scope.accountId}\0${scope.region}`;
    if (this.known && !this.known.has(key)) this.known.set(key, { accountId: scope.accountId, region: scope.region });
  }
}

interface QueuedWrite {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit. Grouped writes queue up while the event loop handles the requests at hand
 * and are committed together in one transaction once it turns (setImmediate), one write's
 * failure leaving the others (commitAll); any other write commits at once, taking what is
 * queued along. A commit costs about as much as a write (the log
 * appends every page a transaction dirtied, and writes that land together share pages):
 * with 16 writers, ~65 µs of CPU per write instead of ~100, and 1.5× the writes per second;
 * a lone grouped writer pays ~10 µs for the turn it waits. A write is acknowledged (its
 * promise resolves) only once the shared commit is done. Mutations must not write (the
 * Store contract): a write started inside one would join the open transaction.
 */
class CommitQueue {
  private pending: QueuedWrite[] = [];

  constructor(
    private readonly db: Db,
    /** Forgets cached documents: after a failed commit they may include what was rolled back. */
    private readonly forget: () => void,
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
   * savepoint of its own (a savepoint per write costs ~15% of a write), so the failure
   * leaves the others. Writes may run twice: mutations are pure (the Store contract).
   */
  private commitAll(batch: readonly QueuedWrite[]): Outcome[] {
    try {
      return this.db.transaction(() => batch.map((item): Outcome => ({ ok: true, value: item.run() })))();
    } catch {
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
    return outcomes;
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function sameKeys(a: IndexKeys, b: IndexKeys): boolean {
  return a.parent === b.parent && a.seq === b.seq && a.status === b.status;
}

/** Answers a committed write; what its `committed` step throws becomes its error. */
function settle(item: QueuedWrite, value: unknown): void {
  try {
    item.resolve(value);
  } catch (error) {
    item.reject(error);
  }
}

class SqliteCollection<T> implements Collection<T> {
  private readonly stmt;

  constructor(
    private readonly db: Db,
    private readonly cache: DocumentCache,
    private readonly scopes: KnownScopes,
    private readonly commits: CommitQueue,
    private readonly spec: CollectionSpec<T>,
  ) {
    this.stmt = {
      // Statements take their parameters by position: binding by name (and the object it
      // needs) cost ~20% of a lookup.
      row: db.prepare(`SELECT rowid, version FROM documents WHERE account = ? AND region = ? AND kind = ? AND id = ?`),
      body: db.prepare(`SELECT body FROM documents WHERE rowid = ?`).pluck(),
      upsert: db.prepare(
        `INSERT INTO documents (account, region, kind, id, parent, seq, status, version, body)
         VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)
         ON CONFLICT (account, region, kind, id) DO UPDATE SET
           parent = excluded.parent, seq = excluded.seq, status = excluded.status,
           version = documents.version + 1, body = excluded.body
         RETURNING rowid, version`,
      ),
      // No index holds the body or the version, so this rewrites the row alone. It changes
      // nothing (and says so) unless the row is still at the version the write started from.
      rewrite: db.prepare(`UPDATE documents SET version = ?, body = ? WHERE rowid = ? AND version = ?`),
      remove: db.prepare(`DELETE FROM documents WHERE account = ? AND region = ? AND kind = ? AND id = ?`),
      // Takes the parent's next number in one statement: the first is 1.
      nextSeq: db.prepare(
        `INSERT INTO sequences (account, region, kind, parent, last) VALUES (?, ?, ?, ?, 1)
         ON CONFLICT (account, region, kind, parent) DO UPDATE SET last = sequences.last + 1
         RETURNING last`,
      ).pluck(),
    };
  }

  async get(scope: Scope, id: string): Promise<T | undefined> {
    return this.getNow(scope, id);
  }

  private cacheKey(scope: Scope, id: string): string {
    return `${this.spec.name}\0${scope.accountId}\0${scope.region}\0${id}`;
  }

  /** Where the document's row is and its version, if it exists. */
  private row(scope: Scope, id: string): RowRef | undefined {
    return this.stmt.row.get(scope.accountId, scope.region, this.spec.name, id) as RowRef | undefined;
  }

  private getNow(scope: Scope, id: string): T | undefined {
    this.cache.look();
    return this.current(scope, id);
  }

  /** The document as it is: from the cache when nothing can have changed it since (see DocumentCache), else from its row. */
  private current(scope: Scope, id: string): T | undefined {
    const fresh = this.cache.fresh(this.cacheKey(scope, id));
    if (fresh) return fresh.doc as T;
    const row = this.row(scope, id);
    return row && this.load(scope, id, row);
  }

  /** The document in `row` at its version: from the cache, or read, decoded and cached. */
  private load(scope: Scope, id: string, row: RowRef): T {
    const key = this.cacheKey(scope, id);
    const cached = this.cache.get(key, row.version);
    if (cached !== undefined) return cached as T;
    const decoded = decode<T>(this.stmt.body.get(row.rowid) as string);
    const doc = this.spec.share ? this.spec.share(decoded) : decoded;
    this.cache.set(key, row, doc);
    return doc;
  }

  async getMany(scope: Scope, ids: readonly string[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    this.cache.look();
    for (const id of ids) {
      const doc = this.current(scope, id);
      if (doc !== undefined) found.set(id, doc);
    }
    return found;
  }

  /** The condition a query puts on rows, with its parameters in order (bound by position, like the hot statements). */
  private where(scope: Scope, query: ListQuery): { sql: string; params: unknown[] } {
    const params: unknown[] = [scope.accountId, scope.region, this.spec.name];
    let sql = "account = ? AND region = ? AND kind = ?";
    if (query.parent !== undefined) {
      sql += " AND parent = ?";
      params.push(query.parent);
    }
    if (query.parentPrefix) {
      // A range rather than substr(), so the parent index serves it.
      const prefix = query.parentPrefix;
      sql += " AND parent >= ? AND parent < ?";
      params.push(prefix, prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1));
    }
    if (query.status !== undefined) {
      sql += " AND status = ?";
      params.push(query.status);
    }
    return { sql, params };
  }

  async list(scope: Scope, query: ListQuery = {}): Promise<T[]> {
    const where = this.where(scope, query);
    const { params } = where;
    let { sql } = where;
    const dir = query.order === "desc" ? "DESC" : "ASC";
    if (query.after) {
      // Row values, which the index by (parent, seq, id) serves as a range.
      const past = query.order === "desc" ? "<" : ">";
      const { parent, seq, id } = query.after;
      // Within one parent, (seq, id) alone: the index then starts at the position, where the
      // three-column form would walk the parent's rows up to it.
      if (query.orderBy === "seq" || (query.parent !== undefined && parent === query.parent)) {
        sql += ` AND (seq, id) ${past} (?, ?)`;
        params.push(seq, id);
      } else {
        if (parent === undefined) throw new Error("list: `after` in the (parent, seq, id) order needs a parent");
        sql += ` AND (parent, seq, id) ${past} (?, ?, ?)`;
        params.push(parent, seq, id);
      }
    }
    const order = query.orderBy === "seq" ? `seq ${dir}, id ${dir}` : `parent ${dir}, seq ${dir}, id ${dir}`;
    // The limit is written into the statement, not bound: SQLite re-prepares a statement each
    // time a LIMIT parameter is bound (its value may change the plan), ~6 µs every list.
    let limit = "";
    if (query.limit !== undefined) {
      if (!Number.isSafeInteger(query.limit) || query.limit < 0) throw new Error(`list: limit must be a whole number ≥ 0, not ${query.limit}`);
      limit = ` LIMIT ${query.limit}`;
    }
    const rows = this.prepared(`SELECT id, rowid, version FROM documents WHERE ${sql} ORDER BY ${order}${limit}`).all(...params) as ListedRow[];
    return rows.map((r) => this.load(scope, r.id, r));
  }

  async count(scope: Scope, query: ListQuery = {}): Promise<number> {
    const { sql, params } = this.where(scope, query);
    return this.prepared(`SELECT count(*) FROM documents WHERE ${sql}`).pluck().get(...params) as number;
  }

  /** Queries are built from a handful of shapes; each is prepared once. */
  private readonly statements = new Map<string, Database.Statement>();
  private prepared(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  write(scope: Scope, id: string, mutate: (current: T | undefined) => T | undefined, options?: WriteOptions): Promise<T | undefined> {
    return this.commits.enqueue(
      () => this.writeNow(scope, id, mutate),
      // Cached only once committed: a failed transaction leaves the cache as it was.
      (written) => {
        if (written.row) this.remember(scope, id, written.row, written.doc!);
        return written.doc;
      },
      options?.grouped,
    );
  }

  /**
   * One write, inside its transaction. Most writes (a task's progress) leave the indexed
   * columns as they were and rewrite the row alone. A document in the cache is rewritten
   * straight from it, with no lookup first: the rewrite names the version it started from,
   * so if the row has moved on (another connection, or an earlier write of the same
   * transaction) nothing is written and the write starts over from the row as it is.
   */
  private writeNow(scope: Scope, id: string, mutate: (current: T | undefined) => T | undefined): Written<T> {
    const known = this.cache.peek(this.cacheKey(scope, id));
    if (known) {
      const next = mutate(known.doc as T);
      const written = next !== undefined && this.rewrite(known, known.doc as T, next);
      if (written) return written;
      // Nothing to write (the cached copy may be behind), new keys, or a moved-on row.
    }
    const row = this.row(scope, id);
    const current = row && this.load(scope, id, row);
    const next = mutate(current);
    if (next === undefined) return { doc: current };
    return (row && this.rewrite(row, current!, next)) || { doc: next, row: this.put(scope, id, next) };
  }

  /** Rewrites the row alone if `next` keeps the indexed columns and the row is still at `row.version`. */
  private rewrite(row: RowRef, current: T, next: T): Written<T> | undefined {
    if (!sameKeys(this.spec.keys(current), this.spec.keys(next))) return undefined;
    const version = row.version + 1;
    const changed = this.stmt.rewrite.run(version, encode(next), row.rowid, row.version).changes === 1;
    return changed ? { doc: next, row: { rowid: row.rowid, version } } : undefined;
  }

  putMany(scope: Scope, docs: readonly { id: string; doc: T }[]): Promise<void> {
    return this.commits.enqueue(
      () => docs.map(({ id, doc }) => this.put(scope, id, doc)),
      (rows) => docs.forEach(({ id, doc }, i) => this.remember(scope, id, rows[i]!, doc)),
    );
  }

  append(scope: Scope, parent: string, make: (seq: number) => { id: string; doc: T }, options?: WriteOptions): Promise<T> {
    return this.commits.enqueue(
      () => {
        const seq = this.stmt.nextSeq.get(scope.accountId, scope.region, this.spec.name, parent) as number;
        const { id, doc } = make(seq);
        return { id, doc, row: this.put(scope, id, doc) };
      },
      ({ id, doc, row }) => {
        this.remember(scope, id, row, doc);
        return doc;
      },
      options?.grouped,
    );
  }

  private remember(scope: Scope, id: string, row: RowRef, doc: T): void {
    deepFreeze(doc as object);
    this.cache.set(this.cacheKey(scope, id), row, doc);
    this.changed(scope, id, doc);
  }

  remove(scope: Scope, id: string): Promise<boolean> {
    // Through the queue, so it lands after the writes asked for before it.
    return this.commits.enqueue(
      () => this.stmt.remove.run(scope.accountId, scope.region, this.spec.name, id).changes > 0,
      (removed) => {
        this.cache.delete(this.cacheKey(scope, id));
        if (removed) this.changed(scope, id, undefined);
        return removed;
      },
    );
  }

  private readonly listeners = new Set<ChangeListener<T>>();

  watch(listener: ChangeListener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(scope: Scope, id: string, doc: T | undefined): void {
    for (const listener of this.listeners) listener(scope, id, doc);
  }

  /** Writes the document and returns its row and new version. */
  private put(scope: Scope, id: string, doc: T): RowRef {
    this.scopes.note(scope);
    const { parent, seq, status } = this.spec.keys(doc);
    return this.stmt.upsert.get(scope.accountId, scope.region, this.spec.name, id, parent, seq, status, encode(doc)) as RowRef;
  }
}
