import type * as LogsSdk from "@aws-sdk/client-cloudwatch-logs";
import type { HandlerTable } from "../../aws/operations.js";
import type { Scope } from "../../domain/scope.js";
import type { LogDatabase } from "../../state/log-events.js";

/** What every CloudWatch Logs handler gets besides its input. */
export interface LogsContext {
  scope: Scope;
  now: Date;
  db: LogDatabase;
}

/** CloudWatch Logs handlers by operation name, each typed from its @aws-sdk/client-cloudwatch-logs command. */
export type LogsHandlers = HandlerTable<typeof LogsSdk, LogsContext>;
