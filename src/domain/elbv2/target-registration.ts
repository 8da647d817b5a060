// What RegisterTargets and DeregisterTargets accept, as ELB checks it: an ip group's targets are
// IPv4 addresses in its VPC (or, with AvailabilityZone "all", private addresses outside it),
// an instance group's are instances berth knows (its container instances, reached where berth
// publishes their host ports). At most a thousand targets a group.
import type { TargetDescription } from "@aws-sdk/client-elastic-load-balancing-v2";
import { parseCidr } from "../../ipv4-cidr.js";
import type { StoredTarget, StoredTargetGroup } from "./documents.js";
import { isLive } from "./health-description.js";
import { ElbRefusal } from "./refusal.js";
import { sameTarget, type TargetRef } from "./targets.js";

export const MAX_TARGETS_PER_GROUP = 1000;

/** What registering a target needs to know of the world around its group. */
export interface RegistrationWorld {
  /** The group's VPC block and its subnets (with their zones). */
  vpcCidr: string;
  subnets: { cidr: string; zone: string }[];
  /** The region's zone names. */
  zones: string[];
  /** berth's container instances of the account and region, by EC2 instance id, with their zones. */
  instances: ReadonlyMap<string, { zone: string }>;
  /** Where berth publishes the host ports of instances' containers ("0.0.0.0": all of the host's addresses). */
  hostPortBindIp: string;
  now: number;
}

/** Where the data plane reaches an instance target: its published host ports, on loopback when they are on every address. */
export const instanceTargetAddress = (hostPortBindIp: string) => (hostPortBindIp === "0.0.0.0" ? "127.0.0.1" : hostPortBindIp);

/** The address ranges ELB accepts outside a target group's VPC (RFC 1918 and RFC 6598). */
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

const invalidTarget = (message: string) => new ElbRefusal("InvalidTargetException", message);

/** The stored form of each target asked, or the InvalidTarget/ValidationError ELB answers. */
export function targetsToRegister(group: StoredTargetGroup, asked: readonly TargetDescription[], world: RegistrationWorld): StoredTarget[] {
  const tg = group.targetGroup;
  if (tg.TargetType === "instance") {
    const unknown = [...new Set(asked.filter((t) => !world.instances.has(t.Id!)).map((t) => t.Id!))];
    if (unknown.length > 0)
      throw invalidTarget(`The following targets are not valid instances: ${unknown.map((id) => `'${id}'`).join(", ")}`);
    if (asked.some((t) => t.AvailabilityZone !== undefined))
      throw new ElbRefusal("ValidationError", "An Availability Zone cannot be specified for targets of target type 'instance'");
    return asked.map((t) => ({
      id: t.Id!,
      port: t.Port ?? tg.Port!,
      availabilityZone: world.instances.get(t.Id!)!.zone,
      address: instanceTargetAddress(world.hostPortBindIp),
      registeredAt: world.now,
    }));
  }
  return asked.map((t) => ({
    id: t.Id!,
    port: t.Port ?? tg.Port!,
    availabilityZone: ipTargetZone(t, tg.VpcId!, world),
    address: t.Id!,
    registeredAt: world.now,
  }));
}

function ipTargetZone(t: TargetDescription, vpcId: string, world: RegistrationWorld): string {
  const ip = t.Id!;
  const at = addressOf(ip);
  if (at === undefined) throw invalidTarget(`The IP address '${ip}' is not a valid IPv4 address`);
  const given = t.AvailabilityZone;
  if (given !== undefined && given !== "all" && !world.zones.includes(given))
    throw new ElbRefusal("ValidationError", `The Availability Zone '${given}' is not valid`);
  if (within(at, world.vpcCidr)) {
    const subnet = world.subnets.find((s) => within(at, s.cidr));
    if (subnet) return subnet.zone;
    if (given === undefined || given === "all")
      throw invalidTarget(`The IP address '${ip}' is not in a subnet of the VPC '${vpcId}': give its Availability Zone`);
    return given;
  }
  if (given !== "all")
    throw invalidTarget(`The IP address '${ip}' is not within the VPC '${vpcId}'; an address outside it needs the Availability Zone 'all'`);
  if (!PRIVATE_RANGES.some((r) => within(at, r)))
    throw invalidTarget(
      `The IP address '${ip}' is outside the VPC '${vpcId}' and not a private address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10)`,
    );
  return "all";
}

function addressOf(ip: string): number | undefined {
  const range = /^\d{1,3}(\.\d{1,3}){3}$/.test(ip) ? parseCidr(`${ip}/32`) : undefined;
  return range?.first;
}

function within(address: number, cidr: string): boolean {
  const range = parseCidr(cidr);
  return range !== undefined && address >= range.first && address <= range.last;
}

/** TooManyTargets when `group` (registration applied) holds more registered targets than ELB allows (draining ones aside). */
export function checkTargetCount(group: StoredTargetGroup): void {
  const live = group.targets.filter((t) => !t.draining).length;
  if (live > MAX_TARGETS_PER_GROUP)
    throw new ElbRefusal(
      "TooManyTargetsException",
      `You have reached the limit on the number of targets per target group (${MAX_TARGETS_PER_GROUP})`,
    );
}

/** The targets asked for deregistration, each with its port (the group's by default); InvalidTarget for one not registered. */
export function targetsToDeregister(group: StoredTargetGroup, asked: readonly TargetDescription[], now: number): TargetRef[] {
  const refs = asked.map((t) => ({ id: t.Id!, port: t.Port ?? group.targetGroup.Port! }));
  const missing = refs.filter((r) => !group.targets.some((t) => sameTarget(t, r) && isLive(t, now)));
  if (missing.length > 0)
    throw invalidTarget(
      `The following targets are not registered in target group '${group.targetGroup.TargetGroupArn}': ${missing.map((r) => `'${r.id}:${r.port}'`).join(", ")}`,
    );
  return refs;
}
