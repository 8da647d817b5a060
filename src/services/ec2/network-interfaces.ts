// DescribeNetworkInterfaces: the interfaces of awsvpc tasks, as EC2 shows the ENI that ECS
// attached to a task (requester-managed, described by its ECS attachment), and those of load
// balancers, as EC2 shows the ENIs of ELB ("ELB app/<name>/<id>", requester amazon-elb). They
// are derived from their owners (src/state/network-interfaces.ts); only their tags are stored here.
import type { DescribeNetworkInterfacesRequest, DescribeNetworkInterfacesResult, NetworkInterface, Tag } from "@aws-sdk/client-ec2";
import { createHash } from "node:crypto";
import { zoneNamed } from "../../domain/ec2/zones.js";
import type { NetworkInterfaceRecord } from "../../state/network-interfaces.js";
import { ec2Handler, filtered, notFound, paged, selected } from "./common.js";
import type { Ec2Context, Ec2Handlers } from "./context.js";

/**
 * The account EC2 names as the requester of the ENIs ECS creates for tasks: an AWS service
 * account, not the task owner's, which is how tools tell a managed interface from their own
 * (RequesterManaged). berth's interfaces are made by its ECS, so they carry a fixed
 * service-like account id of the same form, never one of the accounts berth serves.
 */
export const ECS_REQUESTER_ID = "578734482556";

/** The interface's attachment id, derived from the interface so it is the same in every answer (EC2's form: eni-attach- and 17 hex). */
export function interfaceAttachmentId(networkInterfaceId: string): string {
  return `eni-attach-${createHash("sha256").update(networkInterfaceId).digest("hex").slice(0, 17)}`;
}

/** EC2's private DNS name of an address: ip-10-0-1-5.ec2.internal in us-east-1, ip-10-0-1-5.<region>.compute.internal elsewhere. */
export function privateDnsName(region: string, address: string): string {
  const domain = region === "us-east-1" ? "ec2.internal" : `${region}.compute.internal`;
  return `ip-${address.replaceAll(".", "-")}.${domain}`;
}

/** A task's is attached once the task runs (and while it winds down), attaching before; a load balancer's always attached. */
function attachmentStatus(owner: NetworkInterfaceRecord["owner"]): "attaching" | "attached" {
  return owner.kind === "task" && ["PROVISIONING", "PENDING", "ACTIVATING"].includes(owner.lastStatus) ? "attaching" : "attached";
}

/** How EC2 describes the interface, and who requested it: ECS (an attachment) or ELB (its load balancer's type, name and id). */
function describedOwner(ctx: Ec2Context, r: NetworkInterfaceRecord): { description: string; requesterId: string; instanceOwnerId: string } {
  if (r.owner.kind === "load-balancer") {
    const path = r.owner.arn.slice(r.owner.arn.indexOf(":loadbalancer/") + ":loadbalancer/".length);
    return { description: `ELB ${path}`, requesterId: "amazon-elb", instanceOwnerId: "amazon-elb" };
  }
  return {
    description: `arn:aws:ecs:${ctx.scope.region}:${ctx.scope.accountId}:attachment/${r.attachmentId}`,
    requesterId: ECS_REQUESTER_ID,
    instanceOwnerId: "amazon-aws",
  };
}

/** The scope's interface tags by interface id. */
export async function interfaceTagsById(ctx: Ec2Context): Promise<Map<string, Tag[]>> {
  return new Map((await ctx.state.interfaceTags.list(ctx.scope)).map((t) => [t.networkInterfaceId, t.tags]));
}

/** The scope's interfaces as EC2 describes them. */
export async function describedInterfaces(ctx: Ec2Context): Promise<NetworkInterface[]> {
  const [records, groups, subnets, tags] = await Promise.all([
    ctx.interfaces.list(ctx.scope),
    ctx.state.securityGroups.list(ctx.scope),
    ctx.state.subnets.list(ctx.scope),
    interfaceTagsById(ctx),
  ]);
  const groupName = new Map(groups.map((g) => [g.group.GroupId!, g.group.GroupName!]));
  const vpcOfSubnet = new Map(subnets.map((s) => [s.subnet.SubnetId!, s.subnet.VpcId!]));
  return records.map((r) => described(ctx, r, groupName, vpcOfSubnet, tags.get(r.networkInterfaceId) ?? []));
}

function described(
  ctx: Ec2Context,
  r: NetworkInterfaceRecord,
  groupName: Map<string, string>,
  vpcOfSubnet: Map<string, string>,
  tags: Tag[],
): NetworkInterface {
  const dnsName = privateDnsName(ctx.scope.region, r.privateIpAddress);
  const owner = describedOwner(ctx, r);
  return {
    NetworkInterfaceId: r.networkInterfaceId,
    SubnetId: r.subnetId,
    // The subnet decides the VPC: a task placed before its network named the VPC is answered from its subnet.
    VpcId: r.vpcId || vpcOfSubnet.get(r.subnetId) || "",
    AvailabilityZone: r.availabilityZone,
    AvailabilityZoneId: zoneNamed(ctx.scope.region, r.availabilityZone)?.ZoneId,
    Description: owner.description,
    Groups: r.securityGroupIds.map((id) => ({ GroupId: id, GroupName: groupName.get(id) ?? "" })),
    InterfaceType: "interface",
    Ipv6Addresses: [],
    MacAddress: r.macAddress,
    OwnerId: ctx.scope.accountId,
    PrivateDnsName: dnsName,
    PrivateIpAddress: r.privateIpAddress,
    PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: r.privateIpAddress, PrivateDnsName: dnsName }],
    RequesterId: owner.requesterId,
    RequesterManaged: true,
    SourceDestCheck: true,
    Status: "in-use",
    Attachment: {
      AttachmentId: interfaceAttachmentId(r.networkInterfaceId),
      DeleteOnTermination: false,
      DeviceIndex: 1,
      NetworkCardIndex: 0,
      InstanceOwnerId: owner.instanceOwnerId,
      Status: attachmentStatus(r.owner),
    },
    TagSet: tags,
  };
}

const interfaceFields = {
  "network-interface-id": (n: NetworkInterface) => n.NetworkInterfaceId,
  "subnet-id": (n: NetworkInterface) => n.SubnetId,
  "vpc-id": (n: NetworkInterface) => n.VpcId,
  "availability-zone": (n: NetworkInterface) => n.AvailabilityZone,
  "group-id": (n: NetworkInterface) => (n.Groups ?? []).map((g) => g.GroupId),
  "group-name": (n: NetworkInterface) => (n.Groups ?? []).map((g) => g.GroupName),
  "private-ip-address": (n: NetworkInterface) => n.PrivateIpAddress,
  "addresses.private-ip-address": (n: NetworkInterface) => (n.PrivateIpAddresses ?? []).map((a) => a.PrivateIpAddress),
  "addresses.primary": (n: NetworkInterface) => (n.PrivateIpAddresses ?? []).map((a) => a.Primary),
  "private-dns-name": (n: NetworkInterface) => n.PrivateDnsName,
  description: (n: NetworkInterface) => n.Description,
  status: (n: NetworkInterface) => n.Status,
  "interface-type": (n: NetworkInterface) => n.InterfaceType,
  "requester-managed": (n: NetworkInterface) => n.RequesterManaged,
  "requester-id": (n: NetworkInterface) => n.RequesterId,
  "owner-id": (n: NetworkInterface) => n.OwnerId,
  "mac-address": (n: NetworkInterface) => n.MacAddress,
  "source-dest-check": (n: NetworkInterface) => n.SourceDestCheck,
  "attachment.attachment-id": (n: NetworkInterface) => n.Attachment?.AttachmentId,
  "attachment.status": (n: NetworkInterface) => n.Attachment?.Status,
  "attachment.device-index": (n: NetworkInterface) => n.Attachment?.DeviceIndex,
  "attachment.instance-owner-id": (n: NetworkInterface) => n.Attachment?.InstanceOwnerId,
  "attachment.delete-on-termination": (n: NetworkInterface) => n.Attachment?.DeleteOnTermination,
};

async function describeNetworkInterfaces(
  ctx: Ec2Context,
  input: DescribeNetworkInterfacesRequest,
): Promise<DescribeNetworkInterfacesResult> {
  const all = await describedInterfaces(ctx);
  const named = selected(
    all,
    (n) => n.NetworkInterfaceId!,
    input.NetworkInterfaceIds,
    (ids) => notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", ids),
  );
  const page = paged(
    filtered(named, input.Filters, interfaceFields, (n) => n.TagSet),
    (n) => n.NetworkInterfaceId!,
    input,
  );
  return { NetworkInterfaces: page.items, NextToken: page.nextToken };
}

export const networkInterfacesOperations = {
  DescribeNetworkInterfaces: ec2Handler(describeNetworkInterfaces),
} satisfies Ec2Handlers;
