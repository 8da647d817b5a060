// Deployment strategies as CreateService/UpdateService accept them, on plain data: the
// defaults ECS fills, the merge of UpdateService's configuration over the stored one, and the
// shape rules of the strategies' settings and of advancedConfiguration.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { DeploymentConfiguration, LoadBalancer } from "@aws-sdk/client-ecs";
import {
  checkDeploymentStrategy,
  mergeDeploymentConfiguration,
  withStrategyDefaults,
  type StrategyTarget,
} from "../../src/domain/deployment-strategy.js";

const TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/blue/0123456789abcdef";
const ALT = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/green/fedcba9876543210";
const RULE = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee";
const TEST_RULE = RULE.replace(/[0-9a-f]{16}$/, "1111111111111111");
const ROLE = "arn:aws:iam::123456789012:role/ecs-infrastructure";

const advanced = { alternateTargetGroupArn: ALT, productionListenerRule: RULE, roleArn: ROLE };
const lb = (extra: Partial<LoadBalancer> = {}): LoadBalancer => ({
  targetGroupArn: TG,
  containerName: "app",
  containerPort: 80,
  advancedConfiguration: advanced,
  ...extra,
});
const replica = (loadBalancers: LoadBalancer[] = [lb()]): StrategyTarget => ({
  schedulingStrategy: "REPLICA",
  controller: "ECS",
  loadBalancers,
});

/** "accepted", or the message of the InvalidParameterException thrown. */
function outcome(config: DeploymentConfiguration | undefined, target: StrategyTarget): string {
  try {
    checkDeploymentStrategy(config, target);
    return "accepted";
  } catch (err) {
    assert.equal((err as Error).name, "InvalidParameterException");
    return (err as Error).message;
  }
}

describe("deployment strategies: defaults and merge", () => {
  test("ROLLING by default; LINEAR and CANARY get a bake time of 0 and their step defaults", () => {
    assert.deepEqual(withStrategyDefaults({}), { strategy: "ROLLING" });
    assert.deepEqual(withStrategyDefaults({ strategy: "BLUE_GREEN", bakeTimeInMinutes: 5 }), {
      strategy: "BLUE_GREEN",
      bakeTimeInMinutes: 5,
    });
    assert.deepEqual(withStrategyDefaults({ strategy: "LINEAR" }), {
      strategy: "LINEAR",
      bakeTimeInMinutes: 0,
      linearConfiguration: { stepPercent: 10, stepBakeTimeInMinutes: 6 },
    });
    assert.deepEqual(withStrategyDefaults({ strategy: "CANARY", bakeTimeInMinutes: 3, canaryConfiguration: { canaryPercent: 20 } }), {
      strategy: "CANARY",
      bakeTimeInMinutes: 3,
      canaryConfiguration: { canaryPercent: 20, canaryBakeTimeInMinutes: 10 },
    });
  });

  test("UpdateService's members replace the stored ones; a strategy's own settings go with it", () => {
    const linear = withStrategyDefaults({ strategy: "LINEAR", maximumPercent: 200 });
    assert.deepEqual(mergeDeploymentConfiguration(linear, { bakeTimeInMinutes: 9 }), { ...linear, bakeTimeInMinutes: 9 });
    assert.deepEqual(mergeDeploymentConfiguration(linear, { strategy: "CANARY" }), {
      strategy: "CANARY",
      maximumPercent: 200,
      bakeTimeInMinutes: 0,
    });
    assert.deepEqual(mergeDeploymentConfiguration(undefined, { strategy: "BLUE_GREEN" }), { strategy: "BLUE_GREEN" });
  });
});

describe("deployment strategies: what CreateService and UpdateService accept", () => {
  test("every strategy with what it needs", () => {
    assert.equal(outcome(undefined, replica([])), "accepted");
    assert.equal(outcome({ strategy: "ROLLING" }, replica([lb({ advancedConfiguration: undefined })])), "accepted");
    assert.equal(outcome({ strategy: "BLUE_GREEN", bakeTimeInMinutes: 0 }, replica()), "accepted");
    assert.equal(outcome({ strategy: "BLUE_GREEN", bakeTimeInMinutes: 1440 }, replica([])), "accepted", "headless blue/green");
    assert.equal(outcome({ strategy: "LINEAR", linearConfiguration: { stepPercent: 3, stepBakeTimeInMinutes: 0 } }, replica()), "accepted");
    assert.equal(outcome({ strategy: "LINEAR", linearConfiguration: { stepPercent: 33.3 } }, replica()), "accepted");
    assert.equal(
      outcome({ strategy: "CANARY", canaryConfiguration: { canaryPercent: 0.1, canaryBakeTimeInMinutes: 1440 } }, replica()),
      "accepted",
    );
    assert.equal(
      outcome({ strategy: "CANARY" }, replica([lb({ advancedConfiguration: { ...advanced, testListenerRule: TEST_RULE } })])),
      "accepted",
    );
  });

  test("the traffic-shifting strategies need the ECS controller and REPLICA", () => {
    const bg = { strategy: "BLUE_GREEN" as const, bakeTimeInMinutes: 1 };
    assert.match(
      outcome(bg, { ...replica(), controller: "EXTERNAL" }),
      /only supported for services that use the ECS deployment controller/,
    );
    assert.match(outcome(bg, { ...replica([]), schedulingStrategy: "DAEMON" }), /REPLICA scheduling strategy/);
    assert.equal(outcome({ strategy: "ROLLING" }, { ...replica([]), schedulingStrategy: "DAEMON" }), "accepted");
  });

  test("bake times", () => {
    assert.match(outcome({ strategy: "BLUE_GREEN" }, replica()), /bakeTimeInMinutes must be provided when you use the BLUE_GREEN/);
    for (const bakeTimeInMinutes of [-1, 1441, 1.5]) {
      assert.match(
        outcome({ strategy: "BLUE_GREEN", bakeTimeInMinutes }, replica()),
        /bakeTimeInMinutes must be an integer between 0 and 1440/,
      );
    }
    assert.match(outcome({ strategy: "LINEAR", linearConfiguration: { stepBakeTimeInMinutes: 1441 } }, replica()), /stepBakeTimeInMinutes/);
    assert.match(
      outcome({ strategy: "CANARY", canaryConfiguration: { canaryBakeTimeInMinutes: -1 } }, replica()),
      /canaryBakeTimeInMinutes/,
    );
  });

  test("step and canary percentages: ranges and tenths", () => {
    for (const stepPercent of [2.9, 100.1, 10.05]) {
      assert.match(
        outcome({ strategy: "LINEAR", linearConfiguration: { stepPercent } }, replica()),
        /stepPercent must be between 3.0 and 100.0/,
      );
    }
    for (const canaryPercent of [0, 100.5, 5.55]) {
      assert.match(
        outcome({ strategy: "CANARY", canaryConfiguration: { canaryPercent } }, replica()),
        /canaryPercent must be between 0.1 and 100.0/,
      );
    }
  });

  test("a strategy's settings only with that strategy", () => {
    assert.match(
      outcome({ strategy: "CANARY", linearConfiguration: {} }, replica()),
      /linearConfiguration can only be specified with the LINEAR/,
    );
    assert.match(outcome({ linearConfiguration: {} }, replica([])), /linearConfiguration can only be specified with the LINEAR/);
    assert.match(
      outcome({ strategy: "LINEAR", canaryConfiguration: {} }, replica()),
      /canaryConfiguration can only be specified with the CANARY/,
    );
  });

  test("advancedConfiguration: only with a traffic-shifting strategy, on every load balancer, complete", () => {
    assert.match(outcome(undefined, replica()), /advancedConfiguration can only be specified/);
    assert.match(outcome({ strategy: "ROLLING" }, replica()), /advancedConfiguration can only be specified/);
    assert.match(outcome({ strategy: "LINEAR" }, replica([])), /LINEAR deployment strategy requires a load balancer/);
    assert.match(outcome({ strategy: "CANARY" }, replica([])), /CANARY deployment strategy requires a load balancer/);
    assert.match(
      outcome({ strategy: "BLUE_GREEN", bakeTimeInMinutes: 0 }, replica([lb(), lb({ advancedConfiguration: undefined })])),
      /Each load balancer .* requires an advancedConfiguration/,
    );
    for (const field of ["alternateTargetGroupArn", "productionListenerRule", "roleArn"] as const) {
      const { [field]: _, ...rest } = advanced;
      assert.match(
        outcome({ strategy: "CANARY" }, replica([lb({ advancedConfiguration: rest })])),
        new RegExp(`advancedConfiguration.${field} is required`),
      );
    }
    assert.match(
      outcome({ strategy: "CANARY" }, replica([lb({ advancedConfiguration: { ...advanced, alternateTargetGroupArn: TG } })])),
      /must be different from the load balancer's targetGroupArn/,
    );
    assert.match(
      outcome({ strategy: "CANARY" }, replica([lb({ advancedConfiguration: { ...advanced, testListenerRule: RULE } })])),
      /testListenerRule must be different from productionListenerRule/,
    );
    assert.match(
      outcome({ strategy: "CANARY" }, replica([lb({ advancedConfiguration: { ...advanced, roleArn: "ecs-role" } })])),
      /not a valid IAM role ARN/,
    );
  });
});
