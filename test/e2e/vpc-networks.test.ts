// awsvpc tasks in the default VPC on real Docker, and the Docker networks already on a host.
// Tasks of two of the default VPC's subnets share the VPC's network (pool 172.31.0.0/16, its
// own bridge), take addresses inside their subnets, and answer on their loopback addresses;
// a network an earlier berth left on the VPC's pool is taken back, and one berth did not make
// fails the task with a message that names it. Every network made here is removed.
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
import { DEFAULT_VPC_CIDR, defaultSubnetCidr, vpcBridgeName, vpcNetworkName } from "../../src/domain/ec2/vpc-network.js";
import { cidrsOverlap } from "../../src/ipv4-cidr.js";
import { DockerDriver } from "../../src/runtime/docker/index.js";
import { startAgent } from "../support/agent-process.js";
import { startBerth } from "../support/berth-process.js";
import { sdkClient } from "../support/clients.js";
import { ensureBusyboxImage, removeClusterContainers } from "../support/images.js";
import { allowIngress, bannerNetwork, withDefaultVpcRange, type DefaultNetwork } from "../support/vpc.js";

const run = randomBytes(3).toString("hex");
const CLUSTER = `vpcs-${process.pid}`;
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
      family: "vpc-web",
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
      taskDefinition: "vpc-web",
      launchType: "FARGATE",
      networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } },
    }),
  );
  assert.deepEqual(out.failures, [], JSON.stringify(out.failures));
  return out.tasks![0]!;
}

const addressOf = (t: Task) => t.attachments![0]!.details!.find((d) => d.name === "privateIPv4Address")!.value!;
const inPool = (address: string, pool: string) => cidrsOverlap(`${address}/32`, pool);

describe("awsvpc tasks in the default VPC on Docker", () => {
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

  /**
   * A berth with a fresh data dir and a real agent offering FARGATE capacity, while no other test
   * on this host uses the default VPC's range; both stop afterwards, and their tasks' containers go.
   */
  async function withBerth(use: (ecs: ECSClient, vpc: DefaultNetwork) => Promise<void>): Promise<void> {
    await withDefaultVpcRange(async () => {
      const berth = await startBerth();
      const agent = startAgent(berth.endpoint, { args: ["--cluster", CLUSTER, "--capacity", "fargate"] });
      try {
        const ecs = sdkClient(berth.endpoint);
        const vpc = await bannerNetwork(berth);
        made.add(vpcNetworkName(vpc.vpcId));
        // Once groups are enforced, the default group admits only its members: the host is let in on port 80.
        await allowIngress(berth.endpoint, vpc.securityGroupId, 80);
        await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
        await fargateWeb(ecs, IMAGE);
        await agent.registered;
        await until("FARGATE capacity", () => (/FARGATE capacity connected/.test(agent.output()) ? true : undefined), 10_000);
        await use(ecs, vpc);
      } finally {
        await agent.kill();
        await berth.stop();
        await removeClusterContainers(CLUSTER);
      }
    });
  }

  async function settled(ecs: ECSClient, task: Task): Promise<Task> {
    return until(`task ${task.taskArn} to run or stop`, async () => {
      const [t] = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [task.taskArn!] }))).tasks!;
      return t?.lastStatus === "RUNNING" || t?.lastStatus === "STOPPED" ? t : undefined;
    });
  }

  /** Runs a task in `subnet` that must reach RUNNING and answer on its loopback address with its own address. */
  async function runServing(ecs: ECSClient, subnet: string): Promise<string> {
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

  const networkNamed = async (name: string) => (await docker.listNetworks()).find((n) => n.name === name);

  /**
   * Clears the default VPC's range for a network of the test's own: berth's leftovers with no
   * container go, as berth would remove them; anything else there fails the test, naming it.
   */
  async function clearRange(): Promise<void> {
    for (const n of await docker.listNetworks()) {
      if (!n.ipv4Subnets.some((s) => cidrsOverlap(s, DEFAULT_VPC_CIDR))) continue;
      assert.ok(n.labels["berth.managed"] === "1" && n.containers.length === 0, `${n.name} holds ${n.ipv4Subnets.join()}`);
      await docker.removeNetwork(n.name);
    }
  }

  test("tasks of two subnets share the VPC's network and answer with addresses inside their subnets", async () => {
    await withBerth(async (ecs, vpc) => {
      const [a, b] = vpc.subnetIds;
      const first = await runServing(ecs, a!);
      const second = await runServing(ecs, b!);
      assert.ok(inPool(first, defaultSubnetCidr(0)), `${first} in ${defaultSubnetCidr(0)}`);
      assert.ok(inPool(second, defaultSubnetCidr(1)), `${second} in ${defaultSubnetCidr(1)}`);
      const network = await networkNamed(vpcNetworkName(vpc.vpcId));
      assert.deepEqual(network && { pools: network.ipv4Subnets, bridge: network.bridgeName, members: network.containers.length }, {
        pools: [DEFAULT_VPC_CIDR],
        bridge: vpcBridgeName(vpc.vpcId),
        members: 2,
      });
    });
  });

  test("a network an earlier berth left on the VPC's pool, under another name, is removed and the task runs", async () => {
    const leftover = `berth-vpc-gone${run}`;
    await withBerth(async (ecs, vpc) => {
      await clearRange();
      made.add(leftover);
      await docker.createNetwork(leftover, { subnet: DEFAULT_VPC_CIDR, labels: { ...BERTH_LABEL, ...TEST_LABEL } });
      const address = await runServing(ecs, vpc.subnetIds[2]!);
      assert.ok(inPool(address, defaultSubnetCidr(2)), `${address} in ${defaultSubnetCidr(2)}`);
      assert.equal(await networkNamed(leftover), undefined, "the leftover is gone");
    });
  });

  test("a network berth did not make on the VPC's pool fails the task, naming it and its pool, and stays", async () => {
    const foreign = `berth-test-foreign-${run}`;
    const pool = "172.31.240.0/24";
    await withBerth(async (ecs, vpc) => {
      await clearRange();
      made.add(foreign);
      await docker.createNetwork(foreign, { subnet: pool, labels: TEST_LABEL });
      const task = await settled(ecs, await runInSubnet(ecs, vpc.subnetIds[0]!));
      assert.equal(task.lastStatus, "STOPPED");
      assert.equal(task.stopCode, "TaskFailedToStart");
      assert.equal(
        task.stoppedReason,
        `ResourceInitializationError: failed to set up the task network: the Docker network ${foreign} holds ${pool}, which overlaps ${DEFAULT_VPC_CIDR} of ${vpcNetworkName(vpc.vpcId)}, and berth cannot remove it: berth did not create it (no berth.managed label)`,
      );
      assert.deepEqual((await networkNamed(foreign))?.ipv4Subnets, [pool]);
    });
  });
});
