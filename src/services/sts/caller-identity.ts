// GetCallerIdentity: who signed the request, as IAM names them.
import type { GetCallerIdentityRequest, GetCallerIdentityResponse } from "@aws-sdk/client-sts";
import type { StsContext, StsHandlers } from "./context.js";

async function getCallerIdentity(ctx: StsContext, _input: GetCallerIdentityRequest): Promise<GetCallerIdentityResponse> {
  const { principal } = ctx.caller;
  return { UserId: principal.userId, Account: principal.accountId, Arn: principal.arn };
}

export const callerIdentityOperations = {
  GetCallerIdentity: getCallerIdentity,
} satisfies StsHandlers;
