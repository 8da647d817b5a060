// VPCs: create (with their default security group), describe, delete, their DNS attributes,
// and the default VPC brought back by CreateDefaultVpc. Each VPC is one Docker network on
// every host (src/domain/ec2/vpc-network.ts), so its block must not overlap another VPC's,
// whatever the account, nor a network the hosts already use.
import type {
  CreateDefaultVpcRequest,
  CreateDefaultVpcResult,
  CreateVpcRequest,
  CreateVpcResult,
  DeleteVpcRequest,
  DescribeVpcAttributeRequest,
  DescribeVpcAttributeResult,
  DescribeVpcsRequest,
  DescribeVpcsResult,
  ModifyVpcAttributeRequest,
} from "@aws-sdk/client-ec2";
import { checkVpcCidr, type TakenBlock } from "../../domain/ec2/cidr-blocks.js";
import type { StoredVpc } from "../../domain/ec2/documents.js";
import { tagsFromSpecifications } from "../../domain/ec2/tags.js";
import { newDefaultVpc, newVpc } from "../../domain/ec2/vpc.js";
import { DEFAULT_VPC_CIDR } from "../../domain/ec2/vpc-network.js";
import { scopeKey } from "../../domain/scope.js";
import { deletingNetwork, ec2Handler, filtered, networkChanges, notFound, paged, selected } from "./common.js";
import type { Ec2Context, Ec2Handlers } from "./context.js";
import { Ec2Error } from "./errors.js";

const vpcFields = {
  "vpc-id": (v: StoredVpc) => v.vpc.VpcId,
  cidr: (v: StoredVpc) => v.vpc.CidrBlock,
  "cidr-block": (v: StoredVpc) => v.vpc.CidrBlock,
  "cidr-block-association.cidr-block": (v: StoredVpc) => (v.vpc.CidrBlockAssociationSet ?? []).map((a) => a.CidrBlock),
  "cidr-block-association.association-id": (v: StoredVpc) => (v.vpc.CidrBlockAssociationSet ?? []).map((a) => a.AssociationId),
  "cidr-block-association.state": (v: StoredVpc) => (v.vpc.CidrBlockAssociationSet ?? []).map((a) => a.CidrBlockState?.State),
  "is-default": (v: StoredVpc) => v.vpc.IsDefault,
  isDefault: (v: StoredVpc) => v.vpc.IsDefault,
  state: (v: StoredVpc) => v.vpc.State,
  "owner-id": (v: StoredVpc) => v.vpc.OwnerId,
  "dhcp-options-id": (v: StoredVpc) => v.vpc.DhcpOptionsId,
  "instance-tenancy": (v: StoredVpc) => v.vpc.InstanceTenancy,
  "ipv6-cidr-block-association.ipv6-cidr-block": () => [],
};

export async function vpcNamed(ctx: Ec2Context, vpcId: string): Promise<StoredVpc> {
  const vpc = await ctx.state.vpcs.get(ctx.scope, vpcId);
  if (!vpc) throw notFound("InvalidVpcID.NotFound", "vpc", [vpcId]);
  return vpc;
}

/** What a new VPC's block must not overlap: the hosts' own networks and every VPC berth runs, of any account and region. */
async function takenBlocks(ctx: Ec2Context): Promise<TakenBlock[]> {
  const taken: TakenBlock[] = ctx.occupiedCidrs().map((cidr) => ({
    cidr,
    what: "a network on berth's hosts already uses (Docker's bridge or a host route)",
  }));
  const here = scopeKey(ctx.scope);
  // The caller's own VPCs first: the overlap named is the one they most likely meant.
  const scopes = [ctx.scope, ...(await ctx.state.scopes()).filter((s) => scopeKey(s) !== here)];
  for (const scope of scopes) {
    for (const v of await ctx.state.vpcs.list(scope)) {
      const whose = scopeKey(scope) === here ? "" : ` of account ${scope.accountId} in ${scope.region}`;
      taken.push({ cidr: v.vpc.CidrBlock!, what: `VPC ${v.vpc.VpcId}${whose} already uses` });
    }
  }
  return taken;
}

async function createVpc(ctx: Ec2Context, input: CreateVpcRequest): Promise<CreateVpcResult> {
  if (input.AmazonProvidedIpv6CidrBlock || input.Ipv6CidrBlock || input.Ipv6IpamPoolId || input.Ipv6Pool || input.Ipv6NetmaskLength)
    throw new Ec2Error("InvalidParameterValue", "berth's VPCs are IPv4 only: an IPv6 CIDR block cannot be associated.");
  if (input.Ipv4IpamPoolId || input.Ipv4NetmaskLength !== undefined)
    throw new Ec2Error("InvalidParameterValue", "berth has no IPAM pools: give the VPC's IPv4 block as CidrBlock.");
  if (input.CidrBlock === undefined) throw new Ec2Error("MissingParameter", "The request must contain the parameter cidrBlock");
  const tags = tagsFromSpecifications(input.TagSpecifications, "vpc");
  const cidrBlock = input.CidrBlock;
  return networkChanges.run("vpcs", async () => {
    const block = checkVpcCidr(cidrBlock, await takenBlocks(ctx));
    const made = newVpc({ scope: ctx.scope, cidrBlock: block.cidr, instanceTenancy: input.InstanceTenancy, tags, now: ctx.now });
    await ctx.state.transact((tx) => {
      tx.put(ctx.state.vpcs, ctx.scope, made.vpc.vpc.VpcId!, made.vpc);
      tx.put(ctx.state.securityGroups, ctx.scope, made.defaultGroup.group.GroupId!, made.defaultGroup);
    });
    ctx.log.info("VPC created", { vpcId: made.vpc.vpc.VpcId, cidrBlock: block.cidr });
    return { Vpc: made.vpc.vpc };
  });
}

async function createDefaultVpc(ctx: Ec2Context, _input: CreateDefaultVpcRequest): Promise<CreateDefaultVpcResult> {
  return networkChanges.run("vpcs", async () => {
    if ((await ctx.state.vpcs.list(ctx.scope)).some((v) => v.vpc.IsDefault))
      throw new Ec2Error("DefaultVpcAlreadyExists", "A Default VPC already exists for this account in this region.");
    // Every account's default VPC is 172.31.0.0/16; what it must not overlap is this account's own VPCs and the hosts' networks.
    const here = (await ctx.state.vpcs.list(ctx.scope)).map((v) => ({ cidr: v.vpc.CidrBlock!, what: `VPC ${v.vpc.VpcId} already uses` }));
    const hosts = ctx
      .occupiedCidrs()
      .map((cidr) => ({ cidr, what: "a network on berth's hosts already uses (Docker's bridge or a host route)" }));
    checkVpcCidr(DEFAULT_VPC_CIDR, [...here, ...hosts]);
    const made = newDefaultVpc(ctx.scope, ctx.now);
    await ctx.state.transact((tx) => {
      tx.put(ctx.state.vpcs, ctx.scope, made.vpc.vpc.VpcId!, made.vpc);
      tx.put(ctx.state.securityGroups, ctx.scope, made.defaultGroup.group.GroupId!, made.defaultGroup);
      for (const s of made.subnets) tx.put(ctx.state.subnets, ctx.scope, s.subnet.SubnetId!, s);
    });
    ctx.log.info("default VPC created", { vpcId: made.vpc.vpc.VpcId });
    return { Vpc: made.vpc.vpc };
  });
}

async function describeVpcs(ctx: Ec2Context, input: DescribeVpcsRequest): Promise<DescribeVpcsResult> {
  const all = await ctx.state.vpcs.list(ctx.scope);
  const named = selected(
    all,
    (v) => v.vpc.VpcId!,
    input.VpcIds,
    (ids) => notFound("InvalidVpcID.NotFound", "vpc", ids),
  );
  const page = paged(
    filtered(named, input.Filters, vpcFields, (v) => v.vpc.Tags),
    (v) => v.vpc.VpcId!,
    input,
  );
  return { Vpcs: page.items.map((v) => v.vpc), NextToken: page.nextToken };
}

async function deleteVpc(ctx: Ec2Context, input: DeleteVpcRequest): Promise<object> {
  const vpcId = input.VpcId!;
  return deletingNetwork(ctx, async () => {
    const vpc = await vpcNamed(ctx, vpcId);
    const subnets = await ctx.state.subnets.list(ctx.scope, { parent: vpcId });
    const groups = await ctx.state.securityGroups.list(ctx.scope, { parent: vpcId });
    const interfaces = (await ctx.interfaces.list(ctx.scope)).filter((i) => i.vpcId === vpcId);
    if (subnets.length > 0 || interfaces.length > 0 || groups.some((g) => g.group.GroupId !== vpc.defaultSecurityGroupId))
      throw new Ec2Error("DependencyViolation", `The vpc '${vpcId}' has dependencies and cannot be deleted.`);
    // The VPC and its default group go together, or neither does.
    await ctx.state.transact((tx) => {
      tx.remove(ctx.state.vpcs, ctx.scope, vpcId);
      for (const g of groups) tx.remove(ctx.state.securityGroups, ctx.scope, g.group.GroupId!);
    });
    ctx.log.info("VPC deleted", { vpcId });
    return {};
  });
}

const bool = (v: { Value?: boolean } | undefined) => v?.Value;

async function modifyVpcAttribute(ctx: Ec2Context, input: ModifyVpcAttributeRequest): Promise<object> {
  const given = (
    [
      ["enableDnsSupport", input.EnableDnsSupport],
      ["enableDnsHostnames", input.EnableDnsHostnames],
      ["enableNetworkAddressUsageMetrics", input.EnableNetworkAddressUsageMetrics],
    ] as const
  )
    .filter(([, v]) => v !== undefined)
    .map(([name]) => name);
  if (given.length === 0)
    throw new Ec2Error("MissingParameter", "The request must contain one attribute to modify: EnableDnsSupport or EnableDnsHostnames.");
  if (given.length > 1)
    throw new Ec2Error("InvalidParameterCombination", `Fields for multiple attribute types specified: ${given.join(", ")}`);
  if (bool(input.EnableDnsSupport) === undefined && bool(input.EnableDnsHostnames) === undefined) {
    if (input.EnableNetworkAddressUsageMetrics)
      throw new Ec2Error(
        "InvalidParameterValue",
        "berth does not publish network address usage metrics: enableNetworkAddressUsageMetrics cannot be set.",
      );
    throw new Ec2Error("MissingParameter", "The request must contain the parameter Value.");
  }
  await vpcNamed(ctx, input.VpcId!);
  await ctx.state.vpcs.write(ctx.scope, input.VpcId!, (cur) => {
    if (!cur) throw notFound("InvalidVpcID.NotFound", "vpc", [input.VpcId!]);
    const support = bool(input.EnableDnsSupport) ?? cur.enableDnsSupport;
    const hostnames = bool(input.EnableDnsHostnames) ?? cur.enableDnsHostnames;
    // A VPC's DNS hostnames are answered by its DNS server: EC2 refuses hostnames without it.
    if (hostnames && !support)
      throw new Ec2Error(
        "InvalidParameterValue",
        input.EnableDnsHostnames
          ? "DNS hostnames need DNS resolution: enable enableDnsSupport on the VPC first."
          : "DNS resolution is needed by the VPC's DNS hostnames: disable enableDnsHostnames first.",
      );
    return { ...cur, enableDnsSupport: support, enableDnsHostnames: hostnames };
  });
  return {};
}

async function describeVpcAttribute(ctx: Ec2Context, input: DescribeVpcAttributeRequest): Promise<DescribeVpcAttributeResult> {
  const vpc = await vpcNamed(ctx, input.VpcId!);
  const answer: DescribeVpcAttributeResult = { VpcId: vpc.vpc.VpcId };
  if (input.Attribute === "enableDnsSupport") answer.EnableDnsSupport = { Value: vpc.enableDnsSupport };
  else if (input.Attribute === "enableDnsHostnames") answer.EnableDnsHostnames = { Value: vpc.enableDnsHostnames };
  else answer.EnableNetworkAddressUsageMetrics = { Value: false };
  return answer;
}

export const vpcsOperations = {
  CreateVpc: ec2Handler(createVpc),
  CreateDefaultVpc: ec2Handler(createDefaultVpc),
  DescribeVpcs: ec2Handler(describeVpcs),
  DeleteVpc: ec2Handler(deleteVpc),
  ModifyVpcAttribute: ec2Handler(modifyVpcAttribute),
  DescribeVpcAttribute: ec2Handler(describeVpcAttribute),
} satisfies Ec2Handlers;
