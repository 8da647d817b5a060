// What a load balancer engine does for the control plane: make its proxy match a
// configuration, and say what its health checks observe. HAProxy's (./haproxy) is the one
// there is; another proxy can follow behind the same interface.
import type { DataPlaneConfig } from "../domain/elbv2/data-plane.js";
import type { ObservedHealth } from "../domain/elbv2/target-health.js";

export interface LoadBalancerEngine {
  /**
   * Makes the proxy serve `config`, started if it is not running (or found running from an
   * earlier control plane: then only the difference is applied, with no gap in traffic).
   * Targets come and go without a reload; listeners and rules by a hitless one.
   */
  apply(config: DataPlaneConfig): Promise<void>;
  /** The latest observation of every checked target, by healthKey(targetGroupId, targetId, port). */
  observations(): Map<string, ObservedHealth>;
  /** Listeners the proxy cannot serve, as "<load balancer id>:<port>/<protocol>". */
  unsupported(): string[];
  /** Lets go of the proxy and leaves it serving (a restarted control plane picks it up). */
  close(): Promise<void>;
  /** Stops the proxy: no load balancer is left. */
  stop(): Promise<void>;
}
