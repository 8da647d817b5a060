// GetParametersByPath, DescribeParameters and GetParameterHistory: the parameters of a path,
// of the account and region, and the versions of one, page by page.
import type {
  DescribeParametersRequest,
  DescribeParametersResult,
  GetParameterHistoryRequest,
  GetParameterHistoryResult,
  GetParametersByPathRequest,
  GetParametersByPathResult,
} from "@aws-sdk/client-ssm";
import { validation } from "../../domain/ssm/errors.js";
import { byPathFilter, describeFilter, isUnder } from "../../domain/ssm/filters.js";
import { currentVersion } from "../../domain/ssm/parameter.js";
import { pageByName, pageInOrder } from "../../domain/ssm/pages.js";
import type { SsmContext, SsmHandlers } from "./context.js";
import { historyView, metadataView, parameterView, requireParameter } from "./views.js";

async function getParametersByPath(ctx: SsmContext, input: GetParametersByPathRequest): Promise<GetParametersByPathResult> {
  const path = input.Path!.length > 1 ? input.Path!.replace(/\/$/, "") : input.Path!;
  if (!path.startsWith("/") || path.includes("//")) {
    throw validation(`The parameter path ${input.Path} is not valid. A path begins with "/" and its sub-paths are separated by "/".`);
  }
  const recursive = input.Recursive ?? false;
  const matches = byPathFilter(input.ParameterFilters);
  // Stored by the path each sits directly under: one level is one parent, a subtree one prefix.
  const candidates = await ctx.state.parameters.list(ctx.scope, recursive ? { parentPrefix: path } : { parent: path });
  const under = candidates.filter((p) => isUnder(p.name, path, recursive) && matches(p));
  const page = pageByName(under, (p) => p.name, input.MaxResults ?? 10, input.NextToken);
  return {
    Parameters: page.items.map((p) => parameterView(ctx, p, currentVersion(p), input.WithDecryption)),
    ...(page.nextToken ? { NextToken: page.nextToken } : {}),
  };
}

async function describeParameters(ctx: SsmContext, input: DescribeParametersRequest): Promise<DescribeParametersResult> {
  const matches = describeFilter(input.Filters, input.ParameterFilters);
  // Shared asks for parameters other accounts share with this one through AWS RAM: berth has none.
  const all = input.Shared ? [] : await ctx.state.parameters.list(ctx.scope);
  const page = pageByName(all.filter(matches), (p) => p.name, input.MaxResults ?? 50, input.NextToken);
  return { Parameters: page.items.map((p) => metadataView(ctx.scope, p)), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
}

async function getParameterHistory(ctx: SsmContext, input: GetParameterHistoryRequest): Promise<GetParameterHistoryResult> {
  const parameter = await requireParameter(ctx, input.Name!);
  const page = pageInOrder(parameter.versions, (v) => String(v.version), input.MaxResults ?? 50, input.NextToken);
  return {
    Parameters: page.items.map((v) => historyView(ctx, parameter, v, input.WithDecryption)),
    ...(page.nextToken ? { NextToken: page.nextToken } : {}),
  };
}

export const queryOperations = {
  GetParametersByPath: getParametersByPath,
  DescribeParameters: describeParameters,
  GetParameterHistory: getParameterHistory,
} satisfies SsmHandlers;
