// Tasks in real containers: berth server + `berth agent` on this host's Docker, driven by
// the real SDK and AWS CLIs. Containers are reached only through 127.x addresses.
import {
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  waitUntilTasksRunning,
  waitUntilTasksStopped,
  type ContainerDefinition,
  type ECSClient,
  type RegisterTaskDefinitionRequest,
  type Task,
} from "@aws-sdk/client-ecs";
import Docker from "dockerode";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startAgent, type AgentProcess } from "../support/agent-process.js";
import { startBerth, type BerthProcess } from "../support/berth-process.js";
import { availableClis, runCli, sdkClient } from "../support/clients.js";
import { ensureBusyboxImage, removeClusterContainers } from "../support/images.js";
import { waitFor } from "../support/wait.js";
import { allowIngress, bannerNetwork, withDefaultVpcRange } from "../support/vpc.js";
import { vpcNetworkName } from "../../src/domain/ec2/vpc-network.js";

// A cluster name of its own per run: containers on this host are told apart by their cluster label.
const CLUSTER = `containers-${process.pid}`;
let IMAGE = "";

// A short stopTimeout: busybox as PID 1 ignores SIGTERM, and the tests need not wait 30 s for SIGKILL.
const container = (c: Partial<ContainerDefinition> & { name: string }): ContainerDefinition => ({
  image: IMAGE,
  memory: 64,
  stopTimeout: 2,
  ...c,
});

/** The body at `url`, once the server in the container accepts connections. */
async function fetchText(url: string): Promise<string> {
  const answer = await waitFor(async () => ({ body: await (await fetch(url)).text() }), {
    message: `an answer from ${url}`,
    retryErrors: true,
  });
  return answer.body;
}

describe("tasks in real containers", () => {
  let berth: BerthProcess;
  let agent: AgentProcess;
  let ecs: ECSClient;
  const docker = new Docker();

  const register = (input: RegisterTaskDefinitionRequest) => ecs.send(new RegisterTaskDefinitionCommand(input));
  const describeTask = async (arn: string): Promise<Task> =>
    (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))).tasks![0]!;
  const runOne = async (family: string, extra: Record<string, unknown> = {}): Promise<Task> => {
    const out = await ecs.send(new RunTaskCommand({ cluster: CLUSTER, taskDefinition: family, ...extra }));
    assert.deepEqual(out.failures, [], JSON.stringify(out.failures));
    return out.tasks![0]!;
  };
  const untilRunning = (arns: string[]) =>
    waitUntilTasksRunning({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, tasks: arns });
  const untilStopped = (arns: string[]) =>
    waitUntilTasksStopped({ client: ecs, maxWaitTime: 90, minDelay: 1, maxDelay: 1 }, { cluster: CLUSTER, tasks: arns });

  before(async () => {
    IMAGE = await ensureBusyboxImage();
    berth = await startBerth();
    ecs = sdkClient(berth.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    agent = startAgent(berth.endpoint, { args: ["--cluster", CLUSTER, "--capacity", "both"], registrations: 2 });
    await agent.registered;
  });
  after(async () => {
    await agent?.kill();
    await berth?.stop();
    await removeClusterContainers(CLUSTER, docker);
  });

  test("a bridge task serves on a dynamic host port of 127.0.0.1", async () => {
    await register({
      family: "httpd",
      containerDefinitions: [
        container({
          name: "web",
          command: ["sh", "-c", "mkdir -p /www && echo hello from berth > /www/index.html && exec httpd -f -p 8080 -h /www"],
          portMappings: [{ containerPort: 8080 }],
          dockerLabels: { team: "core" },
        }),
      ],
    });
    const task = await runOne("httpd");
    assert.equal((await untilRunning([task.taskArn!])).state, "SUCCESS");
    const running = await describeTask(task.taskArn!);
    const binding = running.containers![0]!.networkBindings![0]!;
    assert.equal(binding.bindIP, "127.0.0.1");
    assert.ok(binding.hostPort! >= 49153 && binding.hostPort! <= 65535, `dynamic port ${binding.hostPort}`);
    assert.equal((await fetchText(`http://127.0.0.1:${binding.hostPort}/`)).trim(), "hello from berth");
    const inspected = await docker.getContainer(running.containers![0]!.runtimeId!).inspect();
    assert.equal(inspected.Config.Labels["com.amazonaws.ecs.task-arn"], task.taskArn);
    assert.equal(inspected.Config.Labels["com.amazonaws.ecs.container-name"], "web");
    assert.equal(inspected.Config.Labels["com.amazonaws.ecs.task-definition-family"], "httpd");
    assert.equal(inspected.Config.Labels.team, "core");
    assert.ok(running.pullStartedAt && running.startedAt);
    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn! }));
    await untilStopped([task.taskArn!]);
    const stopped = await describeTask(task.taskArn!);
    assert.equal(stopped.stopCode, "UserInitiated");
    assert.equal(stopped.stoppedReason, "Task stopped by user");
  });

  test("two FARGATE tasks both serve port 80, each on its own loopback address", () =>
    withDefaultVpcRange(async () => {
      const vpc = await bannerNetwork(berth);
      // Once groups are enforced, the default group admits only its members: the host is let in on port 80.
      await allowIngress(berth.endpoint, vpc.securityGroupId, 80);
      await register({
        family: "fg-web",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        containerDefinitions: [
          container({
            name: "web",
            memory: undefined,
            command: ["sh", "-c", "mkdir -p /www && hostname -i > /www/index.html && exec httpd -f -p 80 -h /www"],
            portMappings: [{ containerPort: 80 }],
          }),
        ],
      });
      const out = await ecs.send(
        new RunTaskCommand({
          cluster: CLUSTER,
          taskDefinition: "fg-web",
          count: 2,
          launchType: "FARGATE",
          networkConfiguration: { awsvpcConfiguration: { subnets: [vpc.subnetIds[0]!] } },
        }),
      );
      const arns = out.tasks!.map((t) => t.taskArn!);
      await untilRunning(arns);
      const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks!;
      const seen = new Set<string>();
      for (const t of tasks) {
        const binding = t.containers![0]!.networkBindings![0]!;
        assert.match(binding.bindIP!, /^127\.1\.\d+\.\d+$/);
        assert.equal(binding.hostPort, 80);
        const ip = t.attachments![0]!.details!.find((d) => d.name === "privateIPv4Address")!.value!;
        assert.equal((await fetchText(`http://${binding.bindIP}:80/`)).trim(), ip, "each task answers from its own address");
        seen.add(binding.bindIP!);
      }
      assert.equal(seen.size, 2);
      for (const arn of arns) await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: arn }));
      await untilStopped(arns);
      // The VPC's network goes with this berth's tasks; nothing else joins it.
      await docker
        .getNetwork(vpcNetworkName(vpc.vpcId))
        .remove()
        .catch(() => undefined);
    }));

  test("an essential container's exit stops the task and its other containers", async () => {
    await register({
      family: "quitter",
      containerDefinitions: [
        container({ name: "main", command: ["sh", "-c", "sleep 1; exit 3"] }),
        container({ name: "sidecar", essential: false, command: ["sleep", "300"] }),
      ],
    });
    const task = await runOne("quitter");
    await untilStopped([task.taskArn!]);
    const t = await describeTask(task.taskArn!);
    assert.equal(t.stopCode, "EssentialContainerExited");
    assert.equal(t.stoppedReason, "Essential container in task exited");
    assert.equal(t.containers!.find((c) => c.name === "main")!.exitCode, 3);
    assert.equal(t.containers!.find((c) => c.name === "sidecar")!.lastStatus, "STOPPED");
  });

  test("a container over its memory limit is OOM-killed: 137 and OutOfMemoryError", async () => {
    await register({
      family: "hog",
      containerDefinitions: [container({ name: "hog", memory: 8, command: ["sh", "-c", "tail /dev/zero"] })],
    });
    const task = await runOne("hog");
    await untilStopped([task.taskArn!]);
    const c = (await describeTask(task.taskArn!)).containers![0]!;
    assert.equal(c.exitCode, 137);
    assert.equal(c.reason, "OutOfMemoryError: Container killed due to memory usage");
  });

  test("an image that cannot be pulled fails the task with CannotPullContainerError", async () => {
    await register({ family: "nopull", containerDefinitions: [{ name: "x", image: "127.0.0.1:1/nope:latest", memory: 16 }] });
    const task = await runOne("nopull");
    await untilStopped([task.taskArn!]);
    const t = await describeTask(task.taskArn!);
    assert.equal(t.stopCode, "TaskFailedToStart");
    assert.match(t.stoppedReason!, /^CannotPullContainerError: /);
  });

  test("StopTask: SIGTERM, then SIGKILL after stopTimeout", async () => {
    await register({
      family: "stubborn",
      containerDefinitions: [container({ name: "s", stopTimeout: 2, command: ["sh", "-c", "trap '' TERM; sleep 300 & wait"] })],
    });
    const task = await runOne("stubborn");
    await untilRunning([task.taskArn!]);
    const started = Date.now();
    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn!, reason: "make way" }));
    await untilStopped([task.taskArn!]);
    const t = await describeTask(task.taskArn!);
    assert.equal(t.containers![0]!.exitCode, 137);
    assert.equal(t.stoppedReason, "make way");
    assert.ok(Date.now() - started < 20_000);
  });

  test("container health checks make the task HEALTHY", async () => {
    await register({
      family: "healthy",
      containerDefinitions: [
        container({
          name: "h",
          command: ["sleep", "300"],
          healthCheck: { command: ["CMD-SHELL", "true"], interval: 5, timeout: 2, retries: 1 },
        }),
      ],
    });
    const task = await runOne("healthy");
    await untilRunning([task.taskArn!]);
    const t = await waitFor(() => describeTask(task.taskArn!), {
      until: (d) => d.healthStatus === "HEALTHY",
      message: "a HEALTHY task",
      timeoutMs: 15_000,
      intervalMs: 500,
    });
    assert.equal(t.healthStatus, "HEALTHY");
    assert.equal(t.containers![0]!.healthStatus, "HEALTHY");
    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn! }));
  });

  test("a failing health check makes the task UNHEALTHY", async () => {
    await register({
      family: "sick",
      containerDefinitions: [
        container({
          name: "s",
          command: ["sleep", "300"],
          healthCheck: { command: ["CMD-SHELL", "exit 1"], interval: 5, timeout: 2, retries: 1 },
        }),
      ],
    });
    const task = await runOne("sick");
    await untilRunning([task.taskArn!]);
    const t = await waitFor(() => describeTask(task.taskArn!), {
      until: (d) => d.healthStatus === "UNHEALTHY",
      message: "an UNHEALTHY task",
      timeoutMs: 20_000,
      intervalMs: 500,
    });
    assert.equal(t.healthStatus, "UNHEALTHY");
    assert.equal(t.containers![0]!.healthStatus, "UNHEALTHY");
    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn! }));
  });

  test("dependsOn SUCCESS: the app starts after its init container wrote into a shared volume", async () => {
    await register({
      family: "init-then-serve",
      volumes: [{ name: "shared" }],
      containerDefinitions: [
        container({
          name: "init",
          essential: false,
          command: ["sh", "-c", "sleep 1; echo prepared-by-init > /data/index.html"],
          mountPoints: [{ sourceVolume: "shared", containerPath: "/data" }],
        }),
        container({
          name: "web",
          dependsOn: [{ containerName: "init", condition: "SUCCESS" }],
          command: ["sh", "-c", "test -f /data/index.html && exec httpd -f -p 8080 -h /data"],
          mountPoints: [{ sourceVolume: "shared", containerPath: "/data", readOnly: true }],
          portMappings: [{ containerPort: 8080 }],
        }),
      ],
    });
    const task = await runOne("init-then-serve");
    await untilRunning([task.taskArn!]);
    const t = await describeTask(task.taskArn!);
    const init = t.containers!.find((c) => c.name === "init")!;
    assert.equal(init.lastStatus, "STOPPED");
    assert.equal(init.exitCode, 0);
    const binding = t.containers!.find((c) => c.name === "web")!.networkBindings![0]!;
    assert.equal((await fetchText(`http://127.0.0.1:${binding.hostPort}/`)).trim(), "prepared-by-init");
    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn! }));
    await untilStopped([task.taskArn!]);
  });

  test("the AWS CLI waiters tasks-running and tasks-stopped work unchanged", async () => {
    await register({ family: "sleeper", containerDefinitions: [container({ name: "z", command: ["sleep", "300"] })] });
    for (const cli of availableClis()) {
      const task = await runOne("sleeper");
      const cliArgs = ["ecs", "wait"];
      const running = runCli(cli, berth.endpoint, [...cliArgs, "tasks-running", "--cluster", CLUSTER, "--tasks", task.taskArn!]);
      assert.equal(running.status, 0, `${cli.name}: ${running.stderr}`);
      const stop = runCli(cli, berth.endpoint, ["ecs", "stop-task", "--cluster", CLUSTER, "--task", task.taskArn!]);
      assert.equal(stop.json.task.desiredStatus, "STOPPED");
      const stopped = runCli(cli, berth.endpoint, [...cliArgs, "tasks-stopped", "--cluster", CLUSTER, "--tasks", task.taskArn!]);
      assert.equal(stopped.status, 0, `${cli.name}: ${stopped.stderr}`);
    }
  });

  test("the container instance shows the host's resources and what tasks hold", async () => {
    const [instanceArn] = await agent.registered;
    const ci = (await ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: [instanceArn!] })))
      .containerInstances![0]!;
    assert.equal(ci.agentConnected, true);
    assert.ok(ci.registeredResources!.find((r) => r.name === "CPU")!.integerValue! >= 1024);
    assert.ok(ci.attributes!.some((a) => a.name === "ecs.capability.task-eni"));
  });

  test("an agent restart leaves a running task alone", async () => {
    const task = await runOne("sleeper");
    await untilRunning([task.taskArn!]);
    const before = (await describeTask(task.taskArn!)).containers![0]!.runtimeId!;
    await agent.kill();
    agent = startAgent(berth.endpoint, { args: ["--cluster", CLUSTER, "--capacity", "both"], registrations: 2, dataDir: agent.dataDir });
    const arns = await agent.registered;
    assert.ok(arns.length === 2);
    // A window for the restarted agent to act on what it found: it must NOT start the task again.
    await sleep(1500);
    const t = await describeTask(task.taskArn!);
    assert.equal(t.lastStatus, "RUNNING");
    assert.equal(t.containers![0]!.runtimeId, before, "the same container, not a new one");
    assert.equal((await docker.getContainer(before).inspect()).State.Running, true);
    await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn! }));
    await untilStopped([task.taskArn!]);
  });
});
