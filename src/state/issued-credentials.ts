// The role credentials issued for tasks, one document per task (by task id): the current keys
// of its roles and the replaced ones still valid (a container may be mid-call with them).
// Secrets and session tokens are sealed at rest (src/state/sealing.ts). Kept in memory too,
// by access key for the front door's signature check (its hot path) and by task for the
// agents' channels, current from the collection's change feed.
import { scopeKey, type Scope } from "../domain/scope.js";
import { assumedRolePrincipal, TEMPORARY_KEY_PREFIX, type RoleCredentials, type TaskCredentials } from "../domain/task-credentials.js";
import type { Sealer } from "./sealing.js";
import type { Collection, Store } from "./store.js";

export type RoleKind = "task" | "execution";

export type { RoleCredentials, TaskCredentials };

export interface StoredRoleCredentials {
  kind: RoleKind;
  roleArn: string;
  accessKeyId: string;
  /** seal(JSON {secretAccessKey, sessionToken}), bound to the task and the key id. */
  sealed: string;
  issuedAt: Date;
  expiration: Date;
  /** Made by the STS of --sts-endpoint: handed to the task, never accepted by berth. */
  federated?: boolean;
}

export interface StoredTaskCredentials {
  taskArn: string;
  taskId: string;
  hostId?: string;
  credentialsId: string;
  /** Counts the task's issues: a channel sends a task's credentials again when it changes. */
  generation: number;
  current: StoredRoleCredentials[];
  /** Keys replaced by a refresh, accepted until they expire. */
  retired: StoredRoleCredentials[];
}

/**
 * An issued key as the front door checks it (its Credential, src/aws/server.ts): made once per
 * stored document, so the signature check of every call finds it ready.
 */
export interface AcceptedKey {
  secretAccessKey: string;
  principal: { accountId: string; arn: string; userId: string };
  /** The session token a request must carry, and when the key expires. */
  session: { sessionToken: string; expiration: Date };
}

export interface CurrentCredentials {
  scope: Scope;
  hostId?: string;
  generation: number;
  credentials: TaskCredentials;
  /** The earliest time one of its roles is due for refresh is computed from these. */
  roles: { kind: RoleKind; issuedAt: Date; expiration: Date }[];
}

export class IssuedCredentials {
  readonly collection: Collection<StoredTaskCredentials>;
  private readonly byKey = new Map<string, AcceptedKey>();
  private readonly byTask = new Map<string, CurrentCredentials>();
  /** The keys each task's document put in byKey, to take them out when it changes. */
  private readonly keysOfTask = new Map<string, string[]>();
  private readonly removedWhileLoading = new Set<string>();
  private loaded = false;
  /** Resolves once every stored document is in memory: issued keys are accepted from then on. */
  readonly ready: Promise<void>;

  constructor(
    store: Store,
    private readonly sealer: Sealer,
  ) {
    this.collection = store.collection<StoredTaskCredentials>({
      name: "taskCredentials",
      keys: (d) => ({ parent: d.hostId ?? "", seq: d.generation, status: "" }),
    });
    this.collection.watch((scope, id, doc) => this.apply(scope, id, doc));
    this.ready = this.load(store);
  }

  private async load(store: Store): Promise<void> {
    for (const scope of await store.scopes()) {
      for (const doc of await this.collection.list(scope)) {
        const key = scopeKey(scope, doc.taskId);
        const known = this.byTask.get(key);
        if (this.removedWhileLoading.has(key) || (known && known.generation >= doc.generation)) continue;
        this.apply(scope, doc.taskId, doc);
      }
    }
    this.loaded = true;
    this.removedWhileLoading.clear();
  }

  /** Seals a role's secret and token for storing. */
  seal(taskArn: string, role: RoleCredentials): string {
    const plain = JSON.stringify({ secretAccessKey: role.secretAccessKey, sessionToken: role.sessionToken });
    return this.sealer.seal(plain, `${taskArn}|${role.accessKeyId}`);
  }

  /** The issued key `accessKeyId`, unless it is unknown, revoked or retired past its expiry. */
  key(accessKeyId: string): AcceptedKey | undefined {
    return accessKeyId.startsWith(TEMPORARY_KEY_PREFIX) ? this.byKey.get(accessKeyId) : undefined;
  }

  ofTask(scope: Scope, taskId: string): CurrentCredentials | undefined {
    return this.byTask.get(scopeKey(scope, taskId));
  }

  /** Every task's current credentials (for refresh). */
  all(): IterableIterator<CurrentCredentials> {
    return this.byTask.values();
  }

  /** Takes a task's keys out of service at once (its document is removed after). */
  forget(scope: Scope, taskId: string): void {
    this.apply(scope, taskId, undefined);
  }

  private apply(scope: Scope, taskId: string, doc: StoredTaskCredentials | undefined): void {
    const key = scopeKey(scope, taskId);
    for (const accessKeyId of this.keysOfTask.get(key) ?? []) this.byKey.delete(accessKeyId);
    this.keysOfTask.delete(key);
    this.byTask.delete(key);
    if (!doc) {
      if (!this.loaded) this.removedWhileLoading.add(key);
      return;
    }
    const roles = new Map<RoleKind, RoleCredentials>();
    for (const stored of doc.current) roles.set(stored.kind, this.unseal(doc.taskArn, stored));
    const keys: string[] = [];
    for (const stored of [...doc.current, ...doc.retired]) {
      if (stored.federated) continue;
      const role = roles.get(stored.kind);
      const plain = role?.accessKeyId === stored.accessKeyId ? role : this.unseal(doc.taskArn, stored);
      this.byKey.set(stored.accessKeyId, {
        secretAccessKey: plain.secretAccessKey,
        principal: assumedRolePrincipal(scope.accountId, stored.roleArn, taskId),
        session: { sessionToken: plain.sessionToken, expiration: stored.expiration },
      });
      keys.push(stored.accessKeyId);
    }
    this.keysOfTask.set(key, keys);
    const task = roles.get("task");
    const execution = roles.get("execution");
    this.byTask.set(key, {
      scope,
      ...(doc.hostId ? { hostId: doc.hostId } : {}),
      generation: doc.generation,
      credentials: {
        taskArn: doc.taskArn,
        credentialsId: doc.credentialsId,
        ...(task ? { task } : {}),
        ...(execution ? { execution } : {}),
      },
      roles: doc.current.map((r) => ({ kind: r.kind, issuedAt: r.issuedAt, expiration: r.expiration })),
    });
  }

  private unseal(taskArn: string, stored: StoredRoleCredentials): RoleCredentials {
    const { secretAccessKey, sessionToken } = JSON.parse(
      this.sealer.open(stored.sealed, `${taskArn}|${stored.accessKeyId}`).toString("utf8"),
    ) as { secretAccessKey: string; sessionToken: string };
    return {
      roleArn: stored.roleArn,
      accessKeyId: stored.accessKeyId,
      secretAccessKey,
      sessionToken,
      expiration: stored.expiration.toISOString().replace(/\.\d{3}Z$/, "Z"),
    };
  }
}
