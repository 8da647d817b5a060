// Subnets: ranges of their VPC's block in one availability zone, where awsvpc tasks get
// their addresses. AvailableIpAddressCount is counted when asked, from the interfaces in
// the subnet, since those come and go with their tasks.
import type {
  CreateDefaultSubnetRequest,
  CreateDefaultSubnetResult,
  CreateSubnetRequest,
  CreateSubnetResult,
  DeleteSubnetRequest,
  DescribeSubnetsRequest,
  DescribeSubnetsResult,
  ModifySubnetAttributeRequest,
  Subnet,
} from "@aws-sdk/client-ec2";
import { checkSubnetCidr, firstFreeBlock } from "../../domain/ec2/cidr-blocks.js";
import type { StoredSubnet } from "../../domain/ec2/documents.js";
import { tagsFromSpecifications } from "../../domain/ec2/tags.js";
import { newSubnet } from "../../domain/ec2/vpc.js";
import { assignableRange } from "../../domain/ec2/vpc-network.js";
import { availabilityZones } from "../../domain/ec2/zones.js";
import type { AvailabilityZone } from "@aws-sdk/client-ec2";
import { deletingNetwork, ec2Handler, filtered, networkChanges, notFound, paged, selected } from "./common.js";
import type { Ec2Context, Ec2Handlers } from "./context.js";
import { Ec2Error } from "./errors.js";
import { vpcNamed } from "./vpcs.js";

const subnetFields = {
  "subnet-id": (s: Subnet) => s.SubnetId,
  "subnet-arn": (s: Subnet) => s.SubnetArn,
  "vpc-id": (s: Subnet) => s.VpcId,
  "availability-zone": (s: Subnet) => s.AvailabilityZone,
  availabilityZone: (s: Subnet) => s.AvailabilityZone,
  "availability-zone-id": (s: Subnet) => s.AvailabilityZoneId,
  availabilityZoneId: (s: Subnet) => s.AvailabilityZoneId,
  "available-ip-address-count": (s: Subnet) => s.AvailableIpAddressCount,
  "cidr-block": (s: Subnet) => s.CidrBlock,
  cidrBlock: (s: Subnet) => s.CidrBlock,
  cidr: (s: Subnet) => s.CidrBlock,
  "default-for-az": (s: Subnet) => s.DefaultForAz,
  defaultForAz: (s: Subnet) => s.DefaultForAz,
  state: (s: Subnet) => s.State,
  "map-public-ip-on-launch": (s: Subnet) => s.MapPublicIpOnLaunch,
  "owner-id": (s: Subnet) => s.OwnerId,
  "ipv6-native": (s: Subnet) => s.Ipv6Native,
  "ipv6-cidr-block-association.ipv6-cidr-block": () => [],
};

/** The subnets as DescribeSubnets answers them: the stored document with its free addresses counted now. */
async function answered(ctx: Ec2Context, subnets: readonly StoredSubnet[]): Promise<Subnet[]> {
  const used = new Map<string, number>();
  for (const i of await ctx.interfaces.list(ctx.scope)) used.set(i.subnetId, (used.get(i.subnetId) ?? 0) + 1);
  return subnets.map((s) => ({
    ...s.subnet,
    AvailableIpAddressCount: Math.max(0, assignableRange(s.subnet.CidrBlock!).count - (used.get(s.subnet.SubnetId!) ?? 0)),
  }));
}

export async function subnetNamed(ctx: Ec2Context, subnetId: string): Promise<StoredSubnet> {
  const subnet = await ctx.state.subnets.get(ctx.scope, subnetId);
  if (!subnet) throw notFound("InvalidSubnetID.NotFound", "subnet", [subnetId]);
  return subnet;
}

/** The zone a subnet asks for by name or id (both must agree); the region's first when it names none. */
function zoneOf(ctx: Ec2Context, name: string | undefined, id: string | undefined): AvailabilityZone {
  const zones = availabilityZones(ctx.scope.region);
  const byName = name === undefined ? undefined : zones.find((z) => z.ZoneName === name);
  const byId = id === undefined ? undefined : zones.find((z) => z.ZoneId === id);
  const offered = zones.map((z) => z.ZoneName).join(", ");
  if (name !== undefined && !byName)
    throw new Ec2Error(
      "InvalidParameterValue",
      `Value (${name}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${offered}.`,
    );
  if (id !== undefined && !byId)
    throw new Ec2Error(
      "InvalidParameterValue",
      `Value (${id}) for parameter availabilityZoneId is invalid. Subnets can currently only be created in the following availability zone ids: ${zones.map((z) => z.ZoneId).join(", ")}.`,
    );
  if (byName && byId && byName !== byId)
    throw new Ec2Error(
      "InvalidParameterCombination",
      `The availability zone ${name} and the availability zone id ${id} name different zones.`,
    );
  return byName ?? byId ?? zones[0]!;
}

async function createSubnet(ctx: Ec2Context, input: CreateSubnetRequest): Promise<CreateSubnetResult> {
  if (input.Ipv6CidrBlock || input.Ipv6Native || input.Ipv6IpamPoolId || input.Ipv6NetmaskLength !== undefined)
    throw new Ec2Error("InvalidParameterValue", "berth's subnets are IPv4 only: an IPv6 CIDR block cannot be given.");
  if (input.Ipv4IpamPoolId || input.Ipv4NetmaskLength !== undefined)
    throw new Ec2Error("InvalidParameterValue", "berth has no IPAM pools: give the subnet's IPv4 block as CidrBlock.");
  if (input.OutpostArn) throw new Ec2Error("InvalidParameterValue", "berth has no Outposts: OutpostArn cannot be given.");
  if (input.CidrBlock === undefined) throw new Ec2Error("MissingParameter", "The request must contain the parameter cidrBlock");
  const tags = tagsFromSpecifications(input.TagSpecifications, "subnet");
  const zone = zoneOf(ctx, input.AvailabilityZone, input.AvailabilityZoneId);
  const cidrBlock = input.CidrBlock;
  return networkChanges.run("vpcs", async () => {
    const vpc = await vpcNamed(ctx, input.VpcId!);
    const siblings = (await ctx.state.subnets.list(ctx.scope, { parent: vpc.vpc.VpcId! })).map((s) => s.subnet.CidrBlock!);
    const block = checkSubnetCidr(cidrBlock, vpc.vpc.CidrBlock!, siblings);
    const made = newSubnet({ scope: ctx.scope, vpcId: vpc.vpc.VpcId!, cidrBlock: block.cidr, zone, tags, now: ctx.now });
    await ctx.state.subnets.write(ctx.scope, made.subnet.SubnetId!, () => made);
    ctx.log.info("subnet created", { subnetId: made.subnet.SubnetId, vpcId: vpc.vpc.VpcId, cidrBlock: block.cidr });
    return { Subnet: (await answered(ctx, [made]))[0] };
  });
}

async function createDefaultSubnet(ctx: Ec2Context, input: CreateDefaultSubnetRequest): Promise<CreateDefaultSubnetResult> {
  if (input.Ipv6Native) throw new Ec2Error("InvalidParameterValue", "berth's subnets are IPv4 only: Ipv6Native cannot be set.");
  if (input.AvailabilityZone === undefined && input.AvailabilityZoneId === undefined)
    throw new Ec2Error("MissingParameter", "The request must contain the parameter availabilityZone");
  const zone = zoneOf(ctx, input.AvailabilityZone, input.AvailabilityZoneId);
  return networkChanges.run("vpcs", async () => {
    const vpc = (await ctx.state.vpcs.list(ctx.scope)).find((v) => v.vpc.IsDefault);
    if (!vpc)
      throw new Ec2Error(
        "NoDefaultVpcForAvailabilityZone",
        `No default VPC for this user. Create one with CreateDefaultVpc, then the default subnet of ${zone.ZoneName}.`,
      );
    const subnets = await ctx.state.subnets.list(ctx.scope, { parent: vpc.vpc.VpcId! });
    const existing = subnets.find((s) => s.subnet.DefaultForAz && s.subnet.AvailabilityZone === zone.ZoneName);
    if (existing)
      throw new Ec2Error(
        "DefaultSubnetAlreadyExistsInAvailabilityZone",
        `${existing.subnet.SubnetId} is already the default subnet in ${zone.ZoneName}.`,
      );
    // The default VPC's subnets are /20s, as AWS lays them out: the first one free of the VPC's other subnets.
    const cidr = firstFreeBlock(
      vpc.vpc.CidrBlock!,
      20,
      subnets.map((s) => s.subnet.CidrBlock!),
    );
    if (!cidr)
      throw new Ec2Error(
        "InvalidSubnet.Range",
        `The default VPC ${vpc.vpc.VpcId} has no free /20 left for a default subnet in ${zone.ZoneName}.`,
      );
    const made = newSubnet({ scope: ctx.scope, vpcId: vpc.vpc.VpcId!, cidrBlock: cidr, zone, defaultForAz: true, now: ctx.now });
    await ctx.state.subnets.write(ctx.scope, made.subnet.SubnetId!, () => made);
    ctx.log.info("default subnet created", { subnetId: made.subnet.SubnetId, zone: zone.ZoneName });
    return { Subnet: (await answered(ctx, [made]))[0] };
  });
}

async function describeSubnets(ctx: Ec2Context, input: DescribeSubnetsRequest): Promise<DescribeSubnetsResult> {
  const all = await answered(ctx, await ctx.state.subnets.list(ctx.scope));
  const named = selected(
    all,
    (s) => s.SubnetId!,
    input.SubnetIds,
    (ids) => notFound("InvalidSubnetID.NotFound", "subnet", ids),
  );
  const page = paged(
    filtered(named, input.Filters, subnetFields, (s) => s.Tags),
    (s) => s.SubnetId!,
    input,
  );
  return { Subnets: page.items, NextToken: page.nextToken };
}

async function deleteSubnet(ctx: Ec2Context, input: DeleteSubnetRequest): Promise<object> {
  const subnetId = input.SubnetId!;
  return deletingNetwork(ctx, async () => {
    await subnetNamed(ctx, subnetId);
    if ((await ctx.interfaces.list(ctx.scope)).some((i) => i.subnetId === subnetId))
      throw new Ec2Error("DependencyViolation", `The subnet '${subnetId}' has dependencies and cannot be deleted.`);
    await ctx.state.subnets.remove(ctx.scope, subnetId);
    ctx.log.info("subnet deleted", { subnetId });
    return {};
  });
}

async function modifySubnetAttribute(ctx: Ec2Context, input: ModifySubnetAttributeRequest): Promise<object> {
  const unsupported = (
    [
      ["AssignIpv6AddressOnCreation", input.AssignIpv6AddressOnCreation?.Value === true],
      ["EnableDns64", input.EnableDns64?.Value === true],
      ["MapCustomerOwnedIpOnLaunch", input.MapCustomerOwnedIpOnLaunch?.Value === true],
      ["CustomerOwnedIpv4Pool", input.CustomerOwnedIpv4Pool !== undefined],
      ["EnableLniAtDeviceIndex", input.EnableLniAtDeviceIndex !== undefined],
      ["DisableLniAtDeviceIndex", input.DisableLniAtDeviceIndex?.Value === true],
    ] as const
  ).filter(([, given]) => given);
  if (unsupported.length > 0)
    throw new Ec2Error("InvalidParameterValue", `berth's subnets are IPv4 only, with no Outposts: ${unsupported[0]![0]} cannot be set.`);
  const changes: Partial<Subnet> = {};
  if (input.MapPublicIpOnLaunch?.Value !== undefined) changes.MapPublicIpOnLaunch = input.MapPublicIpOnLaunch.Value;
  const dns = { ...(await subnetNamed(ctx, input.SubnetId!)).subnet.PrivateDnsNameOptionsOnLaunch };
  if (input.PrivateDnsHostnameTypeOnLaunch !== undefined) dns.HostnameType = input.PrivateDnsHostnameTypeOnLaunch;
  if (input.EnableResourceNameDnsARecordOnLaunch?.Value !== undefined)
    dns.EnableResourceNameDnsARecord = input.EnableResourceNameDnsARecordOnLaunch.Value;
  if (input.EnableResourceNameDnsAAAARecordOnLaunch?.Value !== undefined)
    dns.EnableResourceNameDnsAAAARecord = input.EnableResourceNameDnsAAAARecordOnLaunch.Value;
  const dnsChanged =
    input.PrivateDnsHostnameTypeOnLaunch !== undefined ||
    input.EnableResourceNameDnsARecordOnLaunch?.Value !== undefined ||
    input.EnableResourceNameDnsAAAARecordOnLaunch?.Value !== undefined;
  if (Object.keys(changes).length === 0 && !dnsChanged)
    throw new Ec2Error("MissingParameter", "The request must contain an attribute to modify, such as MapPublicIpOnLaunch.");
  await ctx.state.subnets.write(ctx.scope, input.SubnetId!, (cur) => {
    if (!cur) throw notFound("InvalidSubnetID.NotFound", "subnet", [input.SubnetId!]);
    const next = { ...cur.subnet, ...changes };
    if (dnsChanged) next.PrivateDnsNameOptionsOnLaunch = { ...cur.subnet.PrivateDnsNameOptionsOnLaunch, ...dns };
    return { ...cur, subnet: next };
  });
  return {};
}

export const subnetsOperations = {
  CreateSubnet: ec2Handler(createSubnet),
  CreateDefaultSubnet: ec2Handler(createDefaultSubnet),
  DescribeSubnets: ec2Handler(describeSubnets),
  DeleteSubnet: ec2Handler(deleteSubnet),
  ModifySubnetAttribute: ec2Handler(modifySubnetAttribute),
} satisfies Ec2Handlers;
