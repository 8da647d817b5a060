// CloudWatch Logs on berth's front door: log groups and streams, PutLogEvents with AWS's
// limits and sequence tokens, GetLogEvents and FilterLogEvents with filter patterns,
// retention and tags. Events live in their own SQLite database (src/state/log-events.ts);
// the composition root opens it, hands it here, sweeps expired events and closes it.
import type * as LogsSdk from "@aws-sdk/client-cloudwatch-logs";
import { defineService, type AwsService } from "../../aws/service.js";
import type { LogDatabase } from "../../state/log-events.js";
import type { LogsContext, LogsHandlers } from "./context.js";
import { LogsError, logsErrors } from "./errors.js";
import { logGroupsOperations } from "./log-groups.js";
import { logStreamsOperations } from "./log-streams.js";
import { logsModel } from "./model.js";
import { putEventsOperations } from "./put-events.js";
import { readEventsOperations } from "./read-events.js";
import { tagsOperations } from "./tags.js";

export const logsOperations: LogsHandlers = {
  ...logGroupsOperations,
  ...logStreamsOperations,
  ...putEventsOperations,
  ...readEventsOperations,
  ...tagsOperations,
};

export function logsService(deps: { db: LogDatabase }): AwsService {
  return defineService<typeof LogsSdk, LogsContext>({
    model: logsModel(),
    handlers: logsOperations,
    context: (caller, now) => ({ scope: caller.scope, now, db: deps.db }),
    errors: logsErrors,
    violation: (message) => new LogsError("InvalidParameterException", message),
    notImplemented: (operation) =>
      new LogsError("NotImplemented", `${operation} is part of the CloudWatch Logs API but is not implemented by berth yet.`),
  });
}
