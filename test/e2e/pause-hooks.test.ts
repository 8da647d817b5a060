// PAUSE lifecycle hooks against a running server with a simulated agent running the tasks:
// a rolling deployment paused at PRE_SCALE_UP starts nothing of the new revision, one paused
// at POST_SCALE_UP keeps the old tasks beside the new ones, ContinueServiceDeployment takes it
// on (CONTINUE) or back (ROLLBACK); the pause survives a crash, and a timeout acts on its own.
import {
  ContinueServiceDeploymentCommand,
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ECSClient,
  type ServiceDeployment,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startBerth, type BerthProcess } from "../support/berth-process.js";
import { sdkClient } from "../support/clients.js";
import { SimulatedAgent } from "../support/simulated-agent.js";
import { waitFor } from "../support/wait.js";

const CLUSTER = "pauses";

describe("PAUSE lifecycle hooks (SDK, simulated agent)", () => {
  let berth: BerthProcess;
  let ecs: ECSClient;
  let agent: SimulatedAgent | undefined;

  const taskDef = async (image: string) =>
    (await ecs.send(new RegisterTaskDefinitionCommand({ family: "pauses", containerDefinitions: [{ name: "app", image, memory: 64 }] })))
      .taskDefinition!.taskDefinitionArn!;
  const describeDeployment = async (arn: string): Promise<ServiceDeployment> =>
    (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments![0]!;
  const until = (arn: string, what: string, ok: (d: ServiceDeployment) => boolean) =>
    waitFor(() => describeDeployment(arn), { until: ok, message: what, timeoutMs: 60_000 });
  const awaitingAt = (arn: string, stage: string) =>
    until(
      arn,
      `paused at ${stage}`,
      (d) => d.lifecycleStage === stage && d.lifecycleHookDetails?.some((h) => h.status === "AWAITING_ACTION") === true,
    );
  /** The service's tasks meant to run, by task definition. */
  const wanted = async () => {
    const arns = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: "web", desiredStatus: "RUNNING" }))).taskArns!;
    if (arns.length === 0) return [];
    const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks!;
    return tasks.map((t) => ({ td: t.taskDefinitionArn!, lastStatus: t.lastStatus! }));
  };
  const current = async () => (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ["web"] }))).services![0]!;

  before(async () => {
    berth = await startBerth();
    ecs = sdkClient(berth.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    agent = await new SimulatedAgent(berth.endpoint, { cluster: CLUSTER }).start();
  });
  after(async () => {
    await agent?.stop();
    await berth?.stop();
  });

  test("PRE_SCALE_UP and POST_SCALE_UP hold the rollout until continued; ROLLBACK goes back", async () => {
    const v1 = await taskDef("app:1");
    const v2 = await taskDef("app:2");
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: "web",
        taskDefinition: v1,
        desiredCount: 2,
        deploymentConfiguration: {
          lifecycleHooks: [{ targetType: "PAUSE", lifecycleStages: ["PRE_SCALE_UP", "POST_SCALE_UP"] }],
        },
      }),
    );
    await until((await current()).currentServiceDeployment!, "first deployment SUCCESSFUL", (d) => d.status === "SUCCESSFUL");

    const arn = (await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", taskDefinition: v2 }))).service!
      .currentServiceDeployment!;
    const pre = await awaitingAt(arn, "PRE_SCALE_UP");
    assert.deepEqual(
      (await wanted()).map((t) => t.td),
      [v1, v1],
      "nothing of the new revision started, the old tasks run",
    );
    // The pause is stored: a crash and a restart on the same port (the agent reconnects) keep it.
    const { dataDir, endpoint } = berth;
    await berth.kill9();
    berth = await startBerth({ dataDir, port: Number(new URL(endpoint).port) });
    ecs = sdkClient(berth.endpoint);
    assert.deepEqual((await describeDeployment(arn)).lifecycleHookDetails, pre.lifecycleHookDetails);
    await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: pre.lifecycleHookDetails![0]!.hookId! }));

    const post = await awaitingAt(arn, "POST_SCALE_UP");
    const during = await wanted();
    assert.equal(during.filter((t) => t.td === v2 && t.lastStatus === "RUNNING").length, 2, "the new tasks are up");
    assert.equal(during.filter((t) => t.td === v1).length, 2, "the old tasks are held");
    assert.equal(post.status, "IN_PROGRESS");
    const postHook = post.lifecycleHookDetails!.find((h) => h.status === "AWAITING_ACTION")!;
    await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: postHook.hookId!, action: "CONTINUE" }));
    const done = await until(arn, "SUCCESSFUL", (d) => d.status === "SUCCESSFUL");
    assert.deepEqual(
      done.lifecycleHookDetails!.map((h) => h.status),
      ["SUCCEEDED", "SUCCEEDED"],
    );
    await waitFor(wanted, { until: (ts) => ts.length === 2 && ts.every((t) => t.td === v2), message: "old tasks gone", timeoutMs: 30_000 });

    const back = (await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", taskDefinition: v1 }))).service!
      .currentServiceDeployment!;
    const paused = await awaitingAt(back, "PRE_SCALE_UP");
    await ecs.send(
      new ContinueServiceDeploymentCommand({
        serviceDeploymentArn: back,
        hookId: paused.lifecycleHookDetails![0]!.hookId!,
        action: "ROLLBACK",
      }),
    );
    await until(back, "ROLLBACK_SUCCESSFUL", (d) => d.status === "ROLLBACK_SUCCESSFUL");
    assert.equal((await current()).taskDefinition, v2);
    assert.ok((await wanted()).every((t) => t.td === v2));
  });

  test("a hook left without an action times out and takes its ROLLBACK action", async () => {
    const before = (await current()).taskDefinition!;
    const v3 = await taskDef("app:3");
    const arn = (
      await ecs.send(
        new UpdateServiceCommand({
          cluster: CLUSTER,
          service: "web",
          taskDefinition: v3,
          deploymentConfiguration: {
            lifecycleHooks: [
              { targetType: "PAUSE", lifecycleStages: ["PRE_SCALE_UP"], timeoutConfiguration: { timeoutInMinutes: 1, action: "ROLLBACK" } },
            ],
          },
        }),
      )
    ).service!.currentServiceDeployment!;
    const paused = await awaitingAt(arn, "PRE_SCALE_UP");
    assert.equal(paused.lifecycleHookDetails![0]!.timeoutAction, "ROLLBACK");
    // The loop wakes at expiresAt (a minute away) by itself: nothing here pokes it.
    const rolled = await waitFor(() => describeDeployment(arn), {
      until: (d) => d.status === "ROLLBACK_SUCCESSFUL",
      message: "rolled back at the timeout",
      timeoutMs: 150_000,
    });
    assert.equal(rolled.lifecycleHookDetails![0]!.status, "TIMED_OUT");
    assert.equal((await current()).taskDefinition, before);
    assert.ok((await wanted()).every((t) => t.td === before));
  });
});
