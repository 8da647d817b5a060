// Task scale-in protection in the service reconciler: a protected task is not stopped by a
// scale-in or a deployment (others go instead, or the scheduler waits), and the plan wakes
// the loop when the protection expires.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { reconcile } from "../../src/scheduler/service/index.js";
import {
  DEP1,
  DEP2,
  TD2,
  at,
  deployment,
  input,
  primaryOf,
  service,
  started,
  stoppedArns,
  task,
  taskArn,
} from "../support/service-world.js";

const until = (s: number) => at(s);

describe("service reconciler: scale-in protection", () => {
  test("scale-in from 3 to 1 stops the two unprotected tasks and keeps the protected one", () => {
    const tasks = [
      task("1", { createdAt: at(1) }),
      task("2", { createdAt: at(2), protectedUntil: until(600) }),
      task("3", { createdAt: at(3) }),
    ];
    const plan = reconcile(input({ service: service({ desiredCount: 1 }), tasks }));
    assert.deepEqual(stoppedArns(plan).sort(), [taskArn("1"), taskArn("3")]);
    assert.equal(plan.wakeAt?.getTime(), until(600).getTime(), "woken when the protection expires");
  });

  test("if only protected tasks are left above desired, the scheduler waits for them", () => {
    const tasks = ["1", "2", "3"].map((id) => task(id, { protectedUntil: until(600) }));
    const plan = reconcile(input({ service: service({ desiredCount: 1 }), tasks }));
    assert.deepEqual(plan.stop, []);
    assert.deepEqual(plan.events, [], "waiting for protection is neither a stop nor a stuck deployment");
    assert.equal(plan.runningCount, 3);
    assert.equal(plan.wakeAt?.getTime(), until(600).getTime());
  });

  test("an expired protection no longer holds: the task is stopped as any other", () => {
    const tasks = [task("1", { protectedUntil: at(5) }), task("2", { protectedUntil: at(5) })];
    const plan = reconcile(input({ service: service({ desiredCount: 1 }), tasks, now: at(10) }));
    assert.equal(plan.stop.length, 1);
    assert.equal(plan.wakeAt, undefined);
  });

  test("a deployment starts new tasks but waits for the protected old ones until their protection ends", () => {
    const completed = deployment({ status: "ACTIVE", rolloutState: "COMPLETED", createdAt: at(-100) });
    const fresh = deployment({ id: DEP2, taskDefinition: TD2, createdAt: at(0) });
    const old = [task("1", { createdAt: at(-50), protectedUntil: until(900) }), task("2", { createdAt: at(-50) })];
    const young = [task("3", { deploymentId: DEP2, createdAt: at(-20) }), task("4", { deploymentId: DEP2, createdAt: at(-20) })];
    const plan = reconcile(input({ deployments: [fresh, completed], tasks: [...old, ...young] }));
    assert.deepEqual(stoppedArns(plan), [taskArn("2")], "only the unprotected old task is replaced");
    assert.equal(started(plan), 0);
    const byId = new Map(plan.deployments.map((d) => [d.id, d]));
    assert.equal(byId.get(DEP1)!.status, "ACTIVE");
    assert.equal(primaryOf(plan).rolloutState, "IN_PROGRESS");
    assert.equal(plan.wakeAt?.getTime(), until(900).getTime());

    const later = reconcile(input({ deployments: plan.deployments, tasks: [old[0]!, ...young], memory: plan.memory, now: at(901) }));
    assert.deepEqual(stoppedArns(later), [taskArn("1")], "stopped once its protection has expired");
  });

  test("DeleteService stops protected tasks too: protection guards against scale-in, not deletion", () => {
    const tasks = [task("1", { protectedUntil: until(600) }), task("2")];
    const plan = reconcile(input({ service: service({ status: "DRAINING" }), tasks }));
    assert.deepEqual(stoppedArns(plan).sort(), [taskArn("1"), taskArn("2")]);
    assert.equal(plan.wakeAt, undefined);
  });

  test("protection does not keep an UNHEALTHY task: health-check replacement is not a scale-in", () => {
    const sick = task("1", { hasHealthCheck: true, healthStatus: "UNHEALTHY", protectedUntil: until(600) });
    const plan = reconcile(input({ tasks: [sick, task("2")] }));
    assert.deepEqual(stoppedArns(plan), [taskArn("1")]);
  });
});
