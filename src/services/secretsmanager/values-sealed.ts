// Each version's value is sealed at rest under the secret's ARN and the version's id, so a
// sealed value copied to another secret or version does not open.
import { randomInt, randomUUID } from "node:crypto";
import type { SecretValueInput, StoredSecret, StoredSecretVersion } from "../../domain/secretsmanager/secret.js";
import type { Sealer } from "../../state/sealing.js";

const sealContext = (arn: string, versionId: string) => `secretsmanager:${arn}:${versionId}`;

export function sealedVersion(sealer: Sealer, arn: string, versionId: string, value: SecretValueInput, now: number) {
  const plain = value.kind === "string" ? value.text : value.bytes;
  return { versionId, createdAt: now, kind: value.kind, sealed: sealer.seal(plain, sealContext(arn, versionId)) };
}

export function openVersion(sealer: Sealer, secret: StoredSecret, version: StoredSecretVersion): SecretValueInput {
  const bytes = sealer.open(version.sealed, sealContext(secret.arn, version.versionId));
  return version.kind === "string" ? { kind: "string", text: bytes.toString("utf8") } : { kind: "binary", bytes };
}

/** Whether `version` holds `value`: how a retried request (same ClientRequestToken) is told from a conflicting one. */
export function holdsValue(sealer: Sealer, secret: StoredSecret, version: StoredSecretVersion, value: SecretValueInput): boolean {
  const held = openVersion(sealer, secret, version);
  if (held.kind !== value.kind) return false;
  return held.kind === "string" ? held.text === (value as { text: string }).text : held.bytes.equals((value as { bytes: Buffer }).bytes);
}

/** The request's ClientRequestToken, or a new one (the SDKs and CLIs send one; hand-made calls may not). */
export const versionIdOf = (token: string | undefined): string => token ?? randomUUID();

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** The six random alphanumerics Secrets Manager adds to a secret's name in its ARN. */
export function arnSuffix(): string {
  let suffix = "";
  for (let i = 0; i < 6; i++) suffix += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return suffix;
}
