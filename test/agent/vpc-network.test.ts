// The network of an awsvpc task's VPC, on the fake engine: adopted when it is there with the
// VPC's pool and bridge, made room for by removing what berth left behind, and refused with a
// reason that names what stands in the way; and the pools the agent reports as occupied.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { TaskNetwork } from "../../src/domain/task/lifecycle.js";
import { vpcBridgeName } from "../../src/domain/ec2/vpc-network.js";
import { ensureVpcNetwork, LABEL, occupiedCidrs, occupiedPools, TaskRunner } from "../../src/agent/task-runner/index.js";
import type { ContainerSpec } from "../../src/runtime/driver.js";
import { FakeDriver } from "../../src/runtime/fake/index.js";
import { assignment, recorder } from "./helpers.js";

const BERTH = { [LABEL.managed]: "1" };

/** A task's network in VPC `vpc-<name>`, whose CIDR block is 10.211.<third>.0/24. */
const plan = (name: string, third: number): TaskNetwork => ({
  subnetId: `subnet-${name}`,
  vpcId: `vpc-${name}`,
  securityGroupIds: ["sg-1"],
  networkName: `berth-vpc-${name}`,
  cidr: `10.211.${third}.0/24`,
  gateway: `10.211.${third}.1`,
  ipv4Address: `10.211.${third}.4`,
  loopbackAddress: "127.1.0.2",
  attachmentId: "att",
  networkInterfaceId: "eni-x",
  macAddress: "02:42:0a:d3:00:02",
});

const onNetwork = (name: string, network: string): ContainerSpec => ({
  name,
  image: "app",
  env: {},
  portBindings: [],
  network: { mode: "network", name: network },
  mounts: [],
  labels: {},
});

async function poolsOf(driver: FakeDriver): Promise<Record<string, string[]>> {
  return Object.fromEntries((await driver.listNetworks()).map((n) => [n.name, n.ipv4Subnets]));
}

describe("the VPC's network", () => {
  test("made as planned, and adopted as it is the next time", async () => {
    const driver = new FakeDriver();
    const net = plan("a", 0);
    await ensureVpcNetwork(driver, net);
    await ensureVpcNetwork(driver, net);
    assert.deepEqual(driver.calls, { createNetwork: 2 }, "nothing in the way: one call each time, as before");
    const [made] = (await driver.listNetworks()).filter((n) => n.name === "berth-vpc-a");
    assert.deepEqual(made && { pools: made.ipv4Subnets, labels: made.labels, bridge: made.bridgeName }, {
      pools: ["10.211.0.0/24"],
      labels: BERTH,
      bridge: vpcBridgeName("vpc-a"),
    });
  });

  test("a network berth left behind under the VPC's name and pool but without its bridge is made again", async () => {
    const driver = new FakeDriver();
    await driver.createNetwork("berth-vpc-a", { subnet: "10.211.0.0/24", labels: BERTH });
    await ensureVpcNetwork(driver, plan("a", 0));
    const [made] = (await driver.listNetworks()).filter((n) => n.name === "berth-vpc-a");
    assert.deepEqual(made && { pools: made.ipv4Subnets, bridge: made.bridgeName }, { pools: ["10.211.0.0/24"], bridge: "bv-a" });
  });

  test("one of another engine user's under the VPC's name and pool, without the bridge, is refused", async () => {
    const driver = new FakeDriver();
    await driver.createNetwork("berth-vpc-a", { subnet: "10.211.0.0/24", labels: {} });
    await assert.rejects(ensureVpcNetwork(driver, plan("a", 0)), {
      message:
        "the Docker network berth-vpc-a has the bridge Docker chose, not bv-a, and berth cannot remove it: berth did not create it (no berth.managed label)",
    });
  });

  test("a network berth left behind on the planned pool, under another name, is removed", async () => {
    const driver = new FakeDriver();
    await driver.createNetwork("berth-vpc-old", { subnet: "10.211.0.0/24", labels: BERTH });
    await ensureVpcNetwork(driver, plan("new", 0));
    const pools = await poolsOf(driver);
    assert.equal(pools["berth-vpc-old"], undefined);
    assert.deepEqual(pools["berth-vpc-new"], ["10.211.0.0/24"]);
  });

  test("a network berth left behind under the planned name with another pool is made again", async () => {
    const driver = new FakeDriver();
    await driver.createNetwork("berth-vpc-a", { subnet: "10.211.7.0/24", labels: BERTH });
    await ensureVpcNetwork(driver, plan("a", 0));
    assert.deepEqual((await poolsOf(driver))["berth-vpc-a"], ["10.211.0.0/24"]);
  });

  test("a berth network that a container joins, even a stopped one, stays, and the task cannot have its pool", async () => {
    const driver = new FakeDriver({ images: ["app"] });
    await driver.createNetwork("berth-vpc-busy", { subnet: "10.211.0.0/24", labels: BERTH });
    const stopped = await driver.create(onNetwork("stopped", "berth-vpc-busy"));
    await assert.rejects(ensureVpcNetwork(driver, plan("new", 0)), {
      message: `the Docker network berth-vpc-busy holds 10.211.0.0/24, which overlaps 10.211.0.0/24 of berth-vpc-new, and berth cannot remove it: containers still join it (${stopped.slice(0, 12)})`,
    });
    assert.deepEqual(Object.keys(await poolsOf(driver)).sort(), ["berth-vpc-busy", "bridge", "host", "none"]);
  });

  test("a network berth did not create stays, whether in the pool's way or under the planned name", async () => {
    const driver = new FakeDriver();
    await driver.createNetwork("theirs", { subnet: "10.211.0.0/16", labels: { owner: "someone" } });
    await assert.rejects(ensureVpcNetwork(driver, plan("a", 3)), {
      message:
        "the Docker network theirs holds 10.211.0.0/16, which overlaps 10.211.3.0/24 of berth-vpc-a, and berth cannot remove it: berth did not create it (no berth.managed label)",
    });
    await driver.createNetwork("berth-vpc-b", { subnet: "10.212.0.0/24", labels: {} });
    await assert.rejects(ensureVpcNetwork(driver, plan("b", 1)), {
      message:
        "the Docker network berth-vpc-b has the pool 10.212.0.0/24, not 10.211.1.0/24, and berth cannot remove it: berth did not create it (no berth.managed label)",
    });
    assert.deepEqual(await poolsOf(driver), {
      "berth-vpc-b": ["10.212.0.0/24"],
      bridge: ["172.17.0.0/16"],
      host: [],
      none: [],
      theirs: ["10.211.0.0/16"],
    });
  });

  test("nothing is removed while anything in the way must stay", async () => {
    const driver = new FakeDriver();
    await driver.createNetwork("berth-vpc-a", { subnet: "10.211.5.0/24", labels: BERTH });
    await driver.createNetwork("theirs", { subnet: "10.211.0.0/24", labels: {} });
    await assert.rejects(ensureVpcNetwork(driver, plan("a", 0)), /theirs holds 10\.211\.0\.0\/24/);
    assert.deepEqual((await poolsOf(driver))["berth-vpc-a"], ["10.211.5.0/24"]);
  });

  test("tasks of two subnets that clear the way at once each get their network", async () => {
    const driver = new FakeDriver();
    await driver.createNetwork("berth-vpc-a", { subnet: "10.211.9.0/24", labels: BERTH });
    await driver.createNetwork("berth-vpc-gone", { subnet: "10.211.1.0/24", labels: BERTH });
    await Promise.all([
      ensureVpcNetwork(driver, plan("a", 0)),
      ensureVpcNetwork(driver, plan("a", 0)),
      ensureVpcNetwork(driver, plan("b", 1)),
      ensureVpcNetwork(driver, plan("b", 1)),
    ]);
    const pools = await poolsOf(driver);
    assert.deepEqual(
      [pools["berth-vpc-a"], pools["berth-vpc-b"], pools["berth-vpc-gone"]],
      [["10.211.0.0/24"], ["10.211.1.0/24"], undefined],
    );
  });

  test("a task whose pool is held fails with a ResourceInitializationError naming the network and the pool", async () => {
    const driver = new FakeDriver({ images: [] });
    await driver.createNetwork("theirs", { subnet: "10.211.0.0/24", labels: {} });
    const a = assignment([{ name: "web", image: "app:1" }], { networkMode: "awsvpc" }, { network: plan("a", 0) });
    const rec = recorder(driver);
    await new TaskRunner(a, rec.deps).run();
    const final = rec.reports.at(-1)!;
    assert.equal(final.status, "STOPPED");
    assert.equal(
      final.reason,
      "ResourceInitializationError: failed to set up the task network: the Docker network theirs holds 10.211.0.0/24, which overlaps 10.211.0.0/24 of berth-vpc-a, and berth cannot remove it: berth did not create it (no berth.managed label)",
    );
  });
});

test("occupied pools: every network's but those berth left behind that no container joins", async () => {
  const driver = new FakeDriver({ images: ["app"] });
  assert.deepEqual(await occupiedPools(driver), ["172.17.0.0/16"]);
  await driver.createNetwork("berth-vpc-idle", { subnet: "10.211.0.0/24", labels: BERTH });
  await driver.createNetwork("berth-vpc-busy", { subnet: "10.211.1.0/24", labels: BERTH });
  await driver.createNetwork("theirs", { subnet: "10.211.2.0/23", labels: {} });
  await driver.create(onNetwork("pause", "berth-vpc-busy"));
  assert.deepEqual(await occupiedPools(driver), ["10.211.1.0/24", "10.211.2.0/23", "172.17.0.0/16"]);
});

test("occupied address space: those pools, and the host's routes but those on Docker's and berth's VPC bridges", async () => {
  const driver = new FakeDriver({ images: ["app"] });
  const idle = await driver.createNetwork("berth-vpc-idle", { subnet: "10.211.0.0/24", labels: BERTH });
  await driver.createNetwork("berth-vpc-busy", { subnet: "10.211.1.0/24", labels: BERTH, bridgeName: "bv-busy" });
  await driver.create(onNetwork("pause", "berth-vpc-busy"));
  const routes = () => [
    { iface: "eth0", cidr: "192.168.1.0/24" },
    { iface: `br-${idle.id.slice(0, 12)}`, cidr: "10.211.0.0/24" },
    { iface: "bv-busy", cidr: "10.211.1.0/24" },
    { iface: "bv-elsewhere", cidr: "10.50.0.0/16" },
    { iface: "wg0", cidr: "10.8.0.0/16" },
  ];
  assert.deepEqual(await occupiedCidrs(driver, routes), ["10.211.1.0/24", "10.8.0.0/16", "172.17.0.0/16", "192.168.1.0/24"]);
});
