// Federated mode (--sts-endpoint): tasks' task roles are assumed on a real STS, with berth's own
// credentials for it from the SDK's default chain (AWS_ACCESS_KEY_ID/…, a profile, …), as ECS
// Anywhere gives on-premises tasks real IAM roles.
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { AssumeRole } from "../services/ecs/task-credentials.js";

export function stsAssumeRole(endpoint: string): AssumeRole {
  const clients = new Map<string, STSClient>();
  const clientFor = (region: string) => {
    let client = clients.get(region);
    if (!client) clients.set(region, (client = new STSClient({ endpoint, region })));
    return client;
  };
  return async ({ roleArn, sessionName, durationSeconds, region }) => {
    const { Credentials: c } = await clientFor(region).send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: durationSeconds }),
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new Error(`the STS at ${endpoint} answered AssumeRole without credentials`);
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  };
}
