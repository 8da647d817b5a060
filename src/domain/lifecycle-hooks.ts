// PAUSE deployment lifecycle hooks ("Pause hooks for Amazon ECS service deployments") as berth
// runs them for rolling deployments: which configurations are accepted, and the pause state a
// deployment record keeps (which stage it is at, the hooks it has paused at). AWS_LAMBDA hooks
// are refused: berth runs no Lambda functions, and a hook that never runs would let a
// deployment through that its owner meant to gate.
import type {
  DeploymentConfiguration,
  DeploymentLifecycleHookAction,
  DeploymentLifecycleHookStage,
  DeploymentLifecycleHookStatus,
  ServiceDeploymentLifecycleStage,
} from "@aws-sdk/client-ecs";
import { EcsError, invalidParameter } from "./errors.js";

/** The stages a rolling deployment passes that a hook may be configured at (the traffic-shift stages are blue/green's). */
export const ROLLING_HOOK_STAGES = ["RECONCILE_SERVICE", "PRE_SCALE_UP", "POST_SCALE_UP"] as const;
export type RollingHookStage = (typeof ROLLING_HOOK_STAGES)[number];

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
 * CreateService/UpdateService's lifecycleHooks: PAUSE hooks at a rolling deployment's stages.
 * `target` says what the service is: hooks gate the ECS controller's REPLICA deployments only.
 */
export function checkLifecycleHooks(
  config: DeploymentConfiguration | undefined,
  target: { schedulingStrategy: "REPLICA" | "DAEMON"; controller: string },
): void {
  const hooks = config?.lifecycleHooks ?? [];
  if (hooks.length === 0) return;
  for (const hook of hooks) {
    // The model's default target type is AWS_LAMBDA.
    if ((hook.targetType ?? "AWS_LAMBDA") !== "PAUSE") {
      throw new EcsError(
        "UnsupportedFeatureException",
        "Lifecycle hooks with the AWS_LAMBDA target type are not supported by berth, which does not run Lambda functions. Use the PAUSE target type.",
      );
    }
  }
  if (config?.strategy !== undefined && config.strategy !== "ROLLING") {
    throw new EcsError(
      "UnsupportedFeatureException",
      `berth runs lifecycle hooks only for the ROLLING deployment strategy, not ${config.strategy}.`,
    );
  }
  if (target.controller !== "ECS")
    throw invalidParameter("Lifecycle hooks are only supported for services that use the ECS deployment controller.");
  if (target.schedulingStrategy === "DAEMON") {
    throw invalidParameter("Lifecycle hooks are not supported for services that use the DAEMON scheduling strategy.");
  }
  for (const hook of hooks) {
    if (hook.hookTargetArn !== undefined)
      throw invalidParameter("hookTargetArn cannot be specified for a lifecycle hook with the PAUSE target type.");
    if (!hook.lifecycleStages?.length) throw invalidParameter("lifecycleStages must contain at least one lifecycle stage.");
    for (const stage of hook.lifecycleStages) {
      if (!(ROLLING_HOOK_STAGES as readonly string[]).includes(stage)) {
        throw invalidParameter(
          `The lifecycle stage ${stage} is not supported for the ROLLING deployment strategy. Valid stages are ${ROLLING_HOOK_STAGES.join(", ")}.`,
        );
      }
    }
    const minutes = hook.timeoutConfiguration?.timeoutInMinutes;
    if (minutes !== undefined && (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_HOOK_TIMEOUT_MINUTES)) {
      throw invalidParameter(`timeoutInMinutes must be between 1 and ${MAX_HOOK_TIMEOUT_MINUTES}.`);
    }
  }
}

/** The lifecycle with hook `hookId` set to `status`. */
export function resolveHook(lifecycle: DeploymentLifecycle, hookId: string, status: DeploymentLifecycleHookStatus): DeploymentLifecycle {
  return { ...lifecycle, hooks: lifecycle.hooks.map((h) => (h.hookId === hookId ? { ...h, status } : h)) };
}
