// Every error SSM's handlers and rules raise is an SsmError: an exception of the SSM model, by
// the name of its class in @aws-sdk/client-ssm (checked at compile time), or the codes every
// JSON service answers with. The model gives each its status (InternalServerError: 500).
import type * as SsmSdk from "@aws-sdk/client-ssm";

type SsmExceptionName = {
  [K in keyof typeof SsmSdk]: (typeof SsmSdk)[K] extends abstract new (...args: never[]) => SsmSdk.SSMServiceException ? K : never;
}[keyof typeof SsmSdk];

export class SsmError extends Error {
  constructor(
    readonly code: Exclude<SsmExceptionName, "SSMServiceException"> | "NotImplemented",
    message: string,
  ) {
    super(message);
  }
}

export const validation = (message: string) => new SsmError("ValidationException", message);
export const parameterNotFound = (name: string) => new SsmError("ParameterNotFound", `Parameter ${name} not found.`);
