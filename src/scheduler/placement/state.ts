// The working copy placement consumes as it places: remaining CPU and memory, ports in
// use, and the tasks of the request's group per instance. Instances are addressed by
// index so the hot loop reads typed arrays; the input views are never mutated.
import type { InstanceView, TaskNeeds } from "./types.js";

type Task = { group: string; family: string };

export class WorkingCluster {
  readonly size: number;
  readonly cpu: Float64Array;
  readonly memory: Float64Array;
  /** Tasks of the request's group on each instance, placed ones included. */
  readonly groupCount: Float64Array; // a strategy key, so the same array type as cpu/memory
  private readonly tcp: (Set<number> | undefined)[];
  private readonly udp: (Set<number> | undefined)[];
  private readonly placed: (Task[] | undefined)[];

  constructor(
    readonly instances: readonly InstanceView[],
    readonly needs: TaskNeeds,
  ) {
    const n = (this.size = instances.length);
    this.cpu = new Float64Array(n);
    this.memory = new Float64Array(n);
    this.groupCount = new Float64Array(n);
    this.tcp = new Array(n);
    this.udp = new Array(n);
    this.placed = new Array(n);
    for (let i = 0; i < n; i++) {
      const instance = instances[i]!;
      this.cpu[i] = instance.remaining.cpu;
      this.memory[i] = instance.remaining.memory;
      if (instance.tasksByGroup) this.groupCount[i] = instance.tasksByGroup.get(needs.group) ?? 0;
      else {
        let count = 0;
        for (const task of instance.tasks) if (task.group === needs.group) count++;
        this.groupCount[i] = count;
      }
    }
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
    this.cpu[i] -= needs.cpu;
    this.memory[i] -= needs.memory;
    this.groupCount[i] += 1;
    for (const { port, protocol } of needs.hostPorts) (this.portsInUse(i, protocol) as Set<number>).add(port);
    (this.placed[i] ??= []).push({ group: needs.group, family: needs.family });
  }
}
