// The collections the ECS control plane keeps, and the index keys of each.
import type { CapacityProvider, Cluster, ContainerInstance, Service, Setting, Tag, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import type { DeploymentRecord, ReconcilerMemory, UnplacedTasks } from "../scheduler/service/types.js";
import type { TaskNetwork } from "../domain/task/lifecycle.js";
import type { Reservation } from "../domain/task/reservation.js";
import { Heartbeats } from "./heartbeats.js";
import { LiveTaskIndex } from "./live-tasks.js";
import { ParentIndex } from "./parent-index.js";
import { ScopeMirror } from "./scope-mirror.js";
import type { Collection, Store } from "./store.js";

export interface StoredTaskDefinition {
  taskDefinition: TaskDefinition;
  tags: Tag[];
}

/** An account setting as set by a principal; principalArn "default" holds the account default. */
export type StoredSetting = Setting & { name: string; value: string; principalArn: string };

export const ACCOUNT_DEFAULT_PRINCIPAL = "default";

/**
 * A registered agent host. EC2-style hosts are the cluster's container instances; a host
 * registered as berth's FARGATE capacity serves FARGATE tasks of every cluster and never
 * shows up as a container instance.
 */
export interface StoredInstance {
  id: string;
  /** "" for FARGATE capacity, which belongs to no cluster */
  cluster: string;
  fargateHost: boolean;
  instance: ContainerInstance;
  lastSeenAt: Date;
}

export interface StoredTask {
  task: Task;
  cluster: string;
  /** The agent host that runs it: a container instance id or a FARGATE host id. */
  hostId?: string;
  /** The definition it runs, as it was when the task was created. */
  taskDefinition: TaskDefinition;
  reservation: Reservation;
  network?: TaskNetwork;
}

/** A RunTask's client token and the tasks that call started, so a retry returns them. */
export interface StoredRunTaskToken {
  cluster: string;
  clientToken: string;
  taskIds: string[];
  createdAt: Date;
}

export const runTaskTokenId = (cluster: string, clientToken: string) => `${cluster}/${clientToken}`;

export interface StoredService {
  /** As DescribeServices shows it, but for deployments, which live below. */
  service: Service;
  cluster: string;
  /** PRIMARY first, then ACTIVE; INACTIVE ones are dropped. */
  deployments: DeploymentRecord[];
  /** What the reconciler keeps between runs. */
  memory: ReconcilerMemory;
  /** What the last run could not place, for the next run's events and throttle. */
  unplaced: UnplacedTasks[];
  /** The scheduler should look again by then (epoch ms), even if nothing changes. */
  wakeAt?: number;
  clientToken?: string;
}

/** A berth-managed network standing for a VPC subnet named in awsvpc configurations. */
export interface StoredSubnet {
  subnetId: string;
  networkName: string;
  cidr: string;
  gateway: string;
}

export interface EcsState {
  clusters: Collection<Cluster>;
  taskDefinitions: Collection<StoredTaskDefinition>;
  capacityProviders: Collection<CapacityProvider>;
  accountSettings: Collection<StoredSetting>;
  instances: Collection<StoredInstance>;
  tasks: Collection<StoredTask>;
  subnets: Collection<StoredSubnet>;
  services: Collection<StoredService>;
  runTaskTokens: Collection<StoredRunTaskToken>;
  /** The ids ("cluster/name") of the services not INACTIVE, kept current from `services`. */
  serviceIds: ScopeMirror<StoredService, Set<string>>;
  /** What each host's live tasks hold, derived from `tasks` and kept current by its change feed. */
  liveTasks: LiveTaskIndex;
  /** Container instances (and FARGATE hosts, under "") by cluster, kept current from `instances`. */
  instancesByCluster: ParentIndex<StoredInstance>;
  /** When agents were last heard from, fresher than the stored lastSeenAt. */
  heartbeats: Heartbeats;
}

/**
 * Tasks are grouped by cluster and then by group ("service:web", "family:app"), so a service
 * reads only its own tasks; cluster names cannot hold "/", so a cluster's tasks are the
 * parents under "<cluster>/".
 */
export const taskParent = (cluster: string, group: string) => `${cluster}/${group}`;
export const clusterTasks = (cluster: string) => ({ parentPrefix: `${cluster}/` });

const registeredAtOf = (i: StoredInstance) => i.instance.registeredAt!.getTime();

/** Tasks whose record may still change; STOPPED ones only wait to be purged. */
export const taskIndexStatus = (t: Task) => (t.lastStatus === "STOPPED" ? "STOPPED" : "LIVE");

export function ecsState(store: Store): EcsState {
  const tasks = store.collection<StoredTask>({
    name: "task",
    keys: (t) => ({ parent: taskParent(t.cluster, t.task.group ?? ""), seq: t.task.createdAt!.getTime(), status: taskIndexStatus(t.task) }),
    share: shareTaskDefinition,
  });
  const instances = store.collection<StoredInstance>({
    name: "instance",
    keys: (i) => ({ parent: i.cluster, seq: registeredAtOf(i), status: i.instance.status! }),
  });
  const services = store.collection<StoredService>({
    name: "service",
    keys: (s) => ({ parent: s.cluster, seq: s.service.createdAt!.getTime(), status: s.service.status! }),
  });
  return {
    clusters: store.collection<Cluster>({
      name: "cluster",
      keys: (c) => ({ parent: "", seq: 0, status: c.status ?? "ACTIVE" }),
    }),
    taskDefinitions: store.collection<StoredTaskDefinition>({
      name: "taskDefinition",
      keys: ({ taskDefinition: td }) => ({ parent: td.family!, seq: td.revision!, status: td.status! }),
    }),
    capacityProviders: store.collection<CapacityProvider>({
      name: "capacityProvider",
      keys: (cp) => ({ parent: "", seq: 0, status: cp.status ?? "ACTIVE" }),
    }),
    accountSettings: store.collection<StoredSetting>({
      name: "accountSetting",
      keys: (s) => ({ parent: s.principalArn, seq: 0, status: "" }),
    }),
    instances,
    instancesByCluster: new ParentIndex(instances, (i) => i.cluster, (i) => i.id, (a, b) => registeredAtOf(a) - registeredAtOf(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    tasks,
    liveTasks: new LiveTaskIndex(tasks),
    heartbeats: new Heartbeats(),
    services,
    serviceIds: new ScopeMirror(services, {
      query: {},
      idOf: serviceId,
      empty: () => new Set<string>(),
      apply: (ids, id, doc) => (doc && doc.service.status !== "INACTIVE" ? ids.add(id) : ids.delete(id)),
    }),
    runTaskTokens: store.collection<StoredRunTaskToken>({
      name: "runTaskToken",
      keys: (t) => ({ parent: t.cluster, seq: t.createdAt.getTime(), status: "" }),
    }),
    subnets: store.collection<StoredSubnet>({
      name: "subnet",
      keys: (s) => ({ parent: "", seq: 0, status: "" }),
    }),
  };
}

/**
 * Every task carries the definition it was created from; a service's thousands of tasks
 * carry the same one. A revision's content never changes (only its status and deregistration
 * time do), so tasks read back share one frozen copy per revision and status.
 */
const sharedDefinitions = new Map<string, TaskDefinition>();
function shareTaskDefinition(t: StoredTask): StoredTask {
  const td = t.taskDefinition;
  const key = `${td.taskDefinitionArn}|${td.status}|${td.deregisteredAt?.getTime() ?? ""}`;
  const shared = sharedDefinitions.get(key);
  if (!shared) {
    sharedDefinitions.set(key, td);
    return t;
  }
  return shared === td ? t : Object.freeze({ ...t, taskDefinition: shared });
}

/** A service's document id: its cluster and name. */
export const serviceId = (s: StoredService) => `${s.cluster}/${s.service.serviceName}`;

export const taskDefinitionId = (family: string, revision: number) => `${family}:${revision}`;
