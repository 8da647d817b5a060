// Finding the secret a SecretId names (a name, a full ARN or a partial one), and changing it in
// one write that sees it still there. A secret past its deletion date is gone: found so, it is
// purged on the spot (a name may meanwhile belong to a new secret, which stays).
import { secretNotFound } from "../../domain/secretsmanager/refusal.js";
import { isPurged, secretLookups, type SecretLookup, type StoredSecret } from "../../domain/secretsmanager/secret.js";
import type { SecretsContext } from "./context.js";

async function purge(ctx: SecretsContext, name: string): Promise<void> {
  const { secrets } = ctx.state;
  const now = ctx.now.getTime();
  await ctx.state.transact((tx) => {
    const current = tx.write(secrets, ctx.scope, name, () => undefined);
    if (current && isPurged(current, now)) tx.remove(secrets, ctx.scope, name);
  });
}

/** The stored secret by its name, unless it is past its deletion date (then purged now). */
export async function liveSecret(ctx: SecretsContext, name: string): Promise<StoredSecret | undefined> {
  const secret = await ctx.state.secrets.get(ctx.scope, name);
  if (!secret || !isPurged(secret, ctx.now.getTime())) return secret;
  await purge(ctx, name);
  return undefined;
}

async function found(ctx: SecretsContext, secretId: string): Promise<{ secret: StoredSecret; lookup: SecretLookup } | undefined> {
  for (const lookup of secretLookups(ctx.scope, secretId)) {
    const secret = await liveSecret(ctx, lookup.name);
    if (secret && lookup.matches(secret)) return { secret, lookup };
  }
  return undefined;
}

/** The secret `secretId` names, or ResourceNotFoundException. */
export async function findSecret(ctx: SecretsContext, secretId: string): Promise<StoredSecret> {
  const hit = await found(ctx, secretId);
  if (!hit) throw secretNotFound();
  return hit.secret;
}

/**
 * Changes the secret `secretId` names: `change` sees it as it is inside the write (refusing by
 * throwing) and returns the next document, or undefined to leave it. ResourceNotFoundException
 * if it is not (or no longer) there.
 */
export async function changeSecret(
  ctx: SecretsContext,
  secretId: string,
  change: (secret: StoredSecret) => StoredSecret | undefined,
): Promise<StoredSecret> {
  const hit = await found(ctx, secretId);
  if (!hit) throw secretNotFound();
  const now = ctx.now.getTime();
  const written = await ctx.state.secrets.write(ctx.scope, hit.secret.name, (current) => {
    if (!current || !hit.lookup.matches(current) || isPurged(current, now)) throw secretNotFound();
    return change(current);
  });
  return written!;
}
