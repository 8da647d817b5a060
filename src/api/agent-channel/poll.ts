// The control-plane side of the agent long poll.
import { nameFromRef, parseArn } from "../../domain/arn.js";
import { invalidParameter } from "../../domain/errors.js";
import type { Scope } from "../../domain/scope.js";
import { applyTaskReport } from "../../domain/task/lifecycle.js";
import type { EcsState, StoredInstance, StoredTask } from "../../state/ecs-state.js";
import { Heartbeats } from "../../state/heartbeats.js";
import type { HostNotifier } from "./notifier.js";
import type { PollRequest, PollResponse, TaskAssignment } from "./protocol.js";

const MAX_WAIT_MS = 20_000;

export interface PollDeps {
  state: EcsState;
  hosts: HostNotifier;
  hostPortBindIp: string;
  agentTimeoutMs: number;
  now(): Date;
}

/** The host id of a container instance ARN (…:container-instance/<cluster>/<id>). */
function hostIdOf(scope: Scope, arn: string): string {
  const resource = nameFromRef(scope, arn, "container-instance");
  const id = resource?.split("/").pop();
  if (!id || !parseArn(arn)) throw invalidParameter("containerInstanceArn must be the ARN RegisterContainerInstance returned.");
  return id;
}

export async function handlePoll(deps: PollDeps, scope: Scope, req: PollRequest, abort: AbortSignal): Promise<PollResponse> {
  const hostId = hostIdOf(scope, req.containerInstanceArn);
  const host = await deps.state.instances.get(scope, hostId);
  if (!host || host.instance.status === "INACTIVE") {
    throw invalidParameter(`The container instance ${req.containerInstanceArn} is not registered.`);
  }
  await heartbeat(deps, scope, host);
  await recordHealth(deps, scope, req.health ?? []);
  // A poll returns within half the agent timeout, so a waiting agent is heard from in time.
  const waitMs = Math.min(req.waitMs ?? MAX_WAIT_MS, MAX_WAIT_MS, deps.agentTimeoutMs / 2);
  await deps.hosts.waitForChange(scope, hostId, req.seen, waitMs, abort);
  const version = deps.hosts.current(scope, hostId);
  await heartbeat(deps, scope, host);
  const mine = await deps.state.tasks.list(scope, { ref: hostId, status: "LIVE" });
  const ids = new Set<string>();
  const tasks: TaskAssignment[] = [];
  for (const t of mine) {
    const id = t.task.taskArn!.split("/").pop()!;
    ids.add(id);
    if (deps.hosts.unseen(scope, hostId, req.seen, id)) tasks.push(assignment(t, deps.hostPortBindIp));
  }
  deps.hosts.retain(scope, hostId, ids);
  return { version, tasks, assigned: mine.map((t) => t.task.taskArn!) };
}

/** Records that the agent was heard from; the stored record only now and then (see Heartbeats). */
async function heartbeat(deps: PollDeps, scope: Scope, read: StoredInstance): Promise<void> {
  const now = deps.now();
  deps.state.heartbeats.record(scope, read.id, now);
  const due = (cur: StoredInstance) => Heartbeats.due(cur, now, deps.agentTimeoutMs);
  // `read` is the record as the poll began; only the store's own copy is checked before writing.
  if (!due(read)) return;
  await deps.state.instances.write(scope, read.id, (cur) => (cur && due(cur) ? { ...cur, lastSeenAt: now } : undefined), { grouped: true });
}

async function recordHealth(deps: PollDeps, scope: Scope, health: NonNullable<PollRequest["health"]>): Promise<void> {
  const byTask = new Map<string, typeof health>();
  for (const h of health) byTask.set(h.taskArn, [...(byTask.get(h.taskArn) ?? []), h]);
  for (const [taskArn, reports] of byTask) {
    const id = taskArn.split("/").pop()!;
    await deps.state.tasks.write(scope, id, (cur) => {
      if (!cur || cur.task.lastStatus === "STOPPED") return undefined;
      const task = applyTaskReport(cur.task, cur.taskDefinition, {
        containers: reports.map((r) => ({ containerName: r.containerName, healthStatus: r.healthStatus })),
      }, deps.now());
      return task === cur.task ? undefined : { ...cur, task };
    }, { grouped: true });
  }
}

function assignment(t: StoredTask, hostPortBindIp: string): TaskAssignment {
  return {
    taskArn: t.task.taskArn!,
    clusterArn: t.task.clusterArn!,
    desiredStatus: t.task.desiredStatus === "STOPPED" ? "STOPPED" : "RUNNING",
    lastStatus: t.task.lastStatus!,
    launchType: t.task.launchType!,
    group: t.task.group!,
    taskDefinition: t.taskDefinition,
    overrides: t.task.overrides ?? {},
    containers: (t.task.containers ?? []).map((c) => ({ name: c.name!, containerArn: c.containerArn! })),
    ...(t.network ? { network: t.network } : {}),
    hostPortBindIp,
    version: t.task.version!,
  };
}
