// A collection's documents grouped by parent (a cluster's container instances), held in
// memory and kept current from the collection's change feed. RunTask reads a cluster's
// instances on every call; from here that read is an array, not a thousand-row query.
import type { Scope } from "../domain/scope.js";
import { ScopeMirror } from "./scope-mirror.js";
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
}

export class ParentIndex<T> {
  private readonly mirror: ScopeMirror<T, ScopeGroups<T>>;

  constructor(
    collection: Collection<T>,
    private readonly parentOf: (doc: T) => string,
    private readonly idOf: (doc: T) => string,
    /** The order list() returns documents in, as the store would (its (parent, seq, id) order). */
    private readonly order: (a: T, b: T) => number,
  ) {
    this.mirror = new ScopeMirror(collection, {
      query: {},
      idOf,
      empty: () => ({ groups: new Map(), parentOf: new Map() }),
      apply: (index, id, doc) => this.set(index, id, doc),
    });
  }

  /**
   * The documents under `parent`, in order. The array is shared: read it, do not change it;
   * a document updated in place shows its newer version to a reader that holds the array.
   */
  async list(scope: Scope, parent: string): Promise<readonly T[]> {
    const group = (await this.mirror.state(scope)).groups.get(parent);
    if (!group) return [];
    if (!group.sorted) {
      group.sorted = [...group.docs.values()].sort(this.order);
      group.position = new Map(group.sorted.map((d, i) => [this.idOf(d), i]));
    }
    return group.sorted;
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
