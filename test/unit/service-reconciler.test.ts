// The service reconciler, REPLICA rules one by one: keep desired tasks, replace stopped and
// unhealthy ones, scale in, drain instances, delete the service, the steady state and its
// events, placement failures, ids and the Task adapter.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  HEALTH_CHECK_STOP_REASON,
  emptyMemory,
  newDeploymentId,
  observeTask,
  reconcile,
  scalingActivityReason,
  startedTasksMessage,
  stoppedTasksMessage,
} from "../../src/scheduler/service/index.js";
import {
  DEP1,
  TD1,
  at,
  deployment,
  failedTask,
  input,
  instance,
  instanceArn,
  messages,
  mulberry32,
  primaryOf,
  service,
  started,
  stoppedArns,
  task,
  taskArn,
} from "../support/service-world.js";

describe("service reconciler: REPLICA", () => {
  test("a new service starts desiredCount tasks of its PRIMARY deployment", () => {
    const plan = reconcile(input({ service: service({ desiredCount: 3 }) }));
    assert.deepEqual(plan.start, [{ deploymentId: DEP1, taskDefinition: TD1, count: 3 }]);
    assert.deepEqual(plan.stop, []);
    assert.equal(primaryOf(plan).desiredCount, 3);
    assert.equal(plan.desiredCount, 3);
  });

  test("pending and running tasks of the PRIMARY count toward desired", () => {
    const tasks = [task("1"), task("2", { lastStatus: "PENDING", startedAt: undefined })];
    const plan = reconcile(input({ service: service({ desiredCount: 3 }), tasks }));
    assert.equal(started(plan), 1);
    assert.deepEqual([primaryOf(plan).runningCount, primaryOf(plan).pendingCount], [1, 1]);
    assert.deepEqual([plan.runningCount, plan.pendingCount], [1, 1]);
  });

  test("a task that stopped for any reason is replaced", () => {
    const exited = task("2", { lastStatus: "STOPPED", desiredStatus: "STOPPED", stopCode: "EssentialContainerExited", stoppedAt: at(5) });
    const plan = reconcile(input({ tasks: [task("1"), exited] }));
    assert.equal(started(plan), 1);
  });

  test("a task asked to stop still counts until it has stopped: its replacement starts within the maximum", () => {
    const stopping = task("2", { desiredStatus: "STOPPED", lastStatus: "DEACTIVATING" });
    // max 200% of 2: room for two more beside the two not yet stopped.
    const roomy = reconcile(input({ tasks: [task("1"), stopping] }));
    assert.equal(started(roomy), 1);
    assert.deepEqual(roomy.stop, [], "it is not stopped a second time");
    assert.deepEqual([roomy.runningCount, primaryOf(roomy).runningCount], [2, 2], "it still shows as running");
    // max 100% of 2: its replacement waits until it has stopped.
    const tight = service({ deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 100 } });
    const waiting = reconcile(input({ service: tight, tasks: [task("1"), stopping] }));
    assert.equal(started(waiting), 0);
    assert.deepEqual(messages(waiting), [], "waiting for a stop is not a stuck deployment");
    const gone = { ...stopping, lastStatus: "STOPPED", stoppedAt: at(9) };
    assert.equal(started(reconcile(input({ service: tight, tasks: [task("1"), gone] }))), 1);
  });

  test("scale-in to 0: the tasks count as running until they have stopped, and no steady state before", () => {
    const zero = service({ desiredCount: 0 });
    const plan = reconcile(input({ service: zero, tasks: [task("1"), task("2")] }));
    assert.equal(plan.stop.length, 2);
    assert.deepEqual([plan.desiredCount, plan.runningCount], [0, 2], "services-stable keeps waiting");
    const stopping = [task("1", { desiredStatus: "STOPPED" }), task("2", { desiredStatus: "STOPPED" })];
    const waiting = reconcile(input({ service: zero, tasks: stopping, deployments: plan.deployments, memory: plan.memory, now: at(20) }));
    assert.equal(waiting.runningCount, 2);
    assert.ok(!messages(waiting).some((m) => m.endsWith("has reached a steady state.")));
    const stopped = stopping.map((t) => ({ ...t, lastStatus: "STOPPED", stoppedAt: at(25) }));
    const done = reconcile(input({ service: zero, tasks: stopped, deployments: waiting.deployments, memory: waiting.memory, now: at(30) }));
    assert.equal(done.runningCount, 0);
    assert.ok(messages(done).includes("(service web) has reached a steady state."));
  });

  test("scale-in stops the least useful tasks first: pending, then newest", () => {
    const tasks = [
      task("1", { createdAt: at(1) }),
      task("2", { createdAt: at(2) }),
      task("3", { createdAt: at(3) }),
      task("4", { lastStatus: "PENDING", startedAt: undefined, createdAt: at(0) }),
    ];
    const plan = reconcile(input({ service: service({ desiredCount: 2 }), tasks }));
    assert.deepEqual(stoppedArns(plan), [taskArn("4"), taskArn("3")]);
    assert.equal(plan.stop[0]!.reason, scalingActivityReason(DEP1));
    assert.ok(messages(plan).includes(stoppedTasksMessage("web", [taskArn("4"), taskArn("3")])));
  });

  test("an UNHEALTHY task past the grace period is stopped and replaced", () => {
    const sick = task("2", { hasHealthCheck: true, healthStatus: "UNHEALTHY", startedAt: at(0) });
    const plan = reconcile(input({ tasks: [task("1"), sick], service: service({ healthCheckGracePeriodSeconds: 5 }), now: at(10) }));
    assert.deepEqual(plan.stop, [{ taskArn: taskArn("2"), reason: HEALTH_CHECK_STOP_REASON }]);
    assert.equal(started(plan), 1);
    assert.deepEqual(messages(plan), [
      `(service web) (task ${"2".padStart(32, "0")}) failed container health checks.`,
      `(service web) has stopped 1 running tasks: (task ${"2".padStart(32, "0")}).`,
    ]);
  });

  test("inside the grace period an UNHEALTHY task is left alone and the loop is woken at its end", () => {
    const sick = task("2", { hasHealthCheck: true, healthStatus: "UNHEALTHY", startedAt: at(0) });
    const plan = reconcile(input({ tasks: [task("1"), sick], service: service({ healthCheckGracePeriodSeconds: 60 }), now: at(10) }));
    assert.deepEqual(plan.stop, []);
    assert.equal(started(plan), 0);
    assert.deepEqual(plan.wakeAt, at(60));
  });

  test("a task whose health is still UNKNOWN is kept but does not complete the deployment", () => {
    const unsure = task("2", { hasHealthCheck: true, healthStatus: "UNKNOWN" });
    const plan = reconcile(input({ tasks: [task("1"), unsure] }));
    assert.deepEqual([plan.start, plan.stop], [[], []]);
    assert.equal(primaryOf(plan).rolloutState, "IN_PROGRESS");
  });
});

describe("service reconciler: steady state", () => {
  const steadyInput = (now = at(10), memory = emptyMemory()) => input({ tasks: [task("1"), task("2")], now, memory });

  test("the deployment completes, then the service reports a steady state", () => {
    const plan = reconcile(steadyInput());
    assert.equal(primaryOf(plan).rolloutState, "COMPLETED");
    assert.equal(primaryOf(plan).rolloutStateReason, `ECS deployment ${DEP1} completed.`);
    assert.deepEqual(primaryOf(plan).updatedAt, at(10));
    assert.deepEqual(messages(plan), [
      `(service web) (deployment ${DEP1}) deployment completed.`,
      "(service web) has reached a steady state.",
    ]);
    assert.deepEqual(plan.memory.lastCompleted, { id: DEP1, taskDefinition: TD1 });
  });

  test("the steady state is not repeated on every run, but again after six hours", () => {
    const first = reconcile(steadyInput());
    const deployments = first.deployments;
    const again = reconcile({ ...steadyInput(at(3600), first.memory), deployments });
    assert.deepEqual(messages(again), []);
    assert.deepEqual(again.wakeAt, at(10 + 6 * 3600));
    const later = reconcile({ ...steadyInput(at(10 + 6 * 3600), again.memory), deployments });
    assert.deepEqual(messages(later), ["(service web) has reached a steady state."]);
  });

  test("leaving the steady state and coming back reports it again at once", () => {
    const first = reconcile(steadyInput());
    const scaled = reconcile({
      ...steadyInput(at(20), first.memory),
      deployments: first.deployments,
      service: service({ desiredCount: 3 }),
    });
    assert.equal(started(scaled), 1);
    const back = reconcile({
      ...input({ tasks: [task("1"), task("2"), task("3")], service: service({ desiredCount: 3 }), now: at(30) }),
      memory: scaled.memory,
      deployments: scaled.deployments,
    });
    assert.deepEqual(messages(back), ["(service web) has reached a steady state."]);
  });
});

describe("service reconciler: draining instances and DeleteService", () => {
  const draining = instance("d", { status: "DRAINING" });
  const ok = instance("a");

  test("a task on a DRAINING instance is replaced first, and stopped once the replacement is healthy", () => {
    const tasks = [task("1", { containerInstanceArn: ok.arn }), task("2", { containerInstanceArn: draining.arn })];
    const first = reconcile(input({ tasks, instances: [ok, draining] }));
    assert.equal(started(first), 1);
    assert.deepEqual(first.stop, []);
    const replacement = task("3", { containerInstanceArn: ok.arn, createdAt: at(11) });
    const second = reconcile(
      input({
        tasks: [...tasks, replacement],
        instances: [ok, draining],
        memory: first.memory,
        deployments: first.deployments,
        now: at(20),
      }),
    );
    assert.deepEqual(stoppedArns(second), [taskArn("2")]);
    assert.equal(started(second), 0);
  });

  test("a DRAINING service stops every task, and is INACTIVE once none is left", () => {
    const tasks = [task("1"), task("2", { lastStatus: "PENDING", startedAt: undefined })];
    const plan = reconcile(input({ service: service({ status: "DRAINING" }), tasks }));
    assert.deepEqual(stoppedArns(plan).sort(), [taskArn("1"), taskArn("2")].sort());
    assert.equal(plan.serviceStatus, undefined);
    assert.equal(plan.desiredCount, 0);
    const stopping = tasks.map((t) => ({ ...t, desiredStatus: "STOPPED" }));
    assert.equal(reconcile(input({ service: service({ status: "DRAINING" }), tasks: stopping })).serviceStatus, undefined);
    const gone = stopping.map((t) => ({ ...t, lastStatus: "STOPPED", stoppedAt: at(9) }));
    assert.equal(reconcile(input({ service: service({ status: "DRAINING" }), tasks: gone })).serviceStatus, "INACTIVE");
  });

  test("an INACTIVE service is left alone", () => {
    const plan = reconcile(input({ service: service({ status: "INACTIVE" }), tasks: [task("1")] }));
    assert.deepEqual([plan.start, plan.stop, plan.events], [[], [], []]);
  });
});

describe("service reconciler: placement failures", () => {
  test("tasks the loop could not place are reported once, in ECS's words", () => {
    const unplaced = [
      {
        deploymentId: DEP1,
        count: 2,
        failures: [{ arn: instanceArn("a1"), reason: "RESOURCE:MEMORY" as const }],
        noContainerInstances: false,
      },
    ];
    const plan = reconcile(input({ unplaced }));
    const expected =
      `(service web) was unable to place a task because no container instance met all of its requirements. ` +
      `The closest matching (container-instance ${"a1".padStart(32, "0")}) has insufficient memory available. ` +
      "For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.";
    assert.deepEqual(messages(plan), [expected]);
    const again = reconcile(input({ unplaced, memory: plan.memory, now: at(20) }));
    assert.ok(!messages(again).includes(expected));
  });

  test("with no instance at all the reason says so", () => {
    const plan = reconcile(input({ unplaced: [{ deploymentId: DEP1, count: 1, failures: [], noContainerInstances: true }] }));
    assert.match(messages(plan)[0]!, /Reason: No Container Instances were found in your cluster\./);
  });
});

describe("service reconciler: helpers", () => {
  test("deployment ids are ecs-svc/ and 19 digits below 2^63", () => {
    const rng = mulberry32(7);
    for (let i = 0; i < 200; i++) {
      const id = newDeploymentId(rng);
      assert.match(id, /^ecs-svc\/[1-8]\d{18}$/);
      assert.ok(BigInt(id.slice(8)) < 2n ** 63n);
    }
  });

  test("started and stopped task events list task ids", () => {
    assert.equal(
      startedTasksMessage("web", ["arn:aws:ecs:r:1:task/c/1a2b", "3c4d"]),
      "(service web) has started 2 tasks: (task 1a2b) (task 3c4d).",
    );
    assert.equal(stoppedTasksMessage("web", ["9f"]), "(service web) has stopped 1 running tasks: (task 9f).");
  });

  test("observeTask reads an ECS Task", () => {
    const observed = observeTask(
      {
        taskArn: taskArn("1"),
        startedBy: DEP1,
        lastStatus: "RUNNING",
        desiredStatus: "RUNNING",
        healthStatus: "HEALTHY",
        createdAt: at(1),
        startedAt: at(2),
        containerInstanceArn: instanceArn("a"),
      },
      true,
    );
    assert.equal(observed.deploymentId, DEP1);
    assert.equal(observed.hasHealthCheck, true);
    assert.equal(observeTask({ taskArn: taskArn("2"), startedBy: "me" }, false).deploymentId, undefined);
  });

  test("a failed launch is not confused with a task the scheduler stopped before it started", () => {
    const plan = reconcile(
      input({
        tasks: [
          failedTask("1"),
          task("2", {
            lastStatus: "STOPPED",
            desiredStatus: "STOPPED",
            startedAt: undefined,
            stopCode: "ServiceSchedulerInitiated",
            stoppedAt: at(2),
          }),
        ],
      }),
    );
    assert.equal(primaryOf(plan).failedTasks, 1);
  });

  test("deployments come back PRIMARY first, with ACTIVE ones after", () => {
    const old = deployment({ id: "ecs-svc/3000000000000000003", status: "ACTIVE", rolloutState: "COMPLETED", createdAt: at(-100) });
    const plan = reconcile(input({ deployments: [old, deployment({ createdAt: at(0) })], tasks: [task("9", { deploymentId: old.id })] }));
    assert.deepEqual(
      plan.deployments.map((d) => d.status),
      ["PRIMARY", "ACTIVE"],
    );
  });
});
