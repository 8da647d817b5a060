// EC2's resource ids: a prefix and 17 lowercase hex digits (vpc-0a1b2c3d4e5f67890).
import { newResourceId } from "../ids.js";

export type Ec2IdPrefix = "vpc" | "subnet" | "sg" | "sgr" | "eni" | "eni-attach" | "acl" | "rtb" | "dopt" | "igw";

export function newEc2Id(prefix: Ec2IdPrefix): string {
  return `${prefix}-${newResourceId().slice(0, 17)}`;
}

/** Whether `id` has the form of an id with `prefix` (EC2 also knows the older 8-digit form). */
export function isEc2Id(prefix: Ec2IdPrefix, id: string): boolean {
  return new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`).test(id);
}
