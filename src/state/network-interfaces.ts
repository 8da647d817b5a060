// The network interfaces berth has attached, derived from what owns them and kept current
// from its change feed: an awsvpc task's interface lives from the task's creation until it
// stops (later, a load balancer's one per subnet). EC2's DescribeNetworkInterfaces reads it,
// so do the rules that a security group or subnet in use cannot be deleted, and the firewall
// policy, whose membership sets ("traffic from group X") are these interfaces' addresses.
import type { Scope } from "../domain/scope.js";
import { idFromRef } from "../domain/arn.js";
import { taskIndexStatus, type StoredTask } from "./ecs-documents.js";
import { ScopeMirror } from "./scope-mirror.js";
import type { Collection } from "./store.js";

export interface NetworkInterfaceRecord {
  networkInterfaceId: string;
  /** ECS's attachment id (the task's ElasticNetworkInterface attachment). */
  attachmentId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  privateIpAddress: string;
  macAddress: string;
  securityGroupIds: readonly string[];
  /** The host's own address for it (127.x), where the host publishes the owner's ports. */
  loopbackAddress?: string;
  /** The container instance (or FARGATE host) whose agent enforces its rules. */
  hostId: string;
  /** What owns it: "task" for an awsvpc task (ECS's interfaceType "interface", requester-managed). */
  owner: { kind: "task"; arn: string; cluster: string; lastStatus: string };
}

interface ScopeInterfaces {
  byId: Map<string, NetworkInterfaceRecord>;
  /** Owner document id → interface id, to drop the interface when its owner changes. */
  byOwner: Map<string, string>;
}

export type InterfaceChangeListener = (
  scope: Scope,
  before: NetworkInterfaceRecord | undefined,
  after: NetworkInterfaceRecord | undefined,
) => void;

function taskInterface(doc: StoredTask | undefined): NetworkInterfaceRecord | undefined {
  const net = doc?.network;
  if (!doc || !net || !doc.hostId || taskIndexStatus(doc.task) !== "LIVE") return undefined;
  return {
    networkInterfaceId: net.networkInterfaceId,
    attachmentId: net.attachmentId,
    subnetId: net.subnetId,
    vpcId: net.vpcId,
    availabilityZone: doc.task.availabilityZone ?? "",
    privateIpAddress: net.ipv4Address,
    macAddress: net.macAddress,
    securityGroupIds: net.securityGroupIds ?? [],
    loopbackAddress: net.loopbackAddress,
    hostId: doc.hostId,
    owner: { kind: "task", arn: doc.task.taskArn!, cluster: doc.cluster, lastStatus: doc.task.lastStatus ?? "PROVISIONING" },
  };
}

export class NetworkInterfaceIndex {
  private readonly mirror: ScopeMirror<StoredTask, ScopeInterfaces>;
  private readonly listeners = new Set<InterfaceChangeListener>();
  private readonly scopesOf = new WeakMap<ScopeInterfaces, Scope>();

  constructor(tasks: Collection<StoredTask>) {
    this.mirror = new ScopeMirror(tasks, {
      query: { status: "LIVE" },
      idOf: (doc) => idFromRef(doc.task.taskArn!),
      empty: () => ({ byId: new Map(), byOwner: new Map() }),
      apply: (index, id, doc) => this.set(index, `task/${id}`, taskInterface(doc)),
    });
  }

  /** Every interface of the account and region. */
  async list(scope: Scope): Promise<NetworkInterfaceRecord[]> {
    return [...(await this.state(scope)).byId.values()];
  }

  async get(scope: Scope, networkInterfaceId: string): Promise<NetworkInterfaceRecord | undefined> {
    return (await this.state(scope)).byId.get(networkInterfaceId);
  }

  /**
   * Calls `listener` after every change of an interface (created, changed, gone) in a scope
   * already asked about, before the write that made it returns. Returns a function that stops it.
   */
  watch(listener: InterfaceChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async state(scope: Scope): Promise<ScopeInterfaces> {
    const state = await this.mirror.state(scope);
    if (!this.scopesOf.has(state)) this.scopesOf.set(state, scope);
    return state;
  }

  private set(index: ScopeInterfaces, ownerKey: string, next: NetworkInterfaceRecord | undefined): void {
    const beforeId = index.byOwner.get(ownerKey);
    const before = beforeId === undefined ? undefined : index.byId.get(beforeId);
    if (!before && !next) return;
    if (before) {
      index.byId.delete(before.networkInterfaceId);
      index.byOwner.delete(ownerKey);
    }
    if (next) {
      index.byId.set(next.networkInterfaceId, next);
      index.byOwner.set(ownerKey, next.networkInterfaceId);
    }
    const scope = this.scopesOf.get(index);
    if (scope && !sameInterface(before, next)) for (const listener of this.listeners) listener(scope, before, next);
  }
}

/** Whether two versions of an interface differ in what its rules or answers depend on (a task's other changes do not count). */
function sameInterface(a: NetworkInterfaceRecord | undefined, b: NetworkInterfaceRecord | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.networkInterfaceId === b.networkInterfaceId &&
    a.privateIpAddress === b.privateIpAddress &&
    a.hostId === b.hostId &&
    a.owner.lastStatus === b.owner.lastStatus &&
    a.securityGroupIds.join() === b.securityGroupIds.join()
  );
}
