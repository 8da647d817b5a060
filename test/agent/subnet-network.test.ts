// The network of an awsvpc task's subnet, on the fake engine: adopted when it is there as
// planned, made room for by removing what berth left behind, and refused with a reason that
// names what stands in the way; and the pools the agent reports as occupied.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { TaskNetwork } from "../../src/domain/task/lifecycle.js";
import { ensureSubnetNetwork, LABEL, occupiedPools, TaskRunner } from "../../src/agent/task-runner/index.js";
import type { ContainerSpec } from "../../src/runtime/driver.js";
import { FakeDriver } from "../../src/runtime/fake/index.js";
import { assignment, recorder } from "./helpers.js";

const BERTH = { [LABEL.managed]: "1" };

const plan = (subnetId: string, third: number): TaskNetwork => ({
  subnetId,
  vpcId: "vpc-1",
  securityGroupIds: [],
  networkName: `berth-${subnetId}`,
  cidr: `10.211.${third}.0/24`,
  gateway: `10.211.${third}.1`,
  ipv4Address: `10.211.${third}.2`,
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

describe("the subnet's network", () => {
  test("made as planned, and adopted as it is the next time", async () => {
    const driver = new FakeDriver();
    const net = plan("subnet-a", 0);
    await ensureSubnetNetwork(driver, net);
    await ensureSubnetNetwork(driver, net);
    assert.deepEqual(driver.calls, { createNetwork: 2 }, "nothing in the way: one call each time, as before");
    const [made] = (await driver.listNetworks()).filter((n) => n.name === "berth-subnet-a");
    assert.deepEqual(made && { pools: made.ipv4Subnets, labels: made.labels }, { pools: ["10.211.0.0/24"], labels: BERTH });
  });

  test("a network berth left behind on the planned pool, under another name, is removed", async () => {
    const driver = new FakeDriver();
    await driver.createNetwork("berth-subnet-old", { subnet: "10.211.0.0/24", labels: BERTH });
    await ensureSubnetNetwork(driver, plan("subnet-new", 0));
    const pools = await poolsOf(driver);
    assert.equal(pools["berth-subnet-old"], undefined);
    assert.deepEqual(pools["berth-subnet-new"], ["10.211.0.0/24"]);
  });

  test("a network berth left behind under the planned name with another pool is made again", async () => {
    const driver = new FakeDriver();
    await driver.createNetwork("berth-subnet-a", { subnet: "10.211.7.0/24", labels: BERTH });
    await ensureSubnetNetwork(driver, plan("subnet-a", 0));
    assert.deepEqual((await poolsOf(driver))["berth-subnet-a"], ["10.211.0.0/24"]);
  });

  test("a berth network that a container joins, even a stopped one, stays, and the task cannot have its pool", async () => {
    const driver = new FakeDriver({ images: ["app"] });
    await driver.createNetwork("berth-subnet-busy", { subnet: "10.211.0.0/24", labels: BERTH });
    const stopped = await driver.create(onNetwork("stopped", "berth-subnet-busy"));
    await assert.rejects(ensureSubnetNetwork(driver, plan("subnet-new", 0)), {
      message: `the Docker network berth-subnet-busy holds 10.211.0.0/24, which overlaps 10.211.0.0/24 of berth-subnet-new, and berth cannot remove it: containers still join it (${stopped.slice(0, 12)})`,
    });
    assert.deepEqual(Object.keys(await poolsOf(driver)).sort(), ["berth-subnet-busy", "bridge", "host", "none"]);
  });

  test("a network berth did not create stays, whether in the pool's way or under the planned name", async () => {
    const driver = new FakeDriver();
    await driver.createNetwork("theirs", { subnet: "10.211.0.0/16", labels: { owner: "someone" } });
    await assert.rejects(ensureSubnetNetwork(driver, plan("subnet-a", 3)), {
      message:
        "the Docker network theirs holds 10.211.0.0/16, which overlaps 10.211.3.0/24 of berth-subnet-a, and berth cannot remove it: berth did not create it (no berth.managed label)",
    });
    await driver.createNetwork("berth-subnet-b", { subnet: "10.212.0.0/24", labels: {} });
    await assert.rejects(ensureSubnetNetwork(driver, plan("subnet-b", 1)), {
      message:
        "the Docker network berth-subnet-b has the pool 10.212.0.0/24, not 10.211.1.0/24, and berth cannot remove it: berth did not create it (no berth.managed label)",
    });
    assert.deepEqual(await poolsOf(driver), {
      "berth-subnet-b": ["10.212.0.0/24"],
      bridge: ["172.17.0.0/16"],
      host: [],
      none: [],
      theirs: ["10.211.0.0/16"],
    });
  });

  test("nothing is removed while anything in the way must stay", async () => {
    const driver = new FakeDriver();
    await driver.createNetwork("berth-subnet-a", { subnet: "10.211.5.0/24", labels: BERTH });
    await driver.createNetwork("theirs", { subnet: "10.211.0.0/24", labels: {} });
    await assert.rejects(ensureSubnetNetwork(driver, plan("subnet-a", 0)), /theirs holds 10\.211\.0\.0\/24/);
    assert.deepEqual((await poolsOf(driver))["berth-subnet-a"], ["10.211.5.0/24"]);
  });

  test("tasks of two subnets that clear the way at once each get their network", async () => {
    const driver = new FakeDriver();
    await driver.createNetwork("berth-subnet-a", { subnet: "10.211.9.0/24", labels: BERTH });
    await driver.createNetwork("berth-subnet-gone", { subnet: "10.211.1.0/24", labels: BERTH });
    await Promise.all([
      ensureSubnetNetwork(driver, plan("subnet-a", 0)),
      ensureSubnetNetwork(driver, plan("subnet-a", 0)),
      ensureSubnetNetwork(driver, plan("subnet-b", 1)),
      ensureSubnetNetwork(driver, plan("subnet-b", 1)),
    ]);
    const pools = await poolsOf(driver);
    assert.deepEqual(
      [pools["berth-subnet-a"], pools["berth-subnet-b"], pools["berth-subnet-gone"]],
      [["10.211.0.0/24"], ["10.211.1.0/24"], undefined],
    );
  });

  test("a task whose pool is held fails with a ResourceInitializationError naming the network and the pool", async () => {
    const driver = new FakeDriver({ images: [] });
    await driver.createNetwork("theirs", { subnet: "10.211.0.0/24", labels: {} });
    const a = assignment([{ name: "web", image: "app:1" }], { networkMode: "awsvpc" }, { network: plan("subnet-a", 0) });
    const rec = recorder(driver);
    await new TaskRunner(a, rec.deps).run();
    const final = rec.reports.at(-1)!;
    assert.equal(final.status, "STOPPED");
    assert.equal(
      final.reason,
      "ResourceInitializationError: failed to set up the task network: the Docker network theirs holds 10.211.0.0/24, which overlaps 10.211.0.0/24 of berth-subnet-a, and berth cannot remove it: berth did not create it (no berth.managed label)",
    );
  });
});

test("occupied pools: every network's but those berth left behind that no container joins", async () => {
  const driver = new FakeDriver({ images: ["app"] });
  assert.deepEqual(await occupiedPools(driver), ["172.17.0.0/16"]);
  await driver.createNetwork("berth-subnet-idle", { subnet: "10.211.0.0/24", labels: BERTH });
  await driver.createNetwork("berth-subnet-busy", { subnet: "10.211.1.0/24", labels: BERTH });
  await driver.createNetwork("theirs", { subnet: "10.211.2.0/23", labels: {} });
  await driver.create(onNetwork("pause", "berth-subnet-busy"));
  assert.deepEqual(await occupiedPools(driver), ["10.211.1.0/24", "10.211.2.0/23", "172.17.0.0/16"]);
});
