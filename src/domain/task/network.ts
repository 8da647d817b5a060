// Addresses for awsvpc tasks. A task's network interface is in one of the EC2 subnets its
// network configuration names; it takes the lowest free address of that subnet that AWS
// would hand out, and a loopback address 127.1.x.y of its own through which the host reaches it.
import { assignableRange, numberToIpv4 } from "../ec2/vpc-network.js";

export const SUBNET_ID = /^subnet-[0-9a-zA-Z]{1,32}$/;
export const SECURITY_GROUP_ID = /^sg-[0-9a-zA-Z]{1,32}$/;

/**
 * Lowest address of `subnetCidr` that an interface may take (AWS's five reserved ones skipped)
 * and that is not in `taken`; undefined when the subnet is full.
 */
export function freeSubnetAddress(subnetCidr: string, taken: ReadonlySet<string>): string | undefined {
  const { first, last } = assignableRange(subnetCidr);
  for (let n = first; n <= last; n++) {
    const address = numberToIpv4(n);
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

/** A MAC address derived from the IPv4 address, stable and unique within a VPC. */
export function macFor(ipv4: string): string {
  const [a, b, c, d] = ipv4.split(".").map(Number);
  return ["02", "42", a, b, c, d].map((x) => (typeof x === "number" ? x.toString(16).padStart(2, "0") : x)).join(":");
}

/** An interface's private DNS name as EC2 shows it: ip-a-b-c-d.ec2.internal in us-east-1, ip-a-b-c-d.<region>.compute.internal elsewhere. */
export function privateDnsName(ipv4: string, region: string): string {
  const host = `ip-${ipv4.replaceAll(".", "-")}`;
  return region === "us-east-1" ? `${host}.ec2.internal` : `${host}.${region}.compute.internal`;
}
