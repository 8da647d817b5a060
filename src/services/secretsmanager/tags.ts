// TagResource and UntagResource on a secret (not one scheduled for deletion).
import type { TagResourceRequest, UntagResourceRequest } from "@aws-sdk/client-secrets-manager";
import { checkNotDeleted, withoutTags, withTags } from "../../domain/secretsmanager/secret.js";
import type { SecretsContext, SecretsHandlers } from "./context.js";
import { changeSecret } from "./lookup.js";

async function tagResource(ctx: SecretsContext, input: TagResourceRequest): Promise<Record<string, never>> {
  const now = ctx.now.getTime();
  const tags = input.Tags!.map((t) => ({ Key: t.Key ?? "", Value: t.Value ?? "" }));
  await changeSecret(ctx, input.SecretId!, (current) => {
    checkNotDeleted(current);
    return withTags(current, tags, now);
  });
  return {};
}

async function untagResource(ctx: SecretsContext, input: UntagResourceRequest): Promise<Record<string, never>> {
  const now = ctx.now.getTime();
  await changeSecret(ctx, input.SecretId!, (current) => {
    checkNotDeleted(current);
    return withoutTags(current, input.TagKeys!, now);
  });
  return {};
}

export const tagsOperations = {
  TagResource: tagResource,
  UntagResource: untagResource,
} satisfies SecretsHandlers;
