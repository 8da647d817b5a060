// Blue/green, linear and canary deployments in the pure reconciler, on the simulated cluster:
// green comes up beside blue in the other target group, test then production traffic moves
// to it as the strategy says, blue goes after the bake time; hooks hold stages; a failed
// green hands traffic back to blue, whose tasks never stopped.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DeploymentConfiguration, LoadBalancer } from "@aws-sdk/client-ecs";
import { resolveHook } from "../../src/domain/lifecycle-hooks.js";
import { withForwardWeights } from "../../src/domain/elbv2/weights.js";
import type { Plan, RuleTraffic } from "../../src/scheduler/service/index.js";
import { ruleTraffic, shareWeights } from "../../src/scheduler/service/traffic.js";
import { nextShift } from "../../src/scheduler/service/traffic-shift.js";
import { TD2, World, deployment } from "../support/service-world.js";

const ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012";
const BLUE_TG = `${ARN}:targetgroup/blue/0000000000000001`;
const GREEN_TG = `${ARN}:targetgroup/green/0000000000000002`;
const PROD = `${ARN}:listener-rule/app/web/00000000000000aa/00000000000000bb/00000000000000c1`;
const TEST = `${ARN}:listener-rule/app/web/00000000000000aa/00000000000000bd/00000000000000c2`;
const LBS: LoadBalancer[] = [
  {
    targetGroupArn: BLUE_TG,
    containerName: "web",
    containerPort: 80,
    advancedConfiguration: {
      alternateTargetGroupArn: GREEN_TG,
      productionListenerRule: PROD,
      testListenerRule: TEST,
      roleArn: "arn:aws:iam::123456789012:role/ecsInfrastructureRole",
    },
  },
];

/** A settled service of two tasks on TD1 with `config`, then UpdateService to TD2. */
function updated(config: DeploymentConfiguration): World {
  const world = new World({ deploymentConfiguration: config, loadBalancers: LBS });
  world.run(6);
  assert.ok(world.steady, "the first deployment settles");
  world.deploy(TD2);
  return world;
}

const weightsOf = (plan: Plan, rule: string) =>
  Object.fromEntries(
    (plan.traffic ?? []).find((t: RuleTraffic) => t.ruleArn === rule)!.targetGroups.map((g) => [g.targetGroupArn, g.weight]),
  );
const tasksOf = (world: World, deploymentId: string) =>
  world.tasks.filter((t) => t.deploymentId === deploymentId && t.lastStatus !== "STOPPED");

describe("blue/green deployments: the reconciler", () => {
  test("BLUE_GREEN: green comes up in the alternate group, then takes test and all production traffic; blue goes", () => {
    const world = updated({ strategy: "BLUE_GREEN", bakeTimeInMinutes: 0 });
    const blue = world.deployments.find((d) => d.status === "ACTIVE")!.id;
    const green = world.primary.id;
    const blueArns = tasksOf(world, blue).map((t) => t.taskArn);

    const first = world.step();
    assert.equal(first.plan.start[0]?.count, 2, "green is brought up to the desired count at once");
    assert.deepEqual(world.primary.targetGroupArns, [GREEN_TG]);
    assert.deepEqual(weightsOf(first.plan, PROD), { [BLUE_TG]: 100, [GREEN_TG]: 0 });
    assert.deepEqual(weightsOf(first.plan, TEST), { [BLUE_TG]: 100, [GREEN_TG]: 0 });
    assert.equal(first.after.counted, 4, "beside blue, whatever maximumPercent says");

    // Green is up: everything shifts in one run (no bake time), and blue's tasks are stopped.
    const shifted = world.step();
    assert.deepEqual(weightsOf(shifted.plan, PROD), { [BLUE_TG]: 0, [GREEN_TG]: 100 });
    assert.deepEqual(weightsOf(shifted.plan, TEST), { [BLUE_TG]: 0, [GREEN_TG]: 100 });
    assert.equal(world.primary.lifecycle?.stage, "CLEAN_UP");
    assert.equal(shifted.plan.stop.length, 2);
    assert.deepEqual(shifted.plan.stop.map((s) => s.taskArn).sort(), [...blueArns].sort(), "blue's tasks, and only those");
    assert.ok(world.events.some((m) => m.includes(`(deployment ${green}) is now receiving 100% of test traffic`)));
    assert.ok(world.events.some((m) => m.includes(`(deployment ${green}) is now receiving 100.0% of production traffic`)));

    world.run(3);
    assert.ok(world.steady);
    assert.equal(world.primary.id, green);
    assert.equal(world.primary.rolloutState, "COMPLETED");
    assert.equal(tasksOf(world, blue).length, 0);
  });

  test("the next deployment goes to the group the last one left: groups alternate", () => {
    const world = updated({ strategy: "BLUE_GREEN", bakeTimeInMinutes: 0 });
    world.run(6);
    assert.ok(world.steady);
    world.deploy("arn:aws:ecs:us-east-1:123456789012:task-definition/web:3");
    const plan = world.step().plan;
    assert.deepEqual(world.primary.targetGroupArns, [BLUE_TG]);
    assert.deepEqual(weightsOf(plan, PROD), { [BLUE_TG]: 0, [GREEN_TG]: 100 }, "production stays on the green group until the shift");
    world.run(6);
    assert.ok(world.steady);
  });

  test("CANARY: the canary share for its bake time, then the rest; blue stays through the bake time", () => {
    const world = updated({
      strategy: "CANARY",
      bakeTimeInMinutes: 2,
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 5 },
    });
    const blue = world.deployments.find((d) => d.status === "ACTIVE")!.id;
    world.step();
    const stepAt = world.now.getTime();
    const canary = world.step();
    assert.deepEqual(weightsOf(canary.plan, PROD), { [BLUE_TG]: 900, [GREEN_TG]: 100 });
    assert.equal(world.primary.lifecycle?.stage, "PRODUCTION_TRAFFIC_SHIFT");
    const bakeEnds = canary.plan.wakeAt!.getTime();
    assert.equal(bakeEnds, stepAt + 5 * 60_000);
    // Nothing is left to do before the canary bake ends: the loop sleeps until then.
    assert.equal(world.now.getTime(), bakeEnds);
    const all = world.step();
    assert.deepEqual(weightsOf(all.plan, PROD), { [BLUE_TG]: 0, [GREEN_TG]: 100 });
    assert.equal(world.primary.lifecycle?.stage, "BAKE_TIME");
    assert.equal(tasksOf(world, blue).length, 2, "blue runs through the bake time");
    world.run(4);
    assert.equal(tasksOf(world, blue).length, 0);
    assert.ok(world.steady);
  });

  test("LINEAR: equal steps with a bake between each", () => {
    const world = updated({ strategy: "LINEAR", linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 1 } });
    const seen: number[] = [];
    for (let i = 0; i < 30 && !world.steady; i++) {
      const { plan } = world.step();
      const green = weightsOf(plan, PROD)[GREEN_TG]!;
      if (seen.at(-1) !== green) seen.push(green);
    }
    assert.deepEqual(seen, [0, 250, 500, 750, 100]);
    assert.ok(world.steady);
  });

  test("a PAUSE hook after the test traffic shift holds production traffic on blue until continued", () => {
    const world = updated({
      strategy: "BLUE_GREEN",
      bakeTimeInMinutes: 0,
      lifecycleHooks: [{ targetType: "PAUSE", lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"] }],
    });
    world.step();
    const held = world.step();
    assert.equal(world.primary.lifecycle?.stage, "POST_TEST_TRAFFIC_SHIFT");
    assert.deepEqual(weightsOf(held.plan, TEST), { [BLUE_TG]: 0, [GREEN_TG]: 100 });
    assert.deepEqual(weightsOf(held.plan, PROD), { [BLUE_TG]: 100, [GREEN_TG]: 0 });
    const hook = world.primary.lifecycle.hooks[0]!;
    assert.equal(hook.status, "AWAITING_ACTION");
    world.step();
    assert.equal(world.primary.lifecycle?.stage, "POST_TEST_TRAFFIC_SHIFT", "still held");
    world.deployments = world.deployments.map((d) =>
      d.id === world.primary.id ? { ...d, lifecycle: resolveHook(d.lifecycle!, hook.hookId, "SUCCEEDED") } : d,
    );
    const through = world.step();
    assert.deepEqual(weightsOf(through.plan, PROD), { [BLUE_TG]: 0, [GREEN_TG]: 100 });
    world.run(3);
    assert.ok(world.steady);
  });

  test("an AWS_LAMBDA hook is not run, and an event says so once", () => {
    const fn = "arn:aws:lambda:us-east-1:123456789012:function:check";
    const world = updated({
      strategy: "BLUE_GREEN",
      bakeTimeInMinutes: 0,
      lifecycleHooks: [
        { targetType: "AWS_LAMBDA", hookTargetArn: fn, roleArn: "arn:aws:iam::123456789012:role/hooks", lifecycleStages: ["PRE_SCALE_UP"] },
      ],
    });
    world.run(5);
    const notRun = world.events.filter((m) => m.includes(`did not run the lifecycle hook ${fn} at PRE_SCALE_UP`));
    assert.equal(notRun.length, 1);
    assert.ok(world.steady, "the deployment goes on");
  });

  test("the circuit breaker's rollback gives traffic back to blue, whose tasks still run", () => {
    const world = updated({
      strategy: "BLUE_GREEN",
      bakeTimeInMinutes: 0,
      deploymentCircuitBreaker: { enable: true, rollback: true },
    });
    world.behaviours[TD2] = { failToStart: 1 };
    const blue = world.deployments.find((d) => d.status === "ACTIVE")!.id;
    const blueTasks = tasksOf(world, blue).map((t) => t.taskArn);
    let last: Plan | undefined;
    for (let i = 0; i < 40 && world.primary.id !== blue; i++) last = world.step().plan;
    assert.equal(world.primary.id, blue, "blue is the PRIMARY again");
    assert.ok(world.events.some((m) => m.includes(`rolling back to deployment ${blue}`)));
    assert.deepEqual(weightsOf(last!, PROD), { [BLUE_TG]: 100, [GREEN_TG]: 0 });
    world.run(6);
    assert.ok(world.steady);
    assert.deepEqual(
      tasksOf(world, blue).map((t) => t.taskArn),
      blueTasks,
      "the same blue tasks: none was stopped or started",
    );
  });
});

describe("blue/green deployments: weights", () => {
  test("shares in tenths of a percent as ALB weights", () => {
    assert.deepEqual(shareWeights(0), { blue: 100, green: 0 });
    assert.deepEqual(shareWeights(50), { blue: 950, green: 50 });
    assert.deepEqual(shareWeights(999), { blue: 1, green: 999 });
    assert.deepEqual(shareWeights(1000), { blue: 0, green: 100 });
    assert.equal(nextShift({ strategy: "CANARY" }, 0), 50, "5% by default");
    assert.equal(nextShift({ strategy: "CANARY", canaryConfiguration: { canaryPercent: 0.1 } }, 0), 1);
    assert.equal(nextShift({ strategy: "LINEAR" }, 900), 1000, "10% steps by default, capped at all");
    assert.equal(nextShift({ strategy: "BLUE_GREEN" }, 0), 1000);
  });

  test("a completed deployment takes all traffic of its own group", () => {
    const done = deployment({ rolloutState: "COMPLETED", targetGroupArns: [GREEN_TG] });
    assert.deepEqual(ruleTraffic(LBS, [done]), [
      {
        ruleArn: PROD,
        targetGroups: [
          { targetGroupArn: BLUE_TG, weight: 0 },
          { targetGroupArn: GREEN_TG, weight: 100 },
        ],
      },
      {
        ruleArn: TEST,
        targetGroups: [
          { targetGroupArn: BLUE_TG, weight: 0 },
          { targetGroupArn: GREEN_TG, weight: 100 },
        ],
      },
    ]);
    assert.deepEqual(ruleTraffic([{ targetGroupArn: BLUE_TG, containerName: "web", containerPort: 80 }], [done]), []);
  });

  test("a rule's forward action gets the weights; an NLB's switches to the heavier group; unchanged is no write", () => {
    const actions = [{ Type: "forward" as const, TargetGroupArn: BLUE_TG, Order: 1 }];
    const split = withForwardWeights(
      actions,
      [
        { targetGroupArn: BLUE_TG, weight: 900 },
        { targetGroupArn: GREEN_TG, weight: 100 },
      ],
      false,
    )!;
    assert.deepEqual(split[0]!.ForwardConfig?.TargetGroups, [
      { TargetGroupArn: BLUE_TG, Weight: 900 },
      { TargetGroupArn: GREEN_TG, Weight: 100 },
    ]);
    assert.equal(split[0]!.TargetGroupArn, undefined);
    assert.equal(split[0]!.Order, 1);
    assert.equal(
      withForwardWeights(
        split,
        [
          { targetGroupArn: BLUE_TG, weight: 900 },
          { targetGroupArn: GREEN_TG, weight: 100 },
        ],
        false,
      ),
      undefined,
    );
    const nlb = withForwardWeights(
      actions,
      [
        { targetGroupArn: BLUE_TG, weight: 0 },
        { targetGroupArn: GREEN_TG, weight: 100 },
      ],
      true,
    )!;
    assert.equal(nlb[0]!.TargetGroupArn, GREEN_TG);
    assert.deepEqual(nlb[0]!.ForwardConfig?.TargetGroups, [{ TargetGroupArn: GREEN_TG, Weight: 1 }]);
    assert.equal(withForwardWeights([{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "200" } }], [], false), undefined);
  });
});
