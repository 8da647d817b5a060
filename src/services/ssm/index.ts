// SSM's Parameter Store on berth's front door (AWS JSON 1.1, target prefix AmazonSSM): plain,
// list and SecureString parameters, sealed at rest, with versions, labels, paths and tags.
// The rest of SSM's model answers that berth does not implement it.
import type * as SsmSdk from "@aws-sdk/client-ssm";
import { defineService, type AwsService } from "../../aws/service.js";
import { SsmError } from "../../domain/ssm/errors.js";
import type { SsmContext, SsmDeps, SsmHandlers } from "./context.js";
import { ssmErrors } from "./errors.js";
import { labelOperations } from "./labels.js";
import { ssmModel } from "./model.js";
import { parameterOperations } from "./parameters.js";
import { queryOperations } from "./queries.js";
import { tagOperations } from "./tags.js";

export const ssmOperations: SsmHandlers = {
  ...parameterOperations,
  ...queryOperations,
  ...labelOperations,
  ...tagOperations,
};

export function ssmService(deps: SsmDeps): AwsService {
  return defineService<typeof SsmSdk, SsmContext>({
    model: ssmModel(),
    handlers: ssmOperations,
    context: (caller, now) => ({ ...deps, caller, scope: caller.scope, now }),
    errors: ssmErrors,
    violation: (message) => new SsmError("ValidationException", message),
    notImplemented: (operation) =>
      new SsmError("NotImplemented", `${operation} is part of the SSM API but is not implemented by berth yet.`),
  });
}
