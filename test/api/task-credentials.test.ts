// Tasks' role credentials, end to end in one process: a control plane served on loopback for a
// simulated agent, whose channel hears the credentials pushes. A task with roles gets its
// credentials before its assignment; the SDK works with them as the role's session (STS's
// GetCallerIdentity, ECS's ListTasks and registeredBy); a wrong or missing token, a stopped
// task's or an expired key is refused as AWS refuses it; a refresh brings new keys under the
// same credentialsId; what was issued survives a restart of the control plane.
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { markStopped } from "../../src/domain/task/lifecycle.js";
import { ecsState } from "../../src/state/ecs-state.js";
import { openSqliteStore } from "../../src/state/sqlite/sqlite-store.js";
import type { RoleCredentials, TaskCredentials } from "../../src/wire/task-credentials.js";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { sdkClient } from "../support/clients.js";
import { ServedPlane } from "../support/served-plane.js";
import { SimulatedAgent } from "../support/simulated-agent.js";
import { waitFor } from "../support/wait.js";

const ACCOUNT = TEST_ACCOUNT;
const SCOPE = { accountId: ACCOUNT, region: "us-east-1" };
const TASK_ROLE = `arn:aws:iam::${ACCOUNT}:role/app/app-task-role`;
const EXECUTION_ROLE = `arn:aws:iam::${ACCOUNT}:role/app-execution-role`;

type Event = { type: "credentials"; credentials: TaskCredentials[] } | { type: "assignment"; taskArn: string };

/** A served control plane with one simulated agent recording, in order, the credentials and the assignments it acts on. */
function world(name: string, overrides: ConstructorParameters<typeof ServedPlane>[1] = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), `berth-${name}-`));
  const served = new ServedPlane(dataDir, overrides);
  const cluster = `${name}-${process.pid}`;
  const events: Event[] = [];
  let agent: SimulatedAgent;
  const w = {
    served,
    dataDir,
    cluster,
    events,
    ecs: undefined as unknown as ECSClient,
    /** The latest credentials pushed for the task. */
    pushed: (taskArn: string) =>
      events
        .flatMap((e) => (e.type === "credentials" ? e.credentials : []))
        .filter((c) => c.taskArn === taskArn)
        .at(-1),
    async start() {
      await served.start();
      w.ecs = sdkClient(served.endpoint);
      await w.ecs.send(new CreateClusterCommand({ clusterName: cluster }));
      agent = await new SimulatedAgent(served.endpoint, {
        cluster,
        attributes: [{ name: "com.amazonaws.ecs.capability.task-iam-role" }],
        credentials: (credentials) => events.push({ type: "credentials", credentials }),
        outcome: (a) => {
          events.push({ type: "assignment", taskArn: a.taskArn });
          return "run";
        },
      }).start();
      await w.ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "creds-app",
          taskRoleArn: TASK_ROLE,
          executionRoleArn: EXECUTION_ROLE,
          containerDefinitions: [{ name: "app", image: "busybox", memory: 64 }],
        }),
      );
      await w.ecs.send(
        new RegisterTaskDefinitionCommand({ family: "no-roles", containerDefinitions: [{ name: "app", image: "busybox", memory: 64 }] }),
      );
    },
    async run(taskDefinition = "creds-app", overrides = {}): Promise<string> {
      const out = await w.ecs.send(new RunTaskCommand({ cluster, taskDefinition, overrides }));
      assert.deepEqual(out.failures, []);
      const taskArn = out.tasks![0]!.taskArn!;
      await waitFor(async () => {
        const t = (await w.ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }))).tasks![0]!;
        return t.lastStatus === "RUNNING";
      });
      return taskArn;
    },
    async stop() {
      await agent.stop();
      await served.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return w;
}

const asClient = (endpoint: string, role: RoleCredentials, sessionToken = role.sessionToken) => ({
  endpoint,
  region: "us-east-1",
  maxAttempts: 1,
  credentials: { accessKeyId: role.accessKeyId, secretAccessKey: role.secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
});
const ecsAs = (endpoint: string, role: RoleCredentials, token?: string) => new ECSClient(asClient(endpoint, role, token));
const stsAs = (endpoint: string, role: RoleCredentials, token?: string) => new STSClient(asClient(endpoint, role, token));
const errorName = (promise: Promise<unknown>) =>
  promise.then(
    () => "(no error)",
    (err: Error) => `${err.name}: ${err.message}`,
  );
const taskIdOf = (taskArn: string) => taskArn.split("/").at(-1)!;

describe("tasks' role credentials", () => {
  const w = world("creds");
  let taskArn = "";
  let creds: TaskCredentials;
  before(() => w.start());
  after(() => w.stop());

  test("a task with roles gets both roles' credentials pushed before its assignment", async () => {
    taskArn = await w.run();
    const firstCreds = w.events.findIndex((e) => e.type === "credentials" && e.credentials.some((c) => c.taskArn === taskArn));
    const firstAssignment = w.events.findIndex((e) => e.type === "assignment" && e.taskArn === taskArn);
    assert.ok(firstCreds >= 0 && firstCreds < firstAssignment, `credentials at ${firstCreds}, assignment at ${firstAssignment}`);
    creds = w.pushed(taskArn)!;
    assert.match(creds.credentialsId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const [role, roleArn] of [
      [creds.task, TASK_ROLE],
      [creds.execution, EXECUTION_ROLE],
    ] as const) {
      assert.equal(role?.roleArn, roleArn);
      assert.match(role.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
      assert.equal(role.secretAccessKey.length, 40);
      assert.ok(role.sessionToken.length > 400);
      const lifeMs = Date.parse(role.expiration) - Date.now();
      assert.ok(lifeMs > 5.9 * 3600_000 && lifeMs <= 6 * 3600_000, `expires in ${lifeMs} ms`);
    }
    assert.notEqual(creds.task!.accessKeyId, creds.execution!.accessKeyId);
  });

  test("a task without roles gets none; an override's role is the one issued", async () => {
    const plain = await w.run("no-roles");
    assert.equal(w.pushed(plain), undefined);
    const overridden = await w.run("no-roles", { taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/override-role` });
    const pushed = w.pushed(overridden)!;
    assert.equal(pushed.task?.roleArn, `arn:aws:iam::${ACCOUNT}:role/override-role`);
    assert.equal(pushed.execution, undefined);
    await w.ecs.send(new StopTaskCommand({ cluster: w.cluster, task: overridden }));
  });

  test("the SDK works with them, as the role's session named after the task", async () => {
    const endpoint = w.served.endpoint;
    const id = await stsAs(endpoint, creds.task!).send(new GetCallerIdentityCommand({}));
    assert.equal(id.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app-task-role/${taskIdOf(taskArn)}`);
    assert.equal(id.Account, ACCOUNT);
    assert.match(id.UserId!, new RegExp(`^AROA[A-Z2-7]{17}:${taskIdOf(taskArn)}$`));
    const exec = await stsAs(endpoint, creds.execution!).send(new GetCallerIdentityCommand({}));
    assert.equal(exec.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app-execution-role/${taskIdOf(taskArn)}`);
    const asTask = ecsAs(endpoint, creds.task!);
    const listed = await asTask.send(new ListTasksCommand({ cluster: w.cluster }));
    assert.ok(listed.taskArns!.includes(taskArn));
    const registered = await asTask.send(
      new RegisterTaskDefinitionCommand({ family: "by-task", containerDefinitions: [{ name: "c", image: "busybox", memory: 32 }] }),
    );
    assert.equal(registered.taskDefinition!.registeredBy, id.Arn);
  });

  test("a missing or wrong session token is refused, in each protocol's words", async () => {
    const endpoint = w.served.endpoint;
    const invalid = "The security token included in the request is invalid.";
    assert.equal(
      await errorName(ecsAs(endpoint, creds.task!, "").send(new ListTasksCommand({}))),
      `UnrecognizedClientException: ${invalid}`,
    );
    const wrong = creds.execution!.sessionToken;
    assert.equal(
      await errorName(ecsAs(endpoint, creds.task!, wrong).send(new ListTasksCommand({}))),
      `UnrecognizedClientException: ${invalid}`,
    );
    assert.equal(
      await errorName(stsAs(endpoint, creds.task!, wrong).send(new GetCallerIdentityCommand({}))),
      `InvalidClientTokenId: ${invalid}`,
    );
    // The account's long-term key with a session token is not a session either.
    const account = sdkClient(endpoint);
    const creds2 = await account.config.credentials();
    const withToken = ecsAs(endpoint, { ...creds.task!, accessKeyId: creds2.accessKeyId, secretAccessKey: creds2.secretAccessKey }, "x");
    assert.equal(await errorName(withToken.send(new ListTasksCommand({}))), `UnrecognizedClientException: ${invalid}`);
  });

  test("what was issued survives a restart of the control plane, and is pushed again to the reconnected agent", async () => {
    // A second task stops while the control plane is down (as if it crashed between the task's
    // STOPPED and its credentials' removal): its credentials do not come back.
    const other = await w.run();
    const othersCreds = w.pushed(other)!;
    const pushesBefore = w.events.filter((e) => e.type === "credentials").length;
    await w.served.stop();
    const store = openSqliteStore(join(w.dataDir, "berth.sqlite"));
    await ecsState(store).tasks.write(SCOPE, taskIdOf(other), (cur) => cur && { ...cur, task: markStopped(cur.task, new Date()) });
    await store.close();
    await w.served.start();
    const id = await stsAs(w.served.endpoint, creds.task!).send(new GetCallerIdentityCommand({}));
    assert.equal(id.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app-task-role/${taskIdOf(taskArn)}`);
    assert.equal(
      await errorName(stsAs(w.served.endpoint, othersCreds.task!).send(new GetCallerIdentityCommand({}))),
      "InvalidClientTokenId: The security token included in the request is invalid.",
    );
    assert.equal(await w.served.plane.state.tasks.get(SCOPE, taskIdOf(other)).then((t) => t?.task.lastStatus), "STOPPED");
    await waitFor(() => w.events.filter((e) => e.type === "credentials").length > pushesBefore);
    assert.deepEqual(w.pushed(taskArn), creds, "the same credentials, under the same id");
  });

  test("once the task stops, its credentials are refused", async () => {
    const endpoint = w.served.endpoint;
    await w.ecs.send(new StopTaskCommand({ cluster: w.cluster, task: taskArn }));
    const invalid = "UnrecognizedClientException: The security token included in the request is invalid.";
    await waitFor(async () => (await errorName(ecsAs(endpoint, creds.task!).send(new ListTasksCommand({})))) === invalid);
    assert.equal(await errorName(ecsAs(endpoint, creds.execution!).send(new ListTasksCommand({}))), invalid);
    await waitFor(async () => (await w.served.plane.state.tasks.get(SCOPE, taskIdOf(taskArn)))?.task.lastStatus === "STOPPED");
  });
});

describe("tasks' role credentials with a short lifetime", () => {
  const w = world("creds-short", { taskCredentialsLifetimeMs: 4000 });
  before(() => w.start());
  after(() => w.stop());

  test("a refresh pushes new keys under the same credentialsId; the old ones serve until they expire, then are expired", async () => {
    const taskArn = await w.run();
    const first = w.pushed(taskArn)!;
    await waitFor(() => w.pushed(taskArn)!.task!.accessKeyId !== first.task!.accessKeyId);
    const second = w.pushed(taskArn)!;
    assert.equal(second.credentialsId, first.credentialsId);
    assert.notEqual(second.execution!.accessKeyId, first.execution!.accessKeyId);
    assert.ok(Date.parse(second.task!.expiration) > Date.parse(first.task!.expiration));
    const endpoint = w.served.endpoint;
    if (Date.now() < Date.parse(first.task!.expiration) - 200)
      await ecsAs(endpoint, first.task!).send(new ListTasksCommand({ cluster: w.cluster }));
    const expired = "The security token included in the request is expired";
    await waitFor(
      async () =>
        (await errorName(ecsAs(endpoint, first.task!).send(new ListTasksCommand({ cluster: w.cluster })))) ===
        `ExpiredTokenException: ${expired}`,
    );
    assert.equal(await errorName(stsAs(endpoint, first.execution!).send(new GetCallerIdentityCommand({}))), `ExpiredToken: ${expired}`);
    const latest = w.pushed(taskArn)!;
    await ecsAs(endpoint, latest.task!).send(new ListTasksCommand({ cluster: w.cluster }));
  });
});
