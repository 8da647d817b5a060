// PAUSE lifecycle hooks of rolling deployments, in the pure reconciler: where a deployment
// pauses (PRE_SCALE_UP before any new task, POST_SCALE_UP with the new tasks up and the old
// ones held), what a continued hook lets through, what a timeout decides, which
// configurations CreateService/UpdateService accept.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DeploymentConfiguration, DeploymentLifecycleHookTimeoutConfiguration } from "@aws-sdk/client-ecs";
import { checkLifecycleHooks, newPauseHookId, resolveHook, type DeploymentLifecycle } from "../../src/domain/lifecycle-hooks.js";
import { reconcile } from "../../src/scheduler/service/index.js";
import {
  DEP1,
  DEP2,
  TD1,
  TD2,
  World,
  at,
  deployment,
  input,
  primaryOf,
  service,
  started,
  stoppedArns,
  task,
} from "../support/service-world.js";

const hooks = (stages: string[], timeout?: DeploymentLifecycleHookTimeoutConfiguration) =>
  ({
    lifecycleHooks: [{ targetType: "PAUSE", lifecycleStages: stages, ...(timeout ? { timeoutConfiguration: timeout } : {}) }],
  }) as DeploymentConfiguration;

/** DEP1's two healthy tasks, DEP2 the new PRIMARY that replaces them. */
function rollout(config: DeploymentConfiguration, lifecycle?: DeploymentLifecycle, dep2Tasks = 0, now = at(100)) {
  const tasks = [task("old1"), task("old2")];
  for (let i = 0; i < dep2Tasks; i++) tasks.push(task(`new${i}`, { deploymentId: DEP2, startedAt: at(0) }));
  return reconcile(
    input({
      service: service({ deploymentConfiguration: config }),
      deployments: [
        deployment({ id: DEP2, taskDefinition: TD2, ...(lifecycle ? { lifecycle } : {}) }),
        deployment({ id: DEP1, status: "ACTIVE", rolloutState: "COMPLETED" }),
      ],
      tasks,
      now,
    }),
  );
}

describe("PAUSE lifecycle hooks: the reconciler", () => {
  test("PRE_SCALE_UP: nothing of the new revision starts and no old task stops until the hook is continued", () => {
    const free = rollout({});
    assert.equal(started(free), 2, "without a hook the new tasks start");
    const plan = rollout(hooks(["PRE_SCALE_UP"]));
    assert.equal(started(plan), 0);
    assert.deepEqual(stoppedArns(plan), []);
    const lc = primaryOf(plan).lifecycle!;
    assert.equal(lc.stage, "PRE_SCALE_UP");
    assert.equal(lc.hooks.length, 1);
    const hook = lc.hooks[0]!;
    assert.match(hook.hookId, /^ecs-pause-[A-Za-z0-9_-]{43}$/);
    assert.equal(hook.status, "AWAITING_ACTION");
    // ECS's defaults: 24 hours, then roll back.
    assert.equal(hook.timeoutAction, "ROLLBACK");
    assert.equal(hook.expiresAt.getTime(), at(100).getTime() + 1440 * 60_000);
    assert.equal(plan.wakeAt?.getTime(), hook.expiresAt.getTime());

    // Still paused a while later, with the same hook.
    const later = rollout(hooks(["PRE_SCALE_UP"]), lc, 0, at(5000));
    assert.equal(started(later), 0);
    assert.deepEqual(primaryOf(later).lifecycle, lc);

    const continued = rollout(hooks(["PRE_SCALE_UP"]), resolveHook(lc, hook.hookId, "SUCCEEDED"), 0, at(5000));
    assert.equal(started(continued), 2);
    assert.equal(primaryOf(continued).lifecycle!.stage, "SCALE_UP");
    assert.equal(primaryOf(continued).lifecycle!.hooks[0]!.status, "SUCCEEDED");
  });

  test("POST_SCALE_UP: the new tasks are up, the old ones are held until the hook is continued", () => {
    const scaling: DeploymentLifecycle = { stage: "SCALE_UP", hooks: [] };
    const free = rollout({ lifecycleHooks: [] }, scaling, 2);
    assert.equal(stoppedArns(free).length, 2, "without a hook the old tasks go");
    // Not yet up: the new tasks are still starting, so SCALE_UP goes on.
    const starting = reconcile(
      input({
        service: service({ deploymentConfiguration: hooks(["POST_SCALE_UP"]) }),
        deployments: [deployment({ id: DEP2, taskDefinition: TD2, lifecycle: scaling }), deployment({ id: DEP1, status: "ACTIVE" })],
        tasks: [task("old1"), task("old2"), task("new0", { deploymentId: DEP2, lastStatus: "PROVISIONING", startedAt: undefined })],
      }),
    );
    assert.equal(primaryOf(starting).lifecycle!.stage, "SCALE_UP");
    assert.equal(started(starting), 1);
    // One new task up while its sibling still starts: no older task goes before the hook is asked.
    const halfway = (config: DeploymentConfiguration) =>
      reconcile(
        input({
          service: service({ deploymentConfiguration: config }),
          deployments: [deployment({ id: DEP2, taskDefinition: TD2, lifecycle: scaling }), deployment({ id: DEP1, status: "ACTIVE" })],
          tasks: [
            task("old1"),
            task("old2"),
            task("new0", { deploymentId: DEP2, startedAt: at(0) }),
            task("new1", { deploymentId: DEP2, lastStatus: "PROVISIONING", startedAt: undefined }),
          ],
          now: at(100),
        }),
      );
    assert.deepEqual(stoppedArns(halfway(hooks(["POST_SCALE_UP"]))), []);
    assert.equal(primaryOf(halfway(hooks(["POST_SCALE_UP"]))).lifecycle!.stage, "SCALE_UP");
    assert.equal(stoppedArns(halfway({ lifecycleHooks: [] })).length, 1, "without the hook one older task may go");

    const plan = rollout(hooks(["POST_SCALE_UP"]), scaling, 2);
    assert.deepEqual(stoppedArns(plan), []);
    const lc = primaryOf(plan).lifecycle!;
    assert.equal(lc.stage, "POST_SCALE_UP");
    assert.equal(lc.hooks[0]!.status, "AWAITING_ACTION");
    assert.equal(primaryOf(plan).rolloutState, "IN_PROGRESS");

    const continued = rollout(hooks(["POST_SCALE_UP"]), resolveHook(lc, lc.hooks[0]!.hookId, "SUCCEEDED"), 2);
    assert.equal(stoppedArns(continued).length, 2);
    assert.equal(primaryOf(continued).lifecycle!.stage, "CLEAN_UP");
  });

  test("a timeout takes the hook's action: CONTINUE goes on, ROLLBACK asks the loop to roll back", () => {
    const paused = (action: "CONTINUE" | "ROLLBACK"): DeploymentLifecycle => ({
      stage: "PRE_SCALE_UP",
      hooks: [
        {
          hookId: newPauseHookId(new Uint8Array(32)),
          stage: "PRE_SCALE_UP",
          status: "AWAITING_ACTION",
          expiresAt: at(60),
          timeoutAction: action,
        },
      ],
    });
    const config = hooks(["PRE_SCALE_UP"], { timeoutInMinutes: 1, action: "CONTINUE" });
    const early = rollout(config, paused("CONTINUE"), 0, at(59));
    assert.equal(started(early), 0);
    assert.equal(early.wakeAt?.getTime(), at(60).getTime());

    const cont = rollout(config, paused("CONTINUE"), 0, at(60));
    assert.equal(primaryOf(cont).lifecycle!.hooks[0]!.status, "TIMED_OUT");
    assert.equal(started(cont), 2);
    assert.equal(cont.hookRollback, undefined);

    const back = rollout(config, paused("ROLLBACK"), 0, at(61));
    assert.equal(primaryOf(back).lifecycle!.hooks[0]!.status, "TIMED_OUT");
    assert.equal(back.hookRollback, DEP2);
    assert.equal(started(back), 0);
    assert.ok(back.wakeAt && back.wakeAt.getTime() <= at(61).getTime(), "the loop runs again to act on the rollback");
  });

  test("RECONCILE_SERVICE comes first when more than one older revision is still ACTIVE", () => {
    const dep0 = "ecs-svc/3000000000000000003";
    const plan = reconcile(
      input({
        service: service({ deploymentConfiguration: hooks(["RECONCILE_SERVICE", "PRE_SCALE_UP"]) }),
        deployments: [
          deployment({ id: DEP2, taskDefinition: TD2 }),
          deployment({ id: DEP1, status: "ACTIVE" }),
          deployment({ id: dep0, status: "ACTIVE" }),
        ],
        tasks: [task("old1"), task("old0", { deploymentId: dep0 })],
      }),
    );
    assert.equal(primaryOf(plan).lifecycle!.stage, "RECONCILE_SERVICE");
    assert.equal(started(plan), 0);
  });

  test("a service's first deployment and a rollback run no hooks", () => {
    const first = reconcile(input({ service: service({ deploymentConfiguration: hooks(["PRE_SCALE_UP"]) }) }));
    assert.equal(started(first), 2);
    assert.equal(primaryOf(first).lifecycle, undefined);
    const rollback = reconcile(
      input({
        service: service({ deploymentConfiguration: hooks(["PRE_SCALE_UP"]) }),
        deployments: [
          deployment({ id: DEP2, taskDefinition: TD1, skipHooks: true }),
          deployment({ id: DEP1, status: "ACTIVE", taskDefinition: TD2 }),
        ],
        tasks: [task("x1"), task("x2")],
      }),
    );
    assert.equal(started(rollback), 2);
  });

  test("a whole rollout pauses twice and completes once both hooks are continued", () => {
    const world = new World({ desiredCount: 2, deploymentConfiguration: hooks(["PRE_SCALE_UP", "POST_SCALE_UP"]) });
    world.run(10);
    assert.ok(world.steady, "the first deployment runs no hooks");
    world.deploy(TD2);
    const step = () => {
      const before = world.now.getTime();
      const r = world.step();
      // An idle step jumps to the plan's wake, a paused hook's expiry a day away: keep the clock where a person answers.
      if (world.now.getTime() - before > 60_000) world.now = new Date(before + 5000);
      return r;
    };
    const awaiting = () => world.primary.lifecycle?.hooks.find((h) => h.status === "AWAITING_ACTION");
    const cont = () => {
      world.deployments = world.deployments.map((d) =>
        d.id === world.primary.id ? { ...d, lifecycle: resolveHook(d.lifecycle!, awaiting()!.hookId, "SUCCEEDED") } : d,
      );
    };
    for (let i = 0; i < 5; i++) step();
    assert.equal(awaiting()?.stage, "PRE_SCALE_UP");
    assert.equal(world.tasks.filter((t) => t.taskDefinition === TD2).length, 0);
    assert.equal(
      world.tasks.filter((t) => t.taskDefinition === TD1 && t.lastStatus === "RUNNING" && t.desiredStatus === "RUNNING").length,
      2,
    );
    cont();
    for (let i = 0; i < 10 && !awaiting(); i++) step();
    for (let i = 0; i < 3; i++) step();
    assert.equal(awaiting()?.stage, "POST_SCALE_UP");
    assert.equal(world.tasks.filter((t) => t.taskDefinition === TD2 && t.lastStatus === "RUNNING").length, 2);
    assert.equal(world.tasks.filter((t) => t.taskDefinition === TD1 && t.desiredStatus === "RUNNING").length, 2, "old tasks held");
    assert.equal(world.primary.rolloutState, "IN_PROGRESS");
    cont();
    for (let i = 0; i < 20 && !world.steady; i++) step();
    assert.ok(world.steady);
    assert.equal(world.primary.taskDefinition, TD2);
    assert.deepEqual(
      world.primary.lifecycle!.hooks.map((h) => [h.stage, h.status]),
      [
        ["PRE_SCALE_UP", "SUCCEEDED"],
        ["POST_SCALE_UP", "SUCCEEDED"],
      ],
    );
  });
});

describe("PAUSE lifecycle hooks: what CreateService and UpdateService accept", () => {
  const replica = { schedulingStrategy: "REPLICA" as const, controller: "ECS" };
  const code = (fn: () => void) => {
    try {
      fn();
      return "accepted";
    } catch (err) {
      return (err as { name?: string; code?: string }).code ?? (err as Error).name;
    }
  };
  test("PAUSE hooks at a rolling deployment's stages are accepted", () => {
    assert.equal(
      code(() => checkLifecycleHooks(hooks(["RECONCILE_SERVICE", "PRE_SCALE_UP", "POST_SCALE_UP"]), replica)),
      "accepted",
    );
    assert.equal(
      code(() => checkLifecycleHooks({ strategy: "ROLLING", ...hooks(["PRE_SCALE_UP"], { timeoutInMinutes: 20160 }) }, replica)),
      "accepted",
    );
  });
  test("Lambda hooks with a function and a role, and every stage for the traffic-shifting strategies, are accepted", () => {
    const lambda = (hook: Record<string, unknown>) =>
      ({ lifecycleHooks: [{ lifecycleStages: ["PRE_SCALE_UP"], ...hook }] }) as DeploymentConfiguration;
    const fn = "arn:aws:lambda:us-east-1:123456789012:function:f";
    const role = "arn:aws:iam::123456789012:role/hooks";
    assert.equal(
      code(() => checkLifecycleHooks(lambda({ hookTargetArn: fn, roleArn: role }), replica)),
      "accepted",
    );
    assert.equal(
      code(() => checkLifecycleHooks(lambda({ hookTargetArn: `${fn}:live`, roleArn: role, targetType: "AWS_LAMBDA" }), replica)),
      "accepted",
    );
    assert.equal(
      code(() => checkLifecycleHooks(lambda({ roleArn: role }), replica)),
      "InvalidParameterException",
    );
    assert.equal(
      code(() => checkLifecycleHooks(lambda({ hookTargetArn: fn }), replica)),
      "InvalidParameterException",
    );
    assert.equal(
      code(() => checkLifecycleHooks(lambda({ hookTargetArn: "arn:aws:sns:us-east-1:123456789012:t", roleArn: role }), replica)),
      "InvalidParameterException",
    );
    assert.equal(
      code(() => checkLifecycleHooks(lambda({ targetType: "PAUSE", hookTargetArn: fn }), replica)),
      "InvalidParameterException",
    );
    for (const strategy of ["BLUE_GREEN", "LINEAR", "CANARY"] as const) {
      assert.equal(
        code(() =>
          checkLifecycleHooks(
            { strategy, ...hooks(["RECONCILE_SERVICE", "TEST_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT"]) },
            replica,
          ),
        ),
        "accepted",
      );
    }
  });
  test("rolling deployments' other stages, DAEMON, other controllers and bad timeouts are refused", () => {
    assert.equal(
      code(() => checkLifecycleHooks(hooks(["POST_TEST_TRAFFIC_SHIFT"]), replica)),
      "InvalidParameterException",
    );
    assert.equal(
      code(() => checkLifecycleHooks(hooks([]), replica)),
      "InvalidParameterException",
    );
    assert.equal(
      code(() => checkLifecycleHooks(hooks(["PRE_SCALE_UP"]), { schedulingStrategy: "DAEMON", controller: "ECS" })),
      "InvalidParameterException",
    );
    assert.equal(
      code(() => checkLifecycleHooks(hooks(["PRE_SCALE_UP"]), { ...replica, controller: "EXTERNAL" })),
      "InvalidParameterException",
    );
    assert.equal(
      code(() => checkLifecycleHooks(hooks(["PRE_SCALE_UP"], { timeoutInMinutes: 20161 }), replica)),
      "InvalidParameterException",
    );
  });
});
