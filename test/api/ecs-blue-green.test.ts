// Blue/green deployments in-process: a control plane served on loopback for a simulated
// FARGATE agent, target groups and listeners written as documents (the ELBv2 API is not what
// is tested here), health set on the TargetHealthBoard as the data plane would. Green comes
// up in the alternate group, the listener rules' weights move to it, blue drains and stops;
// StopServiceDeployment during the bake time gives traffic back to the blue tasks that ran on.
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type ECSClient,
  type Service,
  type Task,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { elbIdOf } from "../../src/domain/elbv2/arns.js";
import { isDefaultRule } from "../../src/domain/elbv2/rules.js";
import { healthKey } from "../../src/domain/elbv2/target-health.js";
import { sdkClient } from "../support/clients.js";
import { TEST_SCOPE, putTargetGroup, targetGroupDoc } from "../support/elbv2-ecs-docs.js";
import { ServedPlane } from "../support/served-plane.js";
import { SimulatedAgent } from "../support/simulated-agent.js";
import { defaultSubnetIn } from "../support/vpc.js";
import { waitFor } from "../support/wait.js";

const CLUSTER = "bg";

describe("ECS blue/green deployments", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "berth-ecs-bg-"));
  const served = new ServedPlane(dataDir);
  let fargate: SimulatedAgent;
  let ecs: ECSClient;
  let subnet = "";
  let vpcId = "";
  let blueTg = "";
  let greenTg = "";
  let prodRule = "";
  let testRule = "";

  const state = () => served.plane.state;
  const describeService = async (): Promise<Service> =>
    (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ["web"] }))).services![0]!;
  const liveTasks = async (): Promise<Task[]> => {
    const arns = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: "web" }))).taskArns ?? [];
    return arns.length ? (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks! : [];
  };
  const messages = async () => ((await describeService()).events ?? []).map((e) => e.message!);
  /** The weights of the rule's forward action, by target group. */
  const weights = async (ruleArn: string) => {
    const rule = (await state().elbv2.rules.get(TEST_SCOPE, elbIdOf(ruleArn)))!;
    const forward = rule.rule.Actions!.find((a) => a.Type === "forward")!;
    return Object.fromEntries(forward.ForwardConfig!.TargetGroups!.map((g) => [g.TargetGroupArn, g.Weight]));
  };
  /** Marks every registered, not draining, target of the group healthy, as the checks would. */
  const markHealthy = async (tgArn: string) => {
    for (const t of (await targetGroupDoc(state(), tgArn)).targets)
      if (!t.draining) served.plane.targetHealth.set(healthKey(elbIdOf(tgArn), t.id, t.port), { status: "healthy", since: Date.now() });
  };
  const registered = async (tgArn: string) => (await targetGroupDoc(state(), tgArn)).targets.filter((t) => !t.draining).map((t) => t.id);
  const ipOf = (t: Task) => t.attachments![0]!.details!.find((d) => d.name === "privateIPv4Address")!.value!;
  /** The default rule of the listener forwarding to `tgArn` (putTargetGroup wrote one). */
  const listenerRuleOf = async (tgArn: string) => {
    const rules = await state().elbv2.rules.list(TEST_SCOPE);
    return rules.find((r) => isDefaultRule(r) && JSON.stringify(r.rule.Actions).includes(tgArn))!.rule.RuleArn!;
  };
  const register = (image: string) =>
    ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "bg-web",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        containerDefinitions: [{ name: "web", image, portMappings: [{ containerPort: 80 }] }],
      }),
    );

  before(async () => {
    await served.start();
    ecs = sdkClient(served.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    fargate = await new SimulatedAgent(served.endpoint, { fargate: true, az: "us-east-1a" }).start();
    ({ subnetId: subnet, vpcId } = await defaultSubnetIn(served.endpoint));
    blueTg = await putTargetGroup(state(), { name: "blue", vpcId, deregistrationDelaySeconds: 1 });
    greenTg = await putTargetGroup(state(), { name: "green", vpcId, deregistrationDelaySeconds: 1 });
    prodRule = await listenerRuleOf(blueTg);
    testRule = await listenerRuleOf(greenTg);
    for (const image of ["web:v1", "web:v2", "web:v3"]) await register(image);
  });
  after(async () => {
    await fargate.stop();
    await served.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("the first deployment serves from the primary group; its rules send everything there", async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: "web",
        taskDefinition: "bg-web:1",
        launchType: "FARGATE",
        desiredCount: 2,
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } },
        loadBalancers: [
          {
            targetGroupArn: blueTg,
            containerName: "web",
            containerPort: 80,
            advancedConfiguration: {
              alternateTargetGroupArn: greenTg,
              productionListenerRule: prodRule,
              testListenerRule: testRule,
              roleArn: `arn:aws:iam::${TEST_SCOPE.accountId}:role/ecsInfrastructureRole`,
            },
          },
        ],
        deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 0 },
      }),
    );
    await waitFor(() => registered(blueTg), { until: (ids) => ids.length === 2 });
    await markHealthy(blueTg);
    await waitFor(describeService, { until: (s) => s.deployments![0]!.rolloutState === "COMPLETED" });
    assert.deepEqual(await weights(prodRule), { [blueTg]: 100, [greenTg]: 0 });
    assert.deepEqual(await weights(testRule), { [blueTg]: 100, [greenTg]: 0 });
    // A listener's default rule mirrors the listener's default actions.
    const prod = (await state().elbv2.rules.get(TEST_SCOPE, elbIdOf(prodRule)))!;
    const listener = (await state().elbv2.listeners.get(TEST_SCOPE, elbIdOf(prod.listenerArn)))!;
    assert.deepEqual(listener.listener.DefaultActions, prod.rule.Actions);
  });

  test("an update brings green up in the alternate group, shifts all traffic to it and stops blue", async () => {
    const blue = (await liveTasks()).map((t) => t.taskArn!);
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", taskDefinition: "bg-web:2" }));
    await waitFor(() => registered(greenTg), { until: (ids) => ids.length === 2 });
    // Green is up but not yet healthy: production and test traffic stay on blue, blue keeps running.
    assert.deepEqual(await weights(prodRule), { [blueTg]: 100, [greenTg]: 0 });
    assert.equal((await liveTasks()).length, 4);
    await markHealthy(greenTg);
    await waitFor(() => weights(prodRule), { until: (w) => w[greenTg] === 100 });
    assert.deepEqual(await weights(testRule), { [blueTg]: 0, [greenTg]: 100 });
    const done = await waitFor(describeService, {
      until: (s) => s.deployments!.length === 1 && s.deployments![0]!.rolloutState === "COMPLETED",
    });
    assert.match(done.deployments![0]!.taskDefinition!, /bg-web:2$/);
    const now = await liveTasks();
    assert.equal(now.length, 2);
    assert.ok(
      now.every((t) => !blue.includes(t.taskArn!)),
      "blue's tasks are gone",
    );
    assert.deepEqual((await registered(greenTg)).sort(), now.map(ipOf).sort());
    const revision = (
      await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: done.currentServiceRevisions!.map((r) => r.arn!) }))
    ).serviceRevisions![0]!;
    assert.deepEqual(revision.resolvedConfiguration, { loadBalancers: [{ targetGroupArn: greenTg, productionListenerRule: prodRule }] });
    const events = await messages();
    assert.ok(
      events.some((m) => /is now receiving 100\.0% of production traffic/.test(m)),
      events.join("\n"),
    );
    assert.ok(events.some((m) => /is now receiving 100% of test traffic/.test(m)));
  });

  test("StopServiceDeployment during the bake time hands traffic back to the tasks that still run", async () => {
    const before = (await liveTasks()).map((t) => t.taskArn!).sort();
    const primaryBefore = (await describeService()).deployments![0]!.id;
    await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: "web",
        taskDefinition: "bg-web:3",
        deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 60 },
      }),
    );
    // The groups alternate: this green goes to the primary group.
    await waitFor(() => registered(blueTg), { until: (ids) => ids.length === 2 });
    await markHealthy(blueTg);
    await waitFor(() => weights(prodRule), { until: (w) => w[blueTg] === 100 });
    const arn = (await ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: "web" }))).serviceDeployments![0]!
      .serviceDeploymentArn!;
    const baking = await waitFor(
      async () => (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments![0]!,
      { until: (d) => d.lifecycleStage === "BAKE_TIME" },
    );
    assert.equal(baking.status, "IN_PROGRESS");
    assert.equal((await liveTasks()).length, 4, "blue runs through the bake time");

    await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: "ROLLBACK" }));
    // At once: traffic is back on the group of the tasks that ran on.
    assert.deepEqual(await weights(prodRule), { [blueTg]: 0, [greenTg]: 100 });
    const rolledBack = await waitFor(
      async () => (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments![0]!,
      { until: (d) => d.status === "ROLLBACK_SUCCESSFUL" },
    );
    assert.ok(rolledBack.rollback?.serviceRevisionArn);
    const service = await describeService();
    assert.equal(service.deployments!.length, 1);
    assert.equal(service.deployments![0]!.id, primaryBefore, "the deployment that ran on is the PRIMARY again");
    assert.match(service.taskDefinition!, /bg-web:2$/);
    assert.deepEqual((await liveTasks()).map((t) => t.taskArn!).sort(), before, "no task of it was stopped or started");
    assert.deepEqual(await weights(testRule), { [blueTg]: 0, [greenTg]: 100 });
  });
});
