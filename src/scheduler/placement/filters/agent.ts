// An instance whose agent is disconnected cannot start anything: ECS rejects it with AGENT.
import { FailureReason } from "../types.js";
import type { Filter } from "./filter.js";

export const agentConnected: Filter = {
  reason: FailureReason.agent,
  dynamic: false,
  admits: (cluster, i) => cluster.instances[i]!.agentConnected,
};
