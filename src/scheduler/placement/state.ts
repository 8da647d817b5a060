// The working copy placement consumes as it places: remaining CPU and memory, ports in
// use, and the tasks of the request's group per instance. Instances are addressed by
// index so the hot loop reads typed arrays; the input views are never mutated.
import { scratch } from "./scratch.js";
import type { InstanceView, TaskNeeds } from "./types.js";

type Task = { group: string; family: string };

export class WorkingCluster {
  readonly size: number;
  readonly cpu: Float64Array;
  readonly memory: Float64Array;
  private groupCounts?: Float64Array;
  private readonly tcp: (Set<number> | undefined)[];
  private readonly udp: (Set<number> | undefined)[];
  private readonly placed: (Task[] | undefined)[];

  constructor(
    readonly instances: readonly InstanceView[],
    readonly needs: TaskNeeds,
  ) {
    const n = (this.size = instances.length);
    this.cpu = scratch.float64(n);
    this.memory = scratch.float64(n);
    this.tcp = new Array<Set<number> | undefined>(n);
    this.udp = new Array<Set<number> | undefined>(n);
    this.placed = new Array<Task[] | undefined>(n);
    for (let i = 0; i < n; i++) {
      const remaining = instances[i]!.remaining;
      this.cpu[i] = remaining.cpu;
      this.memory[i] = remaining.memory;
    }
  }

  /**
   * Tasks of the request's group on each instance, placed ones included (a strategy key, so
   * the same array type as cpu/memory). Counted on first use: only spread and distinctInstance
   * ask, and a lookup per instance was most of building the working copy.
   */
  get groupCount(): Float64Array {
    if (this.groupCounts) return this.groupCounts;
    const counts = (this.groupCounts = scratch.float64(this.size));
    const group = this.needs.group;
    for (let i = 0; i < this.size; i++) {
      const instance = this.instances[i]!;
      let count = this.placed[i]?.length ?? 0; // placed ones are all of the request's group
      if (instance.tasksByGroup) count += instance.tasksByGroup.get(group) ?? 0;
      else for (const task of instance.tasks) if (task.group === group) count++;
      counts[i] = count;
    }
    return counts;
  }

  /** Host ports in use on instance i, built on first use (most tasks have no static port). */
  portsInUse(i: number, protocol: "tcp" | "udp"): ReadonlySet<number> {
    const sets = protocol === "tcp" ? this.tcp : this.udp;
    let set = sets[i];
    if (!set) {
      const remaining = this.instances[i]!.remaining;
      set = sets[i] = new Set(protocol === "tcp" ? remaining.ports : remaining.portsUdp);
    }
    return set;
  }

  /** The instance as it stands now, with the tasks placed on it so far. */
  view(i: number): InstanceView {
    const instance = this.instances[i]!;
    const placed = this.placed[i];
    if (!placed) return instance;
    // Placed tasks are pending, so they do not change runningTasksCount.
    return { ...instance, tasks: [...instance.tasks, ...placed], runningTasksCount: instance.runningTasksCount ?? instance.tasks.length };
  }

  /** Reserves one task's resources on instance i. */
  commit(i: number): void {
    const needs = this.needs;
    this.cpu[i]! -= needs.cpu;
    this.memory[i]! -= needs.memory;
    if (this.groupCounts) this.groupCounts[i]! += 1;
    for (const { port, protocol } of needs.hostPorts) (this.portsInUse(i, protocol) as Set<number>).add(port);
    (this.placed[i] ??= []).push({ group: needs.group, family: needs.family });
  }
}
