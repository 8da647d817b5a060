// The credentials the agent signs with on a task's behalf (secrets, parameters, logs): the task's
// execution role as the control plane pushed it, else the agent's own, as ECS on EC2 falls back
// to the instance's role. One provider for every SDK client the agent makes for a task.
import { SSMClient } from "@aws-sdk/client-ssm";
import type { RoleCredentials } from "../wire/task-credentials.js";

export interface ExecutionCredentialsOptions {
  /** The agent's region: where the SDK's default chain is asked. */
  region: string;
  /** The agent's own credentials; none: the AWS SDK's default chain, as the agent's ECS client does. */
  agentCredentials?: { accessKeyId: string; secretAccessKey: string };
  /** The task's execution-role credentials, when the control plane pushed them. */
  executionRole(taskArn: string): RoleCredentials | undefined;
}

/** What an SDK client's `credentials` option takes. */
export type CredentialsProvider = () => Promise<ClientCredentials>;

export interface ClientCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/**
 * How soon the SDK is told the credentials expire. It keeps a provider's answer until five
 * minutes before its expiration, and for ever when there is none: an expiration this close makes
 * it ask at every request, so a refreshed, newly pushed or forgotten execution role counts at
 * once (the ask is a map lookup), well before the role's own expiration.
 */
const READ_AGAIN_MS = 1_000;

/** The provider of each task's credentials: its execution role's, else the agent's own. */
export function executionCredentials(opts: ExecutionCredentialsOptions): (taskArn: string) => CredentialsProvider {
  return (taskArn) => async () => {
    const expiration = new Date(Date.now() + READ_AGAIN_MS);
    const role = opts.executionRole(taskArn);
    if (role) return { accessKeyId: role.accessKeyId, secretAccessKey: role.secretAccessKey, sessionToken: role.sessionToken, expiration };
    if (opts.agentCredentials) return { ...opts.agentCredentials, expiration };
    defaultChain ??= new SSMClient({ region: opts.region }).config.credentials;
    // The chain keeps its own answer until that one's expiration; a copy with ours is asked again.
    return { ...(await defaultChain()), expiration };
  };
}

let defaultChain: CredentialsProvider | undefined;
