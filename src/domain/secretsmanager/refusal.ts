// The refusals of Secrets Manager's pure rules, by the exception each is in the service's
// model: src/domain does not know the service's error class, so the service answers each
// with its own (src/services/secretsmanager/errors.ts). ValidationException is what Secrets
// Manager answers input its model (or its name rule) refuses, though no model lists it.

export type SecretsRefusalCode =
  | "ResourceNotFoundException"
  | "ResourceExistsException"
  | "InvalidParameterException"
  | "InvalidRequestException"
  | "InvalidNextTokenException"
  | "LimitExceededException"
  | "ValidationException";

export class SecretsRefusal extends Error {
  constructor(
    readonly code: SecretsRefusalCode,
    message: string,
  ) {
    super(message);
  }
}

/** What Secrets Manager answers for a secret it does not have (or no longer has). */
export const secretNotFound = () => new SecretsRefusal("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");

/** What every change (and every read of a value) to a secret scheduled for deletion gets. */
export const markedForDeletion = () =>
  new SecretsRefusal("InvalidRequestException", "You can't perform this operation on the secret because it was marked for deletion.");
