// Blue/green, linear and canary deployments ("Amazon ECS blue/green deployments", "… linear
// deployments", "… canary deployments") as one pure step. The new deployment (green) is
// brought up to the desired count beside the one taking production traffic (blue), in the
// other target group of each load balancer; then test traffic moves to it, then production
// traffic — all at once (BLUE_GREEN), a canary share first (CANARY) or step by step (LINEAR)
// — then, after the bake time, blue's tasks are stopped. Each stage may be held by a PAUSE
// lifecycle hook (hook-gate.ts). The weights this implies for the listener rules follow from
// the records (traffic.ts); the scheduler only moves the records along.
import type {
  DeploymentConfiguration,
  DeploymentLifecycleHookStage,
  LoadBalancer,
  ServiceDeploymentLifecycleStage,
} from "@aws-sdk/client-ecs";
import { DEFAULT_CANARY, DEFAULT_LINEAR } from "../../domain/deployment-strategy.js";
import type { DeploymentLifecycle } from "../../domain/lifecycle-hooks.js";
import { productionTrafficShiftedMessage, testTrafficShiftedMessage } from "./events.js";
import { passHookStage } from "./hook-gate.js";
import { scalingActivityReason } from "./replica.js";
import { byAge, healthStopReason, isHealthy, isLive, isPending, isUnhealthy } from "./task-state.js";
import type { DeploymentRecord, ObservedTask, TaskStop, TrafficShift } from "./types.js";

const STAGES: readonly ServiceDeploymentLifecycleStage[] = [
  "RECONCILE_SERVICE",
  "PRE_SCALE_UP",
  "SCALE_UP",
  "POST_SCALE_UP",
  "TEST_TRAFFIC_SHIFT",
  "POST_TEST_TRAFFIC_SHIFT",
  "PRODUCTION_TRAFFIC_SHIFT",
  "POST_PRODUCTION_TRAFFIC_SHIFT",
  "BAKE_TIME",
  "CLEAN_UP",
];
const reached = (lc: DeploymentLifecycle, stage: ServiceDeploymentLifecycleStage) => STAGES.indexOf(lc.stage) >= STAGES.indexOf(stage);

export interface ShiftInput {
  serviceName: string;
  /** The PRIMARY, IN_PROGRESS. */
  primary: DeploymentRecord;
  /** The older deployments that still have tasks (ACTIVE), newest first. */
  others: readonly DeploymentRecord[];
  loadBalancers: readonly LoadBalancer[];
  config: DeploymentConfiguration | undefined;
  tasks: readonly ObservedTask[];
  desired: number;
  now: Date;
  graceSeconds: number;
  /** False while the throttle holds launches back. */
  canLaunch: boolean;
  /** A fresh hook id, used only if this run pauses at a new hook. */
  nextHookId: string;
}

export interface ShiftDecision {
  /** The PRIMARY moved along: its lifecycle stage, traffic and target groups. */
  primary: DeploymentRecord;
  startCount: number;
  stops: TaskStop[];
  /** Tasks stopped because they failed their health checks (each gets its own event). */
  unhealthy: string[];
  /** The deployment has reached CLEAN_UP: it completes once blue's tasks are gone. */
  cleaningUp: boolean;
  /** A PAUSE hook timed out with the ROLLBACK action. */
  rollback: boolean;
  wakeAt?: number;
  messages: string[];
}

/**
 * The deployment taking production traffic when a new one starts: the one before it, unless
 * that one had not finished moving traffic over — then the one it was moving it from.
 */
export function blueOf(others: readonly DeploymentRecord[]): DeploymentRecord | undefined {
  const previous = others[0];
  const from = previous?.traffic && previous.traffic.tenths < 1000 ? previous.traffic.blueId : undefined;
  return (from !== undefined ? others.find((d) => d.id === from) : undefined) ?? previous;
}

/**
 * Blue's tasks still run for `green` to hand traffic back to: until its clean-up starts
 * stopping them (after that, a rollback is a new deployment).
 */
export const blueStillServes = (green: DeploymentRecord): boolean => green.lifecycle?.stage !== "CLEAN_UP";

/** The target group of load balancer `i` a deployment's tasks register in. */
export const targetGroupOf = (d: DeploymentRecord | undefined, lb: LoadBalancer, i: number): string =>
  d?.targetGroupArns?.[i] ?? lb.targetGroupArn!;

/** Per load balancer, the group green registers in: the other of the pair from blue's. */
export function greenTargetGroups(lbs: readonly LoadBalancer[], blue: DeploymentRecord | undefined): string[] {
  return lbs.map((lb, i) => {
    const alternate = lb.advancedConfiguration?.alternateTargetGroupArn;
    if (!alternate) return lb.targetGroupArn!;
    return targetGroupOf(blue, lb, i) === lb.targetGroupArn ? alternate : lb.targetGroupArn!;
  });
}

/** Production traffic on green after one more shift, in tenths of a percent. */
export function nextShift(config: DeploymentConfiguration | undefined, tenths: number): number {
  switch (config?.strategy) {
    case "CANARY":
      return tenths === 0 ? tenthsOf(config.canaryConfiguration?.canaryPercent ?? DEFAULT_CANARY.canaryPercent) : 1000;
    case "LINEAR":
      return Math.min(1000, tenths + tenthsOf(config.linearConfiguration?.stepPercent ?? DEFAULT_LINEAR.stepPercent));
    default:
      return 1000;
  }
}

/** How long traffic stays at `tenths` (short of all of it) before the next shift, in ms. */
export function stepBakeMs(config: DeploymentConfiguration | undefined): number {
  switch (config?.strategy) {
    case "CANARY":
      return (config.canaryConfiguration?.canaryBakeTimeInMinutes ?? DEFAULT_CANARY.canaryBakeTimeInMinutes) * 60_000;
    case "LINEAR":
      return (config.linearConfiguration?.stepBakeTimeInMinutes ?? DEFAULT_LINEAR.stepBakeTimeInMinutes) * 60_000;
    default:
      return 0;
  }
}

const tenthsOf = (percent: number) => Math.min(1000, Math.max(1, Math.round(percent * 10)));

export function decideShift(input: ShiftInput): ShiftDecision {
  const { primary, config, now } = input;
  const nowMs = now.getTime();
  const messages: string[] = [];
  const blue = primary.traffic ? input.others.find((d) => d.id === primary.traffic!.blueId) : blueOf(input.others);
  let traffic: TrafficShift = primary.traffic ?? { ...(blue ? { blueId: blue.id } : {}), tenths: 0, testShifted: false };
  const targetGroupArns = primary.targetGroupArns ?? greenTargetGroups(input.loadBalancers, blue);
  let lc: DeploymentLifecycle = primary.lifecycle ?? { stage: input.others.length > 1 ? "RECONCILE_SERVICE" : "PRE_SCALE_UP", hooks: [] };

  const live = input.tasks.filter((t) => isLive(t));
  const unhealthy = live.filter((t) => isUnhealthy(t, now, input.graceSeconds));
  const stops: TaskStop[] = unhealthy.map((t) => ({ taskArn: t.taskArn, reason: healthStopReason(t) }));
  const remaining = live.filter((t) => !unhealthy.includes(t));
  let green = remaining.filter((t) => t.deploymentId === primary.id);
  const retire = (tasks: readonly ObservedTask[]) =>
    stops.push(...tasks.map((t) => ({ taskArn: t.taskArn, reason: scalingActivityReason(primary.id) })));
  // Deployments neither blue nor green (one a newer deployment overtook) take no production traffic: they go.
  retire(remaining.filter((t) => t.deploymentId !== primary.id && t.deploymentId !== traffic.blueId));
  if (green.length > input.desired) {
    // Pending first, then the newest.
    const spare = [...green]
      .sort((a, b) => Number(isPending(b)) - Number(isPending(a)) || byAge(b, a))
      .slice(0, green.length - input.desired);
    retire(spare);
    green = green.filter((t) => !spare.includes(t));
  }

  let wakeAt: number | undefined;
  let rollback = false;
  const gateContext = { config, nowMs, nextHookId: input.nextHookId, serviceName: input.serviceName, deploymentId: primary.id };
  /** Passes the hooks of `stage`; false while they hold the deployment there. */
  const pass = (stage: DeploymentLifecycleHookStage): boolean => {
    if (primary.skipHooks) return true;
    const gate = passHookStage(lc, stage, gateContext);
    messages.push(...gate.messages);
    lc = gate.lifecycle;
    if (gate.rollback) rollback = true;
    if (gate.heldUntil !== undefined) wakeAt = gate.heldUntil;
    return !gate.rollback && gate.heldUntil === undefined;
  };
  const advance = (stage: ServiceDeploymentLifecycleStage) => {
    lc = { ...lc, stage };
  };
  const waitUntil = (at: number) => {
    traffic = { ...traffic, waitUntil: at };
    wakeAt = at;
  };

  for (let moved = true; moved;) {
    moved = false;
    const from = lc.stage;
    switch (lc.stage) {
      case "RECONCILE_SERVICE":
        if (pass("RECONCILE_SERVICE")) advance("PRE_SCALE_UP");
        break;
      case "PRE_SCALE_UP":
        if (pass("PRE_SCALE_UP")) advance("SCALE_UP");
        break;
      case "SCALE_UP":
        // Green is up when it has the desired count, all running and healthy in its target groups.
        if (green.length === input.desired && green.every((t) => isHealthy(t, now, input.graceSeconds))) advance("POST_SCALE_UP");
        break;
      case "POST_SCALE_UP":
        if (pass("POST_SCALE_UP")) advance("TEST_TRAFFIC_SHIFT");
        break;
      case "TEST_TRAFFIC_SHIFT":
        if (pass("TEST_TRAFFIC_SHIFT")) {
          traffic = { ...traffic, testShifted: true };
          if (input.loadBalancers.some((lb) => lb.advancedConfiguration?.testListenerRule))
            messages.push(testTrafficShiftedMessage(input.serviceName, primary.id));
          advance("POST_TEST_TRAFFIC_SHIFT");
        }
        break;
      case "POST_TEST_TRAFFIC_SHIFT":
        if (pass("POST_TEST_TRAFFIC_SHIFT") && pass("PRE_PRODUCTION_TRAFFIC_SHIFT")) advance("PRODUCTION_TRAFFIC_SHIFT");
        break;
      case "PRODUCTION_TRAFFIC_SHIFT": {
        if (!pass("PRODUCTION_TRAFFIC_SHIFT")) break;
        if (traffic.waitUntil !== undefined && nowMs < traffic.waitUntil) {
          wakeAt = traffic.waitUntil;
          break;
        }
        const { waitUntil: _done, ...rest } = traffic;
        traffic = rest;
        if (traffic.tenths >= 1000) {
          advance("POST_PRODUCTION_TRAFFIC_SHIFT");
          break;
        }
        traffic = { ...traffic, tenths: nextShift(config, traffic.tenths) };
        if (input.loadBalancers.some((lb) => lb.advancedConfiguration?.productionListenerRule))
          messages.push(productionTrafficShiftedMessage(input.serviceName, primary.id, traffic.tenths));
        const bake = stepBakeMs(config);
        if (traffic.tenths < 1000 && bake > 0) waitUntil(nowMs + bake);
        else moved = true;
        break;
      }
      case "POST_PRODUCTION_TRAFFIC_SHIFT":
        if (pass("POST_PRODUCTION_TRAFFIC_SHIFT")) {
          advance("BAKE_TIME");
          const bake = (config?.bakeTimeInMinutes ?? 0) * 60_000;
          if (bake > 0) traffic = { ...traffic, waitUntil: nowMs + bake };
        }
        break;
      case "BAKE_TIME":
        if (traffic.waitUntil !== undefined && nowMs < traffic.waitUntil) {
          wakeAt = traffic.waitUntil;
          break;
        }
        traffic = (({ waitUntil: _done, ...rest }) => rest)(traffic);
        advance("CLEAN_UP");
        break;
      case "CLEAN_UP":
        break;
    }
    if (lc.stage !== from) moved = true;
    if (rollback) break;
  }

  const cleaningUp = lc.stage === "CLEAN_UP" && !rollback;
  if (cleaningUp) retire(remaining.filter((t) => t.deploymentId === traffic.blueId));
  // From SCALE_UP on, green is kept at the desired count (replacing tasks that fail).
  const startCount = reached(lc, "SCALE_UP") && input.canLaunch && !rollback ? Math.max(0, input.desired - green.length) : 0;
  return {
    primary: { ...primary, lifecycle: lc, traffic, targetGroupArns },
    startCount,
    stops: dedupe(stops),
    unhealthy: unhealthy.map((t) => t.taskArn),
    cleaningUp,
    rollback,
    ...(wakeAt !== undefined ? { wakeAt } : {}),
    messages,
  };
}

const dedupe = (stops: readonly TaskStop[]): TaskStop[] => [...new Map(stops.map((s) => [s.taskArn, s])).values()];
