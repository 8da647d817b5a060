// An in-memory state derived from one collection, per account and region, kept current from
// the collection's change feed: the first question about a scope loads what the store holds
// (once, shared by concurrent askers), and every committed write after that is applied
// before the writing call returns. The derived indexes (live tasks by host, instances by
// cluster) are built on it.
import type { Collection, ListQuery } from "./store.js";
import { scopeKey, type Scope } from "../domain/scope.js";

export interface MirrorSpec<T, S> {
  /** What the first load reads; later changes arrive whatever they are. */
  query: ListQuery;
  idOf(doc: T): string;
  empty(): S;
  /** Applies a document as written (undefined once removed) to the state. */
  apply(state: S, id: string, doc: T | undefined): void;
}

interface Mirrored<S> {
  state: S;
  /** While the first load runs: ids changed meanwhile, whose loaded copy is older. */
  touched?: Set<string>;
  loaded: Promise<void>;
}

export class ScopeMirror<T, S> {
  private readonly scopes = new Map<string, Mirrored<S>>();

  constructor(
    private readonly collection: Collection<T>,
    private readonly spec: MirrorSpec<T, S>,
  ) {
    collection.watch((scope, id, doc) => {
      const mirrored = this.scopes.get(scopeKey(scope));
      if (!mirrored) return; // not loaded yet: the load will read this write
      mirrored.touched?.add(id);
      spec.apply(mirrored.state, id, doc);
    });
  }

  /** The scope's state, loaded on first use. */
  async state(scope: Scope): Promise<S> {
    const key = scopeKey(scope);
    let mirrored = this.scopes.get(key);
    if (!mirrored) {
      const fresh: Mirrored<S> = { state: this.spec.empty(), touched: new Set(), loaded: Promise.resolve() };
      this.scopes.set(key, fresh);
      fresh.loaded = this.load(scope, fresh).catch((err) => {
        this.scopes.delete(key); // the next question tries again
        throw err;
      });
      mirrored = fresh;
    }
    await mirrored.loaded;
    return mirrored.state;
  }

  private async load(scope: Scope, mirrored: Mirrored<S>): Promise<void> {
    for (const doc of await this.collection.list(scope, this.spec.query)) {
      const id = this.spec.idOf(doc);
      if (!mirrored.touched!.has(id)) this.spec.apply(mirrored.state, id, doc);
    }
    mirrored.touched = undefined;
  }
}
