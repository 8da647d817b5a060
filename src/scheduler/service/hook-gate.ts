// A deployment passing one lifecycle hook stage: a PAUSE hook configured there holds it until
// ContinueServiceDeployment (or the hook's timeout) lets it through or rolls it back; AWS_LAMBDA
// hooks there are reported in an event, once, as not run — berth runs no Lambda functions, and
// a gate its owner configured must not vanish silently. Rolling (pause.ts) and traffic-shifting
// (traffic-shift.ts) deployments pass their stages through here.
import type { DeploymentConfiguration, DeploymentLifecycleHookStage } from "@aws-sdk/client-ecs";
import { type DeploymentLifecycle, type PauseHookRecord, lambdaHooksAt, pauseHookAt, resolveHook } from "../../domain/lifecycle-hooks.js";
import { lambdaHookNotRunMessage } from "./events.js";

/** What every stage a deployment passes shares: its service's configuration, the time, its ids. */
export interface GateContext {
  config: DeploymentConfiguration | undefined;
  nowMs: number;
  /** A fresh hook id, used only if the deployment pauses here. */
  nextHookId: string;
  serviceName: string;
  deploymentId: string;
}

export interface GateResult {
  lifecycle: DeploymentLifecycle;
  /** Held here until then (a PAUSE hook awaits an action). */
  heldUntil?: number;
  /** A PAUSE hook here timed out with the ROLLBACK action. */
  rollback?: boolean;
  /** Events to write (AWS_LAMBDA hooks not run). */
  messages: string[];
}

export function passHookStage(lifecycle: DeploymentLifecycle, stage: DeploymentLifecycleHookStage, input: GateContext): GateResult {
  const { nowMs } = input;
  let lc = lifecycle;
  const messages: string[] = [];
  if (!(lc.reported ?? []).includes(stage)) {
    const lambdas = lambdaHooksAt(input.config, stage);
    if (lambdas.length > 0) {
      messages.push(...lambdas.map((arn) => lambdaHookNotRunMessage(input.serviceName, input.deploymentId, arn, stage)));
      lc = { ...lc, reported: [...(lc.reported ?? []), stage] };
    }
  }
  const hook = lc.hooks.find((h) => h.stage === stage);
  if (hook?.status === "AWAITING_ACTION") {
    const expires = hook.expiresAt.getTime();
    if (nowMs < expires) return { lifecycle: lc, heldUntil: expires, messages };
    lc = resolveHook(lc, hook.hookId, "TIMED_OUT");
    return hook.timeoutAction === "ROLLBACK" ? { lifecycle: lc, rollback: true, messages } : { lifecycle: lc, messages };
  }
  if (hook) return { lifecycle: lc, messages };
  const configured = pauseHookAt(input.config, stage);
  if (!configured) return { lifecycle: lc, messages };
  const paused: PauseHookRecord = {
    hookId: input.nextHookId,
    stage,
    status: "AWAITING_ACTION",
    expiresAt: new Date(nowMs + configured.timeoutMinutes * 60_000),
    timeoutAction: configured.timeoutAction,
  };
  return { lifecycle: { ...lc, hooks: [...lc.hooks, paused] }, heldUntil: paused.expiresAt.getTime(), messages };
}
