// The collections the ECS control plane keeps, and the index keys of each.
import type { CapacityProvider, Cluster, TaskDefinition } from "@aws-sdk/client-ecs";
import {
  serviceId,
  taskIndexStatus,
  taskParent,
  type StoredInstance,
  type StoredRunTaskToken,
  type StoredService,
  type StoredSetting,
  type StoredTask,
  type StoredTaskDefinition,
} from "./ecs-documents.js";
import { Heartbeats } from "./heartbeats.js";
import { LiveTaskIndex } from "./live-tasks.js";
import { ParentIndex } from "./parent-index.js";
import { ScopeMirror } from "./scope-mirror.js";
import type { Collection, Store } from "./store.js";
import { ec2State, type Ec2State } from "./ec2-state.js";
import { NetworkInterfaceIndex } from "./network-interfaces.js";
import { elbv2State, type Elbv2State } from "./elbv2-state.js";

// The documents' types and keys live beside this, where the derived views can import them.
export * from "./ecs-documents.js";

export interface EcsState {
  clusters: Collection<Cluster>;
  taskDefinitions: Collection<StoredTaskDefinition>;
  capacityProviders: Collection<CapacityProvider>;
  accountSettings: Collection<StoredSetting>;
  instances: Collection<StoredInstance>;
  tasks: Collection<StoredTask>;
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
  /** EC2's VPCs, subnets and security groups, which awsvpc tasks are placed in. */
  ec2: Ec2State;
  /** The network interfaces of awsvpc tasks and load balancers, derived from `tasks` and `elbv2.loadBalancers`. */
  interfaces: NetworkInterfaceIndex;
  /** Elastic Load Balancing's load balancers, listeners, rules and target groups, which services register their tasks in. */
  elbv2: Elbv2State;
}

const registeredAtOf = (i: StoredInstance) => i.instance.registeredAt!.getTime();

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
  const elbv2 = elbv2State(store);
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
    instancesByCluster: new ParentIndex(
      instances,
      (i) => i.cluster,
      (i) => i.id,
      (a, b) => registeredAtOf(a) - registeredAtOf(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    ),
    tasks,
    liveTasks: new LiveTaskIndex(tasks),
    ec2: ec2State(store),
    elbv2,
    interfaces: new NetworkInterfaceIndex(tasks, elbv2.loadBalancers),
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
