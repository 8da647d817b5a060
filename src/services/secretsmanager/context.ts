import type * as SecretsManagerSdk from "@aws-sdk/client-secrets-manager";
import type { HandlerTable } from "../../aws/operations.js";
import type { Scope } from "../../domain/scope.js";
import type { Logger } from "../../log/logger.js";
import type { Sealer } from "../../state/sealing.js";
import type { SecretsState } from "../../state/secrets-state.js";

/** What every Secrets Manager handler gets besides its input. */
export interface SecretsContext {
  scope: Scope;
  /** Never given a value: secret values stay out of the logs. */
  log: Logger;
  now: Date;
  state: SecretsState;
  sealer: Sealer;
}

/** Secrets Manager handlers by operation name, each typed from its @aws-sdk/client-secrets-manager command. */
export type SecretsHandlers = HandlerTable<typeof SecretsManagerSdk, SecretsContext>;

/** What the Secrets Manager service is built from (src/cli/control-plane.ts). */
export interface SecretsDeps {
  state: SecretsState;
  /** Seals each version's value at rest (dataDirSealer in the control plane). */
  sealer: Sealer;
}
