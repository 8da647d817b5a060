// Where a load balancer sits in EC2's networking: the subnets it is given (one per zone, all of
// one VPC), its security groups, and an interface with an address of its own in each subnet.
// Addresses are taken under ECS's placement lock, as tasks take theirs, so the two never collide.
import type { SubnetMapping } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { StoredVpc } from "../../domain/ec2/documents.js";
import { assignableRange, ipv4ToNumber } from "../../domain/ec2/vpc-network.js";
import type { LoadBalancerInterface } from "../../domain/elbv2/documents.js";
import { newResourceId } from "../../domain/ids.js";
import { freeSubnetAddress, macFor } from "../../domain/task/network.js";
import { ensureDefaultVpc } from "../../state/default-vpc.js";
import type { Elbv2Context } from "./context.js";
import { Elbv2Error } from "./errors.js";

/** A subnet a load balancer is to have, and the address asked for in it (SubnetMappings' PrivateIPv4Address). */
export interface PlannedSubnet {
  subnetId: string;
  availabilityZone: string;
  cidr: string;
  privateIpv4Address?: string;
}

export interface SubnetPlan {
  vpc: StoredVpc;
  subnets: PlannedSubnet[];
}

const invalidConfig = (message: string) => new Elbv2Error("InvalidConfigurationRequestException", message);

/** The subnets of Subnets or SubnetMappings, checked as ELBv2 checks them for a load balancer of `type`. */
export async function planSubnets(
  ctx: Elbv2Context,
  type: string,
  input: { Subnets?: string[]; SubnetMappings?: SubnetMapping[] },
): Promise<SubnetPlan> {
  if (input.Subnets?.length && input.SubnetMappings?.length) {
    throw new Elbv2Error("ValidationError", "You can specify subnets or subnet mappings, but not both");
  }
  const mappings: SubnetMapping[] = input.SubnetMappings?.length
    ? input.SubnetMappings
    : (input.Subnets ?? []).map((SubnetId) => ({ SubnetId }));
  for (const m of mappings) checkMapping(type, m);
  const ids = [...new Set(mappings.map((m) => m.SubnetId!))];
  if (ids.length === 0 || (type === "application" && ids.length < 2)) throw tooFewZones(type);
  await ensureDefaultVpc(ctx.state.ec2, ctx.scope, ctx.now);
  const stored = await ctx.state.ec2.subnets.getMany(ctx.scope, ids);
  const missing = ids.find((id) => !stored.has(id));
  if (missing) throw new Elbv2Error("SubnetNotFoundException", `The subnet ID '${missing}' is not valid`);
  const subnets = ids.map((id) => stored.get(id)!.subnet);
  const vpcIds = new Set(subnets.map((s) => s.VpcId!));
  if (vpcIds.size > 1) throw new Elbv2Error("InvalidSubnetException", "The subnets must all belong to the same VPC");
  const zones = new Set(subnets.map((s) => s.AvailabilityZone!));
  if (zones.size < subnets.length)
    throw invalidConfig("A load balancer cannot be attached to multiple subnets in the same Availability Zone");
  const vpc = await ctx.state.ec2.vpcs.get(ctx.scope, [...vpcIds][0]!);
  if (!vpc) throw new Elbv2Error("InvalidSubnetException", `The VPC of subnet '${ids[0]}' does not exist`);
  return {
    vpc,
    subnets: subnets.map((s) => ({
      subnetId: s.SubnetId!,
      availabilityZone: s.AvailabilityZone!,
      cidr: s.CidrBlock!,
      privateIpv4Address: mappings.find((m) => m.SubnetId === s.SubnetId && m.PrivateIPv4Address)?.PrivateIPv4Address,
    })),
  };
}

function tooFewZones(type: string): Elbv2Error {
  return new Elbv2Error(
    "ValidationError",
    type === "application"
      ? "At least two subnets in two different Availability Zones must be specified"
      : "At least one subnet must be specified",
  );
}

function checkMapping(type: string, m: SubnetMapping): void {
  if (!m.SubnetId) throw new Elbv2Error("ValidationError", "A subnet ID must be specified for each subnet mapping");
  if (m.AllocationId) throw new Elbv2Error("AllocationIdNotFoundException", `The allocation ID '${m.AllocationId}' was not found`);
  if (m.IPv6Address || m.SourceNatIpv6Prefix) throw invalidConfig("berth serves IPv4 only: IPv6 addresses cannot be specified");
  if (m.PrivateIPv4Address && type !== "network") {
    throw invalidConfig("Private IPv4 addresses can only be specified for Network Load Balancers");
  }
}

/**
 * The security groups of a load balancer in `vpc`: those given, each of the VPC; none given,
 * an application load balancer gets the VPC's default group, a network one none.
 */
export async function planSecurityGroups(
  ctx: Elbv2Context,
  type: string,
  vpc: StoredVpc,
  given: readonly string[] | undefined,
): Promise<string[]> {
  const ids = [...new Set(given ?? [])];
  if (ids.length === 0) return type === "application" ? [vpc.defaultSecurityGroupId] : [];
  const groups = await ctx.state.ec2.securityGroups.getMany(ctx.scope, ids);
  const bad = ids.find((id) => groups.get(id)?.group.VpcId !== vpc.vpc.VpcId);
  if (bad) throw new Elbv2Error("InvalidSecurityGroupException", `Security group '${bad}' does not exist`);
  return ids;
}

/**
 * An interface in each subnet of `plan`: the one the load balancer already has there (kept by
 * SetSubnets), or a new one with the address asked for or the lowest no task or load balancer
 * holds. The caller holds the placement lock of the scope and writes before letting go of it.
 */
export async function allocateInterfaces(
  ctx: Elbv2Context,
  plan: SubnetPlan,
  kept: readonly LoadBalancerInterface[] = [],
): Promise<LoadBalancerInterface[]> {
  const taken = new Map<string, Set<string>>();
  const hold = (subnetId: string, address: string) => {
    let set = taken.get(subnetId);
    if (!set) taken.set(subnetId, (set = new Set()));
    set.add(address);
  };
  for (const n of await ctx.state.liveTasks.networks(ctx.scope)) hold(n.subnetId, n.ipv4Address);
  for (const i of await ctx.state.interfaces.list(ctx.scope)) hold(i.subnetId, i.privateIpAddress);
  return plan.subnets.map((s) => {
    const existing = kept.find((i) => i.subnetId === s.subnetId);
    if (existing) return existing;
    const inUse = taken.get(s.subnetId) ?? new Set<string>();
    const address = s.privateIpv4Address ? requestedAddress(s, inUse) : freeSubnetAddress(s.cidr, inUse);
    if (!address) {
      throw new Elbv2Error(
        "InvalidSubnetException",
        `Not enough IP space available in ${s.subnetId}. ELB requires at least 8 free IP addresses in each subnet.`,
      );
    }
    hold(s.subnetId, address);
    return {
      networkInterfaceId: `eni-${newResourceId().slice(0, 17)}`,
      subnetId: s.subnetId,
      availabilityZone: s.availabilityZone,
      privateIpAddress: address,
      macAddress: macFor(address),
    };
  });
}

function requestedAddress(s: PlannedSubnet, inUse: ReadonlySet<string>): string {
  const address = s.privateIpv4Address!;
  const { first, last } = assignableRange(s.cidr);
  const n = /^\d{1,3}(\.\d{1,3}){3}$/.test(address) ? ipv4ToNumber(address) : NaN;
  if (!(n >= first && n <= last))
    throw invalidConfig(`The private IPv4 address '${address}' is not in the range of subnet '${s.subnetId}' (${s.cidr})`);
  if (inUse.has(address)) throw invalidConfig(`The private IPv4 address '${address}' is already in use in subnet '${s.subnetId}'`);
  return address;
}
