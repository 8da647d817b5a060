// Static host ports must be free on the instance: RESOURCE:PORTS for TCP and
// RESOURCE:PORTS_UDP for UDP, after the PORTS and PORTS_UDP resources ECS registers.
import { FailureReason, type TaskNeeds } from "../types.js";
import type { Filter } from "./filter.js";

export function hostPorts(needs: TaskNeeds, protocol: "tcp" | "udp"): Filter | undefined {
  const ports = needs.hostPorts.filter((p) => p.protocol === protocol).map((p) => p.port);
  if (ports.length === 0) return undefined;
  return {
    reason: protocol === "tcp" ? FailureReason.ports : FailureReason.portsUdp,
    dynamic: true,
    admits(cluster, i) {
      const inUse = cluster.portsInUse(i, protocol);
      return ports.every((port) => !inUse.has(port));
    },
  };
}
