// How a stored secret reads in DescribeSecret and ListSecrets: dates as Dates, staging labels
// by version (deprecated versions, with none, left out), optional members omitted when unset.
import type { DescribeSecretResponse, SecretListEntry } from "@aws-sdk/client-secrets-manager";
import type { StoredSecret } from "../../domain/secretsmanager/secret.js";

const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));

function stagesByVersion(secret: StoredSecret): Record<string, string[]> | undefined {
  const labelled = secret.versions.filter((v) => v.stages.length > 0);
  return labelled.length === 0 ? undefined : Object.fromEntries(labelled.map((v) => [v.versionId, [...v.stages]]));
}

function common(secret: StoredSecret) {
  return {
    ARN: secret.arn,
    Name: secret.name,
    Description: secret.description,
    KmsKeyId: secret.kmsKeyId,
    RotationEnabled: false,
    LastChangedDate: date(secret.lastChangedAt),
    LastAccessedDate: date(secret.lastAccessedAt),
    DeletedDate: date(secret.deletedAt),
    Tags: secret.tags.length === 0 ? undefined : secret.tags.map((t) => ({ ...t })),
    CreatedDate: date(secret.createdAt),
  };
}

export const describeView = (secret: StoredSecret): DescribeSecretResponse => ({
  ...common(secret),
  VersionIdsToStages: stagesByVersion(secret),
});

export const listEntry = (secret: StoredSecret): SecretListEntry => ({
  ...common(secret),
  SecretVersionsToStages: stagesByVersion(secret),
});
