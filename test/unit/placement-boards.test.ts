// Placement boards on the real SQLite store: views kept between placements must always equal
// views built from scratch, whatever changed meanwhile (tasks, instance documents, members,
// heartbeats, the passing of time).
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { ContainerInstance } from "@aws-sdk/client-ecs";
import { PlacementBoards } from "../../src/services/ecs/placement-boards.js";
import { containerInstanceView, type HostUsage } from "../../src/domain/container-instance.js";
import type { InstanceView } from "../../src/scheduler/placement/index.js";
import { ecsState, type EcsState, type StoredInstance, type StoredTask } from "../../src/state/ecs-state.js";
import { openSqliteStore } from "../../src/state/sqlite/sqlite-store.js";
import { mulberry32 } from "../support/random.js";

const scope = { accountId: "111111111111", region: "us-east-1" };
const TIMEOUT = 60_000;
const T0 = Date.parse("2026-11-26T12:00:00Z");

function instance(id: string, cluster: string, registeredAt: number, extra: Partial<StoredInstance["instance"]> = {}): StoredInstance {
  return {
    id,
    cluster,
    fargateHost: false,
    lastSeenAt: new Date(registeredAt),
    instance: {
      containerInstanceArn: `arn:aws:ecs:us-east-1:111111111111:container-instance/${cluster}/${id}`,
      ec2InstanceId: `i-${id}`,
      status: "ACTIVE",
      registeredAt: new Date(registeredAt),
      registeredResources: [
        { name: "CPU", type: "INTEGER", integerValue: 1024 },
        { name: "MEMORY", type: "INTEGER", integerValue: 2048 },
        { name: "PORTS", type: "STRINGSET", stringSetValue: ["22"] },
        { name: "PORTS_UDP", type: "STRINGSET", stringSetValue: [] },
      ],
      attributes: [{ name: "ecs.availability-zone", value: "us-east-1a" }],
      ...extra,
    },
  };
}

function task(id: string, cluster: string, hostId: string, lastStatus: string, cpu: number): StoredTask {
  return {
    task: {
      taskArn: `arn:aws:ecs:us-east-1:111111111111:task/${cluster}/${id}`,
      group: `family:web${cpu % 3}`,
      createdAt: new Date(T0),
      lastStatus,
    },
    cluster,
    hostId,
    taskDefinition: {
      taskDefinitionArn: "arn:aws:ecs:us-east-1:111111111111:task-definition/web:1",
      family: "web",
      revision: 1,
      status: "ACTIVE",
    },
    reservation: { cpu, memory: 2 * cpu, ports: cpu % 5 === 0 ? [8000 + cpu] : [], portsUdp: [] },
  };
}

const freshState = () => ecsState(openSqliteStore(join(mkdtempSync(join(tmpdir(), "berth-boards-")), "state.sqlite")));

/** An instance's placement view read off its DescribeContainerInstances view: the reference. */
function fromDescribed(view: ContainerInstance, usage: HostUsage): InstanceView {
  const remaining = (name: string) => view.remainingResources?.find((r) => r.name === name);
  return {
    arn: view.containerInstanceArn!,
    ec2InstanceId: view.ec2InstanceId!,
    status: view.status as InstanceView["status"],
    agentConnected: view.agentConnected ?? false,
    registeredAt: view.registeredAt!,
    attributes: Object.fromEntries((view.attributes ?? []).map((a) => [a.name!, a.value])),
    remaining: {
      cpu: remaining("CPU")?.integerValue ?? 0,
      memory: remaining("MEMORY")?.integerValue ?? 0,
      ports: (remaining("PORTS")?.stringSetValue ?? []).map(Number),
      portsUdp: (remaining("PORTS_UDP")?.stringSetValue ?? []).map(Number),
    },
    tasks: usage.tasks,
    tasksByGroup: usage.byGroup,
    agentVersion: view.versionInfo?.agentVersion,
    runningTasksCount: view.runningTasksCount,
  };
}

/** The views built the long way, with nothing kept: from each instance's DescribeContainerInstances view. */
async function fromScratch(state: EcsState, cluster: string, now: number) {
  const usageOf = await state.liveTasks.usages(scope);
  return (await state.instancesByCluster.list(scope, cluster)).map((stored) => {
    const usage = usageOf(stored.id);
    return fromDescribed(
      containerInstanceView(stored.instance, usage, state.heartbeats.lastSeen(scope, stored), new Date(now), TIMEOUT),
      usage,
    );
  });
}

test("a board's views equal views built from scratch after any mix of changes", async () => {
  const state = freshState();
  const boards = new PlacementBoards(state);
  const rng = mulberry32(11);
  const pick = <T>(items: readonly T[]) => items[Math.floor(rng() * items.length)]!;
  const hosts = Array.from({ length: 12 }, (_, i) => `h${i}`);
  let now = T0;
  for (const [i, id] of hosts.slice(0, 8).entries()) await state.instances.write(scope, id, () => instance(id, i % 2 ? "b" : "a", T0 + i));
  for (let step = 0; step < 300; step++) {
    now += Math.floor(rng() * 4_000);
    const roll = rng();
    const host = pick(hosts);
    const stored = await state.instances.get(scope, host);
    if (roll < 0.45 && stored) {
      const id = `t${Math.floor(rng() * 40)}`;
      const status = pick(["PENDING", "RUNNING", "RUNNING", "STOPPED"]);
      await state.tasks.write(
        scope,
        id,
        (cur) => (cur && cur.hostId !== host ? undefined : task(id, stored.cluster, host, status, 1 + Math.floor(rng() * 40))),
        { grouped: rng() < 0.5 },
      );
    } else if (roll < 0.6) {
      state.heartbeats.record(scope, host, new Date(now));
    } else if (roll < 0.7 && stored) {
      await state.instances.write(scope, host, (cur) => ({
        ...cur!,
        instance: { ...cur!.instance, attributes: [...cur!.instance.attributes!, { name: `custom${step}`, value: "x" }] },
      }));
    } else if (roll < 0.75 && stored) {
      await state.instances.write(scope, host, (cur) => ({
        ...cur!,
        instance: { ...cur!.instance, status: pick(["ACTIVE", "DRAINING", "INACTIVE"]) },
      }));
    } else if (roll < 0.8) {
      // A host joins (or re-registers) in one of the clusters.
      await state.instances.write(scope, host, () => instance(host, pick(["a", "b"]), now));
    } else if (roll < 0.83 && stored) {
      await state.instances.remove(scope, host);
    }
    if (rng() < 0.4) {
      const cluster = pick(["a", "b"]);
      const kept = await boards.views(scope, cluster, new Date(now), TIMEOUT);
      const fresh = await fromScratch(state, cluster, now);
      assert.deepEqual(kept.views, fresh, `cluster ${cluster} at step ${step}`);
      assert.deepEqual(
        kept.instances.map((i) => i.id),
        fresh.map((v) => v.ec2InstanceId.slice(2)),
      );
    }
  }
});

test("only hosts that changed get new views; an agent ages out with time alone and is back when heard", async () => {
  const state = freshState();
  const boards = new PlacementBoards(state);
  for (const [i, id] of ["h0", "h1", "h2"].entries()) await state.instances.write(scope, id, () => instance(id, "a", T0 + i));
  const first = [...(await boards.views(scope, "a", new Date(T0 + 1_000), TIMEOUT)).views];
  assert.deepEqual(
    first.map((v) => v.agentConnected),
    [true, true, true],
  );
  await state.tasks.write(scope, "t1", () => task("t1", "a", "h1", "PENDING", 100));
  const second = [...(await boards.views(scope, "a", new Date(T0 + 2_000), TIMEOUT)).views];
  assert.equal(second[0], first[0], "an untouched host keeps its view");
  assert.equal(second[2], first[2]);
  assert.notEqual(second[1], first[1]);
  assert.equal(second[1]!.remaining.cpu, 1024 - 100);

  state.heartbeats.record(scope, "h0", new Date(T0 + 30_000));
  const aged = (await boards.views(scope, "a", new Date(T0 + 61_000), TIMEOUT)).views;
  assert.deepEqual(
    aged.map((v) => v.agentConnected),
    [true, false, false],
    "silent for the timeout: disconnected",
  );
  state.heartbeats.record(scope, "h2", new Date(T0 + 62_000));
  const back = (await boards.views(scope, "a", new Date(T0 + 62_000), TIMEOUT)).views;
  assert.deepEqual(
    back.map((v) => v.agentConnected),
    [true, false, true],
    "heard again: connected",
  );
});
