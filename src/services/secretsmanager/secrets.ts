// Secrets themselves: CreateSecret, DescribeSecret, UpdateSecret, DeleteSecret (with a recovery
// window, or at once), RestoreSecret and ListSecrets.
import type {
  CreateSecretRequest,
  CreateSecretResponse,
  DeleteSecretRequest,
  DeleteSecretResponse,
  DescribeSecretRequest,
  DescribeSecretResponse,
  ListSecretsRequest,
  ListSecretsResponse,
  RestoreSecretRequest,
  RestoreSecretResponse,
  UpdateSecretRequest,
  UpdateSecretResponse,
} from "@aws-sdk/client-secrets-manager";
import { matchesFilters } from "../../domain/secretsmanager/list-filters.js";
import { pageOf } from "../../domain/secretsmanager/paging.js";
import { SecretsRefusal, secretNotFound } from "../../domain/secretsmanager/refusal.js";
import {
  addVersion,
  checkNotDeleted,
  checkSecretName,
  deletionSchedule,
  isPurged,
  restore,
  retryOrNew,
  scheduleDeletion,
  secretArn,
  valueOf,
  type StoredSecret,
} from "../../domain/secretsmanager/secret.js";
import type { SecretsContext, SecretsHandlers } from "./context.js";
import { changeSecret, findSecret, liveSecret } from "./lookup.js";
import { arnSuffix, holdsValue, sealedVersion, versionIdOf } from "./values-sealed.js";
import { describeView, listEntry } from "./views.js";

async function createSecret(ctx: SecretsContext, input: CreateSecretRequest): Promise<CreateSecretResponse> {
  const name = input.Name!;
  checkSecretName(name);
  const value = valueOf(input);
  const versionId = versionIdOf(input.ClientRequestToken);
  const now = ctx.now.getTime();
  const arn = secretArn(ctx.scope, name, arnSuffix());
  const version = value && sealedVersion(ctx.sealer, arn, versionId, value, now);
  // Purges a secret of this name past its deletion date, so the write below sees the name free.
  await liveSecret(ctx, name);
  let retried: StoredSecret | undefined;
  const written = await ctx.state.secrets.write(ctx.scope, name, (current) => {
    if (current && !isPurged(current, now)) {
      if (current.deletedAt !== undefined) {
        throw new SecretsRefusal(
          "InvalidRequestException",
          "You can't create this secret because a secret with this name is already scheduled for deletion.",
        );
      }
      const same = value && current.versions.some((v) => v.versionId === versionId && holdsValue(ctx.sealer, current, v, value));
      if (!same) throw new SecretsRefusal("ResourceExistsException", `The operation failed because the secret ${name} already exists.`);
      retried = current;
      return undefined;
    }
    const secret: StoredSecret = {
      arn,
      name,
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.KmsKeyId !== undefined ? { kmsKeyId: input.KmsKeyId } : {}),
      tags: (input.Tags ?? []).map((t) => ({ Key: t.Key ?? "", Value: t.Value ?? "" })),
      createdAt: now,
      lastChangedAt: now,
      versions: [],
    };
    return version ? addVersion(secret, version, undefined, now) : secret;
  });
  const secret = retried ?? written!;
  ctx.log.info("secret created", { arn: secret.arn, retried: retried !== undefined });
  return { ARN: secret.arn, Name: secret.name, ...(value ? { VersionId: versionId } : {}) };
}

async function describeSecret(ctx: SecretsContext, input: DescribeSecretRequest): Promise<DescribeSecretResponse> {
  return describeView(await findSecret(ctx, input.SecretId!));
}

async function updateSecret(ctx: SecretsContext, input: UpdateSecretRequest): Promise<UpdateSecretResponse> {
  const value = valueOf(input);
  const versionId = versionIdOf(input.ClientRequestToken);
  const now = ctx.now.getTime();
  const found = await findSecret(ctx, input.SecretId!);
  checkNotDeleted(found);
  const version = value && sealedVersion(ctx.sealer, found.arn, versionId, value, now);
  const secret = await changeSecret(ctx, input.SecretId!, (current) => {
    checkNotDeleted(current);
    let next: StoredSecret = {
      ...current,
      ...(input.Description !== undefined ? { description: input.Description } : {}),
      ...(input.KmsKeyId !== undefined ? { kmsKeyId: input.KmsKeyId } : {}),
      lastChangedAt: now,
    };
    if (value && version && retryOrNew(current, versionId, (v) => holdsValue(ctx.sealer, current, v, value)) === "new") {
      // Sealed under the ARN read before the write: the same secret, as changeSecret checked.
      next = addVersion(next, version, undefined, now);
    }
    return next;
  });
  return { ARN: secret.arn, Name: secret.name, ...(value ? { VersionId: versionId } : {}) };
}

async function deleteSecret(ctx: SecretsContext, input: DeleteSecretRequest): Promise<DeleteSecretResponse> {
  const schedule = deletionSchedule(input);
  const now = ctx.now.getTime();
  if (schedule === "now") {
    const secret = await findSecret(ctx, input.SecretId!);
    await ctx.state.transact((tx) => {
      const current = tx.write(ctx.state.secrets, ctx.scope, secret.name, () => undefined);
      if (current?.arn !== secret.arn) throw secretNotFound();
      tx.remove(ctx.state.secrets, ctx.scope, secret.name);
    });
    ctx.log.info("secret deleted", { arn: secret.arn });
    return { ARN: secret.arn, Name: secret.name, DeletionDate: new Date(now) };
  }
  const secret = await changeSecret(ctx, input.SecretId!, (current) => scheduleDeletion(current, schedule, now));
  ctx.log.info("secret scheduled for deletion", { arn: secret.arn, purgeAt: new Date(secret.purgeAt!) });
  return { ARN: secret.arn, Name: secret.name, DeletionDate: new Date(secret.purgeAt!) };
}

async function restoreSecret(ctx: SecretsContext, input: RestoreSecretRequest): Promise<RestoreSecretResponse> {
  const secret = await changeSecret(ctx, input.SecretId!, (current) => (current.deletedAt === undefined ? undefined : restore(current)));
  return { ARN: secret.arn, Name: secret.name };
}

const SORT_KEYS: Record<string, (s: StoredSecret) => number | string> = {
  "created-date": (s) => s.createdAt,
  "last-accessed-date": (s) => s.lastAccessedAt ?? 0,
  "last-changed-date": (s) => s.lastChangedAt,
  name: (s) => s.name,
};

/** Every secret of the caller's account and region, those past their deletion date purged. */
export async function allSecrets(ctx: SecretsContext): Promise<StoredSecret[]> {
  const now = ctx.now.getTime();
  const stored = await ctx.state.secrets.list(ctx.scope);
  const purged = stored.filter((s) => isPurged(s, now));
  for (const secret of purged) await liveSecret(ctx, secret.name);
  return purged.length === 0 ? stored : stored.filter((s) => !isPurged(s, now));
}

async function listSecrets(ctx: SecretsContext, input: ListSecretsRequest): Promise<ListSecretsResponse> {
  const sortKey = SORT_KEYS[input.SortBy ?? "created-date"]!;
  const direction = input.SortOrder === "desc" ? -1 : 1;
  const secrets = (await allSecrets(ctx))
    .filter((s) => input.IncludePlannedDeletion === true || s.deletedAt === undefined)
    .filter((s) => matchesFilters(s, input.Filters ?? []))
    .sort((a, b) => {
      const [x, y] = [sortKey(a), sortKey(b)];
      return (x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0) * direction;
    });
  const page = pageOf(secrets, (s) => s.name, input.NextToken, input.MaxResults ?? 100);
  return { SecretList: page.items.map(listEntry), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
}

export const secretsOperations = {
  CreateSecret: createSecret,
  DescribeSecret: describeSecret,
  UpdateSecret: updateSecret,
  DeleteSecret: deleteSecret,
  RestoreSecret: restoreSecret,
  ListSecrets: listSecrets,
} satisfies SecretsHandlers;
