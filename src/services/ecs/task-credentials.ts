// Issues the temporary credentials of tasks' roles, as ECS's ACS does for the ECS agent: when a
// task with a task or execution role is first pushed to its host, refreshed (new keys, same
// credentialsId) once less than half their life remains, and revoked when the task stops.
// berth makes them itself (access key, secret and session token it accepts at its front door),
// or, in federated mode, the task role's come from sts:AssumeRole on a real STS (ECS Anywhere
// gives on-premises tasks real IAM roles so) while the execution role's stay berth's own: berth
// serves the secrets, parameters and logs the agent reads with them.
import { idFromRef } from "../../domain/arn.js";
import { newUuid } from "../../domain/ids.js";
import { scopeKey, type Scope } from "../../domain/scope.js";
import { newSecretAccessKey, newSessionToken, newTemporaryAccessKeyId, refreshDue, taskRoles } from "../../domain/task-credentials.js";
import type { Logger } from "../../log/logger.js";
import type { EcsState } from "../../state/ecs-state.js";
import type { CurrentCredentials, IssuedCredentials, RoleKind, StoredRoleCredentials } from "../../state/issued-credentials.js";
import type { Store } from "../../state/store.js";
import type { TaskAssignment } from "../../wire/agent-channel.js";
import type { HostNotifier } from "./agent-channel/notifier.js";
import { stopStoredTask } from "./task-stops.js";

/** sts:AssumeRole on the STS of --sts-endpoint; rejects with STS's error when it refuses. */
export type AssumeRole = (request: {
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  region: string;
}) => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date }>;

export interface TaskCredentialsDeps {
  store: Store;
  state: EcsState;
  issued: IssuedCredentials;
  hosts: HostNotifier;
  lifetimeMs: number;
  /** Federated mode: the task role's credentials come from this. */
  assumeRole?: AssumeRole;
  log: Logger;
  now?: () => Date;
}

/** What a task gets: credentials, nothing (it has no role, or no longer runs), or a stop (its role could not be assumed). */
export type Issued = CurrentCredentials | "none" | "failed";

/** The task as its host is told of it: enough to know its roles and whether it still runs. */
export type TaskToCredit = Pick<TaskAssignment, "taskArn" | "taskDefinition" | "overrides" | "desiredStatus">;

/**
 * ECS's words when it cannot assume a task's role (RunTask's and CreateService's
 * ClientException), with STS's own reason after them.
 */
export const assumeRoleFailure = (roleArn: string, cause: string) =>
  `ECS was unable to assume the role '${roleArn}' that was provided for this task. Please verify that the role being passed ` +
  `has the proper trust relationship and permissions and that your IAM user has permissions to pass this role. (${cause})`;

class AssumeRoleFailed extends Error {}

export class TaskCredentialsIssuer {
  private readonly now: () => Date;
  private readonly issuing = new Map<string, Promise<Issued>>();
  private readonly listeners = new Map<string, Set<(credentials: CurrentCredentials) => void>>();
  private readonly unwatch: () => void;
  private timer?: NodeJS.Timeout;
  private refreshing = false;
  /** Resolves once what was issued before a restart is in memory, less what belonged to tasks stopped meanwhile. */
  readonly ready: Promise<void>;

  constructor(private readonly deps: TaskCredentialsDeps) {
    this.now = deps.now ?? (() => new Date());
    this.ready = deps.issued.ready.then(() => this.revokeStopped());
    // Revoked the moment the task is STOPPED (or gone): its keys leave the front door's index at once.
    this.unwatch = deps.state.tasks.watch((scope, id, doc) => {
      if ((doc && doc.task.lastStatus !== "STOPPED") || !deps.issued.ofTask(scope, id)) return;
      this.revoke(scope, id).catch((err: unknown) => deps.log.error("could not remove revoked credentials", { taskId: id, err }));
    });
  }

  private async revoke(scope: Scope, id: string): Promise<void> {
    this.deps.issued.forget(scope, id);
    await this.deps.issued.collection.remove(scope, id);
  }

  /** A control plane that stopped between a task's STOPPED and its credentials' removal left them: they go now. */
  private async revokeStopped(): Promise<void> {
    for (const { scope, credentials } of [...this.deps.issued.all()]) {
      const id = idFromRef(credentials.taskArn);
      const task = await this.deps.state.tasks.get(scope, id);
      if (!task || task.task.lastStatus === "STOPPED") await this.revoke(scope, id);
    }
  }

  /** Refreshes credentials due for it, checking a few times per lifetime (at most every minute). */
  start(): void {
    const everyMs = Math.max(250, Math.min(60_000, this.deps.lifetimeMs / 8));
    this.timer = setInterval(() => {
      this.refreshDue().catch((err: unknown) => this.deps.log.error("could not refresh task credentials", { err }));
    }, everyMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.unwatch();
  }

  /** Calls `listener` with a task of the host's refreshed credentials, until the returned function is called. */
  onRefreshed(scope: Scope, hostId: string, listener: (credentials: CurrentCredentials) => void): () => void {
    const key = scopeKey(scope, hostId);
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(key) === set) this.listeners.delete(key);
    };
  }

  /** The task's credentials as issued so far, if any. */
  current(scope: Scope, taskArn: string): CurrentCredentials | undefined {
    return this.deps.issued.ofTask(scope, idFromRef(taskArn));
  }

  /** The task's credentials, issued now if it has roles and has none yet (one issue at a time per task). */
  async ensure(scope: Scope, hostId: string, task: TaskToCredit): Promise<Issued> {
    const id = idFromRef(task.taskArn);
    const existing = this.deps.issued.ofTask(scope, id);
    if (existing) return existing;
    const roles = taskRoles(task.taskDefinition, task.overrides);
    if (task.desiredStatus !== "RUNNING" || (!roles.task && !roles.execution)) return "none";
    const key = scopeKey(scope, id);
    let issuing = this.issuing.get(key);
    if (!issuing) {
      issuing = this.issue(scope, hostId, id, task.taskArn, roles).finally(() => this.issuing.delete(key));
      this.issuing.set(key, issuing);
    }
    return issuing;
  }

  private async issue(
    scope: Scope,
    hostId: string,
    id: string,
    taskArn: string,
    roles: { task?: string; execution?: string },
  ): Promise<Issued> {
    let current: StoredRoleCredentials[];
    try {
      current = await this.makeRoles(scope, id, taskArn, roles);
    } catch (err) {
      if (!(err instanceof AssumeRoleFailed)) throw err;
      this.deps.log.warn("could not assume a task's role", { taskArn, reason: err.message });
      await stopStoredTask({ scope, state: this.deps.state, now: this.now(), hosts: this.deps.hosts }, id, {
        code: "TaskFailedToStart",
        reason: err.message,
      });
      return "failed";
    }
    const doc = { taskArn, taskId: id, hostId, credentialsId: newUuid(), generation: 1, current, retired: [] };
    // Written only while the task runs, in one transaction with reading it: a stop landing
    // meanwhile leaves no credentials behind it.
    await this.deps.store.transact((tx) => {
      const stored = tx.write(this.deps.state.tasks, scope, id, () => undefined);
      if (stored && stored.task.lastStatus !== "STOPPED") tx.write(this.deps.issued.collection, scope, id, (cur) => cur ?? doc);
    });
    return this.deps.issued.ofTask(scope, id) ?? "none";
  }

  private async makeRoles(scope: Scope, id: string, taskArn: string, roles: { task?: string; execution?: string }) {
    const made: StoredRoleCredentials[] = [];
    for (const kind of ["task", "execution"] as const) {
      const roleArn = roles[kind];
      if (roleArn) made.push(await this.makeRole(scope, id, taskArn, kind, roleArn));
    }
    return made;
  }

  private async makeRole(scope: Scope, id: string, taskArn: string, kind: RoleKind, roleArn: string): Promise<StoredRoleCredentials> {
    const issuedAt = this.now();
    const { assumeRole, lifetimeMs, issued } = this.deps;
    if (kind === "task" && assumeRole) {
      const assumed = await assumeRole({
        roleArn,
        sessionName: id,
        durationSeconds: Math.round(lifetimeMs / 1000),
        region: scope.region,
      }).catch((err: unknown) => {
        const { name, message } = err as Error;
        throw new AssumeRoleFailed(assumeRoleFailure(roleArn, `${name}: ${message}`));
      });
      const sealed = issued.seal(taskArn, { roleArn, ...assumed, expiration: assumed.expiration.toISOString() });
      return { kind, roleArn, accessKeyId: assumed.accessKeyId, sealed, issuedAt, expiration: assumed.expiration, federated: true };
    }
    const expiration = new Date(Math.floor((issuedAt.getTime() + lifetimeMs) / 1000) * 1000);
    const plain = {
      roleArn,
      accessKeyId: newTemporaryAccessKeyId(),
      secretAccessKey: newSecretAccessKey(),
      sessionToken: newSessionToken(),
      expiration: expiration.toISOString(),
    };
    return { kind, roleArn, accessKeyId: plain.accessKeyId, sealed: issued.seal(taskArn, plain), issuedAt, expiration };
  }

  /** Re-issues every task's credentials that are due, one task at a time. */
  async refreshDue(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      const now = this.now();
      const due = [...this.deps.issued.all()].filter((c) => c.roles.some((r) => refreshDue(r.issuedAt, r.expiration, now)));
      for (const credentials of due) await this.refresh(credentials);
    } finally {
      this.refreshing = false;
    }
  }

  private async refresh(before: CurrentCredentials): Promise<void> {
    const { scope, credentials } = before;
    const id = idFromRef(credentials.taskArn);
    const roles = { task: credentials.task?.roleArn, execution: credentials.execution?.roleArn };
    let fresh: StoredRoleCredentials[];
    try {
      fresh = await this.makeRoles(scope, id, credentials.taskArn, roles);
    } catch (err) {
      // The old ones serve until they expire; the next round tries again.
      this.deps.log.warn("could not refresh a task's credentials", { taskArn: credentials.taskArn, err });
      return;
    }
    const nowMs = this.now().getTime();
    const written = await this.deps.issued.collection.write(scope, id, (cur) => {
      if (!cur || cur.generation !== before.generation) return undefined;
      // The replaced keys stay valid until they expire: a container may be mid-call with them.
      const retired = [...cur.retired, ...cur.current].filter((r) => !r.federated && r.expiration.getTime() > nowMs);
      return { ...cur, generation: cur.generation + 1, current: fresh, retired };
    });
    const after = written && this.deps.issued.ofTask(scope, id);
    if (!after?.hostId) return;
    for (const listener of this.listeners.get(scopeKey(scope, after.hostId)) ?? []) listener(after);
  }
}
