// ECS services behind target groups, in-process: a control plane listening on loopback for a
// simulated agent, target groups and listeners written as documents into its state (the ELBv2
// API is not what is tested here), and health observations set on its TargetHealthBoard as
// the data plane would. Validation, registration on RUNNING, the drain before the stop, the
// deployment held until new targets are healthy, ELB health failures, and a restart mid-drain.
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopTaskCommand,
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
import { setTimeout as sleep } from "node:timers/promises";
import { capabilityAttributes } from "../../src/agent/capabilities.js";
import { elbIdOf } from "../../src/domain/elbv2/arns.js";
import { healthKey, type ObservedHealth } from "../../src/domain/elbv2/target-health.js";
import { sdkClient } from "../support/clients.js";
import { TEST_SCOPE, putTargetGroup, targetGroupDoc } from "../support/elbv2-ecs-docs.js";
import { ServedPlane } from "../support/served-plane.js";
import { SimulatedAgent } from "../support/simulated-agent.js";
import { defaultSubnetIn } from "../support/vpc.js";
import { waitFor } from "../support/wait.js";

const CLUSTER = "lb";

const healthy = (): ObservedHealth => ({ status: "healthy", since: Date.now() });
const unhealthy = (): ObservedHealth => ({ status: "unhealthy", failure: { kind: "response-code", code: 503 }, since: Date.now() });

describe("ECS services behind load balancers", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "berth-ecs-lb-"));
  const served = new ServedPlane(dataDir);
  let agent: SimulatedAgent;
  let fargate: SimulatedAgent;
  let ecs: ECSClient;
  let subnet = "";
  let vpcId = "";
  const hostPorts = new Map<string, number>();
  let nextHostPort = 32768;

  const state = () => served.plane.state;
  const board = () => served.plane.targetHealth;
  const describeService = async (name: string): Promise<Service> =>
    (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }))).services![0]!;
  const tasksOf = async (name: string, desiredStatus: "RUNNING" | "STOPPED" = "RUNNING"): Promise<Task[]> => {
    const arns = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: name, desiredStatus }))).taskArns ?? [];
    return arns.length ? (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks! : [];
  };
  const describeTask = async (arn: string): Promise<Task> =>
    (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))).tasks![0]!;
  const ipOf = (t: Task) => t.attachments![0]!.details!.find((d) => d.name === "privateIPv4Address")!.value!;
  const messages = async (name: string) => ((await describeService(name)).events ?? []).map((e) => e.message!);
  /** Marks every registered, not draining, target of the group as the checks would see it. */
  const markAll = async (tgArn: string, health: () => ObservedHealth) => {
    for (const t of (await targetGroupDoc(state(), tgArn)).targets) {
      if (!t.draining) board().set(healthKey(elbIdOf(tgArn), t.id, t.port), health());
    }
  };

  before(async () => {
    await served.start();
    ecs = sdkClient(served.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    agent = await new SimulatedAgent(served.endpoint, {
      cluster: CLUSTER,
      az: "us-east-1a",
      attributes: capabilityAttributes().map((a) => ({ name: a.name!, value: a.value })),
      networkBindings: (a, name) => {
        if (a.taskDefinition.networkMode !== "bridge") return [];
        const key = `${a.taskArn}/${name}`;
        if (!hostPorts.has(key)) hostPorts.set(key, nextHostPort++);
        return [{ bindIP: "127.0.0.1", containerPort: 80, hostPort: hostPorts.get(key)!, protocol: "tcp" }];
      },
    }).start();
    // awsvpc services run on FARGATE: each task has its own address, so their ports never clash.
    fargate = await new SimulatedAgent(served.endpoint, { fargate: true, az: "us-east-1a" }).start();
    ({ subnetId: subnet, vpcId } = await defaultSubnetIn(served.endpoint));
    for (const [family, networkMode] of [
      ["vpc-web", "awsvpc"],
      ["bridge-web", "bridge"],
    ] as const) {
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          networkMode,
          ...(networkMode === "awsvpc" ? { requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512" } : {}),
          containerDefinitions: [
            {
              name: "web",
              image: "nginx",
              memory: 32,
              portMappings: [{ containerPort: 80, ...(networkMode === "bridge" ? { hostPort: 0 } : {}) }],
            },
          ],
        }),
      );
    }
  });
  after(async () => {
    await agent.stop();
    await fargate.stop();
    await served.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const awsvpcService = (name: string, tgArn: string, desiredCount: number, extra: Record<string, unknown> = {}) =>
    ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: name,
        taskDefinition: "vpc-web",
        launchType: "FARGATE",
        desiredCount,
        loadBalancers: [{ targetGroupArn: tgArn, containerName: "web", containerPort: 80 }],
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } },
        ...extra,
      }),
    );

  test("CreateService checks its target groups as ECS does, and a refused service is not created", async () => {
    const ip = await putTargetGroup(state(), { name: "v-ip", vpcId });
    const instance = await putTargetGroup(state(), { name: "v-instance", targetType: "instance", vpcId });
    const unused = await putTargetGroup(state(), { name: "v-unused", vpcId, inUse: false });
    const missing = ip.replace(/\/[0-9a-f]{16}$/, "/0123456789abcdef");
    const refused = async (name: string, lb: Record<string, unknown>, taskDefinition: string, message: string) => {
      await assert.rejects(
        ecs.send(
          new CreateServiceCommand({
            cluster: CLUSTER,
            serviceName: name,
            taskDefinition,
            desiredCount: 1,
            loadBalancers: [{ containerName: "web", containerPort: 80, ...lb }],
            ...(taskDefinition === "vpc-web"
              ? { launchType: "FARGATE" as const, networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } } }
              : {}),
          }),
        ),
        { name: "InvalidParameterException", message },
      );
      const { failures } = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }));
      assert.equal(failures![0]!.reason, "MISSING", `${name} was not created`);
    };
    await refused("v1", { targetGroupArn: missing }, "vpc-web", `The target group with targetGroupArn ${missing} does not exist.`);
    await refused(
      "v2",
      { targetGroupArn: unused },
      "vpc-web",
      `The target group with targetGroupArn ${unused} does not have an associated load balancer.`,
    );
    await refused(
      "v3",
      { targetGroupArn: instance },
      "vpc-web",
      `The provided target group ${instance} has target type instance, which is incompatible with the awsvpc network mode specified in the task definition.`,
    );
    await refused(
      "v4",
      { targetGroupArn: ip },
      "bridge-web",
      `The provided target group ${ip} has target type ip, which is incompatible with the bridge network mode specified in the task definition.`,
    );
    await refused("v5", { loadBalancerName: "classic" }, "bridge-web", "The load balancer classic does not exist.");
    await refused(
      "v6",
      { targetGroupArn: ip, containerPort: 8080 },
      "vpc-web",
      "The container web did not have a container port 8080 defined.",
    );
    assert.deepEqual((await targetGroupDoc(state(), ip)).targets, [], "nothing registered");
  });

  test("awsvpc: tasks are registered by address when RUNNING; the deployment completes once they are healthy", async () => {
    const tg = await putTargetGroup(state(), { name: "web-ip", vpcId, deregistrationDelaySeconds: 1 });
    const created = (await awsvpcService("web", tg, 2)).service!;
    assert.deepEqual(created.loadBalancers, [{ targetGroupArn: tg, containerName: "web", containerPort: 80 }]);
    assert.equal(created.healthCheckGracePeriodSeconds, 0);
    const tasks = await waitFor(() => tasksOf("web"), { until: (ts) => ts.length === 2 && ts.every((t) => t.lastStatus === "RUNNING") });
    const group = await waitFor(() => targetGroupDoc(state(), tg), { until: (g) => g.targets.length === 2 });
    assert.deepEqual(
      group.targets.map((t) => [t.id, t.port, t.address, t.availabilityZone]).sort(),
      tasks.map((t) => [ipOf(t), 80, ipOf(t), "us-east-1a"]).sort(),
    );
    const registered = (await messages("web")).filter((m) => m.includes("registered"));
    assert.ok(
      registered.length > 0 &&
        registered.every((m) => new RegExp(`^\\(service web\\) registered \\d targets in \\(target-group ${tg}\\)$`).test(m)),
      registered.join("\n"),
    );
    // Still initial in the checks: RUNNING, but not available, so the rollout is not complete.
    await sleep(300);
    assert.equal((await describeService("web")).deployments![0]!.rolloutState, "IN_PROGRESS");
    await markAll(tg, healthy);
    const done = await waitFor(() => describeService("web"), { until: (s) => s.deployments![0]!.rolloutState === "COMPLETED" });
    assert.equal(done.runningCount, 2);
  });

  test("scale-in: the task is deregistered, shows DEACTIVATING while it drains, and only then is stopped", async () => {
    const tg = (await describeService("web")).loadBalancers![0]!.targetGroupArn!;
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", desiredCount: 1 }));
    const started = Date.now();
    const [leaving] = await waitFor(async () => (await tasksOf("web", "STOPPED")).filter((t) => t.lastStatus !== "STOPPED"), {
      until: (ts) => ts.length === 1,
    });
    assert.equal(leaving!.lastStatus, "DEACTIVATING");
    const draining = (await targetGroupDoc(state(), tg)).targets.find((t) => t.id === ipOf(leaving!))!;
    assert.ok(draining.draining, "its target drains");
    const stopped = await waitFor(() => describeTask(leaving!.taskArn!), { until: (t) => t.lastStatus === "STOPPED" });
    assert.ok(Date.now() - started >= 900, `stopped only after the 1 s deregistration delay (${Date.now() - started} ms)`);
    assert.equal(stopped.stopCode, "ServiceSchedulerInitiated");
    const events = await messages("web");
    assert.ok(events.includes("(service web) has begun draining connections on 1 tasks."), events.join("\n"));
    assert.ok(events.includes(`(service web) deregistered 1 targets in (target-group ${tg})`), events.join("\n"));
  });

  test("rolling deployment (min 100%, max 200%): never fewer healthy targets than desired, COMPLETED when new ones are healthy", async () => {
    const tg = await putTargetGroup(state(), { name: "roll", vpcId, deregistrationDelaySeconds: 1 });
    await awsvpcService("roll", tg, 3, { deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 } });
    await waitFor(async () => (await targetGroupDoc(state(), tg)).targets.length === 3);
    await markAll(tg, healthy);
    await waitFor(() => describeService("roll"), { until: (s) => s.deployments![0]!.rolloutState === "COMPLETED" });
    const before = new Set((await tasksOf("roll")).map((t) => t.taskArn!));

    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "roll", forceNewDeployment: true }));
    const seenAt = new Map<string, number>();
    let fewest = Infinity;
    const final = await waitFor(
      async () => {
        const group = await targetGroupDoc(state(), tg);
        const now = Date.now();
        // The checks pass a new target some time after it is registered.
        for (const t of group.targets) {
          const key = healthKey(elbIdOf(tg), t.id, t.port);
          if (!seenAt.has(key)) seenAt.set(key, now);
          if (!t.draining && now - seenAt.get(key)! > 300 && board().get(key)?.status !== "healthy") board().set(key, healthy());
        }
        const serving = group.targets.filter((t) => !t.draining && board().get(healthKey(elbIdOf(tg), t.id, t.port))?.status === "healthy");
        fewest = Math.min(fewest, serving.length);
        return describeService("roll");
      },
      { until: (s) => s.deployments!.length === 1 && s.deployments![0]!.rolloutState === "COMPLETED", intervalMs: 50, timeoutMs: 20_000 },
    );
    assert.ok(fewest >= 3, `healthy targets never below the desired count (fewest ${fewest})`);
    const after = await tasksOf("roll");
    assert.equal(after.length, 3);
    assert.ok(
      after.every((t) => !before.has(t.taskArn!)),
      "every task replaced",
    );
    assert.equal(final.runningCount, 3);
  });

  test("a task failing its target group's checks is stopped with ECS's reason and replaced", async () => {
    const tg = await putTargetGroup(state(), { name: "sick", vpcId, deregistrationDelaySeconds: 0 });
    await awsvpcService("sick", tg, 1);
    const [first] = await waitFor(() => tasksOf("sick"), { until: (ts) => ts.length === 1 && ts[0]!.lastStatus === "RUNNING" });
    const target = await waitFor(async () => (await targetGroupDoc(state(), tg)).targets[0]);
    board().set(healthKey(elbIdOf(tg), target.id, target.port), unhealthy());
    const stopped = await waitFor(() => describeTask(first!.taskArn!), { until: (t) => t.lastStatus === "STOPPED" });
    assert.equal(stopped.stoppedReason, `Task failed ELB health checks in (target-group ${tg})`);
    assert.equal(stopped.stopCode, "ServiceSchedulerInitiated");
    const events = await messages("sick");
    const id = first!.taskArn!.split("/").pop();
    assert.ok(
      events.includes(
        `(service sick) (task ${id}) (port 80) is unhealthy in (target-group sick) due to (reason Health checks failed with these codes: [503])`,
      ),
      events.join("\n"),
    );
    await waitFor(() => tasksOf("sick"), {
      until: (ts) => ts.length === 1 && ts[0]!.taskArn !== first!.taskArn && ts[0]!.lastStatus === "RUNNING",
    });
  });

  test("ELB health failures count toward the deployment circuit breaker", async () => {
    const tg = await putTargetGroup(state(), { name: "breaker", vpcId, deregistrationDelaySeconds: 0 });
    await awsvpcService("breaker", tg, 1, {
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } },
    });
    const failed = await waitFor(
      async () => {
        await markAll(tg, unhealthy);
        return describeService("breaker");
      },
      { until: (s) => s.deployments![0]!.rolloutState === "FAILED", timeoutMs: 20_000, intervalMs: 50 },
    );
    assert.ok(failed.deployments![0]!.failedTasks! >= 3, `failedTasks ${failed.deployments![0]!.failedTasks}`);
  });

  test("bridge: tasks are registered by instance id and host port", async () => {
    const tg = await putTargetGroup(state(), { name: "bridge", targetType: "instance", vpcId, deregistrationDelaySeconds: 0 });
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: "bridge",
        taskDefinition: "bridge-web",
        desiredCount: 2,
        loadBalancers: [{ targetGroupArn: tg, containerName: "web", containerPort: 80 }],
      }),
    );
    const tasks = await waitFor(() => tasksOf("bridge"), { until: (ts) => ts.length === 2 && ts.every((t) => t.lastStatus === "RUNNING") });
    const group = await waitFor(() => targetGroupDoc(state(), tg), { until: (g) => g.targets.length === 2 });
    const instance = (await state().instances.list(TEST_SCOPE, { parent: CLUSTER }))[0]!;
    const instanceId = instance.instance.ec2InstanceId!;
    assert.deepEqual(
      group.targets.map((t) => [t.id, t.port, t.address]).sort(),
      tasks.map((t) => [instanceId, hostPorts.get(`${t.taskArn}/web`), "127.0.0.1"]).sort(),
    );
  });

  test("StopTask on a service task drains it too before its agent stops it", async () => {
    const tg = await putTargetGroup(state(), { name: "manual", vpcId, deregistrationDelaySeconds: 1 });
    await awsvpcService("manual", tg, 1);
    const [task] = await waitFor(() => tasksOf("manual"), { until: (ts) => ts.length === 1 && ts[0]!.lastStatus === "RUNNING" });
    await waitFor(async () => (await targetGroupDoc(state(), tg)).targets.length === 1);
    const started = Date.now();
    const stopping = (await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task!.taskArn! }))).task!;
    assert.equal(stopping.lastStatus, "DEACTIVATING");
    assert.ok((await targetGroupDoc(state(), tg)).targets[0]!.draining, "deregistered at once");
    const stopped = await waitFor(() => describeTask(task!.taskArn!), { until: (t) => t.lastStatus === "STOPPED" });
    assert.ok(Date.now() - started >= 900, `stopped after the 1 s delay (${Date.now() - started} ms)`);
    assert.equal(stopped.stopCode, "UserInitiated");
  });

  test("a control-plane restart during the drain keeps the stop held until the delay has passed", async () => {
    const tg = await putTargetGroup(state(), { name: "restart", vpcId, deregistrationDelaySeconds: 4 });
    await awsvpcService("restart", tg, 1);
    const [task] = await waitFor(() => tasksOf("restart"), { until: (ts) => ts.length === 1 && ts[0]!.lastStatus === "RUNNING" });
    await waitFor(async () => (await targetGroupDoc(state(), tg)).targets.length === 1);
    const started = Date.now();
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "restart", desiredCount: 0 }));
    await waitFor(() => describeTask(task!.taskArn!), { until: (t) => t.lastStatus === "DEACTIVATING" });
    await served.stop();
    await sleep(200);
    await served.start();
    ecs = sdkClient(served.endpoint);
    // Reconnected, the agent learns everything again: still draining, the task keeps running.
    await sleep(1500);
    assert.equal((await describeTask(task!.taskArn!)).lastStatus, "DEACTIVATING");
    const stopped = await waitFor(() => describeTask(task!.taskArn!), { until: (t) => t.lastStatus === "STOPPED", timeoutMs: 15_000 });
    assert.ok(Date.now() - started >= 3900, `stopped after the 4 s delay (${Date.now() - started} ms)`);
    assert.equal(stopped.desiredStatus, "STOPPED");
  });
});
