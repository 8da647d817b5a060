// Every error CloudWatch Logs handlers raise is a LogsError: an exception of the model, by the
// name of its class in @aws-sdk/client-cloudwatch-logs (checked at compile time), with the
// members its shape has besides the message (DataAlreadyAcceptedException's
// expectedSequenceToken).
import type * as LogsSdk from "@aws-sdk/client-cloudwatch-logs";
import { modeledError, type ServiceErrors } from "../../aws/errors.js";
import { logsModel } from "./model.js";

type LogsExceptionName = {
  [K in keyof typeof LogsSdk]: (typeof LogsSdk)[K] extends abstract new (...args: never[]) => LogsSdk.CloudWatchLogsServiceException
    ? K
    : never;
}[keyof typeof LogsSdk];

export class LogsError extends Error {
  constructor(
    readonly code: Exclude<LogsExceptionName, "CloudWatchLogsServiceException"> | "NotImplemented",
    message: string,
    readonly fields?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const logsErrors: ServiceErrors = {
  describe: (err) =>
    err instanceof LogsError
      ? { ...modeledError(logsModel(), err.code, err.message), ...(err.fields ? { fields: err.fields } : {}) }
      : undefined,
  internalErrorCode: "ServiceUnavailableException",
};

export const invalidParameter = (message: string) => new LogsError("InvalidParameterException", message);
export const groupNotFound = () => new LogsError("ResourceNotFoundException", "The specified log group does not exist.");
export const streamNotFound = () => new LogsError("ResourceNotFoundException", "The specified log stream does not exist.");
