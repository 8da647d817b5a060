// IPv4 address pools in CIDR notation ("10.211.0.0/24"), as Docker networks and VPC subnets
// name them. Shared by the control plane, which plans pools around those in use, the agent,
// which finds the networks in a pool's way, and the fake runtime, which refuses overlaps as
// Docker does.

/** A pool as the first and last address of its range, each an unsigned 32-bit number. */
export interface Ipv4Range {
  first: number;
  last: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** The range of "a.b.c.d/n" (host bits ignored, as Docker does), or undefined if it is not one. */
export function parseCidr(cidr: string): Ipv4Range | undefined {
  const m = CIDR.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const address = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const size = 2 ** (32 - bits);
  const first = address - (address % size);
  return { first, last: first + size - 1 };
}

/** Whether two pools share an address; a string that is no IPv4 CIDR overlaps nothing. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x !== undefined && y !== undefined && x.first <= y.last && y.first <= x.last;
}
