import type { Scope } from "../store.js";
import type { Db } from "./open.js";
import { scopeKey } from "../../domain/scope.js";

/**
 * The accounts and regions that hold documents: read from the database once, then kept from
 * the writes. Sweeps ask every few seconds, and the DISTINCT over every document it replaces
 * read the whole index each time. A scope whose documents were all removed stays listed;
 * the sweeps then find nothing in it.
 */
export class KnownScopes {
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
    const key = scopeKey(scope);
    if (this.known && !this.known.has(key)) this.known.set(key, { accountId: scope.accountId, region: scope.region });
  }
}
