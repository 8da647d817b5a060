// DescribeAccountLimits: ELBv2's quotas as AWS sets them by default (src/domain/elbv2/limits.ts).
import type { DescribeAccountLimitsInput, DescribeAccountLimitsOutput } from "@aws-sdk/client-elastic-load-balancing-v2";
import { accountLimits } from "../../domain/elbv2/limits.js";
import { markerPage } from "../../domain/elbv2/pages.js";
import type { Elbv2Context, Elbv2Handlers } from "./context.js";
import { Elbv2Error } from "./errors.js";

async function describeAccountLimits(_ctx: Elbv2Context, input: DescribeAccountLimitsInput): Promise<DescribeAccountLimitsOutput> {
  const page = markerPage(accountLimits(), (l) => l.Name!, input.Marker, input.PageSize ?? 400);
  if (!page) throw new Elbv2Error("ValidationError", "The marker is not valid");
  return { Limits: page.items, NextMarker: page.nextMarker };
}

export const accountLimitsOperations: Elbv2Handlers = {
  DescribeAccountLimits: describeAccountLimits,
};
