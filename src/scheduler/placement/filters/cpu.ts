import { FailureReason } from "../types.js";
import type { Filter } from "./filter.js";

export const cpu: Filter = {
  reason: FailureReason.cpu,
  dynamic: true,
  admits: (cluster, i) => cluster.cpu[i]! >= cluster.needs.cpu,
};
