// The agent's calls to berth's own Secrets Manager and SSM Parameter Store, on a task's behalf:
// the real SDK clients at the control plane's endpoint, signed with the task's execution-role
// credentials as the control plane pushed them, else the agent's own (execution-credentials.ts).
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import type { CredentialsProvider } from "./execution-credentials.js";
import type { ExecutionResources, FetchedParameters } from "./task-runner/secrets.js";

export interface ExecutionResourcesOptions {
  /** The control plane's endpoint, where berth serves every AWS API. */
  endpoint: string;
  /** The agent's region: where a secret or parameter named without an ARN lives. */
  region: string;
  /** What a task's calls are signed with: its execution role's credentials, else the agent's own. */
  credentials(taskArn: string): CredentialsProvider;
}

/** One ExecutionResources per task, each signing as that task's execution role. */
export function executionResourcesFor(opts: ExecutionResourcesOptions): (taskArn: string) => ExecutionResources {
  return (taskArn) => new TaskExecutionResources(opts, opts.credentials(taskArn));
}

class TaskExecutionResources implements ExecutionResources {
  private readonly secretsManager = new Map<string, SecretsManagerClient>();
  private readonly ssm = new Map<string, SSMClient>();

  constructor(
    private readonly opts: ExecutionResourcesOptions,
    private readonly credentials: CredentialsProvider,
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
      client = make({ endpoint: this.opts.endpoint, region: where, credentials: this.credentials, maxAttempts: 3 });
      cache.set(where, client);
    }
    return client;
  }
}

interface ClientConfig {
  endpoint: string;
  region: string;
  credentials: CredentialsProvider;
  maxAttempts: number;
}
