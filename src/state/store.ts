// The state store berth's control plane reads and writes through. SQLite fills it today
// (src/state/sqlite); a PostgreSQL implementation can fill the same interface, which is
// why every method is async and every write is a read-modify-write of one document (or,
// through transact, of several) that the implementation runs in one transaction.

import type { KeysetPosition } from "../domain/pagination.js";
import type { Scope } from "../domain/scope.js";

/** Every key carries the account and region: state is partitioned by them. */
export type { Scope };

/**
 * Columns a collection indexes beside its JSON document: `parent` groups documents (a
 * task definition's family, a task's cluster and group), `seq` orders them within a parent,
 * and `status` filters them. (What runs on a host is asked of the live-task index in memory,
 * not of the store: a second index by host cost every task write a fifth of its time.)
 */
export interface IndexKeys {
  parent: string;
  seq: number;
  status: string;
}

export interface ListQuery {
  parent?: string;
  parentPrefix?: string;
  status?: string;
  /** Documents come back ordered by (parent, seq, id); "desc" reverses it. */
  order?: "asc" | "desc";
  /** "seq": ordered by (seq, id) alone, across parents (a cluster's tasks oldest first, whatever their group). */
  orderBy?: "seq";
  /**
   * Only documents past this position in the order asked for: a page boundary that holds
   * while documents before it come and go. In the (parent, seq, id) order it names a parent.
   */
  after?: ListPosition;
  /** At most this many, the first in that order (a family's latest revision, not all of them). */
  limit?: number;
}

/** Where a document stands in a list's order: its index keys and id (what a keyset page token names). */
export type ListPosition = KeysetPosition;

export interface Collection<T> {
  get(scope: Scope, id: string): Promise<T | undefined>;
  getMany(scope: Scope, ids: readonly string[]): Promise<Map<string, T>>;
  list(scope: Scope, query?: ListQuery): Promise<T[]>;
  count(scope: Scope, query?: ListQuery): Promise<number>;
  /**
   * The one write path: `mutate` sees the current document (or undefined) and returns the
   * next one, or undefined to leave it as it is. It runs inside the write transaction, so
   * it must be pure and synchronous; what it throws aborts the write and reaches the caller.
   */
  write(scope: Scope, id: string, mutate: (current: T | undefined) => T | undefined, options?: WriteOptions): Promise<T | undefined>;
  /** Creates or replaces documents in one transaction: all are written, or none. */
  putMany(scope: Scope, docs: readonly { id: string; doc: T }[]): Promise<void>;
  /**
   * Appends the next document of `parent` with seq = highest seq ever used there + 1
   * (revisions never repeat, even after deletion). `make` builds it from that number.
   */
  append(scope: Scope, parent: string, make: (seq: number) => { id: string; doc: T }, options?: WriteOptions): Promise<T>;
  remove(scope: Scope, id: string): Promise<boolean>;
  /**
   * Calls `listener` after every committed change to the collection, with the document as
   * written (undefined once removed), before the writing call's promise resolves. Derived views that
   * would otherwise re-read thousands of documents per request (what each host holds) keep
   * themselves current this way. Returns a function that stops the calls.
   */
  watch(listener: ChangeListener<T>): () => void;
}

export interface WriteOptions {
  /**
   * The write may wait for the event loop to turn and share one commit with the other
   * grouped writes asked for meanwhile (group commit): for busy paths whose callers hold no
   * lock that others wait on, such as agents' reports and heartbeats. Either way the write
   * is acknowledged only once committed.
   */
  grouped?: boolean;
}

export type ChangeListener<T> = (scope: Scope, id: string, doc: T | undefined) => void;

export interface CollectionSpec<T> {
  name: string;
  keys(doc: T): IndexKeys;
  /**
   * Optional: given a document just read (frozen), returns it with parts that many documents
   * repeat replaced by one shared copy, so thousands of them cost memory once.
   */
  share?(doc: T): T;
}

/** Writes to several documents, of any collections, that commit together or not at all. */
export interface Transaction {
  /** As Collection.write, inside the transaction: returns the document as it now is (undefined if absent and left so). */
  write<T>(collection: Collection<T>, scope: Scope, id: string, mutate: (current: T | undefined) => T | undefined): T | undefined;
  /** As Collection.putMany for one document. */
  put<T>(collection: Collection<T>, scope: Scope, id: string, doc: T): void;
  /** As Collection.remove: the document is gone once the transaction commits (listeners hear undefined). */
  remove<T>(collection: Collection<T>, scope: Scope, id: string): void;
}

export interface Store {
  collection<T>(spec: CollectionSpec<T>): Collection<T>;
  /** Every account and region that holds state, for housekeeping across them all. */
  scopes(): Promise<Scope[]>;
  /**
   * Runs `work` in one transaction (pure and synchronous, like a mutate); resolves once
   * committed, with what it returned. Change listeners hear of every document written, after
   * the commit. A throw rolls everything back and rejects.
   */
  transact<R>(work: (tx: Transaction) => R, options?: WriteOptions): Promise<R>;
  /** Commits the writes still queued, then lets go of the state: the store is not used after. */
  close(): Promise<void>;
}
