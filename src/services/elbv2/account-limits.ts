// DescribeAccountLimits: ELBv2's quotas as AWS sets them by default (src/domain/elbv2/limits.ts).
import type { DescribeAccountLimitsInput, DescribeAccountLimitsOutput } from "@aws-sdk/client-elastic-load-balancing-v2";
import { accountLimits } from "../../domain/elbv2/limits.js";
import type { Elbv2Context, Elbv2Handlers } from "./context.js";
import { requestedPage } from "./paging.js";

async function describeAccountLimits(_ctx: Elbv2Context, input: DescribeAccountLimitsInput): Promise<DescribeAccountLimitsOutput> {
  const page = requestedPage(accountLimits(), (l) => l.Name!, input, 400);
  return { Limits: page.items, NextMarker: page.NextMarker };
}

export const accountLimitsOperations: Elbv2Handlers = {
  DescribeAccountLimits: describeAccountLimits,
};
