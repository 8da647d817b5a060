// The ECS collections on the real SQLite store: tasks read back share their definition.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ecsState, type StoredService, type StoredTask } from "../../src/state/ecs-state.js";
import { openSqliteStore } from "../../src/state/sqlite/sqlite-store.js";

const scope = { accountId: "111111111111", region: "us-east-1" };
const arn = "arn:aws:ecs:us-east-1:111111111111:task-definition/web:1";

function task(id: string, status: "ACTIVE" | "INACTIVE" = "ACTIVE"): StoredTask {
  return {
    task: {
      taskArn: `arn:aws:ecs:us-east-1:111111111111:task/c/${id}`,
      group: "service:web",
      createdAt: new Date(1_000),
      lastStatus: "RUNNING",
    },
    cluster: "c",
    hostId: "h1",
    taskDefinition: { taskDefinitionArn: arn, family: "web", revision: 1, status, containerDefinitions: [{ name: "app", image: "app:1" }] },
    reservation: { cpu: 0, memory: 64, ports: [], portsUdp: [] },
  };
}

test("tasks read back from the store share one copy of a definition revision", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "berth-state-")), "state.sqlite");
  const first = openSqliteStore(path);
  await ecsState(first).tasks.putMany(scope, [
    { id: "a", doc: task("a") },
    { id: "b", doc: task("b") },
    { id: "c", doc: task("c", "INACTIVE") },
  ]);
  await first.close();
  const reopened = ecsState(openSqliteStore(path));
  const [a, b, c] = await reopened.tasks.list(scope);
  assert.deepEqual(a!.taskDefinition, task("a").taskDefinition);
  assert.equal(a!.taskDefinition, b!.taskDefinition, "one shared object");
  assert.notEqual(a!.taskDefinition, c!.taskDefinition, "a different status is a different snapshot");
  assert.equal(c!.taskDefinition.status, "INACTIVE");
  assert.ok(Object.isFrozen(a));
});

test("serviceIds: the services not INACTIVE, from the store and then from every write", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "berth-state-")), "state.sqlite");
  const service = (name: string, status: string): StoredService => ({
    service: { serviceName: name, status, createdAt: new Date(1_000) },
    cluster: "c",
    deployments: [],
    memory: {} as StoredService["memory"],
    unplaced: [],
  });
  const first = ecsState(openSqliteStore(path));
  await first.services.putMany(scope, [
    { id: "c/a", doc: service("a", "ACTIVE") },
    { id: "c/gone", doc: service("gone", "INACTIVE") },
  ]);
  const state = ecsState(openSqliteStore(path));
  assert.deepEqual([...(await state.serviceIds.state(scope))], ["c/a"]);
  await state.services.write(scope, "c/b", () => service("b", "DRAINING"));
  await state.services.write(scope, "c/a", (cur) => ({ ...cur!, service: { ...cur!.service, status: "INACTIVE" } }));
  assert.deepEqual([...(await state.serviceIds.state(scope))], ["c/b"]);
  await state.services.remove(scope, "c/b");
  assert.equal((await state.serviceIds.state(scope)).size, 0);
});
