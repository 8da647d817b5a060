// LabelParameterVersion and UnlabelParameterVersion: the rules are in src/domain/ssm/labels.ts.
import type {
  LabelParameterVersionRequest,
  LabelParameterVersionResult,
  UnlabelParameterVersionRequest,
  UnlabelParameterVersionResult,
} from "@aws-sdk/client-ssm";
import { parameterNotFound } from "../../domain/ssm/errors.js";
import { labelVersion, unlabelVersion } from "../../domain/ssm/labels.js";
import type { SsmContext, SsmHandlers } from "./context.js";
import { requireParameter } from "./views.js";

async function labelParameterVersion(ctx: SsmContext, input: LabelParameterVersionRequest): Promise<LabelParameterVersionResult> {
  const { name } = await requireParameter(ctx, input.Name!);
  let result: ReturnType<typeof labelVersion> | undefined;
  await ctx.state.parameters.write(ctx.scope, name, (current) => {
    if (!current) throw parameterNotFound(input.Name!);
    result = labelVersion(current, input.ParameterVersion, input.Labels!);
    return result.parameter;
  });
  return { InvalidLabels: result!.invalid, ParameterVersion: result!.version };
}

async function unlabelParameterVersion(ctx: SsmContext, input: UnlabelParameterVersionRequest): Promise<UnlabelParameterVersionResult> {
  const { name } = await requireParameter(ctx, input.Name!);
  let result: ReturnType<typeof unlabelVersion> | undefined;
  await ctx.state.parameters.write(ctx.scope, name, (current) => {
    if (!current) throw parameterNotFound(input.Name!);
    result = unlabelVersion(current, input.ParameterVersion!, input.Labels!);
    return result.removed.length ? result.parameter : undefined;
  });
  return { RemovedLabels: result!.removed, InvalidLabels: result!.invalid };
}

export const labelOperations = {
  LabelParameterVersion: labelParameterVersion,
  UnlabelParameterVersion: unlabelParameterVersion,
} satisfies SsmHandlers;
