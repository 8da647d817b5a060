// STS (AWS Security Token Service) on berth's front door: the smallest service, and the one to
// copy for a new one. A service is a folder with its model (scripts/extract-model.py), a
// context, an error class, handler files with typed tables, and this definition, which
// the composition root (src/cli/control-plane.ts) hands to the front door.
import type * as StsSdk from "@aws-sdk/client-sts";
import { defineService, type AwsService } from "../../aws/service.js";
import { callerIdentityOperations } from "./caller-identity.js";
import type { StsContext, StsHandlers } from "./context.js";
import { StsError, stsErrors } from "./errors.js";
import { stsModel } from "./model.js";

export const stsOperations: StsHandlers = {
  ...callerIdentityOperations,
};

export function stsService(): AwsService {
  return defineService<typeof StsSdk, StsContext>({
    model: stsModel(),
    handlers: stsOperations,
    context: (caller, now) => ({ caller, now }),
    errors: stsErrors,
    violation: (message) => new StsError("ValidationError", message),
    notImplemented: (operation) =>
      new StsError("NotImplemented", `${operation} is part of the STS API but is not implemented by berth yet.`),
  });
}
