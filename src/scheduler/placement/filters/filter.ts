// A filter decides whether one instance can take the next task. Filters run in the order
// ECS reports them, and the first one that refuses names the failure reason.
import type { WorkingCluster } from "../state.js";
import type { PlacementFailureReason } from "../types.js";

export interface Filter {
  readonly reason: PlacementFailureReason;
  /**
   * Whether placing a task on an instance can change the verdict for that instance.
   * Static filters are asked once per instance; dynamic ones again after each placement.
   */
  readonly dynamic: boolean;
  admits(cluster: WorkingCluster, i: number): boolean;
}
