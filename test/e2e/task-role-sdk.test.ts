// An application in a berth task finds its credentials where it would on ECS: a Node script
// with the real @aws-sdk/client-ecs, given no credentials of any kind, lists the cluster's tasks
// through the SDK's default provider chain (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI → the agent's
// endpoint at 169.254.170.2). The same script in a task without a task role finds none.
// The image is busybox; node, its libraries and the SDK come from this host by bind mounts
// (no registry is reachable to pull a Node image), and the task uses the host's network so it
// reaches berth's endpoint on 127.0.0.1.
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  waitUntilTasksStopped,
  type ECSClient,
  type Task,
} from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { packageRoot } from "../../src/paths.js";
import { startAgent, type AgentProcess } from "../support/agent-process.js";
import { startBerth, TEST_ACCOUNT, type BerthProcess } from "../support/berth-process.js";
import { sdkClient } from "../support/clients.js";
import { ensureBusyboxImage, removeClusterContainers } from "../support/images.js";

const CLUSTER = `task-role-sdk-${process.pid}`;
const ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/task-lister`;

// Lists the cluster's tasks and calls sts:GetCallerIdentity with whatever the default chain finds.
const SCRIPT = `
const { ECSClient, ListTasksCommand } = require("@aws-sdk/client-ecs");
const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts");
(async () => {
  const config = { endpoint: process.env.BERTH_ENDPOINT, region: "us-east-1" };
  try {
    const tasks = await new ECSClient(config).send(new ListTasksCommand({ cluster: process.env.CLUSTER }));
    const me = await new STSClient(config).send(new GetCallerIdentityCommand({}));
    console.log("RESULT " + JSON.stringify({ taskArns: tasks.taskArns, arn: me.Arn }));
  } catch (err) {
    console.log("RESULT " + JSON.stringify({ error: err.name }));
  }
})();
`;

describe("an SDK inside a task uses the task role", () => {
  let berth: BerthProcess;
  let agent: AgentProcess;
  let ecs: ECSClient;
  const docker = new Docker();
  const scriptDir = mkdtempSync(join(tmpdir(), "berth-sdk-script-"));

  before(async () => {
    writeFileSync(join(scriptDir, "list-tasks.cjs"), SCRIPT);
    const image = await ensureBusyboxImage();
    berth = await startBerth();
    ecs = sdkClient(berth.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    agent = startAgent(berth.endpoint, { args: ["--cluster", CLUSTER, "--task-endpoint-port", "0"] });
    await agent.registered;
    const bind = (name: string, path: string) => ({
      volume: { name, host: { sourcePath: path } },
      mount: { sourceVolume: name, containerPath: path, readOnly: true },
    });
    const binds = [
      bind("node", process.execPath),
      bind("libs", "/lib/x86_64-linux-gnu"),
      bind("loader", "/lib64"),
      bind("modules", join(packageRoot, "node_modules")),
      bind("script", scriptDir),
    ];
    for (const [family, taskRoleArn] of [
      ["with-role", ROLE],
      ["without-role", undefined],
    ] as const) {
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: `${CLUSTER}-${family}`,
          networkMode: "host",
          ...(taskRoleArn ? { taskRoleArn } : {}),
          volumes: binds.map((b) => b.volume),
          containerDefinitions: [
            {
              name: "app",
              image,
              memory: 128,
              // NODE_PATH: the script sits outside the repository, the SDK inside it.
              command: [process.execPath, join(scriptDir, "list-tasks.cjs")],
              environment: [
                { name: "BERTH_ENDPOINT", value: berth.endpoint },
                { name: "CLUSTER", value: CLUSTER },
                { name: "NODE_PATH", value: join(packageRoot, "node_modules") },
                // Not EC2's instance metadata at 169.254.169.254: no traffic leaves loopback.
                { name: "AWS_EC2_METADATA_DISABLED", value: "true" },
              ],
              mountPoints: binds.map((b) => b.mount),
            },
          ],
        }),
      );
    }
  });
  after(async () => {
    await agent?.kill();
    await berth?.stop();
    await removeClusterContainers(CLUSTER, docker);
  });

  async function runToEnd(family: string): Promise<{ task: Task; result: Record<string, unknown> }> {
    const run = await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: `${CLUSTER}-${family}` }));
    const arn = run.tasks![0]!.taskArn!;
    await waitUntilTasksStopped({ client: ecs, maxWaitTime: 90, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, tasks: [arn] });
    const task = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))).tasks![0]!;
    const [container] = await docker.listContainers({ all: true, filters: { label: [`com.amazonaws.ecs.task-arn=${arn}`] } });
    assert.ok(container, "the task's container is still on the host");
    const logs = (await docker.getContainer(container.Id).logs({ stdout: true, stderr: true })).toString("utf8");
    const line = logs.split("\n").find((l) => l.includes("RESULT "));
    assert.ok(line, `the script printed its result:\n${logs}`);
    return { task, result: JSON.parse(line.slice(line.indexOf("RESULT ") + 7)) as Record<string, unknown> };
  }

  test("with a task role: the default provider chain finds the role's credentials, and berth sees the role", async () => {
    const { task, result } = await runToEnd("with-role");
    assert.equal(task.containers![0]!.exitCode, 0);
    const taskId = task.taskArn!.split("/").pop()!;
    assert.equal(result.arn, `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/task-lister/${taskId}`);
    assert.ok((result.taskArns as string[]).includes(task.taskArn!), "the task lists itself");
  });

  test("without a task role: the SDK finds no credentials", async () => {
    const { result } = await runToEnd("without-role");
    assert.equal(result.error, "CredentialsProviderError");
  });
});
