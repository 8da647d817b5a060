// ECS's deployment strategies (deploymentConfiguration.strategy) as CreateService and
// UpdateService accept them: ROLLING replaces tasks in place; BLUE_GREEN, LINEAR and CANARY
// bring up a whole new set of tasks beside the old and move traffic to it through the load
// balancers' listener rules, so they need an alternate target group and the rules to rewrite
// (each load balancer's advancedConfiguration). Pure checks and the defaults ECS fills.
import type { DeploymentConfiguration, LoadBalancer } from "@aws-sdk/client-ecs";
import { invalidParameter } from "./errors.js";

export type DeploymentStrategy = NonNullable<DeploymentConfiguration["strategy"]>;

/** The strategies that shift traffic between two sets of tasks. */
export const TRAFFIC_SHIFTING: readonly DeploymentStrategy[] = ["BLUE_GREEN", "LINEAR", "CANARY"];

export const shiftsTraffic = (strategy: string | undefined): boolean =>
  strategy !== undefined && (TRAFFIC_SHIFTING as readonly string[]).includes(strategy);

/** LinearConfiguration's and CanaryConfiguration's defaults, from the model. */
export const DEFAULT_LINEAR = { stepPercent: 10.0, stepBakeTimeInMinutes: 6 };
export const DEFAULT_CANARY = { canaryPercent: 5.0, canaryBakeTimeInMinutes: 10 };

const MAX_BAKE_MINUTES = 1440;

/** What a strategy is checked against: the service's kind and its load balancers after the change. */
export interface StrategyTarget {
  schedulingStrategy: "REPLICA" | "DAEMON";
  controller: string;
  loadBalancers: readonly LoadBalancer[];
}

/**
 * The stored configuration merged with UpdateService's: the given members replace the stored
 * ones; a strategy's own configuration does not outlive a change to another strategy.
 */
export function mergeDeploymentConfiguration(
  stored: DeploymentConfiguration | undefined,
  given: DeploymentConfiguration,
): DeploymentConfiguration {
  const switched = given.strategy !== undefined && given.strategy !== (stored?.strategy ?? "ROLLING");
  const { linearConfiguration, canaryConfiguration, ...kept } = stored ?? {};
  const carried = switched ? kept : { ...kept, linearConfiguration, canaryConfiguration };
  return dropUndefined({ ...carried, ...given });
}

/** ECS's defaults: ROLLING; a bake time of 0 and the step or canary defaults for LINEAR and CANARY. */
export function withStrategyDefaults(config: DeploymentConfiguration): DeploymentConfiguration {
  const strategy = config.strategy ?? "ROLLING";
  return {
    ...config,
    strategy,
    ...(strategy === "LINEAR" || strategy === "CANARY" ? { bakeTimeInMinutes: config.bakeTimeInMinutes ?? 0 } : {}),
    ...(strategy === "LINEAR" ? { linearConfiguration: { ...DEFAULT_LINEAR, ...dropUndefined(config.linearConfiguration ?? {}) } } : {}),
    ...(strategy === "CANARY" ? { canaryConfiguration: { ...DEFAULT_CANARY, ...dropUndefined(config.canaryConfiguration ?? {}) } } : {}),
  };
}

/** CreateService's and UpdateService's checks of the strategy, its settings and the load balancers it needs. */
export function checkDeploymentStrategy(config: DeploymentConfiguration | undefined, target: StrategyTarget): void {
  const strategy = config?.strategy ?? "ROLLING";
  if (shiftsTraffic(strategy)) {
    if (target.controller !== "ECS") {
      throw invalidParameter(`The ${strategy} deployment strategy is only supported for services that use the ECS deployment controller.`);
    }
    if (target.schedulingStrategy !== "REPLICA") {
      throw invalidParameter(
        `The ${strategy} deployment strategy is only supported for services that use the REPLICA scheduling strategy.`,
      );
    }
  }
  checkBakeTime(config, strategy);
  checkLinear(config, strategy);
  checkCanary(config, strategy);
  checkAdvancedConfigurations(strategy, target.loadBalancers);
}

function checkBakeTime(config: DeploymentConfiguration | undefined, strategy: string): void {
  const bake = config?.bakeTimeInMinutes;
  if (bake !== undefined && !inRange(bake, 0, MAX_BAKE_MINUTES)) {
    throw invalidParameter(`bakeTimeInMinutes must be an integer between 0 and ${MAX_BAKE_MINUTES}.`);
  }
  if (strategy === "BLUE_GREEN" && bake === undefined) {
    throw invalidParameter("bakeTimeInMinutes must be provided when you use the BLUE_GREEN deployment strategy.");
  }
}

function checkLinear(config: DeploymentConfiguration | undefined, strategy: string): void {
  const linear = config?.linearConfiguration;
  if (!linear) return;
  if (strategy !== "LINEAR") throw invalidParameter("linearConfiguration can only be specified with the LINEAR deployment strategy.");
  if (linear.stepPercent !== undefined && !(linear.stepPercent >= 3 && linear.stepPercent <= 100 && tenths(linear.stepPercent))) {
    throw invalidParameter("linearConfiguration.stepPercent must be between 3.0 and 100.0, in multiples of 0.1.");
  }
  if (linear.stepBakeTimeInMinutes !== undefined && !inRange(linear.stepBakeTimeInMinutes, 0, MAX_BAKE_MINUTES)) {
    throw invalidParameter(`linearConfiguration.stepBakeTimeInMinutes must be an integer between 0 and ${MAX_BAKE_MINUTES}.`);
  }
}

function checkCanary(config: DeploymentConfiguration | undefined, strategy: string): void {
  const canary = config?.canaryConfiguration;
  if (!canary) return;
  if (strategy !== "CANARY") throw invalidParameter("canaryConfiguration can only be specified with the CANARY deployment strategy.");
  const percent = canary.canaryPercent;
  if (percent !== undefined && !(percent >= 0.1 && percent <= 100 && tenths(percent))) {
    throw invalidParameter("canaryConfiguration.canaryPercent must be between 0.1 and 100.0, in multiples of 0.1.");
  }
  if (canary.canaryBakeTimeInMinutes !== undefined && !inRange(canary.canaryBakeTimeInMinutes, 0, MAX_BAKE_MINUTES)) {
    throw invalidParameter(`canaryConfiguration.canaryBakeTimeInMinutes must be an integer between 0 and ${MAX_BAKE_MINUTES}.`);
  }
}

const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+/;

/**
 * The load balancers a strategy needs, as given: ROLLING uses none of advancedConfiguration;
 * LINEAR and CANARY shift traffic in steps, so they need a load balancer to shift it on;
 * BLUE_GREEN may run without one (nothing to shift), but every load balancer it has is
 * switched, so each needs its alternate group and rules.
 */
export function checkAdvancedConfigurations(strategy: string, lbs: readonly LoadBalancer[]): void {
  if (!shiftsTraffic(strategy)) {
    if (lbs.some((lb) => lb.advancedConfiguration)) {
      throw invalidParameter(
        "advancedConfiguration can only be specified for a load balancer of a service that uses the BLUE_GREEN, LINEAR or CANARY deployment strategy.",
      );
    }
    return;
  }
  if (strategy !== "BLUE_GREEN" && lbs.length === 0) {
    throw invalidParameter(`The ${strategy} deployment strategy requires a load balancer with an advancedConfiguration.`);
  }
  for (const lb of lbs) {
    const advanced = lb.advancedConfiguration;
    if (!advanced) {
      throw invalidParameter(
        `Each load balancer of a service that uses the ${strategy} deployment strategy requires an advancedConfiguration.`,
      );
    }
    for (const field of ["alternateTargetGroupArn", "productionListenerRule", "roleArn"] as const) {
      if (!advanced[field]) throw invalidParameter(`advancedConfiguration.${field} is required.`);
    }
    if (advanced.alternateTargetGroupArn === lb.targetGroupArn) {
      throw invalidParameter("advancedConfiguration.alternateTargetGroupArn must be different from the load balancer's targetGroupArn.");
    }
    if (advanced.testListenerRule !== undefined && advanced.testListenerRule === advanced.productionListenerRule) {
      throw invalidParameter("advancedConfiguration.testListenerRule must be different from productionListenerRule.");
    }
    if (!IAM_ROLE_ARN.test(advanced.roleArn!))
      throw invalidParameter(`advancedConfiguration.roleArn ${advanced.roleArn} is not a valid IAM role ARN.`);
  }
}

const inRange = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;

/** Whether `n` is a multiple of 0.1, as far as a double can say. */
const tenths = (n: number) => Math.abs(n * 10 - Math.round(n * 10)) < 1e-9;

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
