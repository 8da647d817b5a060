// Parameter Store's parameters: one document per parameter (its versions inside), keyed by
// name, indexed by the path it sits directly under so a path's parameters are read together.
import type { StoredParameter } from "../domain/ssm/parameter.js";
import { parentPathOf } from "../domain/ssm/names.js";
import type { Collection, Store } from "./store.js";

export type { StoredParameter, StoredVersion } from "../domain/ssm/parameter.js";

export interface SsmState {
  /** Keyed by name; parent: the path it sits under ("/" for top-level and plain names). */
  parameters: Collection<StoredParameter>;
}

export function ssmState(store: Store): SsmState {
  return {
    parameters: store.collection<StoredParameter>({
      name: "ssmParameter",
      keys: (p) => ({ parent: parentPathOf(p.name), seq: p.createdAt, status: "" }),
    }),
  };
}
