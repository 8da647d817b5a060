// distinctInstance: "each task in a particular group is running on a different container
// instance" (ECS API reference, PlacementConstraint). So an instance that already runs a
// task of the group is out, and so is one this request has just used.
import { FailureReason } from "../types.js";
import type { Filter } from "./filter.js";

export const distinctInstance: Filter = {
  reason: FailureReason.distinctInstance,
  dynamic: true,
  admits: (cluster, i) => cluster.groupCount[i] === 0,
};
