// The IPv4 routes of the host this process runs on, read from Linux's /proc/net/route: the
// address space the host already reaches (its LAN, VPNs, other bridges), which a VPC's Docker
// network must not take, or the host's traffic to those addresses would go to the VPC. The agent
// reports its host's with its Docker networks' pools; the control plane adds its own host's.
import { readFileSync } from "node:fs";
import { parseRouteTable, type HostRoute } from "../ipv4-cidr.js";

const ROUTE_TABLE = "/proc/net/route";

/** The host's routes but the default one; none where there is no /proc/net/route (not Linux). */
export function hostRoutes(path = ROUTE_TABLE): HostRoute[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return [];
  }
  return parseRouteTable(text);
}

/** The Linux bridges of berth's VPC networks are named bv-… (vpcBridgeName): their routes are berth's own VPCs. */
export const isVpcBridge = (iface: string): boolean => iface.startsWith("bv-");
