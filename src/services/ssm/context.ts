import type * as SsmSdk from "@aws-sdk/client-ssm";
import type { HandlerTable } from "../../aws/operations.js";
import type { Caller } from "../../aws/service.js";
import type { Scope } from "../../domain/scope.js";
import type { Sealer } from "../../state/sealing.js";
import type { SsmState } from "../../state/ssm-state.js";

/** What SSM needs from the composition root. */
export interface SsmDeps {
  state: SsmState;
  /** Seals SecureString values at rest. */
  sealer: Sealer;
}

/** What every SSM handler gets besides its input. */
export interface SsmContext extends SsmDeps {
  caller: Caller;
  scope: Scope;
  now: Date;
}

/** SSM handlers by operation name, each typed from its @aws-sdk/client-ssm command. */
export type SsmHandlers = HandlerTable<typeof SsmSdk, SsmContext>;
