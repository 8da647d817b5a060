// The order of a task's containers. dependsOn carries ECS's conditions; links need their target
// running (START); volumesFrom needs its source created. Creation follows every edge, starting
// follows the conditions, and stopping runs the other way: dependants before what they depend on.
// Pure.
import type { ContainerDefinition } from "@aws-sdk/client-ecs";

export type Condition = "START" | "COMPLETE" | "SUCCESS" | "HEALTHY";

export interface Edge {
  /** The container depended on. */
  target: string;
  kind: "dependsOn" | "link" | "volumesFrom";
  /** What must hold before the dependant starts; none for volumesFrom (created is enough). */
  condition?: Condition;
}

/** Every container's dependencies, keyed by container name. */
export function dependencyEdges(defs: readonly ContainerDefinition[]): Map<string, Edge[]> {
  const edges = new Map<string, Edge[]>();
  for (const def of defs) {
    const list: Edge[] = [];
    for (const d of def.dependsOn ?? []) list.push({ target: d.containerName!, kind: "dependsOn", condition: d.condition });
    for (const link of def.links ?? []) list.push({ target: link.split(":")[0]!, kind: "link", condition: "START" });
    for (const v of def.volumesFrom ?? []) list.push({ target: v.sourceContainer!, kind: "volumesFrom" });
    edges.set(def.name!, list);
  }
  return edges;
}

/** Why this graph cannot be ordered (an unknown container or a cycle), or undefined. */
export function dependencyProblem(defs: readonly ContainerDefinition[]): string | undefined {
  const edges = dependencyEdges(defs);
  for (const [name, list] of edges) {
    for (const e of list) if (!edges.has(e.target)) return `container ${name} depends on unknown container ${e.target}`;
  }
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (name: string): string | undefined => {
    if (state.get(name) === "done") return undefined;
    if (state.get(name) === "visiting") return [...path.slice(path.indexOf(name)), name].join(" -> ");
    state.set(name, "visiting");
    path.push(name);
    for (const e of edges.get(name) ?? []) {
      const cycle = visit(e.target);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, "done");
    return undefined;
  };
  for (const name of edges.keys()) {
    const cycle = visit(name);
    if (cycle) return `dependency cycle: ${cycle}`;
  }
  return undefined;
}

/** Groups that can be created (or started) together, dependencies first. Assumes no cycle. */
export function startWaves(defs: readonly ContainerDefinition[]): string[][] {
  const edges = dependencyEdges(defs);
  const level = new Map<string, number>();
  const depth = (name: string): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    const value = Math.max(-1, ...(edges.get(name) ?? []).map((e) => depth(e.target))) + 1;
    level.set(name, value);
    return value;
  };
  for (const name of edges.keys()) depth(name);
  return waves(level, [...edges.keys()]);
}

/** Groups to stop together, dependants first: a container stops once everything depending on it has. */
export function stopWaves(defs: readonly ContainerDefinition[]): string[][] {
  const dependants = dependantsOf(defs);
  const level = new Map<string, number>();
  const depth = (name: string): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    const value = Math.max(-1, ...(dependants.get(name) ?? []).map(depth)) + 1;
    level.set(name, value);
    return value;
  };
  for (const name of dependants.keys()) depth(name);
  return waves(level, [...dependants.keys()]);
}

/** For each container, the containers that depend on it (by any kind of edge). */
export function dependantsOf(defs: readonly ContainerDefinition[]): Map<string, string[]> {
  const result = new Map<string, string[]>(defs.map((d) => [d.name!, []]));
  for (const [name, list] of dependencyEdges(defs)) {
    for (const e of list) {
      const of = result.get(e.target);
      if (of && !of.includes(name)) of.push(name);
    }
  }
  return result;
}

/** Runs `fn` for every container, each only after it has finished for everything depending on it. */
export async function dependantsFirst(defs: readonly ContainerDefinition[], fn: (name: string) => Promise<void>): Promise<void> {
  const dependants = dependantsOf(defs);
  const done = new Map<string, Promise<void>>();
  const after = (name: string): Promise<void> => {
    let finished = done.get(name);
    if (!finished) {
      finished = Promise.all((dependants.get(name) ?? []).map(after)).then(() => fn(name));
      done.set(name, finished);
    }
    return finished;
  };
  await Promise.all(defs.map((d) => after(d.name!)));
}

export interface DependencyView {
  started: boolean;
  /** It stopped without ever running (failed pull, create, start or dependency): nothing can be met. */
  failed?: boolean;
  /** Set once the container has stopped after running (undefined exit code: never ran). */
  exited: boolean;
  exitCode?: number;
  health?: "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
}

/** Whether `condition` holds for the dependency, may still come to hold, or never will. */
export function conditionState(condition: Condition, dep: DependencyView): "met" | "waiting" | "unmet" {
  if (dep.failed) return "unmet";
  switch (condition) {
    case "START":
      return dep.started ? "met" : "waiting";
    case "COMPLETE":
      return dep.exited ? "met" : "waiting";
    case "SUCCESS":
      if (!dep.exited) return "waiting";
      return dep.exitCode === 0 ? "met" : "unmet";
    case "HEALTHY":
      if (dep.health === "HEALTHY") return "met";
      return dep.exited ? "unmet" : "waiting";
  }
}

function waves(level: ReadonlyMap<string, number>, order: readonly string[]): string[][] {
  const result: string[][] = [];
  for (const name of order) (result[level.get(name)!] ??= []).push(name);
  return result;
}
