// The Store on embedded SQLite (better-sqlite3). WAL journal: a committed transaction is
// on disk before the write is acknowledged, so an acknowledged write survives kill -9 of berth.
// better-sqlite3 is synchronous, so each write's read-modify-write runs whole, with no
// other request interleaving; writes asked for together commit together (CommitQueue).
import type { Collection, CollectionSpec, Store, Transaction, WriteOptions } from "../store.js";
import { startCheckpointer } from "./checkpointer.js";
import { SqliteCollection } from "./collection.js";
import { CommitQueue } from "./commit-queue.js";
import { DocumentCache } from "./document-cache.js";
import { KnownScopes } from "./known-scopes.js";
import { openDatabase } from "./open.js";
import { SqliteTransaction } from "./transaction.js";

export interface SqliteStoreOptions {
  /**
   * NORMAL in WAL mode keeps every commit across a process crash (kill -9); FULL adds an
   * fsync per commit to also survive power loss.
   */
  synchronous?: "NORMAL" | "FULL";
  /** How many decoded documents the store keeps. */
  cacheDocuments?: number;
  /** Hears the errors no caller is told of (a failing checkpoint, say); the store carries on. */
  onError?: (what: string, err: unknown) => void;
}

export const DEFAULT_SYNCHRONOUS = "NORMAL";
export const DEFAULT_CACHE_DOCUMENTS = 50_000;
/** Without an onError, those errors go to stderr rather than nowhere. */
export const DEFAULT_ON_ERROR = (what: string, err: unknown): void => {
  console.error(`berth: SQLite store (${what}): ${err instanceof Error ? err.message : String(err)}`);
};

export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  const onError = options.onError ?? DEFAULT_ON_ERROR;
  const db = openDatabase(path, options.synchronous ?? DEFAULT_SYNCHRONOUS);
  const checkpointer = startCheckpointer(path, (err) => onError("checkpoint", err));
  const collections = new Map<string, SqliteCollection<unknown>>();
  const cache = new DocumentCache(db, options.cacheDocuments ?? DEFAULT_CACHE_DOCUMENTS);
  const scopes = new KnownScopes(db);
  const commits = new CommitQueue(
    db,
    () => cache.clear(),
    (err) => onError("group commit", err),
  );
  const own = <T>(collection: Collection<T>): SqliteCollection<T> => {
    if (collection instanceof SqliteCollection && collections.get(collection.spec.name) === collection)
      return collection as SqliteCollection<T>;
    throw new Error("transact: a collection of another store");
  };
  return {
    collection<T>(spec: CollectionSpec<T>): Collection<T> {
      let c = collections.get(spec.name);
      if (!c) {
        // Needed: the collections of every T share one map. (The rule misreads a generic receiver.)
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
        c = new SqliteCollection(db, cache, scopes, commits, spec as CollectionSpec<unknown>);
        collections.set(spec.name, c);
      }
      return c as unknown as Collection<T>;
    },
    async scopes() {
      return scopes.all();
    },
    transact<R>(work: (tx: Transaction) => R, options?: WriteOptions): Promise<R> {
      return commits.enqueue(
        () => {
          const tx = new SqliteTransaction(own);
          return { tx, result: work(tx) };
        },
        ({ tx, result }) => {
          tx.committed();
          return result;
        },
        options?.grouped,
      );
    },
    async close() {
      commits.flush();
      await checkpointer.close();
      db.close();
    },
  };
}
