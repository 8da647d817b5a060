// Every error STS handlers raise is an StsError: an exception of the STS model, by the name
// of its class in @aws-sdk/client-sts (checked at compile time), or one of the codes every
// query service answers with. The model gives each its wire code and status.
import type * as StsSdk from "@aws-sdk/client-sts";
import { modeledError, type ServiceErrors } from "../../aws/errors.js";
import { stsModel } from "./model.js";

type StsExceptionName = {
  [K in keyof typeof StsSdk]: (typeof StsSdk)[K] extends abstract new (...args: never[]) => StsSdk.STSServiceException ? K : never;
}[keyof typeof StsSdk];

export class StsError extends Error {
  constructor(
    readonly code: Exclude<StsExceptionName, "STSServiceException"> | "ValidationError" | "NotImplemented",
    message: string,
  ) {
    super(message);
  }
}

export const stsErrors: ServiceErrors = {
  describe: (err) => (err instanceof StsError ? modeledError(stsModel(), err.code, err.message) : undefined),
  internalErrorCode: "InternalFailure",
};
