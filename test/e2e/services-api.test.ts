// Services with simulated agents (no containers): convergence, scaling, rolling updates
// within min/max, the circuit breaker with rollback, DAEMON, deletion, the waiters.
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  ListServicesCommand,
  ListTasksCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
  waitUntilServicesStable,
  waitUntilServicesInactive,
  type ECSClient,
  type Service,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startBerth, type BerthProcess } from "../support/berth-process.js";
import { sdkClient } from "../support/clients.js";
import { SimulatedAgent } from "../support/simulated-agent.js";
import { waitFor } from "../support/wait.js";

const CLUSTER = "svc";

describe("services (simulated agents)", () => {
  let berth: BerthProcess;
  let ecs: ECSClient;
  const agents: SimulatedAgent[] = [];
  const describeService = async (name: string): Promise<Service> =>
    (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }))).services![0]!;
  /** The PRIMARY deployment COMPLETED: its tasks stayed up through the 10 s startup window. */
  const completed = async (name: string): Promise<Service> => {
    const s = await waitFor(() => describeService(name), {
      until: (d) => d.deployments![0]!.rolloutState === "COMPLETED",
      message: `${name}'s deployment COMPLETED`,
      timeoutMs: 30_000,
    });
    assert.equal(s.deployments![0]!.rolloutState, "COMPLETED");
    return s;
  };
  const stable = (name: string) =>
    waitUntilServicesStable({ client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, services: [name] });
  const taskDef = async (family: string, image = "app:1") =>
    (await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ name: "app", image, memory: 64 }] })))
      .taskDefinition!.taskDefinitionArn!;

  before(async () => {
    berth = await startBerth();
    ecs = sdkClient(berth.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    for (const az of ["us-east-1a", "us-east-1b", "us-east-1c"]) {
      agents.push(
        await new SimulatedAgent(berth.endpoint, {
          cluster: CLUSTER,
          az,
          outcome: (a) => (a.taskDefinition.containerDefinitions![0]!.image === "broken:1" ? "fail" : "run"),
        }).start(),
      );
    }
  });
  after(async () => {
    for (const a of agents) await a.stop();
    await berth.stop();
  });

  test("a REPLICA service reaches a steady state, spread across zones", async () => {
    const td = await taskDef("web");
    const { service } = await ecs.send(
      new CreateServiceCommand({ cluster: CLUSTER, serviceName: "web", taskDefinition: td, desiredCount: 3 }),
    );
    assert.equal(service!.status, "ACTIVE");
    assert.equal(service!.deployments!.length, 1);
    assert.match(service!.deployments![0]!.id!, /^ecs-svc\/\d{19}$/);
    assert.equal((await stable("web")).state, "SUCCESS");
    const s = await completed("web");
    assert.equal(s.runningCount, 3);
    assert.ok(s.events!.some((e) => e.message === "(service web) has reached a steady state."));
    assert.ok(s.events!.some((e) => /^\(service web\) has started 3 tasks: \(task [0-9a-f]{32}\)/.test(e.message!)));
    const arns = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: "web" }))).taskArns!;
    const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks!;
    assert.equal(tasks.length, 3);
    assert.deepEqual(new Set(tasks.map((t) => t.availabilityZone)).size, 3);
    for (const t of tasks) {
      assert.equal(t.group, "service:web");
      assert.equal(t.startedBy, s.deployments![0]!.id);
    }
  });

  test("scale up, roll out a new revision within min 50 / max 200, scale to zero", async () => {
    await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: "web",
        desiredCount: 4,
        deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200 },
      }),
    );
    await stable("web");
    assert.equal((await describeService("web")).runningCount, 4);
    const v2 = await taskDef("web", "app:2");
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", taskDefinition: v2 }));
    let max = 0;
    let minHealthy = Infinity;
    // Sampled while waiting for the rollout to end.
    await waitFor(
      async () => {
        const s = await describeService("web");
        const total = s.deployments!.reduce((n, d) => n + d.runningCount! + d.pendingCount!, 0);
        const running = s.deployments!.reduce((n, d) => n + d.runningCount!, 0);
        max = Math.max(max, total);
        minHealthy = Math.min(minHealthy, running);
        return s.deployments!.length === 1 && s.deployments![0]!.taskDefinition === v2 && s.runningCount === 4;
      },
      { message: "4 running of v2 alone", timeoutMs: 40_000, intervalMs: 50 },
    );
    assert.ok(max <= 8, `never above 200%: ${max}`);
    assert.ok(minHealthy >= 2, `never below 50%: ${minHealthy}`);
    const s = await completed("web");
    assert.equal(s.taskDefinition, v2);
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", desiredCount: 0 }));
    await stable("web");
    assert.equal((await describeService("web")).runningCount, 0);
  });

  test("a revision that fails to start trips the circuit breaker and rolls back", async () => {
    const good = await taskDef("cb");
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: "cb",
        taskDefinition: good,
        desiredCount: 2,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
    await stable("cb");
    await completed("cb");
    const bad = await taskDef("cb", "broken:1");
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "cb", taskDefinition: bad }));
    const s = await waitFor(() => describeService("cb"), {
      until: (d) =>
        d.deployments!.length === 1 && d.deployments![0]!.taskDefinition === good && d.deployments![0]!.rolloutState === "COMPLETED",
      message: "the rollback COMPLETED",
      timeoutMs: 60_000,
    });
    assert.equal(s.deployments![0]!.taskDefinition, good, "rolled back to the last completed revision");
    assert.ok(
      s.events!.some((e) => /deployment failed: tasks failed to start/.test(e.message!)),
      JSON.stringify(s.events!.map((e) => e.message)),
    );
    assert.ok(s.events!.some((e) => /rolling back to deployment/.test(e.message!)));
    assert.equal(s.runningCount, 2);
  });

  test("DAEMON: one task per active instance; a draining instance loses its task", async () => {
    const td = await taskDef("daemon");
    await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: "daemon", taskDefinition: td, schedulingStrategy: "DAEMON" }));
    // A DAEMON service's desired count is the scheduler's to set (0 until it has looked, as on
    // ECS), so "stable" is asked only once it has: before, 0 running of 0 desired passes.
    await waitFor(() => describeService("daemon"), { until: (d) => d.desiredCount === 3, message: "desiredCount 3", timeoutMs: 20_000 });
    await stable("daemon");
    let s = await describeService("daemon");
    assert.equal(s.desiredCount, 3);
    assert.equal(s.runningCount, 3);
    const joined = await new SimulatedAgent(berth.endpoint, { cluster: CLUSTER, az: "us-east-1d" }).start();
    agents.push(joined);
    s = await waitFor(() => describeService("daemon"), { until: (d) => d.runningCount === 4, message: "4 running", timeoutMs: 20_000 });
    assert.equal(s.runningCount, 4, "the joining instance gets its task");
    await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: CLUSTER, containerInstances: [joined.arn], status: "DRAINING" }));
    s = await waitFor(() => describeService("daemon"), { until: (d) => d.runningCount === 3, message: "3 running", timeoutMs: 20_000 });
    assert.equal(s.runningCount, 3);
  });

  test("errors: unknown, inactive, not idempotent, scaled above zero", async () => {
    const td = await taskDef("errs");
    await assert.rejects(ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "ghost", desiredCount: 1 })), {
      name: "ServiceNotFoundException",
    });
    await assert.rejects(
      ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: "web", taskDefinition: td, desiredCount: 1 })),
      { name: "InvalidParameterException" },
    );
    await assert.rejects(
      ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: "bad name", taskDefinition: td, desiredCount: 1 })),
      { name: "InvalidParameterException" },
    );
    await assert.rejects(
      ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName: "lb",
          taskDefinition: td,
          desiredCount: 1,
          loadBalancers: [
            {
              targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/tg/1",
              containerName: "nope",
              containerPort: 80,
            },
          ],
        }),
      ),
      { name: "InvalidParameterException" },
    );
    await assert.rejects(ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: "cb" })), { name: "InvalidParameterException" });
    await assert.rejects(ecs.send(new DeleteClusterCommand({ cluster: CLUSTER })), { name: "ClusterContainsContainerInstancesException" });
    await ecs.send(new CreateClusterCommand({ clusterName: "svc-only" }));
    await ecs.send(new CreateServiceCommand({ cluster: "svc-only", serviceName: "idle", taskDefinition: td, desiredCount: 0 }));
    await assert.rejects(ecs.send(new DeleteClusterCommand({ cluster: "svc-only" })), { name: "ClusterContainsServicesException" });
    const listed = await ecs.send(new ListServicesCommand({ cluster: CLUSTER }));
    assert.ok(listed.serviceArns!.length >= 3);
    const missing = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ["ghost"] }));
    assert.equal(missing.failures![0]!.reason, "MISSING");
  });

  test("delete: DRAINING, then INACTIVE once its tasks are gone", async () => {
    const out = await ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: "cb", force: true }));
    assert.equal(out.service!.status, "DRAINING");
    await assert.rejects(ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "cb", desiredCount: 1 })), {
      name: "ServiceNotActiveException",
    });
    const result = await waitUntilServicesInactive(
      { client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
      { cluster: CLUSTER, services: ["cb"] },
    );
    assert.equal(result.state, "SUCCESS");
    assert.equal((await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: "cb" }))).taskArns!.length, 0);
    // An INACTIVE service's name can be used again, for a new service.
    const again = await ecs.send(
      new CreateServiceCommand({ cluster: CLUSTER, serviceName: "cb", taskDefinition: await taskDef("cb-again"), desiredCount: 0 }),
    );
    assert.equal(again.service!.status, "ACTIVE");
    assert.equal((await describeService("cb")).taskDefinition, again.service!.taskDefinition);
  });

  test("concurrent creations: distinct names all land; one name lands once, or once per client token", async () => {
    const td = await taskDef("many");
    const create = (serviceName: string, clientToken?: string) =>
      ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName,
          taskDefinition: td,
          desiredCount: 0,
          ...(clientToken ? { clientToken } : {}),
        }),
      );
    const distinct = await Promise.all(Array.from({ length: 20 }, (_, i) => create(`many-${i}`)));
    assert.equal(new Set(distinct.map((d) => d.service!.serviceArn)).size, 20);
    const described = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ["many-0", "many-7", "many-19"] }));
    assert.deepEqual(
      described.services!.map((s) => s.status),
      ["ACTIVE", "ACTIVE", "ACTIVE"],
    );
    // Pages of 7 list what one page of 100 lists, oldest first.
    const onePage = (await ecs.send(new ListServicesCommand({ cluster: CLUSTER, maxResults: 100 }))).serviceArns!;
    const paged: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await ecs.send(new ListServicesCommand({ cluster: CLUSTER, maxResults: 7, nextToken }));
      assert.ok(page.serviceArns!.length <= 7);
      paged.push(...page.serviceArns!);
      nextToken = page.nextToken;
    } while (nextToken);
    assert.deepEqual(paged, onePage);
    assert.ok(distinct.every((d) => onePage.includes(d.service!.serviceArn!)));
    await assert.rejects(ecs.send(new ListServicesCommand({ cluster: CLUSTER, nextToken: "garbage" })), {
      name: "InvalidParameterException",
    });

    const racing = await Promise.allSettled(Array.from({ length: 8 }, () => create("contested")));
    assert.equal(racing.filter((r) => r.status === "fulfilled").length, 1, "exactly one creation wins");
    for (const r of racing) if (r.status === "rejected") assert.equal((r.reason as Error).name, "InvalidParameterException");

    const retried = await Promise.all(Array.from({ length: 8 }, () => create("retried", "token-1")));
    assert.equal(new Set(retried.map((r) => r.service!.serviceArn)).size, 1);
    assert.equal(new Set(retried.map((r) => r.service!.createdAt!.getTime())).size, 1, "the retries answer the one service created");
  });
});
