import type * as StsSdk from "@aws-sdk/client-sts";
import type { HandlerTable } from "../../aws/operations.js";
import type { Caller } from "../../aws/service.js";

/** What every STS handler gets besides its input. */
export interface StsContext {
  caller: Caller;
  now: Date;
}

/** STS handlers by operation name, each typed from its @aws-sdk/client-sts command. */
export type StsHandlers = HandlerTable<typeof StsSdk, StsContext>;
