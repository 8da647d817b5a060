// The target-group work of a plan, for a service behind load balancers: RUNNING tasks to
// register, drained tasks whose stop may now reach their agents, and when to look again
// (a drain ending, a grace period ending while a target is not yet healthy).
import { graceEndsAt, isUp } from "./task-state.js";
import type { Plan, ReconcileInput } from "./types.js";

export function withTargetWork(input: ReconcileInput, plan: Plan): Plan {
  const nowMs = input.now.getTime();
  const stopping = new Set(plan.stop.map((s) => s.taskArn));
  const grace = input.service.healthCheckGracePeriodSeconds ?? 0;
  const register: string[] = [];
  const release: string[] = [];
  const wakes: number[] = plan.wakeAt ? [plan.wakeAt.getTime()] : [];
  for (const t of input.tasks) {
    const lb = t.loadBalancer;
    if (!lb) continue;
    if (lb.drainUntil) {
      if (lb.drainUntil.getTime() <= nowMs) release.push(t.taskArn);
      else wakes.push(lb.drainUntil.getTime());
      continue;
    }
    if (!isUp(t) || stopping.has(t.taskArn)) continue;
    if (!lb.registered && input.service.loadBalanced && input.service.status === "ACTIVE") register.push(t.taskArn);
    const end = lb.health === "unhealthy" ? graceEndsAt(t, grace) : undefined;
    if (end !== undefined && end > nowMs) wakes.push(end);
  }
  if (!register.length && !release.length && wakes.length === (plan.wakeAt ? 1 : 0)) return plan;
  return {
    ...plan,
    ...(register.length ? { register } : {}),
    ...(release.length ? { release } : {}),
    ...(wakes.length ? { wakeAt: new Date(Math.min(...wakes)) } : {}),
  };
}
