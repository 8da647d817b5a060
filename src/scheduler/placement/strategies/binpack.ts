// binpack: "a task is placed on the instance with the least amount of remaining memory
// but still enough to run the task" (ECS API reference, PlacementStrategy); cpu likewise.
// The working copy's remaining CPU or memory is the key; commit() keeps it current.
import type { WorkingCluster } from "../state.js";
import type { Ranker } from "./ranker.js";

export function binpack(cluster: WorkingCluster, field: "cpu" | "memory"): Ranker {
  return { keys: field === "cpu" ? cluster.cpu : cluster.memory };
}
