// PAUSE lifecycle hooks of a rolling deployment, as one pure step: where the PRIMARY is in
// its lifecycle stages, whether a configured PAUSE hook holds it there, and what a hook's
// timeout decides. A deployment that replaces others goes RECONCILE_SERVICE (only when more
// than one older revision is still ACTIVE) → PRE_SCALE_UP (nothing of it started) →
// SCALE_UP (its tasks start) → POST_SCALE_UP (they are up, as many as the bounds allow
// before older tasks must go) → CLEAN_UP (the older tasks stop). A service's first
// deployment replaces nothing and runs no hooks; neither does a rollback.
import type { DeploymentConfiguration } from "@aws-sdk/client-ecs";
import { type DeploymentLifecycle, type RollingHookStage, hasLifecycleHooks, pauseHookAt } from "../../domain/lifecycle-hooks.js";
import type { Bounds } from "./deployment.js";
import { passHookStage } from "./hook-gate.js";
import { isCounted, isHealthy, isPending, isStopping } from "./task-state.js";
import type { DeploymentRecord, ObservedTask } from "./types.js";

/**
 * What a pause holds back: "launches" (before scale-up: no new task starts and no older one
 * stops), "retirements" (after scale-up: older tasks are not stopped), or nothing.
 */
export type PauseHold = "none" | "launches" | "retirements";

export interface PauseInput {
  primary?: DeploymentRecord;
  /** The deployments other than the PRIMARY that still have tasks (ACTIVE). */
  others: readonly DeploymentRecord[];
  config: DeploymentConfiguration | undefined;
  tasks: readonly ObservedTask[];
  bounds: Bounds;
  now: Date;
  graceSeconds: number;
  /** A fresh hook id, used only if this run pauses at a new hook. */
  nextHookId: string;
  serviceName: string;
}

export interface PauseDecision {
  /** The PRIMARY's lifecycle after this run (unchanged when it runs no hooks). */
  lifecycle?: DeploymentLifecycle;
  hold: PauseHold;
  /** A hook timed out with the ROLLBACK action: the PRIMARY is to be rolled back. */
  rollback: boolean;
  /** When the awaited hook expires. */
  wakeAt?: number;
  /** Events to write (AWS_LAMBDA hooks passed but not run). */
  messages?: string[];
}

const NEXT: Record<string, DeploymentLifecycle["stage"] | undefined> = {
  RECONCILE_SERVICE: "PRE_SCALE_UP",
  PRE_SCALE_UP: "SCALE_UP",
  SCALE_UP: "POST_SCALE_UP",
  POST_SCALE_UP: "CLEAN_UP",
};
const HOLD: Record<RollingHookStage, PauseHold> = { RECONCILE_SERVICE: "launches", PRE_SCALE_UP: "launches", POST_SCALE_UP: "retirements" };

/**
 * The PRIMARY's tasks are up: none pending or unhealthy, and there are `desired` of them or
 * as many as maxTotal leaves room for while the older ones still run.
 */
export function scaledUp(primaryId: string, tasks: readonly ObservedTask[], bounds: Bounds, now: Date, graceSeconds: number): boolean {
  const counted = tasks.filter(isCounted);
  const own = counted.filter((t) => t.deploymentId === primaryId && !isStopping(t));
  if (own.some((t) => isPending(t) || !isHealthy(t, now, graceSeconds))) return false;
  return own.length >= bounds.desired || (own.length > 0 && counted.length >= bounds.maxTotal);
}

/** Whether some of the PRIMARY's tasks are still starting (pending, or not yet healthy). */
function comingUp(primaryId: string, tasks: readonly ObservedTask[], now: Date, graceSeconds: number): boolean {
  return tasks
    .filter(isCounted)
    .some((t) => t.deploymentId === primaryId && !isStopping(t) && (isPending(t) || !isHealthy(t, now, graceSeconds)));
}

export function decidePause(input: PauseInput): PauseDecision {
  const { primary, config, now } = input;
  const nowMs = now.getTime();
  const messages: string[] = [];
  const none = (lifecycle = primary?.lifecycle): PauseDecision => ({
    ...(lifecycle ? { lifecycle } : {}),
    hold: "none",
    rollback: false,
    ...(messages.length ? { messages } : {}),
  });
  if (!primary || primary.rolloutState !== "IN_PROGRESS" || primary.skipHooks) return none();
  // Stages are tracked from the first run that sees the deployment replacing others.
  if (!primary.lifecycle && (input.others.length === 0 || !hasLifecycleHooks(config))) return none();
  let lc: DeploymentLifecycle = primary.lifecycle ?? { stage: input.others.length > 1 ? "RECONCILE_SERVICE" : "PRE_SCALE_UP", hooks: [] };
  const gateContext = { config, nowMs, nextHookId: input.nextHookId, serviceName: input.serviceName, deploymentId: primary.id };

  for (;;) {
    const stage = lc.stage;
    if (stage === "RECONCILE_SERVICE" || stage === "PRE_SCALE_UP" || stage === "POST_SCALE_UP") {
      const gate = passHookStage(lc, stage, gateContext);
      messages.push(...gate.messages);
      lc = gate.lifecycle;
      if (gate.rollback) return { ...none(lc), hold: HOLD[stage], rollback: true };
      if (gate.heldUntil !== undefined) return { ...none(lc), hold: HOLD[stage], wakeAt: gate.heldUntil };
    }
    if (stage === "SCALE_UP" && !scaledUp(primary.id, input.tasks, input.bounds, now, input.graceSeconds)) {
      // A POST_SCALE_UP hook is asked before any older task goes: while the new tasks come up
      // (one already up beside a sibling still starting), the older ones wait for it. With no
      // new task under way, older ones may still go to make room (maximumPercent 100).
      const waitForHook = pauseHookAt(config, "POST_SCALE_UP") !== undefined && comingUp(primary.id, input.tasks, now, input.graceSeconds);
      return { ...none(lc), hold: waitForHook ? "retirements" : "none" };
    }
    const next = NEXT[stage];
    if (!next) return none(lc);
    lc = { ...lc, stage: next };
  }
}
