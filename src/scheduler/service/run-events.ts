// What a reconciler run reports, shared by the ECS-controlled (reconcile.ts) and the EXTERNAL
// (external.ts) reconcilers: the events, kept once per condition while its cause lasts, and
// the launch throttle with its placement and throttled events.
import { type Throttle, isThrottled, updateThrottle } from "./backoff.js";
import { conditionEvent, endConditions, throttledMessage, unableToPlaceMessage } from "./events.js";
import type { TaskOutcome } from "./observe.js";
import type { ReconcileInput } from "./types.js";

/** Condition keys of the events that are not repeated while their cause lasts. */
export const STEADY = "steady";
export const THROTTLED = "throttled";
export const PLACEMENT = "placement:";

/** One run's events, oldest first, and the conditions whose events were emitted. */
export class RunEvents {
  readonly messages: string[] = [];

  constructor(
    public conditions: Record<string, number>,
    private readonly nowMs: number,
  ) {}

  add(...messages: string[]): void {
    this.messages.push(...messages);
  }

  /** The event of a condition, unless it was emitted for the same cause not long ago. */
  once(key: string, message: string): void {
    const result = conditionEvent(this.conditions, key, this.nowMs);
    this.conditions = result.conditions;
    if (result.emit) this.messages.push(message);
  }

  /** Forgets the conditions that ended, so their next occurrence is reported at once. */
  end(ended: (key: string) => boolean): void {
    this.conditions = endConditions(this.conditions, ended);
  }
}

/**
 * The throttle after this run's outcomes and the tasks the previous plan could not place,
 * with an event for each unplaced reason and for the throttle holding launches back.
 */
export function throttleLaunches(
  input: ReconcileInput,
  outcomes: readonly TaskOutcome[],
  primaryChanged: boolean,
  events: RunEvents,
): Throttle {
  const { memory, service } = input;
  const unplaced = (input.unplaced ?? []).filter((u) => u.count > 0);
  const throttle = updateThrottle(
    { launchFailures: memory.launchFailures, nextLaunchAt: memory.nextLaunchAt },
    outcomes,
    unplaced.reduce((sum, u) => sum + u.count, 0),
    primaryChanged,
    input.now.getTime(),
  );
  for (const u of unplaced) {
    const message = unableToPlaceMessage(service.serviceName, u);
    events.once(PLACEMENT + message, message);
  }
  if (isThrottled(throttle)) events.once(THROTTLED, throttledMessage(service.serviceName));
  return throttle;
}
