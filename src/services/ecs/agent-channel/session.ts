// One agent's channel, as the control plane holds it: pushes the host's assignments when
// they change, answers the agent's calls, records its health and the address pools its host's
// networks occupy, and hears it. The control plane pings; a pong or any message is a
// heartbeat, and a ping left unanswered until the next one ends the session (the agent then
// counts as gone once its heartbeat ages out).
import type { WebSocket } from "ws";
import { applyTaskReport } from "../../../domain/task/lifecycle.js";
import { heldForDraining } from "../../../domain/task/load-balancing.js";
import type { Scope } from "../../../domain/scope.js";
import type { EcsState, StoredInstance, StoredTask } from "../../../state/ecs-state.js";
import { Heartbeats } from "../../../state/heartbeats.js";
import { ProtocolError } from "../../../aws/errors.js";
import type { Logger } from "../../../log/logger.js";
import { toAwsJson } from "../../../wire/aws-json.js";
import type { HostVersion } from "../../../wire/agent-channel.js";
import type { HostNotifier } from "./notifier.js";
import type { FirewallPush } from "./firewall-push.js";
import type { TaskCredentialsIssuer } from "../task-credentials.js";
import { CredentialsLink } from "./credentials-push.js";
import { idFromRef } from "../../../domain/arn.js";
import {
  asPushed,
  CHANNEL_OPERATIONS,
  CLOSE_NOT_REGISTERED,
  type AgentMessage,
  type Assignments,
  type ContainerHealth,
  type ControlPlaneMessage,
  type TaskAssignment,
} from "../../../wire/agent-channel.js";

export interface SessionDeps {
  state: EcsState;
  hosts: HostNotifier;
  hostPortBindIp: string;
  agentTimeoutMs: number;
  /** Sends the host's security-group policy; absent, none is sent. */
  firewall?: FirewallPush;
  /** Issues the tasks' role credentials; absent, none are sent. */
  credentials?: TaskCredentialsIssuer;
  now(): Date;
  /** Calls an ECS operation as the channel's caller; rejects with what the HTTP API would answer. */
  invoke(operation: string, input: unknown): Promise<unknown>;
  /** An error as the wire shows it. */
  wireError(err: unknown): { __type: string; message: string };
  log: Logger;
}

/** How often the control plane pings: often enough that the agent is heard well within its timeout. */
export const pingIntervalMs = (agentTimeoutMs: number) => Math.min(10_000, agentTimeoutMs / 4);

export class AgentSession {
  /** The version the agent has been sent, or asked to be sent the changes since. */
  private seen?: HostVersion;
  /** Nothing is pushed before the agent has said what it has seen. */
  private synced = false;
  /** Counts the agent's syncs, so a push under way does not overwrite the version a later sync set. */
  private syncs = 0;
  private pushing = false;
  private pushAgain = false;
  private pushScheduled = false;
  private answeredPing = true;
  /** The task definitions (by ARN) this connection has carried: later pushes name them only. */
  private readonly definitionsSent = new Set<string>();
  private readonly unsubscribe: () => void;
  private readonly detach: () => void;
  private readonly detachFirewall?: () => void;
  private readonly credentials?: CredentialsLink;
  private readonly pinger: NodeJS.Timeout;

  constructor(
    private readonly deps: SessionDeps,
    private readonly scope: Scope,
    /** The stored record as last read or written here: heartbeats compare against it. */
    private host: StoredInstance,
    private readonly socket: WebSocket,
  ) {
    this.unsubscribe = deps.hosts.subscribe(scope, host.id, () => this.pushSoon());
    this.detach = deps.hosts.links.attach(scope, host.id, (message) => {
      if (this.socket.readyState !== this.socket.OPEN) return false;
      this.send(message);
      return true;
    });
    // Sent only once the agent has synced (push below), always ahead of the assignments it protects.
    this.detachFirewall = deps.firewall?.attach(scope, host.id, (message) => this.send(message));
    if (deps.credentials) {
      this.credentials = new CredentialsLink(deps.credentials, scope, host.id, (credentials) =>
        this.send({ type: "credentials", credentials }),
      );
    }
    socket.on("message", (data: Buffer) => this.receive(data));
    socket.on("pong", () => {
      this.answeredPing = true;
      this.background(this.heard());
    });
    socket.on("close", () => this.end());
    socket.on("error", () => socket.terminate());
    this.pinger = setInterval(() => this.background(this.tick()), pingIntervalMs(deps.agentTimeoutMs));
    this.background(this.heard());
  }

  /** Work the session starts and does not wait for: a failure (the store's) is logged, never left unhandled. */
  private background(work: Promise<unknown>): void {
    work.catch((err: unknown) => this.deps.log.error("agent channel work failed", { host: this.host.id, err }));
  }

  private end(): void {
    clearInterval(this.pinger);
    this.unsubscribe();
    this.detach();
    this.detachFirewall?.();
    this.credentials?.detach();
  }

  private send(message: ControlPlaneMessage): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(toAwsJson(message));
  }

  private receive(data: Buffer): void {
    let message: AgentMessage;
    try {
      message = JSON.parse(data.toString("utf8")) as AgentMessage;
      if (message === null || typeof message !== "object") throw new TypeError("not an object");
    } catch {
      this.socket.close(1007, "messages must be JSON objects");
      return;
    }
    this.background(this.heard());
    switch (message.type) {
      case "sync":
        this.seen = message.seen;
        this.synced = true;
        this.syncs++;
        if (message.pools) this.deps.hosts.pools.set(this.scope, this.host.id, message.pools);
        this.background(this.recordHealth(message.health ?? []).then(() => this.push()));
        return;
      case "health":
        this.background(this.recordHealth(message.health ?? []));
        return;
      case "pools":
        this.deps.hosts.pools.set(this.scope, this.host.id, message.pools);
        return;
      case "call":
        this.background(this.call(message.id, message.operation, message.input));
        return;
      default:
        this.socket.close(1008, `unknown message type ${String((message as { type?: unknown }).type)}`);
    }
  }

  private async call(id: number, operation: string, input: unknown): Promise<void> {
    try {
      if (!CHANNEL_OPERATIONS.has(operation))
        throw new ProtocolError("UnknownOperationException", `${operation} is not an agent operation; call it over HTTP.`);
      this.send({ type: "result", id, output: await this.deps.invoke(operation, input) });
    } catch (err) {
      this.send({ type: "error", id, error: this.deps.wireError(err) });
    }
  }

  /** Pushes once the code at hand is done: the tasks a RunTask places on a host go in one push. */
  private pushSoon(): void {
    if (this.pushScheduled) return;
    this.pushScheduled = true;
    queueMicrotask(() => {
      this.pushScheduled = false;
      this.background(this.push());
    });
  }

  /** Sends what changed since the agent's version, until it has everything; one push at a time. */
  private async push(): Promise<void> {
    if (this.pushing) {
      this.pushAgain = true;
      return;
    }
    this.pushing = true;
    try {
      do {
        this.pushAgain = false;
        if (!this.synced || this.socket.readyState !== this.socket.OPEN) return;
        await this.deps.firewall?.flush(this.scope, this.host.id);
        if (!this.deps.hosts.behind(this.scope, this.host.id, this.seen)) continue;
        const syncs = this.syncs;
        const assignments = await assignmentsSince(this.deps, this.scope, this.host.id, this.seen);
        // Tasks whose role could not be assumed are being stopped: their stop is the next push.
        const failed = (await this.credentials?.before(assignments)) ?? new Set();
        const tasks = failed.size ? assignments.tasks.filter((t) => !failed.has(t.taskArn)) : assignments.tasks;
        this.send({ type: "assignments", ...asPushed({ ...assignments, tasks }, this.definitionsSent) });
        // A sync that came meanwhile asked for the changes since its own version: that stands,
        // and the push it started (pushAgain) sends them.
        if (this.syncs === syncs) this.seen = assignments.version;
      } while (this.pushAgain);
    } finally {
      this.pushing = false;
    }
  }

  private async tick(): Promise<void> {
    if (!this.answeredPing) {
      this.socket.terminate();
      return;
    }
    this.answeredPing = false;
    this.socket.ping();
    const stored = await this.deps.state.instances.get(this.scope, this.host.id);
    if (!stored || stored.instance.status === "INACTIVE") {
      this.socket.close(CLOSE_NOT_REGISTERED, "The container instance is not registered.");
    }
  }

  /** Records that the agent was heard from; the stored record only now and then (see Heartbeats). */
  private async heard(): Promise<void> {
    const now = this.deps.now();
    const { state, agentTimeoutMs } = this.deps;
    state.heartbeats.record(this.scope, this.host.id, now);
    const due = (cur: StoredInstance) => Heartbeats.due(cur, now, agentTimeoutMs);
    if (!due(this.host)) return;
    const written = await state.instances.write(
      this.scope,
      this.host.id,
      (cur) => (cur && due(cur) ? { ...cur, lastSeenAt: now } : undefined),
      { grouped: true },
    );
    if (written) this.host = written;
  }

  private async recordHealth(health: readonly ContainerHealth[]): Promise<void> {
    const byTask = new Map<string, ContainerHealth[]>();
    for (const h of health) byTask.set(h.taskArn, [...(byTask.get(h.taskArn) ?? []), h]);
    for (const [taskArn, reports] of byTask) {
      const id = idFromRef(taskArn);
      await this.deps.state.tasks.write(
        this.scope,
        id,
        (cur) => {
          if (!cur || cur.task.lastStatus === "STOPPED" || cur.hostId !== this.host.id) return undefined;
          const task = applyTaskReport(
            cur.task,
            cur.taskDefinition,
            {
              containers: reports.map((r) => ({ containerName: r.containerName, healthStatus: r.healthStatus })),
            },
            this.deps.now(),
          );
          return task === cur.task ? undefined : { ...cur, task };
        },
        { grouped: true },
      );
    }
  }
}

/** The host's assignments that changed since `seen`, with every assigned ARN. */
export async function assignmentsSince(
  deps: Pick<SessionDeps, "state" | "hosts" | "hostPortBindIp">,
  scope: Scope,
  hostId: string,
  seen: HostVersion | undefined,
): Promise<Assignments> {
  // The version before the read: a change landing in between is sent again, never lost.
  const version = deps.hosts.current(scope, hostId);
  // The host's tasks come from the in-memory index; only those the agent has not seen are read.
  const mine = await deps.state.liveTasks.tasksOn(scope, hostId);
  const isUnseen = deps.hosts.unseen(scope, hostId, seen);
  const unseen: string[] = [];
  const assigned: string[] = [];
  for (const [id, { taskArn }] of mine) {
    assigned.push(taskArn);
    if (isUnseen(id)) unseen.push(id);
  }
  // Before the read below, as the lists above: `mine` is the live index, not a copy.
  deps.hosts.retain(scope, hostId, mine);
  const docs = await deps.state.tasks.getMany(scope, unseen);
  const tasks = unseen.flatMap((id) => {
    const doc = docs.get(id);
    return doc ? [assignment(doc, deps.hostPortBindIp)] : [];
  });
  return { version, tasks, assigned };
}

function assignment(t: StoredTask, hostPortBindIp: string): TaskAssignment {
  return {
    taskArn: t.task.taskArn!,
    clusterArn: t.task.clusterArn!,
    // A task whose targets still drain keeps running until the scheduler releases it.
    desiredStatus: t.task.desiredStatus === "STOPPED" && !heldForDraining(t) ? "STOPPED" : "RUNNING",
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
