// One kind of document on the shared documents table: reads through the document cache,
// writes through the commit queue.
import type Database from "better-sqlite3";
import type { ChangeListener, Collection, CollectionSpec, IndexKeys, ListQuery, Scope, WriteOptions } from "../store.js";
import { decode, deepFreeze, encode } from "./codec.js";
import type { CommitQueue } from "./commit-queue.js";
import type { DocumentCache, RowRef } from "./document-cache.js";
import type { KnownScopes } from "./known-scopes.js";
import type { Db } from "./open.js";
import { scopeKey } from "../../domain/scope.js";

interface ListedRow {
  id: string;
  rowid: number;
  version: number;
}

/** What a write leaves: the document as it now is, and its row when it wrote one. */
export interface Written<T> {
  doc: T | undefined;
  row?: RowRef;
}

function sameKeys(a: IndexKeys, b: IndexKeys): boolean {
  return a.parent === b.parent && a.seq === b.seq && a.status === b.status;
}

export class SqliteCollection<T> implements Collection<T> {
  private readonly stmt;

  constructor(
    private readonly db: Db,
    private readonly cache: DocumentCache,
    private readonly scopes: KnownScopes,
    private readonly commits: CommitQueue,
    readonly spec: CollectionSpec<T>,
  ) {
    this.stmt = {
      // Statements take their parameters by position: binding by name (and the object it
      // needs) made every lookup dearer (bench/RESULTS.md).
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
      nextSeq: db
        .prepare(
          `INSERT INTO sequences (account, region, kind, parent, last) VALUES (?, ?, ?, ?, 1)
         ON CONFLICT (account, region, kind, parent) DO UPDATE SET last = sequences.last + 1
         RETURNING last`,
        )
        .pluck(),
    };
  }

  async get(scope: Scope, id: string): Promise<T | undefined> {
    return this.getNow(scope, id);
  }

  cacheKey(scope: Scope, id: string): string {
    return `${this.spec.name}\0${scopeKey(scope, id)}`;
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
    // time a LIMIT parameter is bound (its value may change the plan) (bench/RESULTS.md).
    let limit = "";
    if (query.limit !== undefined) {
      if (!Number.isSafeInteger(query.limit) || query.limit < 0)
        throw new Error(`list: limit must be a whole number ≥ 0, not ${query.limit}`);
      limit = ` LIMIT ${query.limit}`;
    }
    const rows = this.prepared(`SELECT id, rowid, version FROM documents WHERE ${sql} ORDER BY ${order}${limit}`).all(
      ...params,
    ) as ListedRow[];
    return rows.map((r) => this.load(scope, r.id, r));
  }

  async count(scope: Scope, query: ListQuery = {}): Promise<number> {
    const { sql, params } = this.where(scope, query);
    return this.prepared(`SELECT count(*) FROM documents WHERE ${sql}`)
      .pluck()
      .get(...params) as number;
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
   * One write, inside its transaction (its own, or a Store.transact's). Most writes (a task's
   * progress) leave the indexed columns as they were and rewrite the row alone. A document in
   * the cache is rewritten straight from it, with no lookup first: the rewrite names the
   * version it started from, so if the row has moved on (another connection, or an earlier
   * write of the same transaction) nothing is written and the write starts over from the row
   * as it is.
   */
  writeNow(scope: Scope, id: string, mutate: (current: T | undefined) => T | undefined): Written<T> {
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

  /**
   * A write of a document that the open Store.transact wrote already: it builds on what that
   * wrote, which is not committed yet, so it is neither in the cache nor to be read back into it.
   */
  writeOver(
    scope: Scope,
    id: string,
    earlier: Written<T> & { row: RowRef },
    mutate: (current: T | undefined) => T | undefined,
  ): Written<T> {
    const current = earlier.doc!;
    const next = mutate(current);
    if (next === undefined) return { doc: current };
    return this.rewrite(earlier.row, current, next) || { doc: next, row: this.put(scope, id, next) };
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

  /** After the commit: caches what was written and tells the listeners. */
  remember(scope: Scope, id: string, row: RowRef, doc: T): void {
    deepFreeze(doc as object);
    this.cache.set(this.cacheKey(scope, id), row, doc);
    this.changed(scope, id, doc);
  }

  remove(scope: Scope, id: string): Promise<boolean> {
    // Through the queue, so it lands after the writes asked for before it.
    return this.commits.enqueue(
      () => this.removeNow(scope, id),
      (removed) => {
        this.forget(scope, id, removed);
        return removed;
      },
    );
  }

  /** One removal, inside its transaction; whether there was a document. */
  removeNow(scope: Scope, id: string): boolean {
    return this.stmt.remove.run(scope.accountId, scope.region, this.spec.name, id).changes > 0;
  }

  /** After the commit of a removal: uncaches the document and tells the listeners it is gone. */
  forget(scope: Scope, id: string, removed: boolean): void {
    this.cache.delete(this.cacheKey(scope, id));
    if (removed) this.changed(scope, id, undefined);
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
  put(scope: Scope, id: string, doc: T): RowRef {
    this.scopes.note(scope);
    const { parent, seq, status } = this.spec.keys(doc);
    return this.stmt.upsert.get(scope.accountId, scope.region, this.spec.name, id, parent, seq, status, encode(doc)) as RowRef;
  }
}
