// What changed since the previous run: tasks that reached RUNNING, became healthy or
// stopped. The memory keeps the ARNs already seen, so each change is counted exactly once
// whatever the loop's rhythm; ARNs of tasks no longer in the snapshot are forgotten.
import { STARTUP_WINDOW_MS, isProvenHealthy } from "./task-state.js";
import type { ObservedTask, ReconcilerMemory } from "./types.js";

/** One outcome, in time order: a failure counts up, a success resets. */
export interface TaskOutcome {
  task: ObservedTask;
  kind: "running" | "healthy" | "stopped";
  at: number;
}

export interface Observation {
  /** Newly running, healthy and stopped tasks, oldest first. */
  outcomes: TaskOutcome[];
  seen: Pick<ReconcilerMemory, "seenRunning" | "seenHealthy" | "seenStopped">;
}

export function observe(tasks: readonly ObservedTask[], memory: ReconcilerMemory, nowMs: number): Observation {
  const running = new Set(memory.seenRunning);
  const healthy = new Set(memory.seenHealthy);
  const stopped = new Set(memory.seenStopped);
  const outcomes: TaskOutcome[] = [];
  const seenRunning: string[] = [];
  const seenHealthy: string[] = [];
  const seenStopped: string[] = [];

  for (const task of tasks) {
    const arn = task.taskArn;
    if (task.startedAt) {
      seenRunning.push(arn);
      if (!running.has(arn)) outcomes.push({ task, kind: "running", at: task.startedAt.getTime() });
    }
    if (isProvenHealthy(task, nowMs) || healthy.has(arn)) {
      seenHealthy.push(arn);
      // Without a health check it was healthy once its window passed; with one, no timestamp says when.
      const at = !task.hasHealthCheck && task.startedAt ? task.startedAt.getTime() + STARTUP_WINDOW_MS : nowMs;
      if (!healthy.has(arn)) outcomes.push({ task, kind: "healthy", at });
    }
    if (task.lastStatus === "STOPPED") {
      seenStopped.push(arn);
      if (!stopped.has(arn)) outcomes.push({ task, kind: "stopped", at: task.stoppedAt?.getTime() ?? nowMs });
    }
  }
  const order = { running: 0, healthy: 1, stopped: 2 } as const;
  outcomes.sort((a, b) => a.at - b.at || order[a.kind] - order[b.kind]);
  return { outcomes, seen: { seenRunning, seenHealthy, seenStopped } };
}
