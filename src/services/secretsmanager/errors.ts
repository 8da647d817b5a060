// Every error Secrets Manager handlers raise is a SecretsError: an exception of the Secrets
// Manager model, by the name of its class in @aws-sdk/client-secrets-manager (checked at
// compile time), or ValidationException, which Secrets Manager answers input its model
// refuses with though no model lists it. The pure rules of src/domain/secretsmanager refuse
// with a SecretsRefusal of the same codes, which answers the same way.
import type * as SecretsManagerSdk from "@aws-sdk/client-secrets-manager";
import { modeledError, type ServiceErrors } from "../../aws/errors.js";
import { SecretsRefusal } from "../../domain/secretsmanager/refusal.js";
import { secretsManagerModel } from "./model.js";

type SecretsExceptionName = {
  [K in keyof typeof SecretsManagerSdk]: (typeof SecretsManagerSdk)[K] extends abstract new (
    ...args: never[]
  ) => SecretsManagerSdk.SecretsManagerServiceException
    ? K
    : never;
}[keyof typeof SecretsManagerSdk];

export type SecretsErrorCode = Exclude<SecretsExceptionName, "SecretsManagerServiceException"> | "ValidationException" | "NotImplemented";

export class SecretsError extends Error {
  constructor(
    readonly code: SecretsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** NotImplemented is a 501 as every other service of berth answers it; the rest are the model's (400 unless it says otherwise). */
const STATUS: Partial<Record<SecretsErrorCode, number>> = { NotImplemented: 501 };

export const secretsErrors: ServiceErrors = {
  describe(err) {
    if (!(err instanceof SecretsError) && !(err instanceof SecretsRefusal)) return undefined;
    const wire = modeledError(secretsManagerModel(), err.code, err.message);
    return { ...wire, status: STATUS[err.code] ?? wire.status };
  },
  internalErrorCode: "InternalServiceError",
};
