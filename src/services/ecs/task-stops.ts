// Stopping a task: one write, whoever asks — StopTask, the service scheduler, a lost host. A
// task registered in target groups is deregistered in the same transaction, and its stop is
// held back from its agent while its targets drain (src/domain/task/load-balancing.ts).
import { elbIdOf } from "../../domain/elbv2/arns.js";
import { deregistrationDelaySeconds, withTargetsDeregistered } from "../../domain/elbv2/targets.js";
import type { Scope } from "../../domain/scope.js";
import { applyStop, type StopOrder } from "../../domain/task/lifecycle.js";
import type { TaskTarget } from "../../domain/task/load-balancing.js";
import type { EcsState, StoredTask } from "../../state/ecs-state.js";
import type { Transaction } from "../../state/store.js";
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

/** What stopping a task did: the task as stored, and the targets it deregistered. */
export interface TaskStopped {
  task: StoredTask | undefined;
  deregistered: TaskTarget[];
}

/**
 * Stops task `id` inside `tx`. Targets it is still registered as are deregistered (they drain
 * for their group's delay); while the longest of those delays runs, a task an agent still runs
 * is held DEACTIVATING, its stop not yet sent (the service scheduler releases it).
 */
export function stopInTransaction(tx: Transaction, state: EcsState, scope: Scope, id: string, order: StopOrder, now: Date): TaskStopped {
  const stopped = tx.write(state.tasks, scope, id, stopWrite(order, now));
  const lb = stopped?.loadBalancing;
  if (!stopped || !lb || lb.deregisteredAt !== undefined || stopped.task.desiredStatus !== "STOPPED") {
    return { task: stopped, deregistered: [] };
  }
  const nowMs = now.getTime();
  let until = nowMs;
  const deregistered: TaskTarget[] = [];
  for (const target of lb.targets) {
    let delayMs = 0;
    const group = tx.write(state.elbv2.targetGroups, scope, elbIdOf(target.targetGroupArn), (cur) => {
      if (!cur) return undefined;
      delayMs = deregistrationDelaySeconds(cur) * 1000;
      return withTargetsDeregistered(cur, [target], nowMs);
    });
    if (!group) continue;
    deregistered.push(target);
    until = Math.max(until, nowMs + delayMs);
  }
  const hold = until > nowMs && stopped.task.lastStatus !== "STOPPED";
  const task = tx.write(state.tasks, scope, id, (cur) =>
    cur ? { ...cur, loadBalancing: { ...lb, deregisteredAt: nowMs, ...(hold ? { drainUntil: until } : {}) } } : undefined,
  );
  return { task, deregistered };
}

/**
 * Stops task `id` and tells its host's agent to stop it (once drained, for a task behind load
 * balancers); returns the task as stored. Without `hosts` nobody is told: the caller knows the
 * host is gone.
 */
export async function stopStoredTask(
  ctx: { scope: Scope; state: EcsState; now: Date; hosts?: HostNotifier },
  id: string,
  order: StopOrder,
): Promise<StoredTask | undefined> {
  const { task: updated } = await ctx.state.elbv2.transact((tx) => stopInTransaction(tx, ctx.state, ctx.scope, id, order, ctx.now));
  ctx.hosts?.bump(ctx.scope, updated?.hostId, id);
  return updated;
}
