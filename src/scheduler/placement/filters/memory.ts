import { FailureReason } from "../types.js";
import type { Filter } from "./filter.js";

export const memory: Filter = {
  reason: FailureReason.memory,
  dynamic: true,
  admits: (cluster, i) => cluster.memory[i]! >= cluster.needs.memory,
};
