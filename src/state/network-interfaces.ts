// The network interfaces berth has attached, derived from what owns them and kept current
// from their change feeds: an awsvpc task's interface lives from the task's creation until it
// stops, a load balancer's one per subnet as long as the load balancer. EC2's DescribeNetworkInterfaces reads it,
// so do the rules that a security group or subnet in use cannot be deleted, and the firewall
// policy, whose membership sets ("traffic from group X") are these interfaces' addresses.
import type { Scope } from "../domain/scope.js";
import { idFromRef } from "../domain/arn.js";
import { taskIndexStatus, type StoredTask } from "./ecs-documents.js";
import type { StoredLoadBalancer } from "../domain/elbv2/documents.js";
import { elbIdOf } from "../domain/elbv2/arns.js";
import { ScopeMirror } from "./scope-mirror.js";
import type { Collection } from "./store.js";

export interface NetworkInterfaceRecord {
  networkInterfaceId: string;
  /** ECS's attachment id (the task's ElasticNetworkInterface attachment); "" for a load balancer's. */
  attachmentId: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  privateIpAddress: string;
  macAddress: string;
  securityGroupIds: readonly string[];
  /** The host's own address for it (127.x), where the host publishes the owner's ports. */
  loopbackAddress?: string;
  /** The container instance (or FARGATE host) whose agent enforces its rules; "" for a load balancer's, which no agent holds. */
  hostId: string;
  /** What owns it: an awsvpc task, or a load balancer (one interface in each of its subnets). */
  owner: TaskOwner | LoadBalancerOwner;
}

export interface TaskOwner {
  kind: "task";
  arn: string;
  cluster: string;
  lastStatus: string;
}

export interface LoadBalancerOwner {
  kind: "load-balancer";
  arn: string;
  /** "application" or "network". */
  type: string;
}

interface ScopeInterfaces {
  byId: Map<string, NetworkInterfaceRecord>;
  /** Owner document id → its interfaces' ids, to drop them when the owner changes. */
  byOwner: Map<string, string[]>;
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

/** A load balancer's interfaces, one per subnet; none once it is gone. */
function loadBalancerInterfaces(doc: StoredLoadBalancer | undefined): NetworkInterfaceRecord[] {
  if (!doc) return [];
  const lb = doc.loadBalancer;
  return doc.interfaces.map((i) => ({
    networkInterfaceId: i.networkInterfaceId,
    attachmentId: "",
    subnetId: i.subnetId,
    vpcId: lb.VpcId ?? "",
    availabilityZone: i.availabilityZone,
    privateIpAddress: i.privateIpAddress,
    macAddress: i.macAddress,
    securityGroupIds: lb.SecurityGroups ?? [],
    hostId: "",
    owner: { kind: "load-balancer", arn: lb.LoadBalancerArn!, type: lb.Type ?? "application" },
  }));
}

const ownerStatus = (r: NetworkInterfaceRecord) => (r.owner.kind === "task" ? r.owner.lastStatus : "");

const emptyInterfaces = (): ScopeInterfaces => ({ byId: new Map(), byOwner: new Map() });

export class NetworkInterfaceIndex {
  private readonly tasks: ScopeMirror<StoredTask, ScopeInterfaces>;
  private readonly loadBalancers: ScopeMirror<StoredLoadBalancer, ScopeInterfaces>;
  private readonly listeners = new Set<InterfaceChangeListener>();
  private readonly scopesOf = new WeakMap<ScopeInterfaces, Scope>();

  constructor(tasks: Collection<StoredTask>, loadBalancers: Collection<StoredLoadBalancer>) {
    this.tasks = new ScopeMirror(tasks, {
      query: { status: "LIVE" },
      idOf: (doc) => idFromRef(doc.task.taskArn!),
      empty: emptyInterfaces,
      apply: (index, id, doc) =>
        this.set(
          index,
          id,
          [taskInterface(doc)].filter((i) => i !== undefined),
        ),
    });
    this.loadBalancers = new ScopeMirror(loadBalancers, {
      query: {},
      idOf: (doc) => elbIdOf(doc.loadBalancer.LoadBalancerArn!),
      empty: emptyInterfaces,
      apply: (index, id, doc) => this.set(index, id, loadBalancerInterfaces(doc)),
    });
  }

  /** Every interface of the account and region: its tasks' and its load balancers'. */
  async list(scope: Scope): Promise<NetworkInterfaceRecord[]> {
    const [tasks, loadBalancers] = await this.states(scope);
    return [...tasks.byId.values(), ...loadBalancers.byId.values()];
  }

  async get(scope: Scope, networkInterfaceId: string): Promise<NetworkInterfaceRecord | undefined> {
    const [tasks, loadBalancers] = await this.states(scope);
    return tasks.byId.get(networkInterfaceId) ?? loadBalancers.byId.get(networkInterfaceId);
  }

  /**
   * Calls `listener` after every change of an interface (created, changed, gone) in a scope
   * already asked about, before the write that made it returns. Returns a function that stops it.
   */
  watch(listener: InterfaceChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async states(scope: Scope): Promise<[ScopeInterfaces, ScopeInterfaces]> {
    const states = await Promise.all([this.tasks.state(scope), this.loadBalancers.state(scope)]);
    for (const state of states) if (!this.scopesOf.has(state)) this.scopesOf.set(state, scope);
    return states;
  }

  private set(index: ScopeInterfaces, ownerId: string, next: readonly NetworkInterfaceRecord[]): void {
    const beforeIds = index.byOwner.get(ownerId) ?? [];
    if (!beforeIds.length && !next.length) return;
    const before = new Map(beforeIds.map((id) => [id, index.byId.get(id)!]));
    for (const id of beforeIds) index.byId.delete(id);
    index.byOwner.delete(ownerId);
    for (const record of next) index.byId.set(record.networkInterfaceId, record);
    if (next.length)
      index.byOwner.set(
        ownerId,
        next.map((r) => r.networkInterfaceId),
      );
    const scope = this.scopesOf.get(index);
    if (!scope) return;
    const after = new Map(next.map((r) => [r.networkInterfaceId, r]));
    for (const id of new Set([...before.keys(), ...after.keys()])) {
      const [a, b] = [before.get(id), after.get(id)];
      if (!sameInterface(a, b)) for (const listener of this.listeners) listener(scope, a, b);
    }
  }
}

/** Whether two versions of an interface differ in what its rules or answers depend on (a task's other changes do not count). */
function sameInterface(a: NetworkInterfaceRecord | undefined, b: NetworkInterfaceRecord | undefined): boolean {
  if (!a || !b) return a === b;
  return (
    a.networkInterfaceId === b.networkInterfaceId &&
    a.privateIpAddress === b.privateIpAddress &&
    a.hostId === b.hostId &&
    ownerStatus(a) === ownerStatus(b) &&
    a.securityGroupIds.join() === b.securityGroupIds.join()
  );
}
