// What every host holds, kept current from the task collection's change feed. Placement,
// DescribeContainerInstances and address allocation ask it instead of re-reading every live
// task of a cluster per request: with 10,000 tasks that read was most of RunTask's time.
// The first question about an account and region loads its live tasks once; every committed
// task write after that updates the index before the writing call returns.
import { PENDING_STATES, usageOf, type HeldTask, type HostUsage } from "../domain/container-instance.js";
import type { Scope } from "../domain/scope.js";
import type { TaskNetwork } from "../domain/task/lifecycle.js";
import { taskIndexStatus, type StoredTask } from "./ecs-documents.js";
import { ScopeMirror } from "./scope-mirror.js";
import type { Collection } from "./store.js";
import { idFromRef } from "../domain/arn.js";

interface LiveTask extends HeldTask {
  taskArn: string;
  hostId: string;
  cluster: string;
  fargate: boolean;
  availabilityZone: string;
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
}

const NO_USAGE: HostUsage = Object.freeze(usageOf([]));
const NO_TASKS: ReadonlyMap<string, LiveTask> = new Map();
const noTasks = (): ClusterTaskCounts => ({ runningEC2: 0, runningFargate: 0, pendingEC2: 0, pendingFargate: 0 });

/** The counter a task adds to, if any. */
function counter(t: LiveTask): keyof ClusterTaskCounts | undefined {
  if (t.lastStatus === "RUNNING") return t.fargate ? "runningFargate" : "runningEC2";
  if (PENDING_STATES.has(t.lastStatus)) return t.fargate ? "pendingFargate" : "pendingEC2";
  return undefined;
}

function liveTask(doc: StoredTask | undefined): LiveTask | undefined {
  if (!doc?.hostId || taskIndexStatus(doc.task) !== "LIVE") return undefined;
  return {
    taskArn: doc.task.taskArn!,
    hostId: doc.hostId,
    cluster: doc.cluster,
    fargate: doc.task.launchType === "FARGATE",
    availabilityZone: doc.task.availabilityZone ?? "",
    reservation: doc.reservation,
    lastStatus: doc.task.lastStatus!,
    group: doc.task.group ?? "",
    family: doc.taskDefinition.family!,
    ...(doc.network ? { network: doc.network } : {}),
  };
}

export class LiveTaskIndex {
  private readonly mirror: ScopeMirror<StoredTask, ScopeIndex>;

  constructor(tasks: Collection<StoredTask>) {
    this.mirror = new ScopeMirror(tasks, {
      query: { status: "LIVE" },
      idOf: (doc) => idFromRef(doc.task.taskArn!),
      empty: () => ({ hosts: new Map(), hostOf: new Map(), clusters: new Map() }),
      apply: (index, id, doc) => this.set(index, id, liveTask(doc)),
    });
  }

  /** What the live tasks on `hostId` hold. */
  async usage(scope: Scope, hostId: string): Promise<HostUsage> {
    return (await this.usages(scope))(hostId);
  }

  /** A lookup of what each host holds, for asking about many hosts at once. */
  async usages(scope: Scope): Promise<(hostId: string) => HostUsage> {
    const { hosts } = await this.mirror.state(scope);
    return (hostId) => {
      const host = hosts.get(hostId);
      if (!host) return NO_USAGE;
      return (host.usage ??= Object.freeze(usageOf(host.tasks.values())));
    };
  }

  /**
   * The live tasks on `hostId`, by id: the index's own map, not a copy (a push asks this for
   * every task placed). Later committed writes change it; copy what is kept across a write.
   */
  async tasksOn(scope: Scope, hostId: string): Promise<ReadonlyMap<string, { readonly taskArn: string }>> {
    return (await this.mirror.state(scope)).hosts.get(hostId)?.tasks ?? NO_TASKS;
  }

  async clusterCounts(scope: Scope, cluster: string): Promise<ClusterTaskCounts> {
    const counts = (await this.mirror.state(scope)).clusters.get(cluster);
    return { ...noTasks(), ...counts };
  }

  /** The network of every live task in the account and region that has one. */
  async networks(scope: Scope): Promise<TaskNetwork[]> {
    const out: TaskNetwork[] = [];
    for (const host of (await this.mirror.state(scope)).hosts.values()) {
      for (const t of host.tasks.values()) if (t.network) out.push(t.network);
    }
    return out;
  }

  /** How many live tasks of `cluster`'s `group` each availability zone holds: what spreading awsvpc tasks over subnets balances. */
  async groupZones(scope: Scope, cluster: string, group: string): Promise<Map<string, number>> {
    const zones = new Map<string, number>();
    for (const host of (await this.mirror.state(scope)).hosts.values()) {
      for (const t of host.tasks.values()) {
        if (t.cluster === cluster && t.group === group) zones.set(t.availabilityZone, (zones.get(t.availabilityZone) ?? 0) + 1);
      }
    }
    return zones;
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
    if (!counts) index.clusters.set(task.cluster, (counts = noTasks()));
    counts[which] += by;
  }
}
