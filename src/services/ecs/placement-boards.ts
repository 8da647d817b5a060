// The placement views of each cluster's container instances, kept between placements.
// RunTask places among a thousand instances per call; building their views each time (and
// even checking a memo per instance: a handful of scattered reads each) was a good part of
// the control plane's CPU in the end-to-end bench (bench/RESULTS.md). A board instead hears which hosts changed
// (a task of theirs, their document, a heartbeat after silence) and rebuilds only those.
// Whether an agent counts as connected also changes with the mere passing of time, so the
// board knows the earliest moment a connected agent's heartbeat can age out and looks at
// every host again only then.
import type { ContainerInstance } from "@aws-sdk/client-ecs";
import { isAgentConnected, type HostUsage } from "../../domain/container-instance.js";
import { scopeKey, type Scope } from "../../domain/scope.js";
import type { InstanceView } from "../../scheduler/placement/index.js";
import type { EcsState, StoredInstance } from "../../state/ecs-state.js";

/** What a placement reads: the cluster's instances (FARGATE capacity excluded) and a view of each, in the same order. */
export interface PlacementViews {
  instances: readonly StoredInstance[];
  views: readonly InstanceView[];
}

interface Board {
  /** The instance index's array the board was built from; a new array means members came or went. */
  instances: readonly StoredInstance[];
  views: InstanceView[];
  /** Host id → position in `instances`. */
  slot: Map<string, number>;
  connected: Uint8Array;
  /** Hosts whose views may be out of date. */
  dirty: Set<string>;
  /** Before this time (epoch ms) no connected agent's heartbeat has aged out. */
  recheckAt: number;
}

export class PlacementBoards {
  private readonly boards = new Map<string, Board>();
  /** Which board holds each host, so a change to a host finds its board without knowing its cluster. */
  private readonly boardOfHost = new Map<string, Board>();

  constructor(private readonly state: EcsState) {
    state.tasks.watch((scope, _id, doc) => {
      if (doc?.hostId) this.touch(scope, doc.hostId);
    });
    state.instances.watch((scope, id) => this.touch(scope, id));
    // A heartbeat matters only to a host shown disconnected; connected ones age out by time.
    state.heartbeats.onHeard((scope, hostId) => {
      const board = this.boardOfHost.get(scopeKey(scope, hostId));
      if (board && !board.connected[board.slot.get(hostId)!]) board.dirty.add(hostId);
    });
  }

  private touch(scope: Scope, hostId: string): void {
    this.boardOfHost.get(scopeKey(scope, hostId))?.dirty.add(hostId);
  }

  /** The cluster's views as of `now`. The arrays are shared until the next call: read them, do not keep them. */
  async views(scope: Scope, cluster: string, now: Date, agentTimeoutMs: number): Promise<PlacementViews> {
    const instances = await this.state.instancesByCluster.list(scope, cluster);
    const usageOf = await this.state.liveTasks.usages(scope);
    const lastSeenMs = this.state.heartbeats.lastSeenLookup(scope);
    // Nothing awaits from here on, so two placements never interleave their updates.
    const key = scopeKey(scope, cluster);
    let board = this.boards.get(key);
    if (instances.length === 0) {
      if (board) this.drop(scope, key, board);
      return { instances, views: [] };
    }
    if (!board || board.instances !== instances) {
      if (board) this.drop(scope, key, board);
      board = this.build(scope, instances);
      this.boards.set(key, board);
    }
    const nowMs = now.getTime();
    const refresh = (i: number) => {
      const stored = instances[i]!;
      const seenMs = lastSeenMs(stored);
      const connected = isAgentConnected(stored.instance, seenMs, now, agentTimeoutMs);
      const usage = usageOf(stored.id);
      board.connected[i] = connected ? 1 : 0;
      board.views[i] = placementView(stored.instance, usage, connected);
      if (connected) board.recheckAt = Math.min(board.recheckAt, seenMs + agentTimeoutMs);
    };
    if (nowMs >= board.recheckAt) {
      board.recheckAt = Infinity;
      board.dirty.clear();
      for (let i = 0; i < instances.length; i++) refresh(i);
    } else {
      for (const hostId of board.dirty) {
        const i = board.slot.get(hostId);
        if (i !== undefined) refresh(i);
      }
      board.dirty.clear();
    }
    return board;
  }

  private drop(scope: Scope, key: string, board: Board): void {
    for (const hostId of board.slot.keys())
      if (this.boardOfHost.get(scopeKey(scope, hostId)) === board) this.boardOfHost.delete(scopeKey(scope, hostId));
    this.boards.delete(key);
  }

  private build(scope: Scope, instances: readonly StoredInstance[]): Board {
    const board: Board = {
      instances,
      views: new Array<InstanceView>(instances.length),
      slot: new Map(),
      connected: new Uint8Array(instances.length),
      dirty: new Set(),
      recheckAt: -Infinity, // the first call builds every view
    };
    instances.forEach((stored, i) => {
      board.slot.set(stored.id, i);
      this.boardOfHost.set(scopeKey(scope, stored.id), board);
    });
    return board;
  }
}

/** One set of boards per control plane's state, made on first use. */
const boardsByState = new WeakMap<EcsState, PlacementBoards>();
export function placementBoards(state: EcsState): PlacementBoards {
  let boards = boardsByState.get(state);
  if (!boards) boardsByState.set(state, (boards = new PlacementBoards(state)));
  return boards;
}

/**
 * The placement module's view of an instance holding `usage`: its DescribeContainerInstances
 * figures (remaining resources, running tasks), built straight from the stored instance.
 */
export function placementView(instance: ContainerInstance, usage: HostUsage, connected: boolean): InstanceView {
  let cpu = 0;
  let memory = 0;
  let ports: number[] = [];
  let portsUdp: number[] = [];
  for (const r of instance.registeredResources ?? []) {
    if (r.name === "CPU") cpu = r.integerValue! - usage.cpu;
    else if (r.name === "MEMORY") memory = r.integerValue! - usage.memory;
    else if (r.name === "PORTS") ports = [...(r.stringSetValue ?? []).map(Number), ...usage.ports];
    else if (r.name === "PORTS_UDP") portsUdp = [...(r.stringSetValue ?? []).map(Number), ...usage.portsUdp];
  }
  return {
    arn: instance.containerInstanceArn!,
    ec2InstanceId: instance.ec2InstanceId!,
    status: instance.status as InstanceView["status"],
    agentConnected: connected,
    registeredAt: instance.registeredAt!,
    attributes: attributesOf(instance),
    remaining: { cpu, memory, ports, portsUdp },
    tasks: usage.tasks,
    tasksByGroup: usage.byGroup,
    agentVersion: instance.versionInfo?.agentVersion,
    runningTasksCount: usage.running,
  };
}

/** Attributes by name, per stored instance document (frozen, so a change is a new object). */
const attributeRecords = new WeakMap<ContainerInstance, Record<string, string | undefined>>();
function attributesOf(instance: ContainerInstance): Record<string, string | undefined> {
  let record = attributeRecords.get(instance);
  if (!record) attributeRecords.set(instance, (record = Object.fromEntries((instance.attributes ?? []).map((a) => [a.name!, a.value]))));
  return record;
}
