// Stopping a task: one write, whoever asks — StopTask, the service scheduler, a lost host.
import type { Scope } from "../../domain/scope.js";
import { applyStop, type StopOrder } from "../../domain/task/lifecycle.js";
import type { EcsState, StoredTask } from "../../state/ecs-state.js";
import type { HostNotifier } from "./agent-channel/notifier.js";

/** The change that stops a stored task, for `write`: undefined when there is nothing to change. */
export function stopWrite(order: StopOrder, now: Date): (current: StoredTask | undefined) => StoredTask | undefined {
  return (cur) => {
    if (!cur) return undefined;
    // A task no agent holds (no host) stops at once: none will ever pick it up again.
    const task = applyStop(cur.task, order, now, Boolean(cur.hostId));
    return task === cur.task ? undefined : { ...cur, task };
  };
}

/**
 * Stops task `id` and tells its host's agent to stop it; returns the task as stored. Without
 * `hosts` nobody is told: the caller knows the host is gone.
 */
export async function stopStoredTask(
  ctx: { scope: Scope; state: EcsState; now: Date; hosts?: HostNotifier },
  id: string,
  order: StopOrder,
): Promise<StoredTask | undefined> {
  const updated = await ctx.state.tasks.write(ctx.scope, id, stopWrite(order, ctx.now));
  ctx.hosts?.bump(ctx.scope, updated?.hostId, id);
  return updated;
}
