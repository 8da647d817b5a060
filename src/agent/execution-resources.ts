// The agent's calls to berth's own Secrets Manager and SSM Parameter Store, on a task's behalf:
// the real SDK clients at the control plane's endpoint, signed with the task's execution-role
// credentials as the control plane pushed them (read at each call, so a refresh is picked up).
// A task without them is served with the agent's own credentials, as ECS on EC2 falls back to
// the instance's role.
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import type { RoleCredentials } from "../wire/task-credentials.js";
import type { ExecutionResources, FetchedParameters } from "./task-runner/secrets.js";

export interface ExecutionResourcesOptions {
  /** The control plane's endpoint, where berth serves every AWS API. */
  endpoint: string;
  /** The agent's region: where a secret or parameter named without an ARN lives. */
  region: string;
  /** The agent's own credentials; none: the AWS SDK's default chain. */
  agentCredentials?: { accessKeyId: string; secretAccessKey: string };
  /** The task's execution-role credentials, when the control plane pushed them. */
  executionRole(taskArn: string): RoleCredentials | undefined;
}

/** One ExecutionResources per task, each signing as that task's execution role. */
export function executionResourcesFor(opts: ExecutionResourcesOptions): (taskArn: string) => ExecutionResources {
  return (taskArn) => new TaskExecutionResources(opts, taskArn);
}

class TaskExecutionResources implements ExecutionResources {
  private readonly secretsManager = new Map<string, SecretsManagerClient>();
  private readonly ssm = new Map<string, SSMClient>();

  constructor(
    private readonly opts: ExecutionResourcesOptions,
    private readonly taskArn: string,
  ) {}

  async secretString(ref: { secretId: string; region?: string; versionStage?: string; versionId?: string }): Promise<string | undefined> {
    const client = this.client(this.secretsManager, ref.region, (config) => new SecretsManagerClient(config));
    const out = await client.send(
      new GetSecretValueCommand({
        SecretId: ref.secretId,
        ...(ref.versionStage !== undefined ? { VersionStage: ref.versionStage } : {}),
        ...(ref.versionId !== undefined ? { VersionId: ref.versionId } : {}),
      }),
    );
    return out.SecretString;
  }

  async parameters(names: readonly string[], region: string | undefined): Promise<FetchedParameters> {
    const client = this.client(this.ssm, region, (config) => new SSMClient(config));
    const out = await client.send(new GetParametersCommand({ Names: [...names], WithDecryption: true }));
    return {
      parameters: (out.Parameters ?? []).map((p) => ({
        name: p.Name ?? "",
        value: p.Value ?? "",
        ...(p.ARN !== undefined ? { arn: p.ARN } : {}),
        ...(p.Selector !== undefined ? { selector: p.Selector } : {}),
      })),
      invalid: out.InvalidParameters ?? [],
    };
  }

  private client<C>(cache: Map<string, C>, region: string | undefined, make: (config: ClientConfig) => C): C {
    const where = region || this.opts.region;
    let client = cache.get(where);
    if (!client) {
      client = make({ endpoint: this.opts.endpoint, region: where, credentials: () => this.credentials(), maxAttempts: 3 });
      cache.set(where, client);
    }
    return client;
  }

  private async credentials(): Promise<ClientCredentials> {
    const role = this.opts.executionRole(this.taskArn);
    if (role) {
      return {
        accessKeyId: role.accessKeyId,
        secretAccessKey: role.secretAccessKey,
        sessionToken: role.sessionToken,
        expiration: new Date(role.expiration),
      };
    }
    if (this.opts.agentCredentials) return this.opts.agentCredentials;
    // As the agent's ECS client does without credentials of its own: the SDK's default chain.
    defaultChain ??= new SSMClient({ region: this.opts.region }).config.credentials;
    return defaultChain();
  }
}

let defaultChain: (() => Promise<ClientCredentials>) | undefined;

interface ClientCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

interface ClientConfig {
  endpoint: string;
  region: string;
  credentials: () => Promise<ClientCredentials>;
  maxAttempts: number;
}
