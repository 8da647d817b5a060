// Rolling updates: the bounds minimumHealthyPercent and maximumPercent put on a deployment
// (the developer guide's own examples), a deployment step by step, and startDeployment.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type DeploymentRecord, deploymentBounds, reconcile, startDeployment } from "../../src/scheduler/service/index.js";
import {
  DEP1,
  DEP2,
  TD1,
  TD2,
  at,
  deployment,
  input,
  messages,
  primaryOf,
  service,
  started,
  stoppedArns,
  task,
  taskArn,
} from "../support/service-world.js";

describe("deployment bounds", () => {
  const cases: [string, "REPLICA" | "DAEMON", number, number | undefined, number | undefined, number, number][] = [
    // [what, strategy, desired, min%, max%, minHealthy, maxTotal]
    ["min 50% of 4 lets two stop first", "REPLICA", 4, 50, 200, 2, 8],
    ["min 75% of 2 is rounded up to 2", "REPLICA", 2, 75, 200, 2, 4],
    ["max 125% of 3 is rounded down to 3", "REPLICA", 3, 100, 125, 3, 3],
    ["REPLICA defaults are 100/200", "REPLICA", 3, undefined, undefined, 3, 6],
    ["DAEMON defaults are 0/100", "DAEMON", 5, undefined, undefined, 0, 5],
    ["no floating-point surprise at 110% of 3", "REPLICA", 3, 100, 110, 3, 3],
    ["desired 0 needs nothing", "REPLICA", 0, 100, 200, 0, 0],
  ];
  for (const [what, strategy, desired, min, max, minHealthy, maxTotal] of cases) {
    test(what, () => {
      const config = min === undefined ? undefined : { minimumHealthyPercent: min, maximumPercent: max };
      assert.deepEqual(deploymentBounds(strategy, config, desired), { desired, minHealthy, maxTotal });
    });
  }
});

describe("startDeployment", () => {
  test("the new deployment is PRIMARY and IN_PROGRESS; the previous PRIMARY becomes ACTIVE", () => {
    const previous = deployment({ rolloutState: "COMPLETED", rolloutStateReason: `ECS deployment ${DEP1} completed.` });
    const next = startDeployment([previous], { id: DEP2, taskDefinition: TD2, desiredCount: 2, launchType: "EC2" }, at(50));
    assert.equal(next.length, 2);
    assert.deepEqual(
      {
        id: next[0]!.id,
        status: next[0]!.status,
        rolloutState: next[0]!.rolloutState,
        reason: next[0]!.rolloutStateReason,
        launchType: next[0]!.launchType,
      },
      { id: DEP2, status: "PRIMARY", rolloutState: "IN_PROGRESS", reason: `ECS deployment ${DEP2} in progress.`, launchType: "EC2" },
    );
    assert.deepEqual([next[1]!.status, next[1]!.rolloutState], ["ACTIVE", "COMPLETED"]);
  });
});

describe("rolling update", () => {
  const completed = deployment({ status: "ACTIVE", rolloutState: "COMPLETED", createdAt: at(-100) });
  const fresh = deployment({ id: DEP2, taskDefinition: TD2, createdAt: at(0) });
  const old = (id: string) => task(id, { deploymentId: DEP1, createdAt: at(-50) });
  const young = (id: string, overrides = {}) => task(id, { deploymentId: DEP2, createdAt: at(5), ...overrides });

  test("min 100% / max 200%: new tasks start up to the maximum, no old task stops yet", () => {
    const plan = reconcile(input({ deployments: [fresh, completed], tasks: [old("1"), old("2")] }));
    assert.deepEqual(plan.start, [{ deploymentId: DEP2, taskDefinition: TD2, count: 2 }]);
    assert.deepEqual(plan.stop, []);
  });

  test("old tasks stop as the new ones become healthy, never below the minimum", () => {
    const tasks = [old("1"), old("2"), young("3"), young("4", { lastStatus: "PENDING", startedAt: undefined })];
    const plan = reconcile(input({ deployments: [fresh, completed], tasks }));
    assert.equal(plan.stop.length, 1);
    assert.equal(started(plan), 0);
  });

  test("an old deployment stays listed until its last task has stopped, and then the new one completes", () => {
    const tasks = [old("1"), young("3"), young("4")];
    const plan = reconcile(input({ deployments: [fresh, completed], tasks }));
    assert.deepEqual(stoppedArns(plan), [taskArn("1")]);
    const byId = (p: typeof plan) => new Map(p.deployments.map((d): [string, DeploymentRecord] => [d.id, d]));
    // Asked to stop, its task still runs: it counts, so the deployment is still there.
    assert.deepEqual(
      { status: byId(plan).get(DEP1)!.status, running: byId(plan).get(DEP1)!.runningCount, desired: byId(plan).get(DEP1)!.desiredCount },
      { status: "ACTIVE", running: 1, desired: 0 },
    );
    assert.equal(plan.runningCount, 3, "the service's runningCount counts the task being stopped");
    assert.equal(byId(plan).get(DEP2)!.rolloutState, "IN_PROGRESS", "not while a stop is still under way");

    const stopping = task("1", { deploymentId: DEP1, createdAt: at(-50), desiredStatus: "STOPPED" });
    const waiting = reconcile(
      input({ deployments: plan.deployments, tasks: [stopping, young("3"), young("4")], memory: plan.memory, now: at(15) }),
    );
    assert.deepEqual(waiting.stop, [], "a task being stopped is not stopped twice");
    assert.equal(byId(waiting).get(DEP1)!.status, "ACTIVE");
    assert.equal(primaryOf(waiting).rolloutState, "IN_PROGRESS");
    assert.equal(waiting.runningCount, 3);

    const gone = { ...stopping, lastStatus: "STOPPED", stoppedAt: at(18), stopCode: "ServiceSchedulerInitiated" };
    const done = reconcile(
      input({ deployments: waiting.deployments, tasks: [gone, young("3"), young("4")], memory: waiting.memory, now: at(20) }),
    );
    assert.equal(byId(done).get(DEP1)!.status, "INACTIVE");
    assert.equal(done.runningCount, 2);
    assert.equal(primaryOf(done).rolloutState, "COMPLETED");
    assert.deepEqual(messages(done), [
      `(service web) (deployment ${DEP2}) deployment completed.`,
      "(service web) has reached a steady state.",
    ]);
    assert.deepEqual(done.memory.lastCompleted, { id: DEP2, taskDefinition: TD2 });
  });

  test("min 50% / max 100% of 4: two old tasks stop, and two new ones start only once they have stopped", () => {
    const tight = service({ desiredCount: 4, deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 100 } });
    const tasks = ["1", "2", "3", "4"].map(old);
    const plan = reconcile(input({ service: tight, deployments: [fresh, completed], tasks }));
    assert.equal(plan.stop.length, 2);
    assert.equal(started(plan), 0, "the two being stopped still run: four is the maximum");
    const asked = new Set(stoppedArns(plan));
    const stopping = tasks.map((t) => (asked.has(t.taskArn) ? { ...t, desiredStatus: "STOPPED" } : t));
    const still = reconcile(input({ service: tight, deployments: plan.deployments, tasks: stopping, memory: plan.memory, now: at(5) }));
    assert.deepEqual([started(still), still.stop.length], [0, 0], "neither a start nor a second stop while they stop");
    const stopped = stopping.map((t) => (asked.has(t.taskArn) ? { ...t, lastStatus: "STOPPED", stoppedAt: at(6) } : t));
    const next = reconcile(input({ service: tight, deployments: still.deployments, tasks: stopped, memory: still.memory, now: at(7) }));
    assert.equal(started(next), 2);
  });

  test("old tasks that are not healthy go first and cost nothing of the minimum", () => {
    const tasks = [old("1"), old("2"), task("5", { deploymentId: DEP1, lastStatus: "PENDING", startedAt: undefined })];
    const plan = reconcile(input({ deployments: [fresh, completed], tasks }));
    assert.deepEqual(stoppedArns(plan), [taskArn("5")]);
    assert.equal(started(plan), 1, "the pending task being stopped takes room until it has stopped");
    assert.equal(plan.pendingCount, 1);
  });

  test("min 100% / max 100% can neither start nor stop: ECS's event, once", () => {
    const stuckService = service({ deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 100 } });
    const plan = reconcile(input({ service: stuckService, deployments: [fresh, completed], tasks: [old("1"), old("2")] }));
    assert.deepEqual([plan.start, plan.stop], [[], []]);
    const expected =
      "(service web) was unable to stop or start tasks during a deployment because of the service deployment configuration. " +
      "Update the minimumHealthyPercent or maximumPercent value and try again.";
    assert.deepEqual(messages(plan), [expected]);
    const again = reconcile(
      input({ service: stuckService, deployments: plan.deployments, tasks: [old("1"), old("2")], memory: plan.memory, now: at(30) }),
    );
    assert.deepEqual(messages(again), []);
  });

  test("counts: the PRIMARY wants the service's desired count, an old deployment what it has left", () => {
    const tasks = [old("1"), old("2"), young("3", { lastStatus: "PENDING", startedAt: undefined })];
    const plan = reconcile(input({ service: service({ desiredCount: 3 }), deployments: [fresh, completed], tasks }));
    const [primary, active] = plan.deployments;
    assert.deepEqual([primary!.desiredCount, primary!.pendingCount, primary!.runningCount], [3, 1, 0]);
    assert.deepEqual([active!.desiredCount, active!.runningCount], [2, 2]);
    assert.deepEqual(active!.taskDefinition, TD1);
  });
});
