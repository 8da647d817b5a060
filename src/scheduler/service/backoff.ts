// ECS's service throttle logic: when tasks keep going from PENDING straight to STOPPED, or
// cannot be placed at all, the scheduler waits longer and longer between launch attempts,
// up to 27 minutes ("Amazon ECS service throttle logic", developer guide), and says so once:
// "(service X) is unable to consistently start tasks successfully." Tasks that stop after
// reaching RUNNING, or fail health checks, do not throttle. A task that reaches RUNNING,
// or a new deployment (UpdateService), returns the service to normal.
import type { TaskOutcome } from "./observe.js";
import { failedToStart } from "./task-state.js";

/** Launch failures in a row before the scheduler starts spacing out attempts. */
export const THROTTLE_AFTER_FAILURES = 3;
export const THROTTLE_BASE_DELAY_MS = 10_000;
export const THROTTLE_MAX_DELAY_MS = 27 * 60 * 1000;

/** The wait before the next launch after `failures` consecutive launch failures. */
export function launchDelayMs(failures: number): number {
  if (failures < THROTTLE_AFTER_FAILURES) return 0;
  const doublings = Math.min(failures - THROTTLE_AFTER_FAILURES, 20);
  return Math.min(THROTTLE_BASE_DELAY_MS * 2 ** doublings, THROTTLE_MAX_DELAY_MS);
}

export interface Throttle {
  launchFailures: number;
  nextLaunchAt?: number;
}

/**
 * The throttle after this run's outcomes (in time order) and `unplaced` tasks the previous
 * plan could not place. `reset` (a new PRIMARY) clears it.
 */
export function updateThrottle(
  current: Throttle,
  outcomes: readonly TaskOutcome[],
  unplaced: number,
  reset: boolean,
  nowMs: number,
): Throttle {
  if (reset) return { launchFailures: 0 };
  let failures = current.launchFailures;
  let failedNow = unplaced > 0;
  failures += unplaced;
  for (const outcome of outcomes) {
    if (outcome.kind === "running") {
      failures = 0;
      failedNow = false;
    } else if (outcome.kind === "stopped" && failedToStart(outcome.task)) {
      failures += 1;
      failedNow = true;
    }
  }
  if (failures === 0) return { launchFailures: 0 };
  if (!failedNow) return { launchFailures: failures, nextLaunchAt: current.nextLaunchAt };
  const delay = launchDelayMs(failures);
  return delay > 0 ? { launchFailures: failures, nextLaunchAt: nowMs + delay } : { launchFailures: failures };
}

export const isThrottled = (throttle: Throttle): boolean => throttle.launchFailures >= THROTTLE_AFTER_FAILURES;

export const launchAllowed = (throttle: Throttle, nowMs: number): boolean =>
  throttle.nextLaunchAt === undefined || nowMs >= throttle.nextLaunchAt;
