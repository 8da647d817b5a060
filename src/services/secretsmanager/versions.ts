// A secret's values and their versions: GetSecretValue, BatchGetSecretValue, PutSecretValue,
// ListSecretVersionIds and UpdateSecretVersionStage. Values leave only in answers, never in logs.
import type {
  APIErrorType,
  BatchGetSecretValueRequest,
  BatchGetSecretValueResponse,
  GetSecretValueRequest,
  GetSecretValueResponse,
  ListSecretVersionIdsRequest,
  ListSecretVersionIdsResponse,
  PutSecretValueRequest,
  PutSecretValueResponse,
  SecretValueEntry,
  UpdateSecretVersionStageRequest,
  UpdateSecretVersionStageResponse,
} from "@aws-sdk/client-secrets-manager";
import { matchesFilters } from "../../domain/secretsmanager/list-filters.js";
import { pageOf } from "../../domain/secretsmanager/paging.js";
import { SecretsRefusal } from "../../domain/secretsmanager/refusal.js";
import {
  addVersion,
  checkNotDeleted,
  dayOf,
  retryOrNew,
  updateVersionStage,
  valueOf,
  versionToRead,
  type StoredSecret,
} from "../../domain/secretsmanager/secret.js";
import type { SecretsContext, SecretsHandlers } from "./context.js";
import { changeSecret, findSecret } from "./lookup.js";
import { allSecrets } from "./secrets.js";
import { holdsValue, openVersion, sealedVersion, versionIdOf } from "./values-sealed.js";

/** The value a read names, and the day of the read noted on the secret and the version (one write a day at most). */
async function readValue(ctx: SecretsContext, secret: StoredSecret, versionId?: string, stage?: string): Promise<GetSecretValueResponse> {
  checkNotDeleted(secret);
  const version = versionToRead(secret, versionId, stage);
  const value = openVersion(ctx.sealer, secret, version);
  const today = dayOf(ctx.now.getTime());
  if (version.lastAccessedAt !== today || secret.lastAccessedAt !== today) {
    await ctx.state.secrets.write(ctx.scope, secret.name, (current) =>
      current?.arn !== secret.arn
        ? undefined
        : {
            ...current,
            lastAccessedAt: today,
            versions: current.versions.map((v) => (v.versionId === version.versionId ? { ...v, lastAccessedAt: today } : v)),
          },
    );
  }
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.versionId,
    ...(value.kind === "string" ? { SecretString: value.text } : { SecretBinary: value.bytes }),
    VersionStages: [...version.stages],
    CreatedDate: new Date(version.createdAt),
  };
}

async function getSecretValue(ctx: SecretsContext, input: GetSecretValueRequest): Promise<GetSecretValueResponse> {
  return readValue(ctx, await findSecret(ctx, input.SecretId!), input.VersionId, input.VersionStage);
}

/** Each secret's current value, or the error reading it met (a batch answers both, per secret). */
async function readEach(ctx: SecretsContext, reads: { secretId: string; secret: () => Promise<StoredSecret> }[]) {
  const values: SecretValueEntry[] = [];
  const errors: APIErrorType[] = [];
  for (const { secretId, secret } of reads) {
    try {
      values.push(await readValue(ctx, await secret()));
    } catch (err) {
      if (!(err instanceof SecretsRefusal)) throw err;
      errors.push({ SecretId: secretId, ErrorCode: err.code, Message: err.message });
    }
  }
  return { SecretValues: values, Errors: errors };
}

async function batchGetSecretValue(ctx: SecretsContext, input: BatchGetSecretValueRequest): Promise<BatchGetSecretValueResponse> {
  if ((input.SecretIdList !== undefined) === (input.Filters !== undefined)) {
    throw new SecretsRefusal("InvalidParameterException", "Either 'SecretIdList' or 'Filters' must be provided, but not both.");
  }
  if (input.SecretIdList) {
    if (input.MaxResults !== undefined) {
      throw new SecretsRefusal(
        "InvalidParameterException",
        "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.",
      );
    }
    return readEach(
      ctx,
      input.SecretIdList.map((secretId) => ({ secretId, secret: () => findSecret(ctx, secretId) })),
    );
  }
  const matching = (await allSecrets(ctx))
    .filter((s) => s.deletedAt === undefined && matchesFilters(s, input.Filters!))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const page = pageOf(matching, (s) => s.name, input.NextToken, input.MaxResults ?? 20);
  const read = await readEach(
    ctx,
    page.items.map((secret) => ({ secretId: secret.arn, secret: () => Promise.resolve(secret) })),
  );
  return { ...read, ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
}

async function putSecretValue(ctx: SecretsContext, input: PutSecretValueRequest): Promise<PutSecretValueResponse> {
  const value = valueOf(input);
  if (!value) throw new SecretsRefusal("InvalidParameterException", "You must provide either SecretString or SecretBinary.");
  const versionId = versionIdOf(input.ClientRequestToken);
  const now = ctx.now.getTime();
  const found = await findSecret(ctx, input.SecretId!);
  checkNotDeleted(found);
  const version = sealedVersion(ctx.sealer, found.arn, versionId, value, now);
  const secret = await changeSecret(ctx, input.SecretId!, (current) => {
    checkNotDeleted(current);
    if (retryOrNew(current, versionId, (v) => holdsValue(ctx.sealer, current, v, value)) === "same") return undefined;
    return addVersion(current, version, input.VersionStages, now);
  });
  const stored = secret.versions.find((v) => v.versionId === versionId)!;
  ctx.log.info("secret value put", { arn: secret.arn, versionId });
  return { ARN: secret.arn, Name: secret.name, VersionId: versionId, VersionStages: [...stored.stages] };
}

async function listSecretVersionIds(ctx: SecretsContext, input: ListSecretVersionIdsRequest): Promise<ListSecretVersionIdsResponse> {
  const secret = await findSecret(ctx, input.SecretId!);
  const versions = secret.versions
    .filter((v) => input.IncludeDeprecated === true || v.stages.length > 0)
    .sort((a, b) => b.createdAt - a.createdAt || (a.versionId < b.versionId ? -1 : 1));
  const page = pageOf(versions, (v) => v.versionId, input.NextToken, input.MaxResults ?? 100);
  return {
    ARN: secret.arn,
    Name: secret.name,
    Versions: page.items.map((v) => ({
      VersionId: v.versionId,
      VersionStages: [...v.stages],
      CreatedDate: new Date(v.createdAt),
      ...(v.lastAccessedAt !== undefined ? { LastAccessedDate: new Date(v.lastAccessedAt) } : {}),
    })),
    ...(page.nextToken ? { NextToken: page.nextToken } : {}),
  };
}

async function updateSecretVersionStage(
  ctx: SecretsContext,
  input: UpdateSecretVersionStageRequest,
): Promise<UpdateSecretVersionStageResponse> {
  const now = ctx.now.getTime();
  const secret = await changeSecret(ctx, input.SecretId!, (current) => {
    checkNotDeleted(current);
    return updateVersionStage(current, input.VersionStage!, input.RemoveFromVersionId, input.MoveToVersionId, now);
  });
  return { ARN: secret.arn, Name: secret.name };
}

export const versionsOperations = {
  GetSecretValue: getSecretValue,
  BatchGetSecretValue: batchGetSecretValue,
  PutSecretValue: putSecretValue,
  ListSecretVersionIds: listSecretVersionIds,
  UpdateSecretVersionStage: updateSecretVersionStage,
} satisfies SecretsHandlers;
