// Parameters as SSM answers them: values (SecureString ones opened only when decryption is
// asked for, else the sealed form, as AWS answers its KMS ciphertext), metadata and history.
import type { Parameter, ParameterHistory, ParameterMetadata } from "@aws-sdk/client-ssm";
import { SsmError, parameterNotFound } from "../../domain/ssm/errors.js";
import { parameterArn, parseRef } from "../../domain/ssm/names.js";
import { currentVersion, type StoredParameter, type StoredVersion } from "../../domain/ssm/parameter.js";
import type { Scope } from "../../domain/scope.js";
import type { SsmContext } from "./context.js";

/** What a SecureString value is sealed under: the parameter it belongs to. */
export const sealContext = (scope: Scope, name: string) => `ssm:${parameterArn(scope, name)}`;

export function valueOf(ctx: SsmContext, p: StoredParameter, v: StoredVersion, withDecryption: boolean | undefined): string {
  if (v.type !== "SecureString" || !withDecryption) return v.value;
  return ctx.sealer.open(v.value, sealContext(ctx.scope, p.name)).toString("utf8");
}

export function parameterView(
  ctx: SsmContext,
  p: StoredParameter,
  v: StoredVersion,
  withDecryption: boolean | undefined,
  selector?: string,
): Parameter {
  return {
    Name: p.name,
    Type: v.type,
    Value: valueOf(ctx, p, v, withDecryption),
    Version: v.version,
    ...(selector !== undefined ? { Selector: selector } : {}),
    LastModifiedDate: new Date(v.lastModifiedDate),
    ARN: parameterArn(ctx.scope, p.name),
    DataType: v.dataType,
  };
}

export function metadataView(scope: Scope, p: StoredParameter): ParameterMetadata {
  const v = currentVersion(p);
  return {
    Name: p.name,
    ARN: parameterArn(scope, p.name),
    Type: v.type,
    ...(v.keyId !== undefined ? { KeyId: v.keyId } : {}),
    LastModifiedDate: new Date(v.lastModifiedDate),
    LastModifiedUser: v.lastModifiedUser,
    ...(v.description !== undefined ? { Description: v.description } : {}),
    ...(v.allowedPattern !== undefined ? { AllowedPattern: v.allowedPattern } : {}),
    Version: v.version,
    Tier: v.tier,
    Policies: [],
    DataType: v.dataType,
  };
}

export function historyView(ctx: SsmContext, p: StoredParameter, v: StoredVersion, withDecryption: boolean | undefined): ParameterHistory {
  return {
    Name: p.name,
    Type: v.type,
    ...(v.keyId !== undefined ? { KeyId: v.keyId } : {}),
    LastModifiedDate: new Date(v.lastModifiedDate),
    LastModifiedUser: v.lastModifiedUser,
    ...(v.description !== undefined ? { Description: v.description } : {}),
    Value: valueOf(ctx, p, v, withDecryption),
    ...(v.allowedPattern !== undefined ? { AllowedPattern: v.allowedPattern } : {}),
    Version: v.version,
    Labels: v.labels,
    Tier: v.tier,
    Policies: [],
    DataType: v.dataType,
  };
}

/** The parameter a name or ARN (with its selector, if any) names, or undefined. */
export async function findParameter(ctx: SsmContext, ref: string) {
  const parsed = parseRef(ctx.scope, ref);
  if (!parsed) return undefined;
  const found = await ctx.state.parameters.getMany(ctx.scope, parsed.names);
  const name = parsed.names.find((n) => found.has(n));
  return name === undefined ? undefined : { parameter: found.get(name)!, ref: parsed };
}

/** As findParameter, with a malformed selector naming nothing (what the batch reads and tags take). */
export async function tryFindParameter(ctx: SsmContext, ref: string) {
  try {
    return await findParameter(ctx, ref);
  } catch (err) {
    if (err instanceof SsmError) return undefined;
    throw err;
  }
}

/** As findParameter, refusing a selector (what writes take) and answering ParameterNotFound for none. */
export async function requireParameter(ctx: SsmContext, ref: string): Promise<StoredParameter> {
  const found = await findParameter(ctx, ref);
  if (!found || found.ref.selector) throw parameterNotFound(ref);
  return found.parameter;
}
