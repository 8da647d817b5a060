// Container secrets and private registry auth end to end: secrets and parameters created through
// berth's own Secrets Manager and SSM APIs with the real SDK, read by the real `berth agent`
// (through the same APIs) into real containers on this host's Docker.
import {
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  waitUntilTasksRunning,
  waitUntilTasksStopped,
  type ContainerDefinition,
  type ECSClient,
  type Task,
} from "@aws-sdk/client-ecs";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import Docker from "dockerode";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { AgentProcess } from "../support/agent-process.js";
import { TEST_ACCESS_KEY, TEST_ACCOUNT, TEST_SECRET_KEY, type BerthProcess } from "../support/berth-process.js";
import { berthWithAgent, type BerthWithAgent } from "../support/berth-with-agent.js";
import { ensureBusyboxImage } from "../support/images.js";
import { startRegistry, type LocalRegistry } from "../support/registry.js";
import { waitFor } from "../support/wait.js";

const RUN = `${process.pid}`;
const CLUSTER = `secrets-${RUN}`;
const EXECUTION_ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/ecsTaskExecutionRole`;
const PREFIX = "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ";
// Values that must reach the container and nothing else berth shows.
const DB_PASSWORD = `json-pw-${RUN}-Qx7`;
const TOKEN = `plain-token-${RUN}-Zr2`;
const SECURE = `secure-${RUN}-Lm9`;
const PLAIN = `plain-param-${RUN}-Kd4`;

describe("task secrets and private registry auth", () => {
  let world: BerthWithAgent | undefined;
  let berth: BerthProcess;
  let agent: AgentProcess;
  let ecs: ECSClient;
  let image = "";
  let registry: LocalRegistry | undefined;
  const docker = new Docker();
  const config = (endpoint: string) => ({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
    maxAttempts: 1,
  });
  let secrets: SecretsManagerClient;
  let ssm: SSMClient;

  const container = (c: Partial<ContainerDefinition>): ContainerDefinition => ({
    name: "app",
    image,
    memory: 32,
    stopTimeout: 2,
    command: ["sleep", "600"],
    ...c,
  });
  const run = async (family: string, containerDefinition: ContainerDefinition): Promise<string> => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({ family, executionRoleArn: EXECUTION_ROLE, containerDefinitions: [containerDefinition] }),
    );
    const out = await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: family }));
    assert.deepEqual(out.failures, [], JSON.stringify(out.failures));
    return out.tasks![0]!.taskArn!;
  };
  const describeTask = async (arn: string): Promise<Task> =>
    (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))).tasks![0]!;
  const untilRunning = (arn: string) =>
    waitUntilTasksRunning({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, tasks: [arn] });
  const untilStopped = (arn: string) =>
    waitUntilTasksStopped({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, tasks: [arn] });
  const stop = async (arn: string) => {
    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn }));
    await untilStopped(arn);
  };
  const createSecret = async (Name: string, SecretString: string) =>
    (await secrets.send(new CreateSecretCommand({ Name, SecretString }))).ARN!;

  before(async () => {
    image = await ensureBusyboxImage();
    world = await berthWithAgent({ cluster: CLUSTER });
    ({ berth, agent, ecs } = world);
    secrets = new SecretsManagerClient(config(berth.endpoint));
    ssm = new SSMClient(config(berth.endpoint));
  });
  after(async () => {
    await registry?.stop();
    await world?.close();
  });

  test("a secret (plain and json-key) and SSM parameters (by name and ARN) become environment variables", async () => {
    const db = await createSecret(`e2e/db-${RUN}`, JSON.stringify({ username: "app", password: DB_PASSWORD }));
    const token = await createSecret(`e2e/token-${RUN}`, TOKEN);
    await ssm.send(new PutParameterCommand({ Name: `/e2e-${RUN}/db/password`, Value: SECURE, Type: "SecureString" }));
    await ssm.send(new PutParameterCommand({ Name: `e2e-${RUN}-plain`, Value: PLAIN, Type: "String" }));
    const arn = await run(
      "secrets-env",
      container({
        // Printed once, for the test to read through Docker; the task itself keeps running.
        command: ["sh", "-c", 'echo "DB=$DB_PASSWORD TOKEN=$TOKEN SECURE=$SECURE PLAIN=$PLAIN"; exec sleep 600'],
        secrets: [
          { name: "DB_PASSWORD", valueFrom: `${db}:password::` },
          { name: "TOKEN", valueFrom: token },
          { name: "SECURE", valueFrom: `/e2e-${RUN}/db/password` },
          { name: "PLAIN", valueFrom: `arn:aws:ssm:us-east-1:${TEST_ACCOUNT}:parameter/e2e-${RUN}-plain` },
        ],
      }),
    );
    assert.equal((await untilRunning(arn)).state, "SUCCESS");
    const task = await describeTask(arn);
    const runtimeId = task.containers![0]!.runtimeId!;
    const printed = await waitFor(
      async () => {
        const logs = (await docker.getContainer(runtimeId).logs({ stdout: true, stderr: true })).toString("utf8");
        return logs.includes("DB=") ? logs : undefined;
      },
      { message: "the container to print its environment" },
    );
    assert.match(printed, new RegExp(`DB=${DB_PASSWORD} TOKEN=${TOKEN} SECURE=${SECURE} PLAIN=${PLAIN}`));
    await stop(arn);
    // The values are in the container and nowhere berth shows them.
    const shown = JSON.stringify(await describeTask(arn)) + berth.output() + agent.output();
    for (const value of [DB_PASSWORD, TOKEN, SECURE, PLAIN]) assert.ok(!shown.includes(value), `${value} leaked`);
  });

  test("a missing secret or parameter stops the task before any container starts", async () => {
    const missing = `arn:aws:secretsmanager:us-east-1:${TEST_ACCOUNT}:secret:e2e/missing-${RUN}-AbCdEf`;
    const asm = await run("secrets-missing-asm", container({ secrets: [{ name: "X", valueFrom: missing }] }));
    const ssmTask = await run("secrets-missing-ssm", container({ secrets: [{ name: "X", valueFrom: `/e2e-${RUN}/missing` }] }));
    await untilStopped(asm);
    await untilStopped(ssmTask);
    const asmStopped = await describeTask(asm);
    assert.equal(asmStopped.stopCode, "TaskFailedToStart");
    assert.ok(
      asmStopped.stoppedReason!.startsWith(
        `${PREFIX}unable to retrieve secret from asm: failed to fetch secret ${missing} from secrets manager: `,
      ),
      asmStopped.stoppedReason,
    );
    assert.match(asmStopped.stoppedReason!, /ResourceNotFoundException/);
    assert.equal(asmStopped.containers![0]!.runtimeId, undefined, "no container was created");
    const ssmStopped = await describeTask(ssmTask);
    assert.equal(ssmStopped.stopCode, "TaskFailedToStart");
    assert.equal(ssmStopped.stoppedReason, `${PREFIX}unable to retrieve secrets from ssm: invalid ssm parameters: /e2e-${RUN}/missing`);
  });

  test("a private registry pull authenticated from a Secrets Manager secret", async () => {
    registry = await startRegistry({ username: "puller", password: `reg-${RUN}` });
    const ref = registry.push(image, `berth/secret-auth-${RUN}:1`);
    // Without repositoryCredentials the registry refuses the pull.
    const refused = await run("secrets-registry-refused", container({ image: ref }));
    await untilStopped(refused);
    assert.match((await describeTask(refused)).stoppedReason!, /^CannotPullContainerError: /);
    const login = await createSecret(`e2e/registry-${RUN}`, JSON.stringify({ username: "puller", password: `reg-${RUN}` }));
    const pulled = await run("secrets-registry", container({ image: ref, repositoryCredentials: { credentialsParameter: login } }));
    assert.equal((await untilRunning(pulled)).state, "SUCCESS");
    assert.ok(!JSON.stringify(await describeTask(pulled)).includes(`reg-${RUN}`));
    await stop(pulled);
  });
});
