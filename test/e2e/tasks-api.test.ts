// The task and container instance API with a simulated agent (the real agent client code,
// no containers): placement, lifecycle, stop codes, FARGATE capacity and the waiters.
import {
  CreateClusterCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListAttributesCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  PutAttributesCommand,
  DeleteAttributesCommand,
  RegisterTaskDefinitionCommand,
  DeregisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateContainerInstancesStateCommand,
  DeregisterContainerInstanceCommand,
  waitUntilTasksRunning,
  waitUntilTasksStopped,
  type ECSClient,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ControlPlaneClient } from "../../src/agent/control-plane-client.js";
import type { AgentChannel } from "../../src/agent/channel.js";
import { createLogger } from "../../src/log/logger.js";
import type { Assignments } from "../../src/wire/agent-channel.js";
import { startBerth, TEST_ACCESS_KEY, TEST_SECRET_KEY, type BerthProcess } from "../support/berth-process.js";
import { bannerNetwork } from "../support/vpc.js";
import { sdkClient } from "../support/clients.js";

interface SimulatedHost {
  client: ControlPlaneClient;
  arn: string;
  /** The next push of the host's channel, in order (the first, on connecting, is taken already). */
  next: () => Promise<Assignments>;
  /** A second channel for the host, as after an agent restart: its first push. */
  reconnect(): Promise<Assignments>;
}

const openChannels: AgentChannel[] = [];

/** A channel whose pushes queue up until taken. */
function queuedChannel(client: ControlPlaneClient, arn: string): { channel: AgentChannel; next: () => Promise<Assignments> } {
  const queue: Assignments[] = [];
  const waiting: ((m: Assignments) => void)[] = [];
  const channel = client.channel(() => arn, {
    assignments: async (m) => {
      const taker = waiting.shift();
      if (taker) taker(m);
      else queue.push(m);
    },
    unregistered: async () => undefined,
    log: createLogger({ level: "silent" }),
  });
  channel.start();
  openChannels.push(channel);
  return {
    channel,
    next: () => {
      const queued = queue.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("nothing pushed within 5 s")), 5000);
        waiting.push((m) => {
          clearTimeout(timer);
          resolve(m);
        });
      });
    },
  };
}

async function simulatedHost(
  endpoint: string,
  opts: { cluster?: string; memory?: number; az?: string; fargate?: boolean; attributes?: { name: string; value?: string }[] } = {},
): Promise<SimulatedHost> {
  const client = new ControlPlaneClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
  });
  const instance = await client.register({
    cluster: opts.fargate ? undefined : opts.cluster,
    totalResources: [
      { name: "CPU", type: "INTEGER", integerValue: 2048 },
      { name: "MEMORY", type: "INTEGER", integerValue: opts.memory ?? 1024 },
    ],
    instanceIdentityDocument: JSON.stringify({
      availabilityZone: opts.az ?? "us-east-1a",
      instanceType: "t3.small",
      instanceId: `i-${Math.random().toString(16).slice(2, 12)}`,
    }),
    attributes: [...(opts.fargate ? [{ name: "berth.capacity", value: "fargate" }] : []), ...(opts.attributes ?? [])],
  });
  const arn = instance.containerInstanceArn!;
  await client.discover(opts.cluster ?? "default", arn);
  const { next } = queuedChannel(client, arn);
  // On connecting, the host is told what it holds: nothing yet.
  assert.deepEqual((await next()).assigned, []);
  return { client, arn, next, reconnect: () => queuedChannel(client, arn).next() };
}

const web = (family = "web", memory = 256) => ({
  family,
  containerDefinitions: [
    { name: "app", image: "busybox", memory, portMappings: [{ containerPort: 80, hostPort: 8080 }] },
    { name: "sidecar", image: "busybox", memory: 16, essential: false },
  ],
});

describe("tasks and container instances (simulated agent)", () => {
  let berth: BerthProcess;
  let ecs: ECSClient;
  let host: SimulatedHost;
  before(async () => {
    berth = await startBerth();
    ecs = sdkClient(berth.endpoint);
    host = await simulatedHost(berth.endpoint, { memory: 1024 });
    await ecs.send(new RegisterTaskDefinitionCommand(web()));
  });
  after(async () => {
    await Promise.all(openChannels.map((c) => c.stop()));
    await berth.stop();
  });

  test("a registered agent is a container instance of the default cluster, created for it", async () => {
    const out = await ecs.send(
      new DescribeContainerInstancesCommand({ containerInstances: [host.arn, "0123456789abcdef0123456789abcdef"] }),
    );
    const ci = out.containerInstances![0]!;
    assert.match(ci.containerInstanceArn!, /^arn:aws:ecs:us-east-1:123456789012:container-instance\/default\/[0-9a-f]{32}$/);
    assert.equal(ci.status, "ACTIVE");
    assert.equal(ci.agentConnected, true);
    assert.equal(ci.registeredResources!.find((r) => r.name === "MEMORY")!.integerValue, 1024);
    assert.ok(ci.attributes!.some((a) => a.name === "ecs.availability-zone" && a.value === "us-east-1a"));
    assert.ok(ci.attributes!.some((a) => a.name === "ecs.instance-type" && a.value === "t3.small"));
    assert.match(ci.ec2InstanceId!, /^i-/);
    assert.equal(out.failures![0]!.reason, "MISSING");
    const listed = await ecs.send(new ListContainerInstancesCommand({ filter: "attribute:ecs.instance-type =~ t3.*" }));
    assert.deepEqual(listed.containerInstanceArns, [host.arn]);
    const none = await ecs.send(new ListContainerInstancesCommand({ filter: "attribute:ecs.instance-type == m5.large" }));
    assert.deepEqual(none.containerInstanceArns, []);
    await assert.rejects(ecs.send(new ListContainerInstancesCommand({ filter: "attribute:ecs.instance-type ==" })), {
      name: "InvalidParameterException",
    });
  });

  test("custom attributes: put, list, delete", async () => {
    await ecs.send(new PutAttributesCommand({ attributes: [{ name: "stack", value: "prod", targetId: host.arn }] }));
    const listed = await ecs.send(new ListAttributesCommand({ targetType: "container-instance", attributeName: "stack" }));
    assert.deepEqual(listed.attributes, [{ name: "stack", value: "prod", targetType: "container-instance", targetId: host.arn }]);
    await assert.rejects(
      ecs.send(new PutAttributesCommand({ attributes: [{ name: "x", targetId: "0123456789abcdef0123456789abcdef" }] })),
      { name: "TargetNotFoundException" },
    );
    await ecs.send(new DeleteAttributesCommand({ attributes: [{ name: "stack", targetId: host.arn }] }));
    const after = await ecs.send(new ListAttributesCommand({ targetType: "container-instance", attributeName: "stack" }));
    assert.deepEqual(after.attributes, []);
  });

  test("RunTask places, the agent reports, DescribeTasks and the waiters follow", async () => {
    const run = await ecs.send(new RunTaskCommand({ taskDefinition: "web", startedBy: "test" }));
    assert.deepEqual(run.failures, []);
    const task = run.tasks![0]!;
    assert.match(task.taskArn!, /^arn:aws:ecs:us-east-1:123456789012:task\/default\/[0-9a-f]{32}$/);
    assert.equal(task.lastStatus, "PENDING");
    assert.equal(task.desiredStatus, "RUNNING");
    assert.equal(task.group, "family:web");
    assert.equal(task.containerInstanceArn, host.arn);
    assert.equal(task.version, 1);
    const ci = (await ecs.send(new DescribeContainerInstancesCommand({ containerInstances: [host.arn] }))).containerInstances![0]!;
    assert.equal(ci.remainingResources!.find((r) => r.name === "MEMORY")!.integerValue, 1024 - 272);
    assert.ok(ci.remainingResources!.find((r) => r.name === "PORTS")!.stringSetValue!.includes("8080"));
    assert.equal(ci.pendingTasksCount, 1);

    const assigned = await host.next();
    const mine = assigned.tasks.find((t) => t.taskArn === task.taskArn)!;
    assert.equal(mine.desiredStatus, "RUNNING");
    assert.equal(mine.taskDefinition.family, "web");

    const running = waitUntilTasksRunning({ client: ecs, maxWaitTime: 30, minDelay: 1 }, { tasks: [task.taskArn!] });
    const t0 = new Date();
    await host.client.submitTaskStateChange(task.clusterArn!, task.taskArn!, { status: "PENDING", pullStartedAt: t0, pullStoppedAt: t0 });
    await host.client.submitTaskStateChange(task.clusterArn!, task.taskArn!, {
      status: "RUNNING",
      containers: [
        {
          containerName: "app",
          status: "RUNNING",
          runtimeId: "abc",
          networkBindings: [{ bindIP: "127.0.0.1", containerPort: 80, hostPort: 8080, protocol: "tcp" }],
        },
        { containerName: "sidecar", status: "RUNNING", runtimeId: "def" },
      ],
    });
    assert.equal((await running).state, "SUCCESS");
    const described = (await ecs.send(new DescribeTasksCommand({ tasks: [task.taskArn!] }))).tasks![0]!;
    assert.equal(described.lastStatus, "RUNNING");
    assert.ok(described.startedAt && described.pullStartedAt && described.connectivityAt);
    assert.equal(described.containers!.find((c) => c.name === "app")!.networkBindings![0]!.hostPort, 8080);
    assert.ok(described.version! > 1);

    // a second copy cannot have port 8080 on the only instance
    const second = await ecs.send(new RunTaskCommand({ taskDefinition: "web" }));
    assert.deepEqual(second.tasks, []);
    assert.deepEqual(second.failures, [{ arn: host.arn, reason: "RESOURCE:PORTS" }]);

    const stopped = waitUntilTasksStopped({ client: ecs, maxWaitTime: 30, minDelay: 1 }, { tasks: [task.taskArn!] });
    const stop = await ecs.send(new StopTaskCommand({ task: task.taskArn!, reason: "enough" }));
    assert.equal(stop.task!.desiredStatus, "STOPPED");
    assert.equal(stop.task!.stopCode, "UserInitiated");
    assert.equal(stop.task!.stoppedReason, "enough");
    const told = await host.next();
    assert.equal(told.tasks.find((t) => t.taskArn === task.taskArn)!.desiredStatus, "STOPPED");
    await host.client.submitTaskStateChange(task.clusterArn!, task.taskArn!, {
      status: "STOPPED",
      containers: [
        { containerName: "app", status: "STOPPED", exitCode: 143 },
        { containerName: "sidecar", status: "STOPPED", exitCode: 143 },
      ],
    });
    assert.equal((await stopped).state, "SUCCESS");
    const done = (await ecs.send(new DescribeTasksCommand({ tasks: [task.taskArn!] }))).tasks![0]!;
    assert.equal(done.lastStatus, "STOPPED");
    assert.equal(done.stopCode, "UserInitiated");
    assert.ok(done.stoppedAt && done.stoppingAt && done.executionStoppedAt);
    assert.equal(done.containers!.find((c) => c.name === "app")!.exitCode, 143);
    const listedStopped = await ecs.send(new ListTasksCommand({ desiredStatus: "STOPPED" }));
    assert.ok(listedStopped.taskArns!.includes(task.taskArn!));
    const listedRunning = await ecs.send(new ListTasksCommand({ family: "web" }));
    assert.ok(!listedRunning.taskArns!.includes(task.taskArn!));
  });

  test("ListTasks pages through a cluster's tasks oldest first across groups, with filters, past tasks stopped meanwhile", async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: "pages" }));
    for (const family of ["pa", "pb"]) {
      await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ name: "app", image: "busybox", memory: 16 }] }));
    }
    await simulatedHost(berth.endpoint, { cluster: "pages", memory: 8192 });
    const arns: string[] = [];
    // Interleaved in time across the two groups (family:pa, family:pb).
    for (const family of ["pa", "pb", "pa", "pb"]) {
      const run = await ecs.send(new RunTaskCommand({ cluster: "pages", taskDefinition: family, count: 5, startedBy: `by-${family}` }));
      assert.equal(run.tasks!.length, 5);
      arns.push(...run.tasks!.map((t) => t.taskArn!));
    }
    const described = (await ecs.send(new DescribeTasksCommand({ cluster: "pages", tasks: arns }))).tasks!;
    const idOf = (arn: string) => arn.split("/").pop()!;
    const oldestFirst = described
      .sort((a, b) => a.createdAt!.getTime() - b.createdAt!.getTime() || (idOf(a.taskArn!) < idOf(b.taskArn!) ? -1 : 1))
      .map((t) => t.taskArn!);
    const pages = async (input: { maxResults: number; family?: string; startedBy?: string }) => {
      const out: string[][] = [];
      let nextToken: string | undefined;
      do {
        const page = await ecs.send(new ListTasksCommand({ cluster: "pages", ...input, nextToken }));
        out.push(page.taskArns!);
        nextToken = page.nextToken;
      } while (nextToken);
      return out;
    };
    const all = await pages({ maxResults: 7 });
    assert.deepEqual(
      all.map((p) => p.length),
      [7, 7, 6],
    );
    assert.deepEqual(all.flat(), oldestFirst);
    const onlyPb = await pages({ maxResults: 3, family: "pb" });
    assert.deepEqual(
      onlyPb.map((p) => p.length),
      [3, 3, 3, 1],
    );
    assert.deepEqual(
      onlyPb.flat(),
      oldestFirst.filter((arn) => described.find((t) => t.taskArn === arn)!.group === "family:pb"),
    );
    assert.deepEqual((await pages({ maxResults: 100, startedBy: "by-pa" })).flat().length, 10);
    // A task of the first page stopped before the second is asked for: the boundary holds.
    const first = await ecs.send(new ListTasksCommand({ cluster: "pages", maxResults: 7 }));
    await ecs.send(new StopTaskCommand({ cluster: "pages", task: first.taskArns![6]!, reason: "gone" }));
    const second = await ecs.send(new ListTasksCommand({ cluster: "pages", maxResults: 7, nextToken: first.nextToken }));
    assert.deepEqual(second.taskArns, oldestFirst.slice(7, 14));
    await assert.rejects(
      ecs.send(new ListTasksCommand({ cluster: "pages", nextToken: "bm90LWEtdG9rZW4" })),
      (err: Error) => err.name === "InvalidParameterException",
    );
    await assert.rejects(
      ecs.send(new ListTasksCommand({ cluster: "pages", maxResults: 101 })),
      (err: Error) => err.name === "InvalidParameterException",
    );
  });

  test("the channel pushes the tasks changed since the agent's version in full, and every assigned ARN", async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: "delta" }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({ family: "quiet", containerDefinitions: [{ name: "app", image: "busybox", memory: 16 }] }),
    );
    const h = await simulatedHost(berth.endpoint, { cluster: "delta", memory: 4096 });
    const arns = (tasks: { taskArn?: string }[]) => tasks.map((t) => t.taskArn!).sort();
    const first = (await ecs.send(new RunTaskCommand({ cluster: "delta", taskDefinition: "quiet", count: 2 }))).tasks!;
    const full = await h.next();
    assert.deepEqual(arns(full.tasks), arns(first));
    assert.deepEqual([...full.assigned].sort(), arns(first));

    const second = (await ecs.send(new RunTaskCommand({ cluster: "delta", taskDefinition: "quiet" }))).tasks!;
    const delta = await h.next();
    assert.deepEqual(arns(delta.tasks), arns(second));
    assert.deepEqual([...delta.assigned].sort(), arns([...first, ...second]));

    // A report the agent made itself is not sent back to it; a stop it must carry out is.
    await h.client.submitTaskStateChange(second[0]!.clusterArn!, second[0]!.taskArn!, {
      status: "RUNNING",
      containers: [{ containerName: "app", status: "RUNNING" }],
    });
    await ecs.send(new StopTaskCommand({ cluster: "delta", task: first[0]!.taskArn! }));
    const stopping = await h.next();
    assert.deepEqual(
      stopping.tasks.map((t) => [t.taskArn, t.desiredStatus]),
      [[first[0]!.taskArn, "STOPPED"]],
    );

    // Once stopped it leaves the assigned list; an agent without a version is told everything.
    await h.client.submitTaskStateChange(first[0]!.clusterArn!, first[0]!.taskArn!, {
      status: "STOPPED",
      containers: [{ containerName: "app", status: "STOPPED", exitCode: 0 }],
    });
    const restarted = await h.reconnect();
    assert.deepEqual(arns(restarted.tasks), arns([first[1]!, ...second]));
    assert.deepEqual([...restarted.assigned].sort(), arns([first[1]!, ...second]));
  });

  test("an essential container's exit stops the task with EssentialContainerExited", async () => {
    const { tasks } = await ecs.send(new RunTaskCommand({ taskDefinition: "web" }));
    const task = tasks![0]!;
    await host.client.submitTaskStateChange(task.clusterArn!, task.taskArn!, { status: "RUNNING" });
    await host.client.submitTaskStateChange(task.clusterArn!, task.taskArn!, {
      containers: [{ containerName: "sidecar", status: "STOPPED", exitCode: 0 }],
    });
    assert.equal(
      (await ecs.send(new DescribeTasksCommand({ tasks: [task.taskArn!] }))).tasks![0]!.desiredStatus,
      "RUNNING",
      "a non-essential exit changes nothing",
    );
    await host.client.submitTaskStateChange(task.clusterArn!, task.taskArn!, {
      containers: [{ containerName: "app", status: "STOPPED", exitCode: 1 }],
    });
    const t = (await ecs.send(new DescribeTasksCommand({ tasks: [task.taskArn!] }))).tasks![0]!;
    assert.equal(t.desiredStatus, "STOPPED");
    assert.equal(t.stopCode, "EssentialContainerExited");
    assert.equal(t.stoppedReason, "Essential container in task exited");
    await host.client.submitTaskStateChange(task.clusterArn!, task.taskArn!, { status: "STOPPED" });
  });

  test("a failed pull stops the task with TaskFailedToStart", async () => {
    const { tasks } = await ecs.send(new RunTaskCommand({ taskDefinition: "web" }));
    const task = tasks![0]!;
    const reason = "CannotPullContainerError: pull access denied for nope";
    await host.client.submitTaskStateChange(task.clusterArn!, task.taskArn!, {
      status: "STOPPED",
      reason,
      containers: [{ containerName: "app", status: "STOPPED", reason }],
    });
    const t = (await ecs.send(new DescribeTasksCommand({ tasks: [task.taskArn!] }))).tasks![0]!;
    assert.equal(t.stopCode, "TaskFailedToStart");
    assert.equal(t.stoppedReason, reason);
    assert.equal(t.lastStatus, "STOPPED");
  });

  test("RunTask refuses what ECS refuses", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ taskDefinition: "web", count: 11 }, "InvalidParameterException"],
      [
        { taskDefinition: "web", launchType: "EC2", capacityProviderStrategy: [{ capacityProvider: "FARGATE" }] },
        "InvalidParameterException",
      ],
      [{ taskDefinition: "nope" }, "ClientException"],
      [{ taskDefinition: "web", overrides: { containerOverrides: [{ name: "ghost" }] } }, "InvalidParameterException"],
      [{ taskDefinition: "web", launchType: "FARGATE" }, "InvalidParameterException"],
      [{ taskDefinition: "web", cluster: "ghost" }, "ClusterNotFoundException"],
      [{ taskDefinition: "web", placementConstraints: [{ type: "memberOf", expression: "attribute:x ==" }] }, "InvalidParameterException"],
    ];
    const before = (await ecs.send(new ListTasksCommand({}))).taskArns!.length;
    for (const [input, code] of cases) {
      await assert.rejects(ecs.send(new RunTaskCommand(input as never)), { name: code }, JSON.stringify(input));
    }
    await ecs.send(new RegisterTaskDefinitionCommand(web("old")));
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "old:1" }));
    await assert.rejects(ecs.send(new RunTaskCommand({ taskDefinition: "old:1" })), { name: "ClientException" });
    assert.equal((await ecs.send(new ListTasksCommand({}))).taskArns!.length, before, "nothing was started");
  });

  test("tags: the task's own, and the task definition's with propagateTags", async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        ...web("tagged-td", 8),
        tags: [
          { key: "owner", value: "td" },
          { key: "tier", value: "web" },
        ],
      }),
    );
    const { tasks } = await ecs.send(
      new RunTaskCommand({
        taskDefinition: "tagged-td",
        tags: [{ key: "owner", value: "me" }],
        propagateTags: "TASK_DEFINITION",
        overrides: { containerOverrides: [{ name: "app", environment: [{ name: "A", value: "1" }] }] },
      }),
    );
    const arn = tasks![0]!.taskArn!;
    const plain = (await ecs.send(new DescribeTasksCommand({ tasks: [arn] }))).tasks![0]!;
    assert.equal(plain.tags, undefined, "tags only with include TAGS");
    const tagged = (await ecs.send(new DescribeTasksCommand({ tasks: [arn], include: ["TAGS"] }))).tasks![0]!;
    assert.deepEqual(tagged.tags, [
      { key: "owner", value: "me" },
      { key: "tier", value: "web" },
    ]);
    assert.deepEqual(tagged.overrides!.containerOverrides, [{ name: "app", environment: [{ name: "A", value: "1" }] }]);
    await ecs.send(new StopTaskCommand({ task: arn }));
    await host.client.submitTaskStateChange(tagged.clusterArn!, arn, { status: "STOPPED" });
  });

  test("a RunTask retried with its clientToken returns the tasks it started, and starts none", async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({ family: "once", containerDefinitions: [{ name: "a", image: "busybox", memory: 8 }] }),
    );
    const first = await ecs.send(new RunTaskCommand({ taskDefinition: "once", count: 2, clientToken: "retry-me" }));
    assert.equal(first.tasks!.length, 2);
    const again = await ecs.send(new RunTaskCommand({ taskDefinition: "once", count: 2, clientToken: "retry-me" }));
    assert.deepEqual(
      again.tasks!.map((t) => t.taskArn),
      first.tasks!.map((t) => t.taskArn),
    );
    const fresh = await ecs.send(new RunTaskCommand({ taskDefinition: "once", clientToken: "another" }));
    assert.equal(fresh.tasks!.length, 1);
    assert.ok(!first.tasks!.some((t) => t.taskArn === fresh.tasks![0]!.taskArn));
    const started = (await ecs.send(new ListTasksCommand({ family: "once" }))).taskArns!;
    assert.equal(started.length, 3, "the retry started nothing");
    for (const arn of started) {
      await ecs.send(new StopTaskCommand({ task: arn }));
      await host.client.submitTaskStateChange(first.tasks![0]!.clusterArn!, arn, { status: "STOPPED" });
    }
  });

  test("memberOf and a full instance give ECS's failure reasons", async () => {
    await ecs.send(new RegisterTaskDefinitionCommand(web("big", 4096)));
    const big = await ecs.send(new RunTaskCommand({ taskDefinition: "big" }));
    assert.deepEqual(big.failures, [{ arn: host.arn, reason: "RESOURCE:MEMORY" }]);
    await ecs.send(
      new RegisterTaskDefinitionCommand({ family: "small", containerDefinitions: [{ name: "a", image: "busybox", memory: 8 }] }),
    );
    const constrained = await ecs.send(
      new RunTaskCommand({
        taskDefinition: "small",
        placementConstraints: [{ type: "memberOf", expression: "attribute:ecs.availability-zone == eu-west-1a" }],
      }),
    );
    assert.deepEqual(constrained.tasks, []);
    assert.equal(constrained.failures![0]!.arn, host.arn);
  });

  test("FARGATE: capacity from a FARGATE host, awsvpc attachment, never a container instance", async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "fg",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        containerDefinitions: [{ name: "web", image: "busybox", portMappings: [{ containerPort: 80 }] }],
      }),
    );
    const vpc = await bannerNetwork(berth);
    const net = { awsvpcConfiguration: { subnets: [vpc.subnetIds[0]!], securityGroups: [vpc.securityGroupId] } };
    const none = await ecs.send(new RunTaskCommand({ taskDefinition: "fg", launchType: "FARGATE", networkConfiguration: net }));
    assert.deepEqual(none.tasks, []);
    assert.match(none.failures![0]!.reason!, /Capacity is unavailable/);
    await assert.rejects(ecs.send(new RunTaskCommand({ taskDefinition: "fg", launchType: "FARGATE" })), {
      name: "InvalidParameterException",
    });
    await assert.rejects(
      ecs.send(
        new RunTaskCommand({
          taskDefinition: "fg",
          launchType: "FARGATE",
          networkConfiguration: { awsvpcConfiguration: { subnets: ["bad"] } },
        }),
      ),
      { name: "InvalidParameterException" },
    );

    const fargate = await simulatedHost(berth.endpoint, { fargate: true });
    const run = await ecs.send(new RunTaskCommand({ taskDefinition: "fg", count: 2, launchType: "FARGATE", networkConfiguration: net }));
    assert.equal(run.tasks!.length, 2);
    const [a, b] = run.tasks!;
    assert.equal(a!.lastStatus, "PROVISIONING");
    assert.equal(a!.launchType, "FARGATE");
    assert.equal(a!.platformVersion, "1.4.0");
    assert.equal(a!.containerInstanceArn, undefined);
    const eni = (t: typeof a) => Object.fromEntries(t!.attachments![0]!.details!.map((d) => [d.name, d.value]));
    assert.equal(a!.attachments![0]!.type, "ElasticNetworkInterface");
    assert.equal(eni(a).subnetId, vpc.subnetIds[0]);
    assert.notEqual(eni(a).privateIPv4Address, eni(b).privateIPv4Address);
    assert.equal(a!.containers![0]!.networkInterfaces![0]!.privateIpv4Address, eni(a).privateIPv4Address);
    const polled = await fargate.next();
    const assignment = polled.tasks.find((t) => t.taskArn === a!.taskArn)!;
    assert.match(assignment.network!.loopbackAddress, /^127\.1\.\d+\.\d+$/);
    assert.notEqual(assignment.network!.loopbackAddress, polled.tasks.find((t) => t.taskArn === b!.taskArn)!.network!.loopbackAddress);
    const instances = await ecs.send(new ListContainerInstancesCommand({}));
    assert.ok(!instances.containerInstanceArns!.includes(fargate.arn), "FARGATE capacity is no container instance");
    const ci = (await ecs.send(new DescribeContainerInstancesCommand({ containerInstances: [host.arn] }))).containerInstances![0]!;
    assert.ok(ci.runningTasksCount! + ci.pendingTasksCount! < 3, "FARGATE tasks are not counted on the instance");
  });

  test("draining and deregistering an instance", async () => {
    const other = await simulatedHost(berth.endpoint, { memory: 512, az: "us-east-1b" });
    const drained = await ecs.send(new UpdateContainerInstancesStateCommand({ containerInstances: [other.arn], status: "DRAINING" }));
    assert.equal(drained.containerInstances![0]!.status, "DRAINING");
    const draining = await ecs.send(new ListContainerInstancesCommand({ status: "DRAINING" }));
    assert.deepEqual(draining.containerInstanceArns, [other.arn]);
    const out = await ecs.send(new DeregisterContainerInstanceCommand({ containerInstance: other.arn }));
    assert.equal(out.containerInstance!.status, "INACTIVE");
    const active = await ecs.send(new ListContainerInstancesCommand({}));
    assert.ok(!active.containerInstanceArns!.includes(other.arn));
  });
});
