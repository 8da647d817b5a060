// What every host holds, kept current from the task collection's change feed. Placement,
// DescribeContainerInstances and address allocation ask it instead of re-reading every live
// task of a cluster per request: with 10,000 tasks that read was most of RunTask's time.
// The first question about an account and region loads its live tasks once; every committed
// task write after that updates the index before the writing call returns.
import { usageOf, type HeldTask, type HostUsage } from "../domain/container-instance.js";
import type { Scope } from "../domain/scope.js";
import type { TaskNetwork } from "../domain/task/lifecycle.js";
import { taskIndexStatus, type StoredTask } from "./ecs-state.js";
import type { Collection } from "./store.js";

interface LiveTask extends HeldTask {
  hostId: string;
  cluster: string;
  fargate: boolean;
  network?: TaskNetwork;
}

/** Live tasks of a cluster by state and launch type, as DescribeClusters counts them. */
export interface ClusterTaskCounts {
  runningEC2: number;
  runningFargate: number;
  pendingEC2: number;
  pendingFargate: number;
}

interface HostTasks {
  tasks: Map<string, LiveTask>;
  /** Summed on first ask after a change. */
  usage?: HostUsage;
}

interface ScopeIndex {
  hosts: Map<string, HostTasks>;
  hostOf: Map<string, string>;
  clusters: Map<string, ClusterTaskCounts>;
  /** While the first load runs: ids changed meanwhile, whose loaded copy is older. */
  touched?: Set<string>;
  loaded: Promise<void>;
}

const NO_USAGE: HostUsage = Object.freeze(usageOf([]));
const PENDING = new Set(["PROVISIONING", "PENDING", "ACTIVATING"]);

/** The counter a task adds to, if any. */
function counter(t: LiveTask): keyof ClusterTaskCounts | undefined {
  if (t.lastStatus === "RUNNING") return t.fargate ? "runningFargate" : "runningEC2";
  if (PENDING.has(t.lastStatus)) return t.fargate ? "pendingFargate" : "pendingEC2";
  return undefined;
}

const scopeKey = (scope: Scope) => `${scope.accountId}\0${scope.region}`;

function liveTask(doc: StoredTask | undefined): LiveTask | undefined {
  if (!doc?.hostId || taskIndexStatus(doc.task) !== "LIVE") return undefined;
  return {
    hostId: doc.hostId,
    cluster: doc.cluster,
    fargate: doc.task.launchType === "FARGATE",
    reservation: doc.reservation,
    lastStatus: doc.task.lastStatus!,
    group: doc.task.group ?? "",
    family: doc.taskDefinition.family!,
    ...(doc.network ? { network: doc.network } : {}),
  };
}

export class LiveTaskIndex {
  private readonly scopes = new Map<string, ScopeIndex>();

  constructor(private readonly tasks: Collection<StoredTask>) {
    tasks.watch((scope, id, doc) => {
      const index = this.scopes.get(scopeKey(scope));
      if (!index) return; // not loaded yet: the load will read this write
      index.touched?.add(id);
      this.set(index, id, liveTask(doc));
    });
  }

  /** What the live tasks on `hostId` hold. */
  async usage(scope: Scope, hostId: string): Promise<HostUsage> {
    return (await this.usages(scope))(hostId);
  }

  /** A lookup of what each host holds, for asking about many hosts at once. */
  async usages(scope: Scope): Promise<(hostId: string) => HostUsage> {
    const { hosts } = await this.index(scope);
    return (hostId) => {
      const host = hosts.get(hostId);
      if (!host) return NO_USAGE;
      return (host.usage ??= Object.freeze(usageOf(host.tasks.values())));
    };
  }

  async clusterCounts(scope: Scope, cluster: string): Promise<ClusterTaskCounts> {
    const counts = (await this.index(scope)).clusters.get(cluster);
    return { runningEC2: 0, runningFargate: 0, pendingEC2: 0, pendingFargate: 0, ...counts };
  }

  /** The network of every live task in the account and region that has one. */
  async networks(scope: Scope): Promise<TaskNetwork[]> {
    const out: TaskNetwork[] = [];
    for (const host of (await this.index(scope)).hosts.values()) {
      for (const t of host.tasks.values()) if (t.network) out.push(t.network);
    }
    return out;
  }

  private async index(scope: Scope): Promise<ScopeIndex> {
    const key = scopeKey(scope);
    let index = this.scopes.get(key);
    if (!index) {
      const fresh: ScopeIndex = { hosts: new Map(), hostOf: new Map(), clusters: new Map(), touched: new Set(), loaded: Promise.resolve() };
      this.scopes.set(key, fresh);
      fresh.loaded = this.load(scope, fresh).catch((err) => {
        this.scopes.delete(key); // the next question tries again
        throw err;
      });
      index = fresh;
    }
    await index.loaded;
    return index;
  }

  private async load(scope: Scope, index: ScopeIndex): Promise<void> {
    const ids: string[] = [];
    const docs = await this.tasks.list(scope, { status: "LIVE" });
    for (const doc of docs) ids.push(doc.task.taskArn!.split("/").pop()!);
    docs.forEach((doc, i) => {
      if (!index.touched!.has(ids[i]!)) this.set(index, ids[i]!, liveTask(doc));
    });
    index.touched = undefined;
  }

  private set(index: ScopeIndex, id: string, task: LiveTask | undefined): void {
    const before = index.hostOf.get(id);
    if (before !== undefined) {
      const host = index.hosts.get(before)!;
      this.count(index, host.tasks.get(id)!, -1);
      host.tasks.delete(id);
      host.usage = undefined;
      if (!host.tasks.size) index.hosts.delete(before);
      index.hostOf.delete(id);
    }
    if (!task) return;
    let host = index.hosts.get(task.hostId);
    if (!host) index.hosts.set(task.hostId, (host = { tasks: new Map() }));
    host.tasks.set(id, task);
    host.usage = undefined;
    index.hostOf.set(id, task.hostId);
    this.count(index, task, +1);
  }

  private count(index: ScopeIndex, task: LiveTask, by: 1 | -1): void {
    const which = counter(task);
    if (!which) return;
    let counts = index.clusters.get(task.cluster);
    if (!counts) index.clusters.set(task.cluster, (counts = { runningEC2: 0, runningFargate: 0, pendingEC2: 0, pendingFargate: 0 }));
    counts[which] += by;
  }
}
