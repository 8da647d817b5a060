// Temporary credentials for a task's roles, as STS makes them: their formats, whom they stand
// for (an assumed role whose session is the task), when they are due for refresh, and whether
// a request's session token is the one they were issued with.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { TaskDefinition, TaskOverride } from "@aws-sdk/client-ecs";

/** Temporary credentials for one role, as sts:AssumeRole answers them. */
export interface RoleCredentials {
  roleArn: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ISO 8601 without milliseconds, e.g. 2026-12-06T18:00:00Z. */
  expiration: string;
}

/** What a task's roles are on its host at one moment; a newer one replaces it whole. */
export interface TaskCredentials {
  taskArn: string;
  /**
   * The unguessable id in AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (/v2/credentials/<id>). It
   * stays the same for the task's life while the credentials behind it are refreshed.
   */
  credentialsId: string;
  /** The task role's (taskRoleArn, or the override's), when the task has one. */
  task?: RoleCredentials;
  /** The execution role's (executionRoleArn, or the override's), when there is one. */
  execution?: RoleCredentials;
}

/** STS's temporary keys start so (long-term ones with AKIA): how a key tells what it is. */
export const TEMPORARY_KEY_PREFIX = "ASIA";

/** How long credentials berth issues are valid, unless configured: ECS's own task credentials last 6 hours. */
export const DEFAULT_TASK_CREDENTIALS_LIFETIME_MS = 6 * 60 * 60 * 1000;

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const base32 = (bytes: Buffer, length: number) => Array.from(bytes.subarray(0, length), (b) => BASE32[b & 31]).join("");

/** ASIA and 16 characters of [A-Z2-7], as STS's access key ids. */
export function newTemporaryAccessKeyId(): string {
  return TEMPORARY_KEY_PREFIX + base32(randomBytes(16), 16);
}

/** 40 characters of [A-Za-z0-9+/], as AWS's secret keys. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString("base64");
}

/** An opaque token of the length STS's session tokens have (several hundred characters of base64). */
export function newSessionToken(): string {
  return randomBytes(384).toString("base64");
}

/** The role's name: the last segment of its ARN's path (arn:aws:iam::1:role/path/name → name). */
export function roleNameOf(roleArn: string): string {
  const resource = roleArn.split(":").slice(5).join(":");
  return resource.slice(resource.lastIndexOf("/") + 1) || resource;
}

/** IAM's unique id of a role (AROA…): stable for the ARN, as the real one is for the role. */
export function roleUniqueId(roleArn: string): string {
  return "AROA" + base32(createHash("sha256").update(roleArn).digest(), 17);
}

/** Who a session of an assumed role is, as GetCallerIdentity and ECS's registeredBy show it. */
export function assumedRolePrincipal(accountId: string, roleArn: string, sessionName: string) {
  return {
    accountId,
    arn: `arn:aws:sts::${accountId}:assumed-role/${roleNameOf(roleArn)}/${sessionName}`,
    userId: `${roleUniqueId(roleArn)}:${sessionName}`,
  };
}

/** The roles a task runs with: its definition's, unless its overrides name others. */
export function taskRoles(taskDefinition: TaskDefinition, overrides: TaskOverride | undefined): { task?: string; execution?: string } {
  const task = overrides?.taskRoleArn || taskDefinition.taskRoleArn;
  const execution = overrides?.executionRoleArn || taskDefinition.executionRoleArn;
  return { ...(task ? { task } : {}), ...(execution ? { execution } : {}) };
}

/**
 * Whether credentials are due to be replaced: once less than half their life remains, as the
 * ECS agent's credentials are refreshed well before they expire.
 */
export function refreshDue(issuedAt: Date, expiration: Date, now: Date): boolean {
  const life = expiration.getTime() - issuedAt.getTime();
  return expiration.getTime() - now.getTime() < life / 2;
}

/** What a request's session token says of temporary credentials: good, not theirs (or absent), or theirs but expired. */
export type SessionCheck = "valid" | "invalid" | "expired";

export function checkSession(issued: { sessionToken: string; expiration: Date }, presented: string | undefined, now: Date): SessionCheck {
  if (presented === undefined) return "invalid";
  const a = Buffer.from(presented);
  const b = Buffer.from(issued.sessionToken);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return "invalid";
  return now.getTime() >= issued.expiration.getTime() ? "expired" : "valid";
}
