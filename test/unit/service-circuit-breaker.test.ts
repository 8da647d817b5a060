// The deployment circuit breaker: its threshold, counting failed launches and failed health
// checks, resetting on a healthy task, failing the deployment exactly at the threshold, and
// rolling back to the last completed deployment.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DeploymentCircuitBreaker } from "@aws-sdk/client-ecs";
import { type ReconcilerMemory, emptyMemory, failureThreshold, reconcile } from "../../src/scheduler/service/index.js";
import {
  DEP1,
  DEP2,
  NEXT,
  TD1,
  TD2,
  at,
  deployment,
  failedTask,
  input,
  messages,
  primaryOf,
  service,
  started,
  task,
} from "../support/service-world.js";

const breaker = (overrides: Partial<DeploymentCircuitBreaker> = {}): DeploymentCircuitBreaker => ({
  enable: true,
  rollback: true,
  ...overrides,
});

describe("circuit breaker threshold", () => {
  // The developer guide's table (desired 1 → minimum, 25 → 13 rounded up, 400 and 800 → 200), with today's minimum of 3.
  const cases: [number, number][] = [
    [0, 3],
    [1, 3],
    [6, 3],
    [7, 4],
    [25, 13],
    [400, 200],
    [800, 200],
  ];
  for (const [desired, threshold] of cases) {
    test(`desired ${desired} → ${threshold}`, () => assert.equal(failureThreshold(desired, breaker()), threshold));
  }
  test("a COUNT threshold is the value itself; UNBOUNDED_PERCENT has no bounds", () => {
    assert.equal(failureThreshold(100, breaker({ thresholdConfiguration: { type: "COUNT", value: 7 } })), 7);
    assert.equal(failureThreshold(1000, breaker({ thresholdConfiguration: { type: "UNBOUNDED_PERCENT", value: 50 } })), 500);
    assert.equal(failureThreshold(2, breaker({ thresholdConfiguration: { type: "UNBOUNDED_PERCENT", value: 50 } })), 1);
  });
});

describe("circuit breaker", () => {
  const completed = deployment({ status: "ACTIVE", rolloutState: "COMPLETED", createdAt: at(-100) });
  const fresh = deployment({ id: DEP2, taskDefinition: TD2, createdAt: at(0) });
  const memory: ReconcilerMemory = { ...emptyMemory(), lastCompleted: { id: DEP1, taskDefinition: TD1 }, primaryId: DEP2 };
  const spec = (cb = breaker()) =>
    service({ deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: cb } });
  const oldTasks = [task("o1", { createdAt: at(-50) }), task("o2", { createdAt: at(-50) })];
  const failures = (n: number) => Array.from({ length: n }, (_, i) => failedTask(`f${i}`, { deploymentId: DEP2, stoppedAt: at(i + 1) }));

  test("below the threshold the deployment stays IN_PROGRESS and counts its failures", () => {
    const plan = reconcile(input({ service: spec(), deployments: [fresh, completed], tasks: [...oldTasks, ...failures(2)], memory }));
    assert.equal(primaryOf(plan).id, DEP2);
    assert.equal(primaryOf(plan).failedTasks, 2);
    assert.equal(primaryOf(plan).rolloutState, "IN_PROGRESS");
  });

  test("at the threshold the deployment fails and the last completed one comes back as a new PRIMARY", () => {
    const plan = reconcile(input({ service: spec(), deployments: [fresh, completed], tasks: [...oldTasks, ...failures(4)], memory }));
    const failed = plan.deployments.find((d) => d.id === DEP2)!;
    assert.deepEqual(
      { status: failed.status, rolloutState: failed.rolloutState, reason: failed.rolloutStateReason, failedTasks: failed.failedTasks },
      // No task of it is left, so it is INACTIVE at once (with tasks it would be ACTIVE until they stop).
      { status: "INACTIVE", rolloutState: "FAILED", reason: "ECS deployment circuit breaker: tasks failed to start.", failedTasks: 3 },
    );
    const primary = primaryOf(plan);
    assert.deepEqual(
      { id: primary.id, taskDefinition: primary.taskDefinition, rolloutState: primary.rolloutState, reason: primary.rolloutStateReason },
      {
        id: NEXT,
        taskDefinition: TD1,
        rolloutState: "IN_PROGRESS",
        reason: `ECS deployment circuit breaker: rolling back to deploymentId ${DEP1}.`,
      },
    );
    assert.deepEqual(messages(plan).slice(0, 2), [
      `(service web) (deployment ${DEP2}) deployment failed: tasks failed to start.`,
      `(service web) rolling back to deployment ${DEP1}.`,
    ]);
    assert.deepEqual(plan.start, [{ deploymentId: NEXT, taskDefinition: TD1, count: 2 }]);
    assert.equal(plan.memory.primaryId, NEXT);
  });

  test("without rollback the failed deployment stays PRIMARY and launches nothing more", () => {
    const plan = reconcile(
      input({ service: spec(breaker({ rollback: false })), deployments: [fresh, completed], tasks: [...oldTasks, ...failures(3)], memory }),
    );
    assert.equal(primaryOf(plan).id, DEP2);
    assert.equal(primaryOf(plan).rolloutState, "FAILED");
    assert.equal(started(plan), 0);
    assert.deepEqual(plan.stop, [], "the old deployment's tasks stay");
  });

  test("disabled, it only counts", () => {
    const plan = reconcile(
      input({ service: spec(breaker({ enable: false })), deployments: [fresh, completed], tasks: [...oldTasks, ...failures(9)], memory }),
    );
    assert.equal(primaryOf(plan).rolloutState, "IN_PROGRESS");
    assert.equal(primaryOf(plan).failedTasks, 9);
  });

  test("a task that reaches a healthy state resets the count, unless resetOnHealthyTask is false", () => {
    // Without a health check a task is healthy once it stayed up through the 10 s startup window.
    const healthy = task("h", { deploymentId: DEP2, createdAt: at(-6), startedAt: at(-5) });
    const tasks = [...oldTasks, ...failures(2), healthy];
    assert.equal(primaryOf(reconcile(input({ service: spec(), deployments: [fresh, completed], tasks, memory }))).failedTasks, 0);
    const earlier = [...oldTasks, ...failures(2), { ...healthy, startedAt: at(-20) }];
    assert.equal(
      primaryOf(reconcile(input({ service: spec(), deployments: [fresh, completed], tasks: earlier, memory }))).failedTasks,
      2,
      "failures after it still count",
    );
    const cumulative = spec(breaker({ resetOnHealthyTask: false }));
    assert.equal(primaryOf(reconcile(input({ service: cumulative, deployments: [fresh, completed], tasks, memory }))).failedTasks, 2);
  });

  test("a task that crashes right after reaching RUNNING counts as failed to start", () => {
    const crashed = (id: string, i: number) =>
      task(id, {
        deploymentId: DEP2,
        lastStatus: "STOPPED",
        desiredStatus: "STOPPED",
        stopCode: "EssentialContainerExited",
        startedAt: at(i),
        stoppedAt: at(i + 1),
      });
    const plan = reconcile(
      input({ service: spec(), deployments: [fresh, completed], tasks: [...oldTasks, crashed("c1", 1), crashed("c2", 3)], memory }),
    );
    assert.equal(primaryOf(plan).failedTasks, 2);
  });

  test("each failure counts once, across runs", () => {
    const first = reconcile(input({ service: spec(), deployments: [fresh, completed], tasks: [...oldTasks, ...failures(2)], memory }));
    const second = reconcile(
      input({ service: spec(), deployments: first.deployments, tasks: [...oldTasks, ...failures(2)], memory: first.memory, now: at(20) }),
    );
    assert.equal(primaryOf(second).failedTasks, 2);
  });

  test("tasks stopped for failed health checks count (stage 2)", () => {
    const sick = (id: string) =>
      task(id, {
        deploymentId: DEP2,
        lastStatus: "STOPPED",
        desiredStatus: "STOPPED",
        stopCode: "ServiceSchedulerInitiated",
        stoppedReason: "Task failed container health checks",
        stoppedAt: at(3),
      });
    const plan = reconcile(
      input({ service: spec(), deployments: [fresh, completed], tasks: [...oldTasks, sick("s1"), sick("s2")], memory }),
    );
    assert.equal(primaryOf(plan).failedTasks, 2);
  });

  test("a rollback that fails is not rolled back again", () => {
    const rollback = deployment({
      id: DEP2,
      taskDefinition: TD1,
      createdAt: at(0),
      rolloutStateReason: `ECS deployment circuit breaker: rolling back to deploymentId ${DEP1}.`,
    });
    const plan = reconcile(input({ service: spec(), deployments: [rollback], tasks: failures(3), memory }));
    assert.equal(primaryOf(plan).id, DEP2);
    assert.equal(primaryOf(plan).rolloutState, "FAILED");
  });

  test("with no completed deployment to go back to, the deployment just fails", () => {
    const plan = reconcile(
      input({ service: spec(), deployments: [fresh], tasks: failures(3), memory: { ...emptyMemory(), primaryId: DEP2 } }),
    );
    assert.equal(primaryOf(plan).rolloutState, "FAILED");
    assert.equal(plan.deployments.length, 1);
  });

  test("a completed deployment is no longer watched", () => {
    const done = deployment({ id: DEP2, taskDefinition: TD2, rolloutState: "COMPLETED" });
    const plan = reconcile(
      input({ service: spec(), deployments: [done], tasks: [task("a", { deploymentId: DEP2 }), ...failures(5)], memory }),
    );
    assert.equal(primaryOf(plan).rolloutState, "COMPLETED");
  });
});
