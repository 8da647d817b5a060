// awsvpc subnets and the Docker networks already on a host. The control plane plans each new
// subnet's pool around the pools agents report occupied; on real Docker, a network an earlier
// berth left behind is taken back, and one berth did not make is planned around, or named in
// the task's failure when it holds the subnet's name. Every network made here is removed.
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type ECSClient,
  type Task,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { afterEach, before, describe, test } from "node:test";
import type { AgentChannel } from "../../src/agent/channel.js";
import { ControlPlaneClient } from "../../src/agent/control-plane-client.js";
import { FARGATE_HOST_ATTRIBUTE } from "../../src/domain/container-instance.js";
import { cidrsOverlap } from "../../src/ipv4-cidr.js";
import { DockerDriver } from "../../src/runtime/docker/index.js";
import type { NetworkSummary } from "../../src/runtime/driver.js";
import { startAgent } from "../support/agent-process.js";
import { startBerth, TEST_ACCESS_KEY, TEST_SECRET_KEY } from "../support/berth-process.js";
import { sdkClient } from "../support/clients.js";
import { ensureBusyboxImage, removeClusterContainers } from "../support/images.js";
import { silentLog } from "../support/log.js";

const run = randomBytes(3).toString("hex");
const CLUSTER = `subnets-${process.pid}`;
const BERTH_LABEL = { "berth.managed": "1" };
const TEST_LABEL = { "berth.test.run": run };
let IMAGE = "";

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const fargateWeb = (ecs: ECSClient, image: string) =>
  ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "subnet-web",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [
        {
          name: "web",
          image,
          stopTimeout: 2,
          command: ["sh", "-c", "mkdir -p /www && hostname -i > /www/index.html && exec httpd -f -p 80 -h /www"],
          portMappings: [{ containerPort: 80 }],
        },
      ],
    }),
  );

async function runInSubnet(ecs: ECSClient, subnet: string): Promise<Task> {
  const out = await ecs.send(
    new RunTaskCommand({
      cluster: CLUSTER,
      taskDefinition: "subnet-web",
      launchType: "FARGATE",
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } },
    }),
  );
  assert.deepEqual(out.failures, [], JSON.stringify(out.failures));
  return out.tasks![0]!;
}

const addressOf = (t: Task) => t.attachments![0]!.details!.find((d) => d.name === "privateIPv4Address")!.value!;
const inPool = (address: string, pool: string) => cidrsOverlap(`${address}/32`, pool);

describe("the control plane plans subnets around the pools agents report", () => {
  test("a new subnet's pool overlaps none a host reported occupied, as it last reported them", async () => {
    const berth = await startBerth();
    const client = new ControlPlaneClient({
      endpoint: berth.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
    });
    let channel: AgentChannel | undefined;
    try {
      const ecs = sdkClient(berth.endpoint);
      await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
      const host = await client.register({
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 8192 },
          { name: "MEMORY", type: "INTEGER", integerValue: 16384 },
        ],
        attributes: [{ name: "ecs.capability.task-eni" }, { name: FARGATE_HOST_ATTRIBUTE, value: "fargate" }],
      });
      await client.discover(CLUSTER, host.containerInstanceArn!);
      let pushes = 0;
      channel = client.channel(() => host.containerInstanceArn!, {
        assignments: async () => void pushes++,
        unregistered: async () => undefined,
        log: silentLog,
      });
      channel.setPools(["10.211.0.0/24", "10.211.2.0/23", "172.17.0.0/16"]);
      channel.start();
      // The first push answers the sync that carried the pools.
      await until("the first push", () => (pushes > 0 ? true : undefined), 5_000);
      await fargateWeb(ecs, "busybox");
      const poolOf = async (subnet: string) => /^\d+\.\d+\.\d+/.exec(addressOf(await runInSubnet(ecs, subnet)))![0];

      assert.equal(await poolOf("subnet-a"), "10.211.1");
      assert.equal(await poolOf("subnet-b"), "10.211.4");
      assert.equal(await poolOf("subnet-a"), "10.211.1", "a subnet keeps its pool");
      // The host's next report replaces the last: 10.211.0.0/24 and 10.211.2.0/23 are free again.
      channel.setPools(["10.211.5.0/24"]);
      // The channel's messages are handled in order: once a later call is answered, the report was heard.
      await channel
        .call("SubmitTaskStateChange", { cluster: CLUSTER, task: "0123456789abcdef0123456789abcdef", status: "RUNNING" })
        .catch(() => undefined);
      const pools = [];
      for (const subnet of ["subnet-c", "subnet-d", "subnet-e", "subnet-f"]) pools.push(await poolOf(subnet));
      assert.deepEqual(pools, ["10.211.0", "10.211.2", "10.211.3", "10.211.6"]);
    } finally {
      await channel?.stop();
      client.close();
      await berth.stop();
    }
  });
});

describe("awsvpc tasks beside Docker networks already on the host", () => {
  const docker = new DockerDriver();
  /** Networks the test at hand made, and those its berth made: removed when it ends. */
  const made = new Set<string>();

  before(async () => {
    IMAGE = await ensureBusyboxImage();
  });
  afterEach(async () => {
    for (const name of made) await docker.removeNetwork(name);
    made.clear();
  });

  /** A berth with a fresh data dir and a real agent offering FARGATE capacity; both stop afterwards, and their tasks' containers go. */
  async function withBerth(use: (ecs: ECSClient) => Promise<void>): Promise<void> {
    const berth = await startBerth();
    const agent = startAgent(berth.endpoint, { args: ["--cluster", CLUSTER, "--capacity", "fargate"] });
    try {
      const ecs = sdkClient(berth.endpoint);
      await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
      await fargateWeb(ecs, IMAGE);
      await agent.registered;
      // Its first sync, which carries the host's occupied pools, has been heard.
      await until("the agent's first assignments", () => (/FARGATE capacity connected/.test(agent.output()) ? true : undefined), 10_000);
      await use(ecs);
    } finally {
      await agent.kill();
      await berth.stop();
      await removeClusterContainers(CLUSTER);
    }
  }

  async function settled(ecs: ECSClient, task: Task): Promise<Task> {
    return until(`task ${task.taskArn} to run or stop`, async () => {
      const [t] = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [task.taskArn!] }))).tasks!;
      return t?.lastStatus === "RUNNING" || t?.lastStatus === "STOPPED" ? t : undefined;
    });
  }

  /** Runs a task in `subnet` that must reach RUNNING and answer on its loopback address with its own address. */
  async function runServing(ecs: ECSClient, subnet: string): Promise<string> {
    made.add(`berth-${subnet}`);
    const task = await settled(ecs, await runInSubnet(ecs, subnet));
    assert.equal(task.lastStatus, "RUNNING", task.stoppedReason);
    const binding = task.containers![0]!.networkBindings![0]!;
    assert.match(binding.bindIP!, /^127\.1\.\d+\.\d+$/);
    const answer = await until(
      "an answer",
      () =>
        fetch(`http://${binding.bindIP}:80/`)
          .then((r) => r.text())
          .catch(() => undefined),
      10_000,
    );
    assert.equal(answer.trim(), addressOf(task));
    return addressOf(task);
  }

  const poolsOf = async (name: string) => (await docker.listNetworks()).find((n) => n.name === name)?.ipv4Subnets;

  /**
   * Makes a network on the pool a fresh berth would choose first: the lowest 10.211.n.0/24 clear
   * of every network but those berth left behind with no container (it takes those back). Such
   * a leftover on that pool (of an earlier run, say) would keep this one from being made: it is
   * removed first, as berth would remove it.
   */
  async function placeOnFirstPool(name: string, labels: Record<string, string>): Promise<string> {
    const networks = await docker.listNetworks();
    const leftover = (n: NetworkSummary) => n.labels["berth.managed"] === "1" && n.containers.length === 0;
    const held = networks.filter((n) => !leftover(n)).flatMap((n) => n.ipv4Subnets);
    const pool = Array.from({ length: 256 }, (_, i) => `10.211.${i}.0/24`).find((p) => !held.some((h) => cidrsOverlap(h, p)))!;
    for (const n of networks) if (n.ipv4Subnets.some((s) => cidrsOverlap(s, pool))) await docker.removeNetwork(n.name);
    made.add(name);
    await docker.createNetwork(name, { subnet: pool, labels });
    return pool;
  }

  test("a network an earlier berth left on the pool berth chooses, under another name, is removed and the task gets that pool", async () => {
    const leftover = `berth-subnet-gone${run}`;
    const pool = await placeOnFirstPool(leftover, { ...BERTH_LABEL, ...TEST_LABEL });
    await withBerth(async (ecs) => {
      const address = await runServing(ecs, `subnet-a${run}`);
      assert.ok(inPool(address, pool), `${address} in ${pool}`);
      assert.equal(await poolsOf(leftover), undefined, "the leftover is gone");
      assert.deepEqual(await poolsOf(`berth-subnet-a${run}`), [pool]);
    });
  });

  test("a network berth did not make on the pool berth would choose is planned around, and stays", async () => {
    const foreign = `berth-test-foreign-${run}`;
    const pool = await placeOnFirstPool(foreign, TEST_LABEL);
    await withBerth(async (ecs) => {
      const address = await runServing(ecs, `subnet-b${run}`);
      assert.ok(!inPool(address, pool), `${address} not in ${pool}`);
      assert.match(address, /^10\.211\.\d+\.\d+$/);
      assert.deepEqual(await poolsOf(foreign), [pool]);
    });
  });

  test("a network berth left under the subnet's name with another pool is made again with the planned pool", async () => {
    const stale = `berth-subnet-c${run}`;
    const pool = `10.212.${parseInt(run.slice(0, 2), 16)}.0/24`;
    made.add(stale);
    await docker.createNetwork(stale, { subnet: pool, labels: { ...BERTH_LABEL, ...TEST_LABEL } });
    await withBerth(async (ecs) => {
      const address = await runServing(ecs, `subnet-c${run}`);
      const [now] = (await poolsOf(stale)) ?? [];
      assert.ok(now && now !== pool && inPool(address, now), `${stale} has ${now}, holding ${address}`);
    });
  });

  test("a network berth did not make under the subnet's name fails the task, naming it and its pool", async () => {
    const squatter = `berth-subnet-d${run}`;
    const pool = `10.212.${(parseInt(run.slice(0, 2), 16) + 1) % 256}.0/24`;
    made.add(squatter);
    await docker.createNetwork(squatter, { subnet: pool, labels: TEST_LABEL });
    await withBerth(async (ecs) => {
      const task = await settled(ecs, await runInSubnet(ecs, `subnet-d${run}`));
      assert.equal(task.lastStatus, "STOPPED");
      assert.equal(task.stopCode, "TaskFailedToStart");
      const reason = `ResourceInitializationError: failed to set up the task network: the Docker network ${squatter} has the pool ${pool}, not 10.211.N.0/24, and berth cannot remove it: berth did not create it (no berth.managed label)`;
      assert.equal(task.stoppedReason!.replace(/10\.211\.\d+\.0\/24/, "10.211.N.0/24"), reason);
      assert.deepEqual(await poolsOf(squatter), [pool]);
    });
  });
});
