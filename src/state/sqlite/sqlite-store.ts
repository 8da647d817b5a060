// The Store on embedded SQLite (better-sqlite3). WAL journal: a committed transaction is
// on disk before the write is acknowledged, so an acknowledged write survives kill -9 of berth.
// better-sqlite3 is synchronous, so each write's read-modify-write runs whole, with no
// other request interleaving; writes asked for together commit together (CommitQueue).
import type { Collection, CollectionSpec, Store } from "../store.js";
import { startCheckpointer } from "./checkpointer.js";
import { SqliteCollection } from "./collection.js";
import { CommitQueue } from "./commit-queue.js";
import { DocumentCache } from "./document-cache.js";
import { KnownScopes } from "./known-scopes.js";
import { openDatabase } from "./open.js";

/** How many decoded documents the store keeps (BERTH_DOCUMENT_CACHE overrides). */
const DEFAULT_CACHE_DOCUMENTS = 50_000;

export function openSqliteStore(path: string): Store {
  const db = openDatabase(path, process.env.BERTH_SQLITE_SYNC === "FULL" ? "FULL" : "NORMAL");
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
