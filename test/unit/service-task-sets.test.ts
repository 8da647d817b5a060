// The pure parts of task sets: computedDesiredCount's rounding, scheduling each set's tasks,
// the reconciler's EXTERNAL step, and the record changes the handlers apply.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { computedDesiredCount, checkScale, mergeTaskSetCounts, taskSetIdFromRef, type TaskSetRecord } from "../../src/domain/task-set.js";
import { withPrimary, withScale } from "../../src/domain/task-set-changes.js";
import { emptyMemory, reconcile, scheduleTaskSets, type ReconcileInput } from "../../src/scheduler/service/index.js";
import { T0, TD1, TD2, at, instanceArn, service, task } from "../support/service-world.js";

const SET_A = "ecs-svc/1111111111111111111";
const SET_B = "ecs-svc/2222222222222222222";

function taskSet(overrides: Partial<TaskSetRecord> = {}): TaskSetRecord {
  const id = overrides.id ?? SET_A;
  return {
    id,
    taskSetArn: `arn:aws:ecs:us-east-1:123456789012:task-set/default/web/${id}`,
    status: "ACTIVE",
    taskDefinition: TD1,
    scale: { value: 100, unit: "PERCENT" },
    computedDesiredCount: 0,
    pendingCount: 0,
    runningCount: 0,
    stabilityStatus: "STABILIZING",
    stabilityStatusAt: T0,
    createdAt: T0,
    updatedAt: T0,
    tags: [],
    ...overrides,
  };
}

const schedule = (
  sets: TaskSetRecord[],
  tasks: ReturnType<typeof task>[],
  desired: number,
  extra: { draining?: string[]; canLaunch?: boolean } = {},
) =>
  scheduleTaskSets({
    taskSets: sets,
    tasks,
    desired,
    drainingInstances: new Set(extra.draining ?? []),
    now: at(60),
    graceSeconds: 0,
    canLaunch: extra.canLaunch ?? true,
  });

describe("task sets: computed desired count", () => {
  test("desiredCount × scale %, always rounded up, without floating-point surprises", () => {
    assert.equal(computedDesiredCount(4, { value: 50 }), 2);
    assert.equal(computedDesiredCount(3, { value: 50 }), 2);
    assert.equal(computedDesiredCount(10, { value: 30 }), 3, "10 × 0.3 is 3.0000000000000004 in floating point");
    assert.equal(computedDesiredCount(10, { value: 12.5 }), 2, "1.25 rounds up to 2");
    assert.equal(computedDesiredCount(5, { value: 0 }), 0);
    assert.equal(computedDesiredCount(0, { value: 100 }), 0);
  });

  test("scale must be a percentage between 0 and 100; none means 0 %", () => {
    assert.deepEqual(checkScale(undefined), { value: 0, unit: "PERCENT" });
    assert.deepEqual(checkScale({ value: 12.5, unit: "PERCENT" }), { value: 12.5, unit: "PERCENT" });
    assert.throws(() => checkScale({ value: -1, unit: "PERCENT" }), { name: "InvalidParameterException" });
    assert.throws(() => checkScale({ value: 100.5, unit: "PERCENT" }), { name: "InvalidParameterException" });
  });

  test("a task set is named by its id or by its ARN in the same service", () => {
    assert.equal(taskSetIdFromRef(SET_A, "default", "web"), SET_A);
    assert.equal(taskSetIdFromRef(`arn:aws:ecs:us-east-1:123456789012:task-set/default/web/${SET_A}`, "default", "web"), SET_A);
    assert.equal(taskSetIdFromRef(`arn:aws:ecs:us-east-1:123456789012:task-set/default/other/${SET_A}`, "default", "web"), undefined);
  });
});

describe("task sets: scheduling", () => {
  test("each set starts its own computed count with its own task definition", () => {
    const plan = schedule(
      [
        taskSet({ scale: { value: 50, unit: "PERCENT" } }),
        taskSet({ id: SET_B, taskDefinition: TD2, scale: { value: 50, unit: "PERCENT" } }),
      ],
      [],
      3,
    );
    assert.deepEqual(plan.start, [
      { deploymentId: SET_A, taskDefinition: TD1, count: 2 },
      { deploymentId: SET_B, taskDefinition: TD2, count: 2 },
    ]);
    assert.deepEqual(
      plan.taskSets.map((s) => [s.computedDesiredCount, s.stabilityStatus]),
      [
        [2, "STABILIZING"],
        [2, "STABILIZING"],
      ],
    );
  });

  test("a set at its count with healthy tasks is STEADY_STATE, and stabilityStatusAt moves only on a change", () => {
    const tasks = [task("1", { deploymentId: SET_A }), task("2", { deploymentId: SET_A })];
    const plan = schedule([taskSet({ computedDesiredCount: 2 })], tasks, 2);
    assert.deepEqual(plan.start, []);
    assert.deepEqual(plan.stop, []);
    const [set] = plan.taskSets;
    assert.equal(set!.stabilityStatus, "STEADY_STATE");
    assert.equal(set!.runningCount, 2);
    assert.deepEqual(set!.stabilityStatusAt, at(60));
    const again = schedule(plan.taskSets, tasks, 2);
    assert.equal(again.taskSets[0], plan.taskSets[0], "nothing changed: the same record");
  });

  test("a set scaled down stops its surplus, pending ones first; scaled up it starts the difference", () => {
    const tasks = [
      task("1", { deploymentId: SET_A }),
      task("2", { deploymentId: SET_A }),
      task("3", { deploymentId: SET_A, lastStatus: "PENDING", startedAt: undefined }),
    ];
    const down = schedule([taskSet({ scale: { value: 50, unit: "PERCENT" } })], tasks, 2);
    assert.deepEqual(
      down.stop.map((s) => s.taskArn),
      [tasks[2]!.taskArn, tasks[1]!.taskArn],
    );
    assert.match(down.stop[0]!.reason, new RegExp(SET_A));
    const up = schedule([taskSet()], tasks, 5);
    assert.deepEqual(up.start, [{ deploymentId: SET_A, taskDefinition: TD1, count: 2 }]);
    assert.equal(up.taskSets[0]!.pendingCount, 1);
  });

  test("a failed task is replaced; an UNHEALTHY one and one on a DRAINING instance are stopped and replaced", () => {
    const tasks = [
      task("1", { deploymentId: SET_A, lastStatus: "STOPPED", desiredStatus: "STOPPED" }),
      task("2", { deploymentId: SET_A, hasHealthCheck: true, healthStatus: "UNHEALTHY" }),
      task("3", { deploymentId: SET_A, containerInstanceArn: instanceArn("d") }),
    ];
    const plan = schedule([taskSet()], tasks, 3, { draining: [instanceArn("d")] });
    assert.deepEqual(plan.unhealthy, [tasks[1]!.taskArn]);
    assert.deepEqual(plan.stop.map((s) => s.taskArn).sort(), [tasks[1]!.taskArn, tasks[2]!.taskArn].sort());
    assert.deepEqual(plan.start, [{ deploymentId: SET_A, taskDefinition: TD1, count: 3 }]);
  });

  test("a DRAINING set stops everything and is gone once no task of it is left", () => {
    const running = task("1", { deploymentId: SET_A });
    const draining = taskSet({ status: "DRAINING" });
    const first = schedule([draining], [running], 4);
    assert.deepEqual(
      first.stop.map((s) => s.taskArn),
      [running.taskArn],
    );
    assert.equal(first.taskSets.length, 1, "still DRAINING while its task stops");
    const stopping = schedule([draining], [{ ...running, desiredStatus: "STOPPED" }], 4);
    assert.equal(stopping.taskSets.length, 1, "its task is still present");
    const gone = schedule([draining], [{ ...running, desiredStatus: "STOPPED", lastStatus: "STOPPED" }], 4);
    assert.deepEqual(gone.taskSets, []);
  });

  test("tasks of no set are stopped; nothing starts while launches are held back", () => {
    const orphan = task("9", { deploymentId: "ecs-svc/9999999999999999999" });
    const plan = schedule([taskSet()], [orphan], 2, { canLaunch: false });
    assert.deepEqual(
      plan.stop.map((s) => s.taskArn),
      [orphan.taskArn],
    );
    assert.deepEqual(plan.start, []);
    assert.equal(plan.taskSets[0]!.stabilityStatus, "STABILIZING");
  });
});

describe("task sets: the reconciler's EXTERNAL step", () => {
  const input = (over: Partial<ReconcileInput>): ReconcileInput => ({
    service: service({ desiredCount: 2 }),
    deployments: [],
    tasks: [],
    instances: [],
    memory: emptyMemory(),
    now: at(60),
    nextDeploymentId: "ecs-svc/9000000000000000009",
    nextHookId: "ecs-pause-test",
    taskSets: [taskSet()],
    ...over,
  });

  test("with taskSets it plans the sets, sums their counts, and reports the steady state once", () => {
    const tasks = [task("1", { deploymentId: SET_A }), task("2", { deploymentId: SET_A }), task("3", { deploymentId: SET_B })];
    const plan = reconcile(input({ tasks, taskSets: [taskSet(), taskSet({ id: SET_B, scale: { value: 50, unit: "PERCENT" } })] }));
    assert.deepEqual(plan.deployments, []);
    assert.deepEqual(plan.start, []);
    assert.equal(plan.runningCount, 3);
    assert.equal(plan.desiredCount, 2);
    assert.deepEqual(
      plan.events.map((e) => e.message),
      ["(service web) has reached a steady state."],
    );
    const again = reconcile(input({ tasks, taskSets: plan.taskSets, memory: plan.memory }));
    assert.deepEqual(again.events, []);
  });

  test("a DRAINING service stops every set's tasks and goes INACTIVE when none is left", () => {
    const running = task("1", { deploymentId: SET_A });
    const draining = reconcile(input({ service: service({ status: "DRAINING", desiredCount: 0 }), tasks: [running] }));
    assert.deepEqual(
      draining.stop.map((s) => s.taskArn),
      [running.taskArn],
    );
    assert.equal(draining.serviceStatus, undefined);
    const done = reconcile(
      input({
        service: service({ status: "DRAINING", desiredCount: 0 }),
        tasks: [{ ...running, lastStatus: "STOPPED", desiredStatus: "STOPPED" }],
      }),
    );
    assert.equal(done.serviceStatus, "INACTIVE");
  });
});

describe("task sets: record changes", () => {
  test("UpdateServicePrimaryTaskSet: one PRIMARY, first; the previous one ACTIVE", () => {
    const sets = withPrimary([taskSet({ status: "PRIMARY" }), taskSet({ id: SET_B })], SET_B, at(5));
    assert.deepEqual(
      sets.map((s) => [s.id, s.status]),
      [
        [SET_B, "PRIMARY"],
        [SET_A, "ACTIVE"],
      ],
    );
  });

  test("UpdateTaskSet: a new scale computes a new count and stabilizes again", () => {
    const next = withScale(taskSet({ stabilityStatus: "STEADY_STATE", computedDesiredCount: 4 }), { value: 25, unit: "PERCENT" }, 4, at(9));
    assert.equal(next.computedDesiredCount, 1);
    assert.equal(next.stabilityStatus, "STABILIZING");
    assert.deepEqual(next.stabilityStatusAt, at(9));
  });

  test("the scheduler's counts merge into the stored sets without undoing what the API changed meanwhile", () => {
    const stored = [taskSet({ status: "PRIMARY", tags: [{ key: "k", value: "v" }] }), taskSet({ id: SET_B, status: "DRAINING" })];
    const scheduled = [taskSet({ runningCount: 2, computedDesiredCount: 2, stabilityStatus: "STEADY_STATE" })];
    const merged = mergeTaskSetCounts(stored, scheduled);
    assert.equal(merged.length, 1, "the DRAINING set the scheduler dropped is gone");
    assert.equal(merged[0]!.status, "PRIMARY");
    assert.deepEqual(merged[0]!.tags, [{ key: "k", value: "v" }]);
    assert.equal(merged[0]!.runningCount, 2);
    assert.equal(merged[0]!.stabilityStatus, "STEADY_STATE");
  });
});
