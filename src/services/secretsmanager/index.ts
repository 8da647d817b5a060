// AWS Secrets Manager on berth's front door (JSON 1.1, target prefix "secretsmanager"):
// secrets, their versions and staging labels, tags, deletion with a recovery window. Values
// are sealed at rest (src/state/sealing.ts); rotation, replication and resource policies
// answer that berth does not implement them.
import type * as SecretsManagerSdk from "@aws-sdk/client-secrets-manager";
import { defineService, type AwsService } from "../../aws/service.js";
import type { SecretsContext, SecretsDeps, SecretsHandlers } from "./context.js";
import { SecretsError, secretsErrors } from "./errors.js";
import { secretsManagerModel } from "./model.js";
import { secretsOperations } from "./secrets.js";
import { tagsOperations } from "./tags.js";
import { versionsOperations } from "./versions.js";

export const secretsManagerOperations: SecretsHandlers = {
  ...secretsOperations,
  ...versionsOperations,
  ...tagsOperations,
};

export function secretsManagerService(deps: SecretsDeps): AwsService {
  return defineService<typeof SecretsManagerSdk, SecretsContext>({
    model: secretsManagerModel(),
    handlers: secretsManagerOperations,
    context: (caller, now) => ({ scope: caller.scope, log: caller.log, now, state: deps.state, sealer: deps.sealer }),
    errors: secretsErrors,
    violation: (message) => new SecretsError("ValidationException", message),
    notImplemented: (operation) =>
      new SecretsError("NotImplemented", `${operation} is part of the Secrets Manager API but is not implemented by berth.`),
  });
}
