// Periodic work of the control plane that no request triggers: forgetting tasks that have
// been STOPPED for longer than ECS keeps them visible (at least an hour).
import type { EcsState } from "../../state/ecs-state.js";
import type { Store } from "../../state/store.js";

export const STOPPED_TASK_RETENTION_MS = 60 * 60 * 1000;

export async function purgeStoppedTasks(store: Store, state: EcsState, now: Date, retentionMs = STOPPED_TASK_RETENTION_MS): Promise<number> {
  let purged = 0;
  for (const scope of await store.scopes()) {
    for (const t of await state.tasks.list(scope, { status: "STOPPED" })) {
      const stoppedAt = t.task.stoppedAt ?? t.task.createdAt!;
      if (now.getTime() - stoppedAt.getTime() > retentionMs && (await state.tasks.remove(scope, t.task.taskArn!.split("/").pop()!))) purged++;
    }
  }
  return purged;
}
