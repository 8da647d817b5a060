// The live-task index on the real SQLite store: it loads what is there on the first question
// and follows every committed write after that, so its usage always equals a fresh sum.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { usageOf } from "../../src/domain/container-instance.js";
import { ecsState, type StoredTask } from "../../src/state/ecs-state.js";
import { openSqliteStore } from "../../src/state/sqlite/sqlite-store.js";
import { mulberry32 } from "../support/random.js";

const scope = { accountId: "111111111111", region: "us-east-1" };
const other = { accountId: "111111111111", region: "eu-west-1" };

function task(id: string, hostId: string, lastStatus: string, cpu = 10, port?: number): StoredTask {
  return {
    task: {
      taskArn: `arn:aws:ecs:us-east-1:111111111111:task/c/${id}`,
      group: `service:s${id.length}`,
      createdAt: new Date(1_000),
      lastStatus,
    },
    cluster: "c",
    hostId,
    taskDefinition: {
      taskDefinitionArn: "arn:aws:ecs:us-east-1:111111111111:task-definition/web:1",
      family: "web",
      revision: 1,
      status: "ACTIVE",
    },
    reservation: { cpu, memory: 2 * cpu, ports: port ? [port] : [], portsUdp: [] },
    ...(port
      ? {
          network: {
            subnetId: "subnet-1",
            vpcId: "vpc-1",
            securityGroupIds: [],
            networkName: "n",
            cidr: "10.0.0.0/24",
            gateway: "10.0.0.1",
            ipv4Address: `10.0.0.${port % 250}`,
            loopbackAddress: "127.0.1.1",
            attachmentId: "a",
            networkInterfaceId: "eni-1",
            macAddress: "m",
          },
        }
      : {}),
  };
}

const freshState = () => ecsState(openSqliteStore(join(mkdtempSync(join(tmpdir(), "berth-live-")), "state.sqlite")));

test("usage sums the live tasks on a host and follows writes, stops and removals", async () => {
  const state = freshState();
  await state.tasks.putMany(scope, [
    { id: "a", doc: task("a", "h1", "RUNNING", 100, 8080) },
    { id: "b", doc: task("b", "h1", "PENDING", 50) },
  ]);
  await state.tasks.putMany(other, [{ id: "z", doc: task("z", "h1", "RUNNING", 999) }]);
  let usage = await state.liveTasks.usage(scope, "h1");
  assert.deepEqual(
    { cpu: usage.cpu, memory: usage.memory, ports: usage.ports, running: usage.running, pending: usage.pending },
    { cpu: 150, memory: 300, ports: [8080], running: 1, pending: 1 },
  );
  assert.equal(await state.liveTasks.usage(scope, "h1"), usage, "unchanged: the same summed object");

  await state.tasks.write(scope, "b", (cur) => ({ ...cur!, task: { ...cur!.task, lastStatus: "RUNNING" } }));
  usage = await state.liveTasks.usage(scope, "h1");
  assert.equal(usage.running, 2);
  await state.tasks.write(scope, "a", (cur) => ({ ...cur!, task: { ...cur!.task, lastStatus: "STOPPED" } }));
  usage = await state.liveTasks.usage(scope, "h1");
  assert.deepEqual([usage.cpu, usage.ports.length], [50, 0], "a STOPPED task holds nothing");
  assert.deepEqual(await state.liveTasks.networks(scope), [], "its address is free again");
  assert.deepEqual(
    [...(await state.liveTasks.tasksOn(scope, "h1"))].map(([id, t]) => ({ id, taskArn: t.taskArn })),
    [{ id: "b", taskArn: "arn:aws:ecs:us-east-1:111111111111:task/c/b" }],
    "a STOPPED task is no longer on its host",
  );
  await state.tasks.putMany(scope, [{ id: "c", doc: task("c", "h2", "PENDING", 7) }]);
  assert.equal((await state.liveTasks.usage(scope, "h2")).cpu, 7);
  await state.tasks.remove(scope, "c");
  assert.equal((await state.liveTasks.usage(scope, "h2")).cpu, 0);
  assert.equal((await state.liveTasks.usage(other, "h1")).cpu, 999, "scopes are apart");
});

test("writes made while the first load is under way are not overwritten by it", async () => {
  const state = freshState();
  await state.tasks.putMany(scope, [{ id: "a", doc: task("a", "h1", "RUNNING", 100) }]);
  const first = state.liveTasks.usage(scope, "h1"); // starts the load
  await state.tasks.write(scope, "a", (cur) => ({ ...cur!, task: { ...cur!.task, lastStatus: "STOPPED" } }));
  await first;
  assert.equal((await state.liveTasks.usage(scope, "h1")).cpu, 0);
});

test("after random writes the index equals a sum over the store", async () => {
  const state = freshState();
  const rng = mulberry32(7);
  const statuses = ["PROVISIONING", "PENDING", "RUNNING", "DEACTIVATING", "STOPPED"];
  await state.liveTasks.usage(scope, "h0");
  for (let i = 0; i < 400; i++) {
    const id = `t${Math.floor(rng() * 60)}`;
    const host = `h${Math.floor(rng() * 4)}`;
    if (rng() < 0.1) await state.tasks.remove(scope, id);
    else
      await state.tasks.write(scope, id, () => task(id, host, statuses[Math.floor(rng() * statuses.length)]!, 1 + Math.floor(rng() * 50)));
  }
  const live = await state.tasks.list(scope, { status: "LIVE" });
  const count = (status: string) => live.filter((t) => t.task.lastStatus === status).length;
  assert.deepEqual(await state.liveTasks.clusterCounts(scope, "c"), {
    runningEC2: count("RUNNING"),
    pendingEC2: count("PENDING") + count("PROVISIONING"),
    runningFargate: 0,
    pendingFargate: 0,
  });
  for (const host of ["h0", "h1", "h2", "h3"]) {
    const onHost = (await state.tasks.list(scope, { status: "LIVE" })).filter((t) => t.hostId === host);
    const expected = usageOf(onHost.map((t) => ({ ...t, lastStatus: t.task.lastStatus!, group: t.task.group!, family: "web" })));
    const actual = await state.liveTasks.usage(scope, host);
    assert.deepEqual(
      { ...actual, tasks: [...actual.tasks].sort((a, b) => a.group.localeCompare(b.group)) },
      { ...expected, tasks: expected.tasks.sort((a, b) => a.group.localeCompare(b.group)) },
      host,
    );
    const arns = onHost.map((t) => t.task.taskArn!).sort();
    assert.deepEqual([...(await state.liveTasks.tasksOn(scope, host)).values()].map((t) => t.taskArn).sort(), arns, `the tasks on ${host}`);
  }
});
