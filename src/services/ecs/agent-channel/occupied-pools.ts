// The IPv4 address space in use on each host, as the agents last reported it over their
// channels: the pools Docker networks hold that the agent cannot take back (not berth's, or
// still joined by containers), and the host's routes. CreateVpc refuses a CIDR that overlaps
// any of them: agents of any account or region may share one Docker engine, and Docker
// refuses a network whose pool overlaps another's. Memory is enough: an agent reports again
// on every connection.
import { parseCidr } from "../../../ipv4-cidr.js";
import { scopeKey, type Scope } from "../../../domain/scope.js";

export class OccupiedPools {
  private readonly byHost = new Map<string, readonly string[]>();

  /** Replaces what the host reported before; entries that are no IPv4 CIDR are dropped. */
  set(scope: Scope, hostId: string, pools: unknown): void {
    const valid = Array.isArray(pools) ? pools.filter((p): p is string => typeof p === "string" && parseCidr(p) !== undefined) : [];
    this.byHost.set(scopeKey(scope, hostId), valid);
  }

  /** Every pool reported occupied on any host. */
  all(): string[] {
    return [...new Set([...this.byHost.values()].flat())];
  }
}
