// DAEMON services: one task on each ACTIVE, eligible instance with a connected agent,
// instances joining later included; none on DRAINING or ineligible ones; deployments
// replace the task of each instance in place, as far as minimumHealthyPercent allows.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { reconcile } from "../../src/scheduler/service/index.js";
import {
  DEP1,
  DEP2,
  TD1,
  TD2,
  at,
  deployment,
  input,
  instance,
  primaryOf,
  service,
  stoppedArns,
  task,
  taskArn,
} from "../support/service-world.js";

const daemon = (overrides = {}) => service({ schedulingStrategy: "DAEMON", desiredCount: 0, ...overrides });
const a = instance("a");
const b = instance("b");
const c = instance("c");
const on = (id: string, inst: { arn: string }, overrides = {}) => task(id, { containerInstanceArn: inst.arn, ...overrides });

describe("DAEMON", () => {
  test("one task per ACTIVE eligible instance with a connected agent, each named", () => {
    const instances = [
      a,
      b,
      instance("dr", { status: "DRAINING" }),
      instance("no", { eligible: false }),
      instance("off", { agentConnected: false }),
    ];
    const plan = reconcile(input({ service: daemon(), instances }));
    assert.deepEqual(plan.start, [
      { deploymentId: DEP1, taskDefinition: TD1, count: 1, instanceArn: a.arn },
      { deploymentId: DEP1, taskDefinition: TD1, count: 1, instanceArn: b.arn },
    ]);
    assert.equal(plan.desiredCount, 3, "the disconnected instance still counts");
  });

  test("an instance that joins later gets its task", () => {
    const plan = reconcile(input({ service: daemon(), instances: [a, b, c], tasks: [on("1", a), on("2", b)] }));
    assert.deepEqual(
      plan.start.map((s) => s.instanceArn),
      [c.arn],
    );
    assert.deepEqual(plan.stop, []);
  });

  test("tasks on DRAINING, ineligible or vanished instances are stopped", () => {
    const draining = instance("a", { status: "DRAINING" });
    const ineligible = instance("b", { eligible: false });
    const tasks = [on("1", draining), on("2", ineligible), on("3", instance("gone")), on("4", c)];
    const plan = reconcile(input({ service: daemon(), instances: [draining, ineligible, c], tasks }));
    assert.deepEqual(stoppedArns(plan).sort(), [taskArn("1"), taskArn("2"), taskArn("3")].sort());
    assert.deepEqual(plan.start, []);
  });

  test("a disconnected instance keeps its task and gets none", () => {
    const off = instance("off", { agentConnected: false });
    assert.deepEqual(reconcile(input({ service: daemon(), instances: [off], tasks: [on("1", off)] })).stop, []);
    assert.deepEqual(reconcile(input({ service: daemon(), instances: [off] })).start, []);
  });

  test("a second task on an instance is stopped, the better one kept", () => {
    const plan = reconcile(
      input({ service: daemon(), instances: [a], tasks: [on("1", a, { createdAt: at(1) }), on("2", a, { createdAt: at(2) })] }),
    );
    assert.deepEqual(stoppedArns(plan), [taskArn("2")]);
  });

  describe("deployment", () => {
    const fresh = deployment({ id: DEP2, taskDefinition: TD2, createdAt: at(1) });
    const old = deployment({ status: "ACTIVE", rolloutState: "COMPLETED", createdAt: at(0) });
    const instances = [a, b, c, instance("d")];
    const oldTasks = instances.map((i, n) => on(`o${n}`, i));

    test("with the default minimum of 0% every old task stops at once; new ones start once the old are gone", () => {
      const plan = reconcile(input({ service: daemon(), deployments: [fresh, old], instances, tasks: oldTasks }));
      assert.equal(plan.stop.length, 4);
      assert.deepEqual(plan.start, [], "the old tasks still hold their instances");
      const gone = oldTasks.map((t) => ({ ...t, desiredStatus: "STOPPED", lastStatus: "STOPPED", stoppedAt: at(20) }));
      const next = reconcile(
        input({ service: daemon(), deployments: plan.deployments, instances, tasks: gone, memory: plan.memory, now: at(30) }),
      );
      assert.deepEqual(
        next.start.map((s) => [s.deploymentId, s.instanceArn]),
        instances.map((i) => [DEP2, i.arn]),
      );
    });

    test("with a minimum of 50% two of four are replaced at a time", () => {
      const spec = daemon({ deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 100 } });
      const plan = reconcile(input({ service: spec, deployments: [fresh, old], instances, tasks: oldTasks }));
      assert.equal(plan.stop.length, 2);
    });

    test("it completes when every instance runs a healthy task of the new deployment", () => {
      const tasks = instances.map((i, n) => on(`n${n}`, i, { deploymentId: DEP2 }));
      const plan = reconcile(input({ service: daemon(), deployments: [fresh], instances, tasks }));
      assert.equal(primaryOf(plan).rolloutState, "COMPLETED");
      assert.equal(primaryOf(plan).desiredCount, 4);
    });
  });

  test("a DRAINING daemon service stops everything", () => {
    const plan = reconcile(input({ service: daemon({ status: "DRAINING" }), instances: [a, b], tasks: [on("1", a), on("2", b)] }));
    assert.equal(plan.stop.length, 2);
    assert.deepEqual(plan.start, []);
  });
});
