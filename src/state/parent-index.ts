// A collection's documents grouped by parent (a cluster's container instances), held in
// memory and kept current from the collection's change feed. RunTask reads a cluster's
// instances on every call; from here that read is an array, not a thousand-row query.
import type { Scope } from "../domain/scope.js";
import type { Collection } from "./store.js";

interface Group<T> {
  docs: Map<string, T>;
  /** In `order`; dropped when a document joins, leaves or moves, rebuilt on the next read. */
  sorted?: T[];
  position?: Map<string, number>;
}

interface ScopeGroups<T> {
  groups: Map<string, Group<T>>;
  parentOf: Map<string, string>;
  /** While the first load runs: ids changed meanwhile, whose loaded copy is older. */
  touched?: Set<string>;
  loaded: Promise<void>;
}

const scopeKey = (scope: Scope) => `${scope.accountId}\0${scope.region}`;

export class ParentIndex<T> {
  private readonly scopes = new Map<string, ScopeGroups<T>>();

  constructor(
    private readonly collection: Collection<T>,
    private readonly parentOf: (doc: T) => string,
    private readonly idOf: (doc: T) => string,
    /** The order list() returns documents in, as the store would (its (parent, seq, id) order). */
    private readonly order: (a: T, b: T) => number,
  ) {
    collection.watch((scope, id, doc) => {
      const index = this.scopes.get(scopeKey(scope));
      if (!index) return; // not loaded yet: the load will read this write
      index.touched?.add(id);
      this.set(index, id, doc);
    });
  }

  /**
   * The documents under `parent`, in order. The array is shared: read it, do not change it;
   * a document updated in place shows its newer version to a reader that holds the array.
   */
  async list(scope: Scope, parent: string): Promise<readonly T[]> {
    const group = (await this.index(scope)).groups.get(parent);
    if (!group) return [];
    if (!group.sorted) {
      group.sorted = [...group.docs.values()].sort(this.order);
      group.position = new Map(group.sorted.map((d, i) => [this.idOf(d), i]));
    }
    return group.sorted;
  }

  private async index(scope: Scope): Promise<ScopeGroups<T>> {
    const key = scopeKey(scope);
    let index = this.scopes.get(key);
    if (!index) {
      const fresh: ScopeGroups<T> = { groups: new Map(), parentOf: new Map(), touched: new Set(), loaded: Promise.resolve() };
      this.scopes.set(key, fresh);
      fresh.loaded = this.load(scope, fresh).catch((err) => {
        this.scopes.delete(key); // the next question tries again
        throw err;
      });
      index = fresh;
    }
    await index.loaded;
    return index;
  }

  private async load(scope: Scope, index: ScopeGroups<T>): Promise<void> {
    for (const doc of await this.collection.list(scope)) {
      const id = this.idOf(doc);
      if (!index.touched!.has(id)) this.set(index, id, doc);
    }
    index.touched = undefined;
  }

  private set(index: ScopeGroups<T>, id: string, doc: T | undefined): void {
    const parent = doc === undefined ? undefined : this.parentOf(doc);
    const before = index.parentOf.get(id);
    if (before !== undefined && before === parent) {
      const group = index.groups.get(parent)!;
      const old = group.docs.get(id)!;
      group.docs.set(id, doc!);
      // Same place in the order (a heartbeat, an attribute): swap it in where it stands.
      const at = group.position?.get(id);
      if (group.sorted && at !== undefined && this.order(old, doc!) === 0) group.sorted[at] = doc!;
      else group.sorted = undefined;
      return;
    }
    if (before !== undefined) {
      const group = index.groups.get(before)!;
      group.docs.delete(id);
      group.sorted = undefined;
      if (!group.docs.size) index.groups.delete(before);
      index.parentOf.delete(id);
    }
    if (doc === undefined || parent === undefined) return;
    let group = index.groups.get(parent);
    if (!group) index.groups.set(parent, (group = { docs: new Map() }));
    group.docs.set(id, doc);
    group.sorted = undefined;
    index.parentOf.set(id, parent);
  }
}
