// Tasks' role credentials through the real binary: the unmodified AWS CLIs work with the
// credentials berth issued (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN) and are
// refused once the task stops; with --sts-endpoint the task role's come from sts:AssumeRole on
// a real STS (moto_server on loopback), and a role that cannot be assumed stops the task.
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  type ECSClient,
  type Task,
} from "@aws-sdk/client-ecs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { after, before, describe, test } from "node:test";
import type { TaskCredentials } from "../../src/wire/task-credentials.js";
import { startBerth, TEST_ACCOUNT, type BerthProcess } from "../support/berth-process.js";
import { availableClis, runCli, sdkClient } from "../support/clients.js";
import { freePort } from "../support/ports.js";
import { SimulatedAgent } from "../support/simulated-agent.js";
import { waitFor } from "../support/wait.js";

const TASK_ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/e2e-task-role`;
const EXECUTION_ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/e2e-execution-role`;
const taskIdOf = (taskArn: string) => taskArn.split("/").at(-1)!;

/** A berth with a cluster, a simulated agent hearing credentials, and a task definition with both roles. */
async function cluster(berth: BerthProcess, name: string) {
  const ecs: ECSClient = sdkClient(berth.endpoint);
  const clusterName = `${name}-${process.pid}`;
  const pushed = new Map<string, TaskCredentials>();
  await ecs.send(new CreateClusterCommand({ clusterName }));
  const agent = await new SimulatedAgent(berth.endpoint, {
    cluster: clusterName,
    attributes: [{ name: "com.amazonaws.ecs.capability.task-iam-role" }],
    credentials: (all) => all.forEach((c) => pushed.set(c.taskArn, c)),
  }).start();
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: name,
      taskRoleArn: TASK_ROLE,
      executionRoleArn: EXECUTION_ROLE,
      containerDefinitions: [{ name: "app", image: "busybox", memory: 64 }],
    }),
  );
  const describe = async (taskArn: string): Promise<Task> =>
    (await ecs.send(new DescribeTasksCommand({ cluster: clusterName, tasks: [taskArn] }))).tasks![0]!;
  return {
    ecs,
    clusterName,
    pushed,
    agent,
    describe,
    async run(): Promise<string> {
      const out = await ecs.send(new RunTaskCommand({ cluster: clusterName, taskDefinition: name }));
      assert.deepEqual(out.failures, []);
      return out.tasks![0]!.taskArn!;
    },
  };
}

describe("issued credentials with the AWS CLIs", () => {
  let berth: BerthProcess;
  let world: Awaited<ReturnType<typeof cluster>>;
  before(async () => {
    berth = await startBerth();
    world = await cluster(berth, "creds-cli");
  });
  after(async () => {
    await world.agent.stop();
    await berth.stop();
  });

  test("the CLIs work as the task's role session, and are refused once it stops", async () => {
    const taskArn = await world.run();
    await waitFor(async () => (await world.describe(taskArn)).lastStatus === "RUNNING");
    const role = world.pushed.get(taskArn)!.task!;
    const asTask = { accessKeyId: role.accessKeyId, secretAccessKey: role.secretAccessKey, env: { AWS_SESSION_TOKEN: role.sessionToken } };
    const clis = availableClis();
    assert.ok(clis.length > 0, "an AWS CLI");
    for (const cli of clis) {
      const who = runCli(cli, berth.endpoint, ["sts", "get-caller-identity"], asTask);
      assert.equal(who.status, 0, who.stderr);
      assert.equal(who.json.Arn, `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/e2e-task-role/${taskIdOf(taskArn)}`);
      const listed = runCli(cli, berth.endpoint, ["ecs", "list-tasks", "--cluster", world.clusterName], asTask);
      assert.equal(listed.status, 0, listed.stderr);
      assert.ok(listed.json.taskArns.includes(taskArn));
      const noToken = runCli(cli, berth.endpoint, ["ecs", "list-tasks", "--cluster", world.clusterName], { ...asTask, env: {} });
      assert.match(noToken.stderr, /UnrecognizedClientException/);
    }
    await world.ecs.send(new StopTaskCommand({ cluster: world.clusterName, task: taskArn }));
    await waitFor(async () => (await world.describe(taskArn)).lastStatus === "STOPPED");
    for (const cli of clis) {
      await waitFor(() =>
        /UnrecognizedClientException/.test(
          runCli(cli, berth.endpoint, ["ecs", "list-tasks", "--cluster", world.clusterName], asTask).stderr,
        ),
      );
      const sts = runCli(cli, berth.endpoint, ["sts", "get-caller-identity"], asTask);
      assert.notEqual(sts.status, 0);
      assert.match(sts.stderr, /InvalidClientTokenId/);
    }
  });
});

/** moto_server on a free loopback port: an STS that accepts any credentials and assumes any role. */
async function startMoto(): Promise<{ endpoint: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitFor(
    () =>
      fetch(`${endpoint}/moto-api/`).then(
        (r) => r.ok,
        () => false,
      ),
    { timeoutMs: 30_000 },
  );
  return { endpoint, child };
}

const federatedEnv = {
  AWS_ACCESS_KEY_ID: "AKIAFEDERATIONTEST01",
  AWS_SECRET_ACCESS_KEY: "federation-test-secret",
  AWS_CONFIG_FILE: "/dev/null",
  AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  AWS_EC2_METADATA_DISABLED: "true",
};

describe(
  "federated mode: --sts-endpoint",
  { skip: spawnSync("sh", ["-c", "command -v moto_server"]).status !== 0 && "no moto_server" },
  () => {
    let moto: Awaited<ReturnType<typeof startMoto>>;
    let berth: BerthProcess;
    let world: Awaited<ReturnType<typeof cluster>>;
    before(async () => {
      moto = await startMoto();
      berth = await startBerth({ extraArgs: ["--sts-endpoint", moto.endpoint], env: federatedEnv });
      world = await cluster(berth, "creds-fed");
    });
    after(async () => {
      await world.agent.stop();
      await berth.stop();
      moto.child.kill("SIGTERM");
    });

    test("the task role's credentials are the STS's AssumeRole answer; the execution role's stay berth's", async () => {
      const taskArn = await world.run();
      await waitFor(async () => (await world.describe(taskArn)).lastStatus === "RUNNING");
      const { task, execution } = world.pushed.get(taskArn)!;
      const at = (endpoint: string, role: typeof task) =>
        new STSClient({
          endpoint,
          region: "us-east-1",
          maxAttempts: 1,
          credentials: { accessKeyId: role!.accessKeyId, secretAccessKey: role!.secretAccessKey, sessionToken: role!.sessionToken },
        });
      const who = await at(moto.endpoint, task).send(new GetCallerIdentityCommand({}));
      assert.equal(who.Arn, `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/e2e-task-role/${taskIdOf(taskArn)}`);
      await assert.rejects(at(berth.endpoint, task).send(new GetCallerIdentityCommand({})), { name: "InvalidClientTokenId" });
      const exec = await at(berth.endpoint, execution).send(new GetCallerIdentityCommand({}));
      assert.equal(exec.Arn, `arn:aws:sts::${TEST_ACCOUNT}:assumed-role/e2e-execution-role/${taskIdOf(taskArn)}`);
    });
  },
);

describe("federated mode: a role that cannot be assumed", () => {
  let berth: BerthProcess;
  let world: Awaited<ReturnType<typeof cluster>>;
  before(async () => {
    // Nothing listens there: AssumeRole fails as an STS that refuses would.
    berth = await startBerth({ extraArgs: ["--sts-endpoint", `http://127.0.0.1:${await freePort()}`], env: federatedEnv });
    world = await cluster(berth, "creds-fail");
  });
  after(async () => {
    await world.agent.stop();
    await berth.stop();
  });

  test("stops the task, saying which role ECS could not assume", async () => {
    const taskArn = await world.run();
    await waitFor(async () => (await world.describe(taskArn)).lastStatus === "STOPPED", { timeoutMs: 30_000 });
    const task = await world.describe(taskArn);
    assert.equal(task.stopCode, "TaskFailedToStart");
    assert.match(task.stoppedReason!, new RegExp(`^ECS was unable to assume the role '${TASK_ROLE}' that was provided for this task`));
    assert.equal(world.pushed.get(taskArn), undefined);
  });
});
