// Services on real Docker: tasks that serve, a container killed outside berth replaced with
// ECS's events, a broken revision rolled back, the CLI waiters, kill -9 of the control plane
// in the middle of a rolling deployment, and an agent restart under a stable service.
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  UpdateContainerInstancesStateCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  waitUntilServicesStable,
  type ECSClient,
  type Service,
} from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startAgent, type AgentProcess } from "../support/agent-process.js";
import { newDataDir, startBerth, type BerthProcess } from "../support/berth-process.js";
import { availableClis, runCli, sdkClient } from "../support/clients.js";
import { ensureBusyboxImage, removeClusterContainers } from "../support/images.js";
import { freePort } from "../support/ports.js";
import { waitFor } from "../support/wait.js";

// A cluster name of its own per run: containers on this host are told apart by their cluster label.
const CLUSTER = `services-${process.pid}`;

describe("services on real containers", () => {
  const docker = new Docker();
  const dataDir = newDataDir();
  let port: number;
  let berth: BerthProcess;
  let agent: AgentProcess;
  let ecs: ECSClient;
  let image: string;
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
    waitUntilServicesStable({ client: ecs, maxWaitTime: 180, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, services: [name] });
  const serviceTasks = async (name: string) => {
    const arns = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: name }))).taskArns!;
    return arns.length ? (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks! : [];
  };
  const berthContainers = async (family: string) =>
    (await docker.listContainers({ filters: { label: [`com.amazonaws.ecs.task-definition-family=${family}`] } })).filter(
      (c) => c.State === "running" && c.Labels["com.amazonaws.ecs.cluster"]?.endsWith(`/${CLUSTER}`),
    );
  const httpd = (family: string, text: string, extra: Record<string, unknown> = {}) =>
    ecs.send(
      new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [
          {
            name: "web",
            image,
            memory: 32,
            portMappings: [{ containerPort: 8080 }],
            stopTimeout: 2,
            command: ["sh", "-c", `mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 8080 -h /www`],
            ...extra,
          },
        ],
      }),
    );

  before(async () => {
    image = await ensureBusyboxImage();
    port = await freePort();
    berth = await startBerth({ dataDir, port });
    ecs = sdkClient(berth.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    agent = startAgent(berth.endpoint, { args: ["--cluster", CLUSTER] });
    await agent.registered;
  });
  after(async () => {
    await agent?.kill();
    await berth?.stop();
    await removeClusterContainers(CLUSTER, docker);
  });

  test("a 3-task service reaches a steady state and every task serves on its port", async () => {
    const td = (await httpd("svc-web", "v1")).taskDefinition!.taskDefinitionArn!;
    await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: "web", taskDefinition: td, desiredCount: 3 }));
    assert.equal((await stable("web")).state, "SUCCESS");
    const tasks = await serviceTasks("web");
    assert.equal(tasks.length, 3);
    for (const t of tasks) {
      const b = t.containers![0]!.networkBindings![0]!;
      assert.equal((await (await fetch(`http://${b.bindIP}:${b.hostPort}/`)).text()).trim(), "v1");
    }
    for (const cli of availableClis()) {
      const r = runCli(cli, berth.endpoint, ["ecs", "wait", "services-stable", "--cluster", CLUSTER, "--services", "web"]);
      assert.equal(r.status, 0, `${cli.name}: ${r.stderr}`);
    }
  });

  test("a container killed outside berth is replaced, with ECS's events", async () => {
    const [victim] = await serviceTasks("web");
    await docker.getContainer(victim!.containers![0]!.runtimeId!).kill();
    await waitFor(
      async () => (await serviceTasks("web")).filter((t) => t.lastStatus === "RUNNING" && t.taskArn !== victim!.taskArn).length === 3,
      {
        message: "3 RUNNING tasks besides the victim",
        timeoutMs: 60_000,
      },
    );
    const s = await describeService("web");
    assert.equal(s.runningCount, 3);
    const stoppedVictim = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [victim!.taskArn!] }))).tasks![0]!;
    assert.equal(stoppedVictim.lastStatus, "STOPPED");
    assert.equal(stoppedVictim.stopCode, "EssentialContainerExited");
    assert.ok(
      s.events!.some((e) => /has started 1 tasks/.test(e.message!)),
      JSON.stringify(s.events!.map((e) => e.message)),
    );
    assert.equal((await berthContainers("svc-web")).length, 3);
  });

  test("scale up, then roll out a revision with min 50 / max 200: never below 2 or above 8 healthy-or-pending", async () => {
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
    const next = (await httpd("svc-web", "v1b")).taskDefinition!.taskDefinitionArn!;
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", taskDefinition: next }));
    let most = 0;
    let least = Infinity;
    // Sampled while waiting for the rollout to end.
    await waitFor(
      async () => {
        const s = await describeService("web");
        most = Math.max(
          most,
          s.deployments!.reduce((n, d) => n + d.runningCount! + d.pendingCount!, 0),
        );
        least = Math.min(
          least,
          s.deployments!.reduce((n, d) => n + d.runningCount!, 0),
        );
        return s.deployments!.length === 1 && s.taskDefinition === next && s.runningCount === 4;
      },
      { message: "4 running of the new revision alone", timeoutMs: 120_000 },
    );
    assert.ok(most <= 8, `above 200%: ${most}`);
    assert.ok(least >= 2, `below 50%: ${least}`);
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", desiredCount: 3 }));
    await stable("web");
  });

  test("a revision whose container exits at once trips the circuit breaker and rolls back", async () => {
    const good = (await httpd("svc-cb", "good")).taskDefinition!.taskDefinitionArn!;
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: "cb",
        taskDefinition: good,
        desiredCount: 1,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
    await stable("cb");
    await completed("cb");
    const bad = (
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "svc-cb",
          containerDefinitions: [{ name: "web", image, memory: 32, command: ["sh", "-c", "exit 1"] }],
        }),
      )
    ).taskDefinition!.taskDefinitionArn!;
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "cb", taskDefinition: bad }));
    const s = await waitFor(() => describeService("cb"), {
      until: (d) =>
        d.deployments!.length === 1 && d.deployments![0]!.taskDefinition === good && d.deployments![0]!.rolloutState === "COMPLETED",
      message: "the rollback COMPLETED",
      timeoutMs: 180_000,
      intervalMs: 200,
    });
    assert.equal(s.deployments![0]!.taskDefinition, good, JSON.stringify(s.events!.map((e) => e.message)));
    assert.ok(s.events!.some((e) => /deployment failed/.test(e.message!)));
  });

  test("kill -9 of the control plane mid-rollout: the deployment finishes, no task lost, duplicated or orphaned", async () => {
    const v2 = (await httpd("svc-web", "v2")).taskDefinition!.taskDefinitionArn!;
    await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: "web",
        taskDefinition: v2,
        deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200 },
      }),
    );
    // Mid-rollout: the new deployment has started tasks.
    await waitFor(
      async () => {
        const primary = (await describeService("web")).deployments!.find((d) => d.status === "PRIMARY");
        return primary?.taskDefinition === v2 && primary.runningCount! + primary.pendingCount! > 0;
      },
      { message: "the rollout to v2 under way", timeoutMs: 30_000 },
    );
    await berth.kill9();
    berth = await startBerth({ dataDir, port });
    ecs = sdkClient(berth.endpoint);
    await stable("web");
    const s = await describeService("web");
    assert.equal(s.taskDefinition, v2);
    assert.equal(s.runningCount, 3);
    const tasks = (await serviceTasks("web")).filter((t) => t.lastStatus === "RUNNING");
    assert.equal(tasks.length, 3);
    for (const t of tasks) {
      const b = t.containers![0]!.networkBindings![0]!;
      assert.equal((await (await fetch(`http://${b.bindIP}:${b.hostPort}/`)).text()).trim(), "v2");
    }
    // Every running container belongs to a RUNNING task and the other way round; none is left
    // behind (old containers get their stopTimeout of 2 s to go).
    const settled = async () => {
      const running = (await serviceTasks("web"))
        .filter((t) => t.lastStatus === "RUNNING")
        .map((t) => t.taskArn!)
        .sort();
      const containers = (await berthContainers("svc-web")).map((c) => c.Labels["com.amazonaws.ecs.task-arn"]!).sort();
      return { running, containers };
    };
    const now = await waitFor(settled, {
      until: (n) => JSON.stringify(n.running) === JSON.stringify(n.containers),
      message: "containers and RUNNING tasks alike",
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    assert.equal(now.running.length, 3);
    assert.deepEqual(now.containers, now.running);
  });

  test("a DAEMON service follows agents joining and draining", async () => {
    const td = (
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "svc-daemon",
          containerDefinitions: [{ name: "d", image, memory: 16, stopTimeout: 2, command: ["sleep", "600"] }],
        }),
      )
    ).taskDefinition!.taskDefinitionArn!;
    await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: "daemon", taskDefinition: td, schedulingStrategy: "DAEMON" }));
    // A DAEMON service's desired count is the scheduler's to set (0 until it has looked, as on
    // ECS), so "stable" is asked only once it has: before, 0 running of 0 desired passes.
    await waitFor(() => describeService("daemon"), { until: (s) => s.desiredCount === 1, message: "desiredCount 1", timeoutMs: 20_000 });
    await stable("daemon");
    assert.equal((await describeService("daemon")).runningCount, 1);
    const second = startAgent(berth.endpoint, { args: ["--cluster", CLUSTER, "--availability-zone", "us-east-1b"] });
    try {
      const [arn] = await second.registered;
      const until = (n: number) =>
        waitFor(() => describeService("daemon"), {
          until: (s) => s.runningCount === n && s.desiredCount === n,
          message: `${n} running of ${n} desired`,
          timeoutMs: 60_000,
        });
      assert.equal((await until(2)).runningCount, 2, "the joining instance gets its daemon task");
      const onSecond = (await serviceTasks("daemon")).filter((t) => t.containerInstanceArn === arn && t.lastStatus === "RUNNING");
      assert.equal(onSecond.length, 1);
      await ecs.send(new UpdateContainerInstancesStateCommand({ cluster: CLUSTER, containerInstances: [arn!], status: "DRAINING" }));
      assert.equal((await until(1)).runningCount, 1, "draining stops it");
    } finally {
      await second.kill();
    }
  });

  test("scale to zero and delete: DRAINING, then INACTIVE (services-inactive waiter)", async () => {
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "cb", desiredCount: 0 }));
    await stable("cb");
    assert.equal((await describeService("cb")).runningCount, 0);
    const out = await ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: "cb" }));
    assert.equal(out.service!.status, "DRAINING");
    for (const cli of availableClis()) {
      const r = runCli(cli, berth.endpoint, ["ecs", "wait", "services-inactive", "--cluster", CLUSTER, "--services", "cb"]);
      assert.equal(r.status, 0, `${cli.name}: ${r.stderr}`);
    }
    assert.equal((await describeService("cb")).status, "INACTIVE");
  });

  test("an agent restart does not disturb a stable service", async () => {
    const before = (await serviceTasks("web")).map((t) => t.taskArn).sort();
    const events = (await describeService("web")).events!.length;
    await agent.kill();
    agent = startAgent(berth.endpoint, { args: ["--cluster", CLUSTER], dataDir: agent.dataDir });
    await agent.registered;
    // A window for the restarted agent to act on what it found: nothing may change in it.
    await sleep(3000);
    assert.deepEqual((await serviceTasks("web")).map((t) => t.taskArn).sort(), before);
    const s = await describeService("web");
    assert.equal(s.runningCount, 3);
    assert.ok(
      !s.events!.slice(0, s.events!.length - events).some((e) => /started|stopped/.test(e.message!)),
      "no task was started or stopped",
    );
  });
});
