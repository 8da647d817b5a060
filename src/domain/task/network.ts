// Addresses for awsvpc tasks. Each subnet named in a network configuration is a
// berth-managed Docker network with its own /24; each task takes the lowest free address
// in it, and a loopback address 127.1.x.y of its own through which the host reaches it.
import { cidrsOverlap } from "../../ipv4-cidr.js";
import { invalidParameter } from "../errors.js";

export const SUBNET_ID = /^subnet-[0-9a-zA-Z]{1,32}$/;
export const SECURITY_GROUP_ID = /^sg-[0-9a-zA-Z]{1,32}$/;

export interface SubnetPlan {
  networkName: string;
  cidr: string;
  gateway: string;
}

/**
 * A new subnet gets the lowest 10.211.n.0/24 that overlaps no pool in `taken`: those of the
 * subnets planned before it, and those Docker networks hold on the hosts. Docker refuses a
 * network whose pool overlaps another's, so a pool in use there would fail every task of the
 * subnet.
 */
export function planSubnet(subnetId: string, taken: Iterable<string>): SubnetPlan {
  const busy = [...taken];
  for (let n = 0; n < 256; n++) {
    const cidr = `10.211.${n}.0/24`;
    if (!busy.some((pool) => cidrsOverlap(pool, cidr))) return { networkName: `berth-${subnetId}`, cidr, gateway: `10.211.${n}.1` };
  }
  throw invalidParameter(
    "berth supports at most 256 distinct subnets per region, in 10.211.0.0/16 less the pools Docker networks on its hosts hold.",
  );
}

/** Lowest host address of a /24 not in `taken` (.1 is the gateway). */
export function freeAddress(cidr: string, taken: ReadonlySet<string>): string | undefined {
  const prefix = cidr.split(".").slice(0, 3).join(".");
  for (let host = 2; host < 255; host++) {
    const address = `${prefix}.${host}`;
    if (!taken.has(address)) return address;
  }
  return undefined;
}

/** Lowest loopback address 127.1.x.y (never 127.0.0.1) not in `taken`. */
export function freeLoopback(taken: ReadonlySet<string>): string | undefined {
  for (let i = 1; i < 65_535; i++) {
    const address = `127.1.${Math.floor(i / 256)}.${i % 256}`;
    if (i % 256 === 0 || i % 256 === 255) continue;
    if (!taken.has(address)) return address;
  }
  return undefined;
}

/** A MAC address derived from the IPv4 address, stable and unique within berth's range. */
export function macFor(ipv4: string): string {
  const [a, b, c, d] = ipv4.split(".").map(Number);
  return ["02", "42", a, b, c, d].map((x) => (typeof x === "number" ? x.toString(16).padStart(2, "0") : x)).join(":");
}
