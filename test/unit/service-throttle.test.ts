// The service throttle: consecutive launch failures space out launch attempts (up to 27
// minutes), ECS's event says so once, and a running task or a new deployment ends it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { THROTTLE_MAX_DELAY_MS, type ReconcilerMemory, emptyMemory, launchDelayMs, reconcile } from "../../src/scheduler/service/index.js";
import { DEP1, DEP2, TD2, at, deployment, failedTask, input, instanceArn, messages, started, task } from "../support/service-world.js";

const THROTTLED = "(service web) is unable to consistently start tasks successfully.";
const memory = (overrides: Partial<ReconcilerMemory> = {}): ReconcilerMemory => ({ ...emptyMemory(), primaryId: DEP1, ...overrides });

describe("throttle", () => {
  test("the delay grows exponentially after three failures and stops at 27 minutes", () => {
    assert.deepEqual([0, 1, 2].map(launchDelayMs), [0, 0, 0]);
    assert.deepEqual([3, 4, 5].map(launchDelayMs), [10_000, 20_000, 40_000]);
    assert.equal(launchDelayMs(50), THROTTLE_MAX_DELAY_MS);
    assert.equal(THROTTLE_MAX_DELAY_MS, 27 * 60 * 1000);
  });

  test("two failures in a row are retried at once", () => {
    const plan = reconcile(input({ tasks: [failedTask("1"), failedTask("2")], memory: memory() }));
    assert.equal(started(plan), 2);
    assert.equal(plan.memory.launchFailures, 2);
    assert.ok(!messages(plan).includes(THROTTLED));
  });

  test("the third failure holds launches back, says so once and asks to be woken", () => {
    const tasks = [failedTask("1"), failedTask("2"), failedTask("3")];
    const plan = reconcile(input({ tasks, memory: memory(), now: at(10) }));
    assert.equal(started(plan), 0);
    assert.ok(messages(plan).includes(THROTTLED));
    assert.deepEqual(plan.wakeAt, at(20));
    const waiting = reconcile(input({ tasks, memory: plan.memory, deployments: plan.deployments, now: at(15) }));
    assert.equal(started(waiting), 0);
    assert.deepEqual(messages(waiting), []);
    const retry = reconcile(input({ tasks, memory: waiting.memory, deployments: waiting.deployments, now: at(20) }));
    assert.equal(started(retry), 2);
    assert.ok(!messages(retry).includes(THROTTLED), "not repeated while the cause lasts");
  });

  test("a task that reaches RUNNING ends the throttle", () => {
    const throttled = memory({ launchFailures: 5, nextLaunchAt: at(1000).getTime(), seenStopped: [] });
    const plan = reconcile(input({ tasks: [task("ok", { startedAt: at(9) })], memory: throttled, now: at(10) }));
    assert.equal(plan.memory.launchFailures, 0);
    assert.equal(started(plan), 1);
  });

  test("tasks that stop after running past the startup window do not throttle", () => {
    const exited = ["1", "2", "3", "4"].map((id) =>
      task(id, {
        lastStatus: "STOPPED",
        desiredStatus: "STOPPED",
        stopCode: "EssentialContainerExited",
        startedAt: at(-30),
        stoppedAt: at(5),
      }),
    );
    const plan = reconcile(input({ tasks: exited, memory: memory() }));
    assert.equal(plan.memory.launchFailures, 0);
    assert.equal(started(plan), 2);
  });

  test("a new deployment returns the service to normal", () => {
    const throttled = memory({ launchFailures: 9, nextLaunchAt: at(1000).getTime() });
    const fresh = deployment({ id: DEP2, taskDefinition: TD2 });
    const plan = reconcile(input({ deployments: [fresh], memory: throttled }));
    assert.equal(plan.memory.launchFailures, 0);
    assert.equal(started(plan), 2);
  });

  test("tasks the loop could not place count as launch failures", () => {
    const unplaced = [
      { deploymentId: DEP1, count: 3, failures: [{ arn: instanceArn("a"), reason: "RESOURCE:CPU" as const }], noContainerInstances: false },
    ];
    const plan = reconcile(input({ unplaced, memory: memory() }));
    assert.equal(plan.memory.launchFailures, 3);
    assert.equal(started(plan), 0);
    assert.ok(messages(plan).includes(THROTTLED));
    assert.match(messages(plan)[0]!, /has insufficient CPU units available\./);
  });
});
