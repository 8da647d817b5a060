// How a VPC lives on a host: one Docker bridge network per VPC whose pool is the VPC's CIDR
// block and whose gateway (the host's address on it) is the block's first usable address, as
// a VPC's router answers at each subnet's base + 1. Subnets are ranges of that network, so
// traffic between a VPC's subnets is bridged, never routed across Docker's isolated bridges,
// and only the security groups decide it.
import { parseCidr } from "../../ipv4-cidr.js";

export const DEFAULT_VPC_CIDR = "172.31.0.0/16";

/** The default VPC's subnet for the zone at `index`: 172.31.0.0/20, 172.31.16.0/20, … as AWS lays them out. */
export function defaultSubnetCidr(index: number): string {
  return `172.31.${index * 16}.0/20`;
}

export const vpcNetworkName = (vpcId: string): string => `berth-${vpcId}`;

/**
 * The Linux bridge of a VPC's Docker network (Docker's com.docker.network.bridge.name), at most
 * 15 characters: the firewall's rules name it, so that one agent's rules only ever judge
 * traffic on its own VPCs' bridges, never on another berth's sharing the host.
 */
export const vpcBridgeName = (vpcId: string): string => `bv-${vpcId.replace(/^vpc-/, "").slice(0, 12)}`;

export function ipv4ToNumber(address: string): number {
  const [a = 0, b = 0, c = 0, d = 0] = address.split(".").map(Number);
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

export function numberToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** The host's address on a VPC's network: its CIDR block's base + 1. */
export function vpcGateway(cidrBlock: string): string {
  const range = parseCidr(cidrBlock);
  if (!range) throw new Error(`not an IPv4 CIDR block: ${cidrBlock}`);
  return numberToIpv4(range.first + 1);
}

/**
 * The addresses of a subnet an interface may take: all but the five AWS reserves (the
 * network address, base + 1 for the router, + 2 for DNS, + 3 for future use, and the last).
 */
export function assignableRange(subnetCidr: string): { first: number; last: number; count: number } {
  const range = parseCidr(subnetCidr);
  if (!range) throw new Error(`not an IPv4 CIDR block: ${subnetCidr}`);
  const first = range.first + 4;
  const last = range.last - 1;
  return { first, last, count: Math.max(0, last - first + 1) };
}
