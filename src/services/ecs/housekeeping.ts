// Periodic work of the control plane that no request triggers: forgetting tasks that have
// been STOPPED for longer than ECS keeps them visible (at least an hour), and giving up on
// hosts whose agents have been silent so long that they are taken for terminated.
import { idFromRef } from "../../domain/arn.js";
import { deregistered } from "../../domain/container-instance.js";
import type { Scope } from "../../domain/scope.js";
import { runTaskTokenId, type EcsState } from "../../state/ecs-state.js";
import type { Collection, ListQuery, Store } from "../../state/store.js";
import { stopStoredTask } from "./task-stops.js";

export const STOPPED_TASK_RETENTION_MS = 60 * 60 * 1000;
/** How long an agent may be silent before its host is taken for terminated (BERTH_HOST_LOST_SECONDS). */
export const HOST_LOST_AFTER_MS = 10 * 60 * 1000;

export async function purgeStoppedTasks(
  store: Store,
  state: EcsState,
  now: Date,
  retentionMs = STOPPED_TASK_RETENTION_MS,
): Promise<number> {
  return purgeOlderThan(
    store,
    state.tasks,
    { status: "STOPPED" },
    {
      since: (t) => t.task.stoppedAt ?? t.task.createdAt!,
      idOf: (t) => idFromRef(t.task.taskArn!),
    },
    now,
    retentionMs,
  );
}

/** RunTask client tokens are kept as long as stopped tasks: a retry comes within seconds. */
export async function purgeRunTaskTokens(
  store: Store,
  state: EcsState,
  now: Date,
  retentionMs = STOPPED_TASK_RETENTION_MS,
): Promise<number> {
  return purgeOlderThan(
    store,
    state.runTaskTokens,
    {},
    {
      since: (t) => t.createdAt,
      idOf: (t) => runTaskTokenId(t.cluster, t.clientToken),
    },
    now,
    retentionMs,
  );
}

/** Removes, in every account and region, the documents `query` finds that are older than `retentionMs`. */
async function purgeOlderThan<T>(
  store: Store,
  collection: Collection<T>,
  query: ListQuery,
  doc: { since(d: T): Date; idOf(d: T): string },
  now: Date,
  retentionMs: number,
): Promise<number> {
  let purged = 0;
  for (const scope of await store.scopes()) {
    for (const d of await collection.list(scope, query)) {
      if (now.getTime() - doc.since(d).getTime() > retentionMs && (await collection.remove(scope, doc.idOf(d)))) purged++;
    }
  }
  return purged;
}

export interface LostHostDeps {
  store: Store;
  state: EcsState;
  /** Tells a service that one of its tasks stopped. */
  pokeService(scope: Scope, id: string): void;
}

/**
 * A host whose agent has not been heard from for `lostAfterMs` is treated as ECS treats an
 * EC2 instance it sees terminated: the container instance is deregistered (INACTIVE) and
 * its tasks are STOPPED, so services replace them elsewhere. Silence is counted from the
 * later of the last heartbeat and `since` (when this control plane started), so a control
 * plane that was itself down does not condemn every host on its return. An agent that comes
 * back registers again and is a host like any other.
 */
export async function retireLostHosts(deps: LostHostDeps, now: Date, since: Date, lostAfterMs = HOST_LOST_AFTER_MS): Promise<number> {
  let retired = 0;
  for (const scope of await deps.store.scopes()) {
    for (const host of await deps.state.instances.list(scope)) {
      if (host.instance.status === "INACTIVE") continue;
      const silentSince = Math.max(deps.state.heartbeats.lastSeen(scope, host).getTime(), since.getTime());
      if (now.getTime() - silentSince < lostAfterMs) continue;
      const reason = `Host EC2 (instance ${host.instance.ec2InstanceId}) terminated.`;
      // A copy: each write below takes its task off the host.
      for (const id of [...(await deps.state.liveTasks.tasksOn(scope, host.id)).keys()]) {
        // No agent to tell: the host is gone.
        const stopped = await stopStoredTask({ scope, state: deps.state, now }, id, { code: "TerminationNotice", reason, hostGone: true });
        if (stopped?.task.group?.startsWith("service:")) deps.pokeService(scope, `${stopped.cluster}/${stopped.task.group.slice(8)}`);
      }
      await deps.state.instances.write(scope, host.id, (cur) =>
        cur && cur.instance.status !== "INACTIVE" ? { ...cur, instance: deregistered(cur.instance) } : undefined,
      );
      retired++;
    }
  }
  return retired;
}
