// Deployment lifecycle hooks: which configurations CreateService and UpdateService accept, and
// the pause state a deployment record keeps (which stage it is at, the hooks it has paused at).
// PAUSE hooks ("Pause hooks for Amazon ECS service deployments") are berth's to run. AWS_LAMBDA
// hooks are accepted as ECS accepts them, so that a configuration made for AWS works here; berth
// runs no Lambda function, and the scheduler says so in a service event at each such hook.
import type {
  DeploymentConfiguration,
  DeploymentLifecycleHook,
  DeploymentLifecycleHookAction,
  DeploymentLifecycleHookStage,
  DeploymentLifecycleHookStatus,
  ServiceDeploymentLifecycleStage,
} from "@aws-sdk/client-ecs";
import { invalidParameter } from "./errors.js";

/** The stages a rolling deployment passes that a hook may be configured at (the traffic-shift stages are blue/green's). */
export const ROLLING_HOOK_STAGES = ["RECONCILE_SERVICE", "PRE_SCALE_UP", "POST_SCALE_UP"] as const;
export type RollingHookStage = (typeof ROLLING_HOOK_STAGES)[number];

/** Every DeploymentLifecycleHookStage: the traffic-shifting strategies pass them all. */
export const HOOK_STAGES = [
  ...ROLLING_HOOK_STAGES,
  "TEST_TRAFFIC_SHIFT",
  "POST_TEST_TRAFFIC_SHIFT",
  "PRE_PRODUCTION_TRAFFIC_SHIFT",
  "PRODUCTION_TRAFFIC_SHIFT",
  "POST_PRODUCTION_TRAFFIC_SHIFT",
] as const;
export type HookStage = (typeof HOOK_STAGES)[number];

/** A Lambda function's ARN, unqualified or with a version or alias. */
const LAMBDA_FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]{1,128})?$/;

/** DeploymentLifecycleHookTimeoutConfiguration's defaults: 24 hours, then roll back. */
export const DEFAULT_HOOK_TIMEOUT_MINUTES = 1440;
export const DEFAULT_HOOK_TIMEOUT_ACTION: DeploymentLifecycleHookAction = "ROLLBACK";
const MAX_HOOK_TIMEOUT_MINUTES = 20160;

export interface PauseHookRecord {
  /** "ecs-pause-" + 43 URL-safe base64 characters (32 random bytes). */
  hookId: string;
  stage: DeploymentLifecycleHookStage;
  /** AWAITING_ACTION until continued (SUCCEEDED), rolled back (FAILED) or timed out (TIMED_OUT). */
  status: DeploymentLifecycleHookStatus;
  expiresAt: Date;
  timeoutAction: DeploymentLifecycleHookAction;
}

/** Where a deployment record is in its lifecycle, and the pauses it has made; persisted with the record. */
export interface DeploymentLifecycle {
  stage: ServiceDeploymentLifecycleStage;
  hooks: PauseHookRecord[];
  /** The hook stages whose AWS_LAMBDA hooks the service's events have said were not run. */
  reported?: DeploymentLifecycleHookStage[];
}

export interface PauseHookConfig {
  timeoutMinutes: number;
  timeoutAction: DeploymentLifecycleHookAction;
}

export const newPauseHookId = (randomBytes: Uint8Array): string => `ecs-pause-${Buffer.from(randomBytes).toString("base64url")}`;

/** The PAUSE hook configured at `stage`, with its timeout defaults applied; the first one if several name it. */
export function pauseHookAt(config: DeploymentConfiguration | undefined, stage: string): PauseHookConfig | undefined {
  const hook = config?.lifecycleHooks?.find((h) => h.targetType === "PAUSE" && (h.lifecycleStages ?? []).some((s) => s === stage));
  if (!hook) return undefined;
  return {
    timeoutMinutes: hook.timeoutConfiguration?.timeoutInMinutes ?? DEFAULT_HOOK_TIMEOUT_MINUTES,
    timeoutAction: hook.timeoutConfiguration?.action ?? DEFAULT_HOOK_TIMEOUT_ACTION,
  };
}

/** The Lambda functions of the AWS_LAMBDA hooks configured at `stage` (the model's default target type). */
export function lambdaHooksAt(config: DeploymentConfiguration | undefined, stage: string): string[] {
  return (config?.lifecycleHooks ?? [])
    .filter((h) => (h.targetType ?? "AWS_LAMBDA") === "AWS_LAMBDA" && (h.lifecycleStages ?? []).some((s) => s === stage))
    .map((h) => h.hookTargetArn ?? "");
}

export const hasLifecycleHooks = (config: DeploymentConfiguration | undefined) => (config?.lifecycleHooks ?? []).length > 0;

/**
 * CreateService/UpdateService's lifecycleHooks, in the configuration the service will have:
 * the stages its strategy passes; a Lambda function and a role for AWS_LAMBDA hooks, neither
 * target for PAUSE. `target` says what the service is: hooks gate the ECS controller's REPLICA
 * deployments only.
 */
export function checkLifecycleHooks(
  config: DeploymentConfiguration | undefined,
  target: { schedulingStrategy: "REPLICA" | "DAEMON"; controller: string },
): void {
  const hooks = config?.lifecycleHooks ?? [];
  if (hooks.length === 0) return;
  if (target.controller !== "ECS")
    throw invalidParameter("Lifecycle hooks are only supported for services that use the ECS deployment controller.");
  if (target.schedulingStrategy === "DAEMON") {
    throw invalidParameter("Lifecycle hooks are not supported for services that use the DAEMON scheduling strategy.");
  }
  const strategy = config?.strategy ?? "ROLLING";
  const stages: readonly string[] = strategy === "ROLLING" ? ROLLING_HOOK_STAGES : HOOK_STAGES;
  for (const hook of hooks) {
    checkHookTarget(hook);
    if (!hook.lifecycleStages?.length) throw invalidParameter("lifecycleStages must contain at least one lifecycle stage.");
    for (const stage of hook.lifecycleStages) {
      if (!stages.includes(stage)) {
        throw invalidParameter(
          `The lifecycle stage ${stage} is not supported for the ${strategy} deployment strategy. Valid stages are ${stages.join(", ")}.`,
        );
      }
    }
    const minutes = hook.timeoutConfiguration?.timeoutInMinutes;
    if (minutes !== undefined && (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_HOOK_TIMEOUT_MINUTES)) {
      throw invalidParameter(`timeoutInMinutes must be between 1 and ${MAX_HOOK_TIMEOUT_MINUTES}.`);
    }
  }
}

function checkHookTarget(hook: DeploymentLifecycleHook): void {
  // The model's default target type is AWS_LAMBDA.
  if ((hook.targetType ?? "AWS_LAMBDA") === "PAUSE") {
    if (hook.hookTargetArn !== undefined)
      throw invalidParameter("hookTargetArn cannot be specified for a lifecycle hook with the PAUSE target type.");
    return;
  }
  if (!hook.hookTargetArn) throw invalidParameter("hookTargetArn is required for a lifecycle hook with the AWS_LAMBDA target type.");
  if (!LAMBDA_FUNCTION_ARN.test(hook.hookTargetArn)) {
    throw invalidParameter(`hookTargetArn ${hook.hookTargetArn} is not a valid Lambda function ARN.`);
  }
  if (!hook.roleArn) throw invalidParameter("roleArn is required for a lifecycle hook with the AWS_LAMBDA target type.");
}

/** The lifecycle with hook `hookId` set to `status`. */
export function resolveHook(lifecycle: DeploymentLifecycle, hookId: string, status: DeploymentLifecycleHookStatus): DeploymentLifecycle {
  return { ...lifecycle, hooks: lifecycle.hooks.map((h) => (h.hookId === hookId ? { ...h, status } : h)) };
}
