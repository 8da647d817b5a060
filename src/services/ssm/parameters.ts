// PutParameter, GetParameter(s), DeleteParameter(s): writing and reading parameters by name or ARN.
import type {
  DeleteParameterRequest,
  DeleteParameterResult,
  DeleteParametersRequest,
  DeleteParametersResult,
  GetParameterRequest,
  GetParameterResult,
  GetParametersRequest,
  GetParametersResult,
  Parameter,
  PutParameterRequest,
  PutParameterResult,
} from "@aws-sdk/client-ssm";
import { SsmError, parameterNotFound } from "../../domain/ssm/errors.js";
import { checkNewName } from "../../domain/ssm/names.js";
import { checkPutInput, currentVersion, putParameter as putRule, selectVersion, typeOfPut } from "../../domain/ssm/parameter.js";
import type { SsmContext, SsmHandlers } from "./context.js";
import { findParameter, parameterView, requireParameter, sealContext, tryFindParameter } from "./views.js";

async function putParameter(ctx: SsmContext, input: PutParameterRequest): Promise<PutParameterResult> {
  const name = input.Name!;
  checkNewName(name);
  checkPutInput(input);
  const existing = await ctx.state.parameters.get(ctx.scope, name);
  const type = typeOfPut(input, existing);
  // Sealed before the write (mutations stay pure); the write checks the type it was sealed for still holds.
  const storedValue = type === "SecureString" ? ctx.sealer.seal(input.Value!, sealContext(ctx.scope, name)) : input.Value!;
  const written = await ctx.state.parameters.write(ctx.scope, name, (current) => {
    if (typeOfPut(input, current) !== type) {
      throw new SsmError("TooManyUpdates", "There are concurrent updates for a resource that supports one update at a time.");
    }
    return putRule(current, { input, storedValue, now: ctx.now.getTime(), user: ctx.caller.principal.arn });
  });
  const version = currentVersion(written!);
  return { Version: version.version, Tier: version.tier };
}

async function getParameter(ctx: SsmContext, input: GetParameterRequest): Promise<GetParameterResult> {
  const found = await findParameter(ctx, input.Name!);
  if (!found) throw parameterNotFound(input.Name!);
  const version = selectVersion(found.parameter, found.ref.selector);
  return { Parameter: parameterView(ctx, found.parameter, version, input.WithDecryption, found.ref.selectorText) };
}

async function getParameters(ctx: SsmContext, input: GetParametersRequest): Promise<GetParametersResult> {
  const parameters: Parameter[] = [];
  const invalid: string[] = [];
  for (const ref of new Set(input.Names)) {
    const found = await tryFindParameter(ctx, ref);
    const version = found ? selectVersionOrUndefined(found.parameter, found.ref.selector) : undefined;
    if (found && version) parameters.push(parameterView(ctx, found.parameter, version, input.WithDecryption, found.ref.selectorText));
    else invalid.push(ref);
  }
  return { Parameters: parameters, InvalidParameters: invalid };
}

function selectVersionOrUndefined(...args: Parameters<typeof selectVersion>) {
  try {
    return selectVersion(...args);
  } catch {
    return undefined;
  }
}

async function deleteParameter(ctx: SsmContext, input: DeleteParameterRequest): Promise<DeleteParameterResult> {
  const parameter = await requireParameter(ctx, input.Name!);
  if (!(await ctx.state.parameters.remove(ctx.scope, parameter.name))) throw parameterNotFound(input.Name!);
  return {};
}

async function deleteParameters(ctx: SsmContext, input: DeleteParametersRequest): Promise<DeleteParametersResult> {
  const deleted: string[] = [];
  const invalid: string[] = [];
  for (const ref of new Set(input.Names)) {
    const found = await tryFindParameter(ctx, ref);
    const removed = found !== undefined && !found.ref.selector && (await ctx.state.parameters.remove(ctx.scope, found.parameter.name));
    (removed ? deleted : invalid).push(ref);
  }
  return { DeletedParameters: deleted, InvalidParameters: invalid };
}

export const parameterOperations = {
  PutParameter: putParameter,
  GetParameter: getParameter,
  GetParameters: getParameters,
  DeleteParameter: deleteParameter,
  DeleteParameters: deleteParameters,
} satisfies SsmHandlers;
