// Where a container's secret comes from, read from its `valueFrom` (container `secrets` and
// `logConfiguration.secretOptions`) or a `repositoryCredentials.credentialsParameter`, as the
// ECS developer guide documents them:
// - a Secrets Manager secret's ARN, optionally followed by `:json-key:version-stage:version-id`
//   (each part may be empty: "…:secret:db-AbCdEf:password::", "…:secret:db-AbCdEf::AWSPREVIOUS:");
// - an SSM parameter's ARN ("arn:aws:ssm:us-east-1:123456789012:parameter/app/db"), or its name
//   ("/app/db", "app-param") when it is in the task's region.
// ECS tells the two apart by the ARN's service: anything that is not a Secrets Manager ARN is an
// SSM parameter. Parsing is pure; fetching is the agent's.
import { parseArn } from "../arn.js";

export interface SecretsManagerRef {
  source: "secretsmanager";
  /** What GetSecretValue takes as SecretId: the secret's ARN without the appended parts (or its name). */
  secretId: string;
  /** The ARN's region; none for a bare name (the task's region). */
  region?: string;
  /** The key of the secret's JSON whose value is wanted; none: the whole SecretString. */
  jsonKey?: string;
  versionStage?: string;
  versionId?: string;
}

export interface SsmParameterRef {
  source: "ssm";
  /** The parameter's name as GetParameters takes it ("/app/db", "app-param", "/app/db:3"). */
  name: string;
  /** The ARN's region; none for a name (the task's region). */
  region?: string;
}

export type SecretRef = SecretsManagerRef | SsmParameterRef;

export type SecretRefResult = { ref: SecretRef } | { problem: string };

/** A secret's or parameter's `valueFrom`. */
export function parseSecretRef(valueFrom: string): SecretRefResult {
  if (valueFrom === "") return { problem: "valueFrom is empty" };
  if (!valueFrom.startsWith("arn:")) return { ref: { source: "ssm", name: valueFrom } };
  const arn = parseArn(valueFrom);
  if (!arn) return { problem: `${valueFrom} is not a valid ARN` };
  if (arn.service === "secretsmanager") return secretsManagerArn(valueFrom);
  if (arn.service === "ssm") return ssmArn(valueFrom, arn.resource, arn.region);
  return { problem: `${valueFrom} is neither a Secrets Manager secret nor an SSM parameter` };
}

/** `repositoryCredentials.credentialsParameter`: always a Secrets Manager secret, by ARN or by name. */
export function parseCredentialsParameter(value: string): SecretRefResult {
  if (value === "") return { problem: "credentialsParameter is empty" };
  if (!value.startsWith("arn:")) return { ref: { source: "secretsmanager", secretId: value } };
  const parsed = parseSecretRef(value);
  if ("ref" in parsed && parsed.ref.source !== "secretsmanager") {
    return { problem: `${value} is not a Secrets Manager secret` };
  }
  return parsed;
}

/** "arn:…:secret:<id>" or "arn:…:secret:<id>:<json-key>:<version-stage>:<version-id>". */
function secretsManagerArn(valueFrom: string): SecretRefResult {
  const parts = valueFrom.split(":");
  // arn, partition, service, region, account, "secret", id, then the three optional parts.
  if (parts[5] !== "secret" || !parts[6]) return { problem: `${valueFrom} is not a valid Secrets Manager secret ARN` };
  const region = parts[3]!;
  if (parts.length === 7) return { ref: { source: "secretsmanager", secretId: valueFrom, ...(region ? { region } : {}) } };
  if (parts.length !== 10) {
    return {
      problem: `${valueFrom}: a Secrets Manager secret ARN takes either no suffix or all of :json-key:version-stage:version-id (each may be empty)`,
    };
  }
  const [jsonKey, versionStage, versionId] = parts.slice(7) as [string, string, string];
  return {
    ref: {
      source: "secretsmanager",
      secretId: parts.slice(0, 7).join(":"),
      ...(region ? { region } : {}),
      ...(jsonKey ? { jsonKey } : {}),
      ...(versionStage ? { versionStage } : {}),
      ...(versionId ? { versionId } : {}),
    },
  };
}

/**
 * "arn:…:parameter/app/db" names "/app/db" (a hierarchy starts with "/", which the ARN folds
 * into the resource's own "/"); "arn:…:parameter/app-param" names "app-param".
 */
function ssmArn(valueFrom: string, resource: string, region: string): SecretRefResult {
  const prefix = "parameter/";
  const path = resource.startsWith(prefix) ? resource.slice(prefix.length) : "";
  if (path === "") return { problem: `${valueFrom} is not a valid SSM parameter ARN` };
  const name = path.includes("/") ? `/${path}` : path;
  return { ref: { source: "ssm", name, ...(region ? { region } : {}) } };
}
