// Every error ELBv2 handlers raise is an Elbv2Error: an exception of the ELBv2 model, by the
// name of its class in @aws-sdk/client-elastic-load-balancing-v2 (checked at compile time),
// or one of the codes every query service answers with. The model gives each its wire code
// (LoadBalancerNotFoundException → LoadBalancerNotFound) and status. The pure checks of
// src/domain/elbv2 refuse with an ElbRefusal of the same codes, which answers the same way,
// so handlers let those through as they are.
import type * as Elbv2Sdk from "@aws-sdk/client-elastic-load-balancing-v2";
import { modeledError, type ServiceErrors } from "../../aws/errors.js";
import { ElbRefusal } from "../../domain/elbv2/refusal.js";
import { elbv2Model } from "./model.js";

type Elbv2ExceptionName = {
  [K in keyof typeof Elbv2Sdk]: (typeof Elbv2Sdk)[K] extends abstract new (
    ...args: never[]
  ) => Elbv2Sdk.ElasticLoadBalancingV2ServiceException
    ? K
    : never;
}[keyof typeof Elbv2Sdk];

export type Elbv2ErrorCode = Exclude<Elbv2ExceptionName, "ElasticLoadBalancingV2ServiceException"> | "ValidationError" | "NotImplemented";

export class Elbv2Error extends Error {
  constructor(
    readonly code: Elbv2ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const elbv2Errors: ServiceErrors = {
  describe: (err) =>
    err instanceof Elbv2Error || err instanceof ElbRefusal ? modeledError(elbv2Model(), err.code, err.message) : undefined,
  internalErrorCode: "InternalFailure",
};
