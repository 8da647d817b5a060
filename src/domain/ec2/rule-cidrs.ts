// The CIDR blocks a security group rule names as its peer. EC2 refuses a block with host bits
// set (10.0.0.5/24) as malformed rather than widening it silently, and so does berth: the
// firewall then enforces exactly what DescribeSecurityGroups shows. IPv6 blocks are kept in
// their canonical text form (RFC 5952), so that "2001:DB8::/32" and "2001:db8:0::/32" are
// the same rule for duplicate detection and revocation.
import { parseCidr } from "../../ipv4-cidr.js";

/** The block as EC2 keeps it, or undefined when it is not a valid IPv4 network in CIDR form. */
export function canonicalIpv4Cidr(cidr: string): string | undefined {
  const range = parseCidr(cidr);
  if (!range) return undefined;
  const [address = "", bits = ""] = cidr.split("/");
  // parseCidr tolerates leading zeros (010.0.0.0) and host bits; EC2 does not.
  if (address.split(".").some((octet) => octet.length > 1 && octet.startsWith("0"))) return undefined;
  if (bits.length > 1 && bits.startsWith("0")) return undefined;
  const base = address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
  return base === range.first ? cidr : undefined;
}

/** The eight 16-bit groups of an IPv6 address, or undefined. (No embedded IPv4 form: rules never need it.) */
function ipv6Groups(address: string): number[] | undefined {
  if (!/^[0-9a-fA-F:]+$/.test(address)) return undefined;
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  const part = (s: string) => (s === "" ? [] : s.split(":"));
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const groups = [...head, ...tail];
  if (groups.some((g) => g.length === 0 || g.length > 4)) return undefined;
  if (halves.length === 1 && groups.length !== 8) return undefined;
  if (halves.length === 2 && groups.length > 7) return undefined;
  const zeros = Array.from({ length: 8 - groups.length }, () => "0");
  return [...head, ...(halves.length === 2 ? zeros : []), ...tail].map((g) => parseInt(g, 16));
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run (2+) of zero groups as "::". */
function ipv6Text(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** The block in canonical form, or undefined when it is not a valid IPv6 network in CIDR form. */
export function canonicalIpv6Cidr(cidr: string): string | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr);
  if (!m) return undefined;
  const bits = Number(m[2]);
  const groups = ipv6Groups(m[1]!);
  if (!groups || bits > 128 || (m[2]!.length > 1 && m[2]!.startsWith("0"))) return undefined;
  const value = groups.reduce((n, g) => (n << 16n) | BigInt(g), 0n);
  const hostMask = (1n << BigInt(128 - bits)) - 1n;
  if ((value & hostMask) !== 0n) return undefined;
  return `${ipv6Text(groups)}/${bits}`;
}
