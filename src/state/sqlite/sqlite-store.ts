// The Store on embedded SQLite (better-sqlite3). WAL journal: a committed transaction is
// on disk before the call returns, so an acknowledged write survives kill -9 of berth.
// better-sqlite3 is synchronous, so each write's read-modify-write runs in one
// transaction that no other request can interleave with.
import Database from "better-sqlite3";
import type { Collection, CollectionSpec, ListQuery, Scope, Store } from "../store.js";
import { migrations } from "./migrations.js";

type Db = Database.Database;

interface DocumentRow {
  id: string;
  body: string;
}

export function openSqliteStore(path: string): Store {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  // NORMAL in WAL mode keeps every commit across a process crash (kill -9); FULL would add
  // an fsync per commit to also survive power loss. BERTH_SQLITE_SYNC=FULL chooses that.
  db.pragma(`synchronous = ${process.env.BERTH_SQLITE_SYNC === "FULL" ? "FULL" : "NORMAL"}`);
  db.pragma("busy_timeout = 5000");
  migrate(db);
  const collections = new Map<string, SqliteCollection<unknown>>();
  return {
    collection<T>(spec: CollectionSpec<T>): Collection<T> {
      let c = collections.get(spec.name);
      if (!c) {
        c = new SqliteCollection(db, spec as CollectionSpec<unknown>);
        collections.set(spec.name, c);
      }
      return c as unknown as Collection<T>;
    },
    async scopes() {
      const rows = db.prepare("SELECT DISTINCT account, region FROM documents").all() as { account: string; region: string }[];
      return rows.map((r) => ({ accountId: r.account, region: r.region }));
    },
    async close() {
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
function encode(doc: unknown): string {
  return JSON.stringify(doc, function (this: Record<string, unknown>, key, value) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.getTime() } : value;
  });
}

function decode<T>(body: string): T {
  return JSON.parse(body, (_key, value) =>
    value !== null && typeof value === "object" && typeof value.$date === "number" && Object.keys(value).length === 1
      ? new Date(value.$date)
      : value,
  ) as T;
}

class SqliteCollection<T> implements Collection<T> {
  private readonly stmt;

  constructor(
    private readonly db: Db,
    private readonly spec: CollectionSpec<T>,
  ) {
    const k = "account = @account AND region = @region AND kind = @kind";
    this.stmt = {
      get: db.prepare(`SELECT id, body FROM documents WHERE ${k} AND id = @id`),
      upsert: db.prepare(
        `INSERT INTO documents (account, region, kind, id, parent, seq, status, version, body)
         VALUES (@account, @region, @kind, @id, @parent, @seq, @status, 1, @body)
         ON CONFLICT (account, region, kind, id) DO UPDATE SET
           parent = excluded.parent, seq = excluded.seq, status = excluded.status,
           version = documents.version + 1, body = excluded.body`,
      ),
      remove: db.prepare(`DELETE FROM documents WHERE ${k} AND id = @id`),
      lastSeq: db.prepare(`SELECT last FROM sequences WHERE ${k} AND parent = @parent`).pluck(),
      setSeq: db.prepare(
        `INSERT INTO sequences (account, region, kind, parent, last) VALUES (@account, @region, @kind, @parent, @last)
         ON CONFLICT (account, region, kind, parent) DO UPDATE SET last = excluded.last`,
      ),
    };
  }

  private key(scope: Scope) {
    return { account: scope.accountId, region: scope.region, kind: this.spec.name };
  }

  async get(scope: Scope, id: string): Promise<T | undefined> {
    return this.getNow(scope, id);
  }

  private getNow(scope: Scope, id: string): T | undefined {
    const row = this.stmt.get.get({ ...this.key(scope), id }) as DocumentRow | undefined;
    return row ? decode<T>(row.body) : undefined;
  }

  async getMany(scope: Scope, ids: readonly string[]): Promise<Map<string, T>> {
    const found = new Map<string, T>();
    for (const id of ids) {
      const doc = this.getNow(scope, id);
      if (doc !== undefined) found.set(id, doc);
    }
    return found;
  }

  private where(scope: Scope, query: ListQuery): { sql: string; params: Record<string, unknown> } {
    const params: Record<string, unknown> = { ...this.key(scope) };
    let sql = "account = @account AND region = @region AND kind = @kind";
    if (query.parent !== undefined) {
      sql += " AND parent = @parent";
      params.parent = query.parent;
    }
    if (query.parentPrefix) {
      sql += " AND substr(parent, 1, length(@prefix)) = @prefix";
      params.prefix = query.parentPrefix;
    }
    if (query.status !== undefined) {
      sql += " AND status = @status";
      params.status = query.status;
    }
    return { sql, params };
  }

  async list(scope: Scope, query: ListQuery = {}): Promise<T[]> {
    const { sql, params } = this.where(scope, query);
    const dir = query.order === "desc" ? "DESC" : "ASC";
    const rows = this.db
      .prepare(`SELECT id, body FROM documents WHERE ${sql} ORDER BY parent ${dir}, seq ${dir}, id ${dir}`)
      .all(params) as DocumentRow[];
    return rows.map((r) => decode<T>(r.body));
  }

  async count(scope: Scope, query: ListQuery = {}): Promise<number> {
    const { sql, params } = this.where(scope, query);
    return this.db.prepare(`SELECT count(*) FROM documents WHERE ${sql}`).pluck().get(params) as number;
  }

  async write(scope: Scope, id: string, mutate: (current: T | undefined) => T | undefined): Promise<T | undefined> {
    return this.db.transaction(() => {
      const current = this.getNow(scope, id);
      const next = mutate(current);
      if (next === undefined) return current;
      this.put(scope, id, next);
      return next;
    })();
  }

  async append(scope: Scope, parent: string, make: (seq: number) => { id: string; doc: T }): Promise<T> {
    return this.db.transaction(() => {
      const last = (this.stmt.lastSeq.get({ ...this.key(scope), parent }) as number | undefined) ?? 0;
      const { id, doc } = make(last + 1);
      this.stmt.setSeq.run({ ...this.key(scope), parent, last: last + 1 });
      this.put(scope, id, doc);
      return doc;
    })();
  }

  async remove(scope: Scope, id: string): Promise<boolean> {
    return this.stmt.remove.run({ ...this.key(scope), id }).changes > 0;
  }

  private put(scope: Scope, id: string, doc: T): void {
    const keys = this.spec.keys(doc);
    this.stmt.upsert.run({ ...this.key(scope), id, ...keys, body: encode(doc) });
  }
}
