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

/** An IPv4 route of a host: the destination pool and the interface it goes out of. */
export interface HostRoute {
  iface: string;
  cidr: string;
}

/**
 * The routes of Linux's /proc/net/route (a header line, then one route a line: interface,
 * destination and mask as little-endian hex, …), the default route left out: a host's routes
 * are address space in use there, which a VPC's network must not take, but every address
 * matches the default route. Lines that do not parse are skipped.
 */
export function parseRouteTable(text: string): HostRoute[] {
  const routes: HostRoute[] = [];
  for (const line of text.split("\n").slice(1)) {
    const [iface, destination, , , , , , mask] = line.trim().split(/\s+/);
    if (!iface || !destination || !mask || !/^[0-9A-Fa-f]{8}$/.test(destination) || !/^[0-9A-Fa-f]{8}$/.test(mask)) continue;
    const address = littleEndian(destination);
    const netmask = littleEndian(mask);
    if (netmask === 0) continue;
    const bits = 32 - Math.log2(2 ** 32 - netmask);
    // A mask that is not a prefix (never in practice) has no CIDR form.
    if (!Number.isInteger(bits)) continue;
    routes.push({ iface, cidr: `${[address >>> 24, (address >>> 16) & 255, (address >>> 8) & 255, address & 255].join(".")}/${bits}` });
  }
  return routes;
}

/** "0000FFFF" (bytes 00 00 FF FF, lowest address byte first) → 0xFFFF0000. */
function littleEndian(hex: string): number {
  const b = [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return ((b[3]! << 24) | (b[2]! << 16) | (b[1]! << 8) | b[0]!) >>> 0;
}
