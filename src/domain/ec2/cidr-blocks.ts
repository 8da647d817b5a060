// The IPv4 CIDR blocks of VPCs and subnets as EC2 checks them. A block must be written as
// "a.b.c.d/n"; EC2 takes one with host bits set and keeps its network address (10.0.1.0/16
// is stored as 10.0.0.0/16), so berth does too. VPCs and subnets are /16 to /28; a subnet
// lies inside its VPC and overlaps none of its siblings. berth adds one rule of its own:
// every VPC is a Docker network on the same hosts, so a VPC must not overlap another VPC
// (of any account) nor a network the hosts already use.
import { parseCidr } from "../../ipv4-cidr.js";
import { numberToIpv4 } from "./vpc-network.js";

export type CidrErrorCode = "InvalidParameterValue" | "InvalidVpc.Range" | "InvalidSubnet.Range" | "InvalidSubnet.Conflict";

export class CidrError extends Error {
  constructor(
    readonly code: CidrErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const MIN_PREFIX = 16;
export const MAX_PREFIX = 28;

export interface CidrBlock {
  /** The block by its network address ("10.0.0.0/16"). */
  cidr: string;
  prefix: number;
  first: number;
  last: number;
}

const STRICT = /^(?:0|[1-9]\d{0,2})(?:\.(?:0|[1-9]\d{0,2})){3}\/(?:\d|[12]\d|3[0-2])$/;

/** The block "a.b.c.d/n" names (by its network address), or undefined if it is no IPv4 CIDR block. */
export function parseCidrBlock(text: string): CidrBlock | undefined {
  if (!STRICT.test(text)) return undefined;
  const range = parseCidr(text);
  if (!range) return undefined;
  const prefix = Number(text.split("/")[1]);
  return { cidr: `${numberToIpv4(range.first)}/${prefix}`, prefix, first: range.first, last: range.last };
}

function parsed(text: string): CidrBlock {
  const block = parseCidrBlock(text);
  if (!block)
    throw new CidrError("InvalidParameterValue", `Value (${text}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
  return block;
}

const contains = (outer: CidrBlock, inner: CidrBlock) => outer.first <= inner.first && inner.last <= outer.last;
const overlaps = (a: { first: number; last: number }, b: { first: number; last: number }) => a.first <= b.last && b.first <= a.last;

/** Something a new VPC's block must stay clear of, and how to say what it is. */
export interface TakenBlock {
  cidr: string;
  /** e.g. "a network on berth's hosts already uses (…)" or "VPC vpc-… (account …, us-east-1) uses". */
  what: string;
}

/** A new VPC's block, checked: /16 to /28 and clear of every taken block. Returns it by its network address. */
export function checkVpcCidr(text: string, taken: readonly TakenBlock[]): CidrBlock {
  const block = parsed(text);
  if (block.prefix < MIN_PREFIX || block.prefix > MAX_PREFIX) throw new CidrError("InvalidVpc.Range", `The CIDR '${text}' is invalid.`);
  for (const t of taken) {
    const other = parseCidr(t.cidr);
    if (other && overlaps(block, other))
      throw new CidrError(
        "InvalidVpc.Range",
        `The CIDR '${text}' overlaps ${t.cidr}, which ${t.what}; berth runs every VPC as a network on the same hosts, ` +
          `so their blocks must not overlap. Choose another block.`,
      );
  }
  return block;
}

/** A new subnet's block, checked against its VPC's block and its sibling subnets' blocks. */
export function checkSubnetCidr(text: string, vpcCidr: string, siblings: readonly string[]): CidrBlock {
  const block = parsed(text);
  const vpc = parseCidrBlock(vpcCidr);
  if (block.prefix < MIN_PREFIX || block.prefix > MAX_PREFIX || !vpc || !contains(vpc, block))
    throw new CidrError("InvalidSubnet.Range", `The CIDR '${text}' is invalid.`);
  for (const sibling of siblings) {
    const other = parseCidr(sibling);
    if (other && overlaps(block, other)) throw new CidrError("InvalidSubnet.Conflict", `The CIDR '${text}' conflicts with another subnet`);
  }
  return block;
}

/** The first block of `prefix` bits inside `container` that overlaps none of `taken`, or undefined when it is full. */
export function firstFreeBlock(container: string, prefix: number, taken: readonly string[]): string | undefined {
  const outer = parseCidrBlock(container);
  if (!outer || prefix < outer.prefix || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const ranges = taken.map(parseCidr).filter((r) => r !== undefined);
  for (let first = outer.first; first + size - 1 <= outer.last; first += size) {
    const candidate = { first, last: first + size - 1 };
    if (!ranges.some((r) => overlaps(candidate, r))) return `${numberToIpv4(first)}/${prefix}`;
  }
  return undefined;
}
