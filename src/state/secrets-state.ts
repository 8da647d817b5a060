// Secrets Manager's collection: one document per secret, keyed by its name (a name belongs to
// one secret at a time, scheduled for deletion or not), its versions inside it so a new value
// and the labels it moves land in one write. Values are sealed before they get here.
import type { StoredSecret } from "../domain/secretsmanager/secret.js";
import type { Collection, Store } from "./store.js";

export type { StoredSecret, StoredSecretVersion } from "../domain/secretsmanager/secret.js";

export interface SecretsState {
  /** Keyed by name; seq: creation time (ms); status: "deleted" once scheduled for deletion, else "". */
  secrets: Collection<StoredSecret>;
  /** For a purge that must see the document it removes (a name may meanwhile belong to a new secret). */
  transact: Store["transact"];
}

export function secretsState(store: Store): SecretsState {
  return {
    secrets: store.collection<StoredSecret>({
      name: "secret",
      keys: (s) => ({ parent: "", seq: s.createdAt, status: s.deletedAt === undefined ? "" : "deleted" }),
    }),
    transact: (work, options) => store.transact(work, options),
  };
}
