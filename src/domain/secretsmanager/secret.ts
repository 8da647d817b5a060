// A secret of Secrets Manager as berth stores it, and the rules of its versions: names and
// ARNs, which stored secret a SecretId names, staging labels moving between versions, and
// deletion with a recovery window. Pure: values arrive sealed (the service seals them),
// times are milliseconds and random parts are given.
import type { Scope } from "../scope.js";
import { markedForDeletion, SecretsRefusal } from "./refusal.js";

export interface SecretTag {
  Key: string;
  Value: string;
}

export interface StoredSecretVersion {
  versionId: string;
  /** Staging labels (AWSCURRENT, AWSPREVIOUS, AWSPENDING or the caller's own); none: deprecated. */
  stages: string[];
  createdAt: number;
  /** SecretString or SecretBinary: which one the sealed bytes are. */
  kind: "string" | "binary";
  /** The value, sealed under the secret's ARN and the version id (src/state/sealing.ts). */
  sealed: string;
  /** Day (midnight UTC, ms) the value was last read: AWS keeps only the date. */
  lastAccessedAt?: number;
}

/** One secret, keyed in the store by its name (a name belongs to one secret at a time, deleted or not). */
export interface StoredSecret {
  arn: string;
  name: string;
  description?: string;
  kmsKeyId?: string;
  tags: SecretTag[];
  createdAt: number;
  lastChangedAt: number;
  lastAccessedAt?: number;
  /** When DeleteSecret scheduled its deletion, and when it is purged. */
  deletedAt?: number;
  purgeAt?: number;
  versions: StoredSecretVersion[];
}

export const AWSCURRENT = "AWSCURRENT";
export const AWSPREVIOUS = "AWSPREVIOUS";
/** Secrets Manager keeps up to this many versions; deprecated (unlabelled) ones go first beyond it. */
export const MAX_VERSIONS = 100;
const DAY_MS = 86_400_000;

const NAME = /^[A-Za-z0-9/_+=.@-]+$/;

/** Names hold ASCII letters, digits and /_+=.@- (CreateSecret). */
export function checkSecretName(name: string): void {
  if (!NAME.test(name)) {
    throw new SecretsRefusal(
      "ValidationException",
      "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!",
    );
  }
}

export function secretArn(scope: Scope, name: string, suffix: string): string {
  return `arn:aws:secretsmanager:${scope.region}:${scope.accountId}:secret:${name}-${suffix}`;
}

/** A SecretId as the store can look it up: the name to read, and what the secret found must be. */
export interface SecretLookup {
  name: string;
  matches(secret: StoredSecret): boolean;
}

/**
 * The secrets a SecretId may name, to try in order: a name; a full ARN (name, hyphen and the
 * six characters AWS adds); or a partial ARN (without them). An ARN of another account or
 * region names nothing here.
 */
export function secretLookups(scope: Scope, secretId: string): SecretLookup[] {
  if (!secretId.startsWith("arn:")) return [{ name: secretId, matches: (s) => s.name === secretId }];
  const prefix = `arn:aws:secretsmanager:${scope.region}:${scope.accountId}:secret:`;
  if (!secretId.startsWith(prefix) || secretId.length === prefix.length) return [];
  const tail = secretId.slice(prefix.length);
  const lookups: SecretLookup[] = [];
  if (/-[A-Za-z0-9]{6}$/.test(tail) && tail.length > 7) lookups.push({ name: tail.slice(0, -7), matches: (s) => s.arn === secretId });
  lookups.push({ name: tail, matches: (s) => s.name === tail });
  return lookups;
}

/** Whether a secret scheduled for deletion has passed its deletion date: it is gone, whatever the store still holds. */
export const isPurged = (secret: StoredSecret, now: number): boolean => secret.purgeAt !== undefined && secret.purgeAt <= now;

/** Refuses a change to (or a read of the value of) a secret scheduled for deletion. */
export function checkNotDeleted(secret: StoredSecret): void {
  if (secret.deletedAt !== undefined) throw markedForDeletion();
}

/** A value as a request gives it: exactly one of SecretString and SecretBinary, or none. */
export type SecretValueInput = { kind: "string"; text: string } | { kind: "binary"; bytes: Buffer };

export function valueOf(input: { SecretString?: string; SecretBinary?: Uint8Array }): SecretValueInput | undefined {
  if (input.SecretString !== undefined && input.SecretBinary !== undefined) {
    throw new SecretsRefusal(
      "InvalidParameterException",
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (input.SecretString !== undefined) return { kind: "string", text: input.SecretString };
  if (input.SecretBinary !== undefined) return { kind: "binary", bytes: Buffer.from(input.SecretBinary) };
  return undefined;
}

/** A new version as the service made it (id, sealed value). */
export type NewVersion = Omit<StoredSecretVersion, "stages" | "lastAccessedAt">;

/**
 * What happens when a request with token `versionId` brings a value: "new" to add it, or
 * "same" when that version exists with the same value (a retry: nothing changes). A version
 * holds its value for ever, so the same token with another value is refused.
 */
export function retryOrNew(secret: StoredSecret, versionId: string, holdsSameValue: (v: StoredSecretVersion) => boolean): "new" | "same" {
  const existing = secret.versions.find((v) => v.versionId === versionId);
  if (!existing) return "new";
  if (holdsSameValue(existing)) return "same";
  throw new SecretsRefusal("ResourceExistsException", "You can't modify an existing version, you can only create a new version.");
}

/**
 * The secret with `version` added under `stages` (AWSCURRENT when none are given, and always
 * for a secret's first version). Each label leaves the version that had it; when AWSCURRENT
 * moves, AWSPREVIOUS goes to the version it left. Deprecated versions beyond MAX_VERSIONS go.
 */
export function addVersion(secret: StoredSecret, version: NewVersion, stages: readonly string[] | undefined, now: number): StoredSecret {
  const labels = new Set(stages ?? [AWSCURRENT]);
  if (!secret.versions.some((v) => v.stages.includes(AWSCURRENT))) labels.add(AWSCURRENT);
  let versions = [...secret.versions, { ...version, stages: [] as string[] }];
  for (const label of labels) versions = moveStage(versions, label, version.versionId);
  return { ...secret, versions: pruneDeprecated(versions), lastChangedAt: now };
}

/** `label` moved to `toVersionId` (from wherever it was), with AWSCURRENT's move leaving AWSPREVIOUS behind. */
function moveStage(versions: StoredSecretVersion[], label: string, toVersionId: string | undefined): StoredSecretVersion[] {
  const from = versions.find((v) => v.stages.includes(label));
  let next = versions.map((v) => {
    const stages = v.stages.filter((s) => s !== label);
    if (v.versionId === toVersionId) stages.push(label);
    return stages.length === v.stages.length && v.versionId !== toVersionId ? v : { ...v, stages };
  });
  if (label === AWSCURRENT && from && from.versionId !== toVersionId) next = moveStage(next, AWSPREVIOUS, from.versionId);
  return next;
}

function pruneDeprecated(versions: StoredSecretVersion[]): StoredSecretVersion[] {
  let excess = versions.length - MAX_VERSIONS;
  if (excess <= 0) return versions;
  return versions.filter((v) => !(v.stages.length === 0 && excess-- > 0));
}

/**
 * UpdateSecretVersionStage: `label` leaves `removeFrom` (which must hold it) and goes to
 * `moveTo`. AWSCURRENT cannot be detached without naming where it is, nor left on no version.
 */
export function updateVersionStage(
  secret: StoredSecret,
  label: string,
  removeFrom: string | undefined,
  moveTo: string | undefined,
  now: number,
): StoredSecret {
  const known = (id: string) => {
    if (!secret.versions.some((v) => v.versionId === id))
      throw new SecretsRefusal("InvalidParameterException", `Not a valid version: ${id}`);
  };
  if (removeFrom !== undefined) known(removeFrom);
  if (moveTo !== undefined) known(moveTo);
  const holder = secret.versions.find((v) => v.stages.includes(label));
  if (removeFrom !== undefined && holder?.versionId !== removeFrom) {
    throw new SecretsRefusal(
      "InvalidParameterException",
      `The staging label ${label} is not attached to version ${removeFrom}, so you can't remove it.`,
    );
  }
  if (holder && removeFrom === undefined && holder.versionId !== moveTo) {
    throw new SecretsRefusal(
      "InvalidParameterException",
      `The parameter RemoveFromVersionId can't be empty. Staging label ${label} is currently attached to version ` +
        `${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
    );
  }
  if (label === AWSCURRENT && moveTo === undefined) {
    throw new SecretsRefusal(
      "InvalidParameterException",
      "You can't remove the staging label AWSCURRENT without moving it to another version.",
    );
  }
  if (moveTo !== undefined && secret.versions.find((v) => v.versionId === moveTo)!.stages.length >= 20 && holder?.versionId !== moveTo) {
    throw new SecretsRefusal("LimitExceededException", "A version can have at most 20 staging labels.");
  }
  return { ...secret, versions: moveStage(secret.versions, label, moveTo), lastChangedAt: now };
}

/** DeleteSecret's schedule: a recovery window of 7 to 30 days (30 by default), or none with ForceDeleteWithoutRecovery. */
export function deletionSchedule(input: { RecoveryWindowInDays?: number; ForceDeleteWithoutRecovery?: boolean }): "now" | number {
  if (input.ForceDeleteWithoutRecovery === true && input.RecoveryWindowInDays !== undefined) {
    throw new SecretsRefusal(
      "InvalidParameterException",
      "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    );
  }
  if (input.ForceDeleteWithoutRecovery === true) return "now";
  const days = input.RecoveryWindowInDays ?? 30;
  if (days < 7 || days > 30) {
    throw new SecretsRefusal("InvalidParameterException", "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
  }
  return days * DAY_MS;
}

export function scheduleDeletion(secret: StoredSecret, windowMs: number, now: number): StoredSecret {
  checkNotDeleted(secret);
  return { ...secret, deletedAt: now, purgeAt: now + windowMs };
}

export function restore(secret: StoredSecret): StoredSecret {
  const { deletedAt: _deleted, purgeAt: _purge, ...rest } = secret;
  return rest;
}

/** Tags merged as TagResource merges them: a key given again takes the new value. */
export function withTags(secret: StoredSecret, tags: readonly SecretTag[], now: number): StoredSecret {
  const byKey = new Map(secret.tags.map((t) => [t.Key, t]));
  for (const tag of tags) byKey.set(tag.Key, { Key: tag.Key, Value: tag.Value });
  if (byKey.size > 50)
    throw new SecretsRefusal("LimitExceededException", "The request failed because you exceeded the maximum number of tags (50).");
  return { ...secret, tags: [...byKey.values()], lastChangedAt: now };
}

export function withoutTags(secret: StoredSecret, keys: readonly string[], now: number): StoredSecret {
  return { ...secret, tags: secret.tags.filter((t) => !keys.includes(t.Key)), lastChangedAt: now };
}

/** The day (midnight UTC) of `at`, as Secrets Manager keeps LastAccessedDate. */
export const dayOf = (at: number): number => at - (at % DAY_MS);

/** The version a read names: VersionId, VersionStage (both must agree), or AWSCURRENT. */
export function versionToRead(secret: StoredSecret, versionId: string | undefined, stage: string | undefined): StoredSecretVersion {
  if (versionId !== undefined) {
    const version = secret.versions.find((v) => v.versionId === versionId);
    if (!version) {
      throw new SecretsRefusal(
        "ResourceNotFoundException",
        `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`,
      );
    }
    if (stage !== undefined && !version.stages.includes(stage)) {
      throw new SecretsRefusal("InvalidRequestException", "You provided a VersionStage that is not associated to the provided VersionId.");
    }
    return version;
  }
  const label = stage ?? AWSCURRENT;
  const version = secret.versions.find((v) => v.stages.includes(label));
  if (!version) {
    throw new SecretsRefusal(
      "ResourceNotFoundException",
      `Secrets Manager can't find the specified secret value for staging label: ${label}`,
    );
  }
  return version;
}
