// Heartbeats: what the control plane heard is fresher than the store; the store is written
// again only once its lastSeenAt has aged a quarter of the agent timeout.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { StoredInstance } from "../../src/state/ecs-state.js";
import { Heartbeats } from "../../src/state/heartbeats.js";

const scope = { accountId: "123456789012", region: "us-east-1" };
const host = (lastSeenAt: number) =>
  ({ id: "h1", cluster: "c", fargateHost: false, instance: {}, lastSeenAt: new Date(lastSeenAt) }) as StoredInstance;

test("lastSeen is the later of the stored and the heard time, per scope and host", () => {
  const beats = new Heartbeats();
  assert.equal(beats.lastSeen(scope, host(1_000)).getTime(), 1_000);
  beats.record(scope, "h1", new Date(5_000));
  assert.equal(beats.lastSeen(scope, host(1_000)).getTime(), 5_000);
  assert.equal(beats.lastSeen(scope, host(9_000)).getTime(), 9_000);
  assert.equal(beats.lastSeen({ ...scope, region: "eu-west-1" }, host(1_000)).getTime(), 1_000);
});

test("the stored time is due for a write after a quarter of the agent timeout", () => {
  assert.equal(Heartbeats.due(host(0), new Date(7_499), 30_000), false);
  assert.equal(Heartbeats.due(host(0), new Date(7_500), 30_000), true);
});
