// VPCs and subnets as EC2 makes them, and the default VPC every account and region has:
// 172.31.0.0/16 with a default subnet (/20) in each availability zone and its default
// security group. Pure: the handlers and ensureDefaultVpc (src/state/default-vpc.ts) store them.
import type { Subnet, Tag } from "@aws-sdk/client-ec2";
import type { Scope } from "../scope.js";
import type { StoredSecurityGroup, StoredSubnet, StoredVpc } from "./documents.js";
import { newEc2Id } from "./ids.js";
import { defaultSecurityGroup } from "./security-group.js";
import { availabilityZones } from "./zones.js";
import { DEFAULT_VPC_CIDR, defaultSubnetCidr, assignableRange } from "./vpc-network.js";

export interface NewVpcInput {
  scope: Scope;
  cidrBlock: string;
  isDefault?: boolean;
  instanceTenancy?: string;
  tags?: Tag[];
  now: Date;
}

/** A new VPC and its default security group. */
export function newVpc(input: NewVpcInput): { vpc: StoredVpc; defaultGroup: StoredSecurityGroup } {
  const vpcId = newEc2Id("vpc");
  const defaultGroup = defaultSecurityGroup(input.scope, vpcId, input.now);
  const isDefault = input.isDefault ?? false;
  return {
    vpc: {
      vpc: {
        VpcId: vpcId,
        OwnerId: input.scope.accountId,
        CidrBlock: input.cidrBlock,
        CidrBlockAssociationSet: [
          { AssociationId: `vpc-cidr-assoc-${vpcId.slice(4)}`, CidrBlock: input.cidrBlock, CidrBlockState: { State: "associated" } },
        ],
        State: "available",
        DhcpOptionsId: newEc2Id("dopt"),
        InstanceTenancy: (input.instanceTenancy ?? "default") as "default",
        IsDefault: isDefault,
        Tags: input.tags ?? [],
      },
      // A default VPC resolves DNS hostnames; a new one only DNS (EC2's defaults).
      enableDnsSupport: true,
      enableDnsHostnames: isDefault,
      defaultSecurityGroupId: defaultGroup.group.GroupId!,
      createdAt: input.now.getTime(),
    },
    defaultGroup,
  };
}

export interface NewSubnetInput {
  scope: Scope;
  vpcId: string;
  cidrBlock: string;
  zone: { ZoneName?: string; ZoneId?: string };
  defaultForAz?: boolean;
  tags?: Tag[];
  now: Date;
}

export const subnetArn = (scope: Scope, subnetId: string): string => `arn:aws:ec2:${scope.region}:${scope.accountId}:subnet/${subnetId}`;

export function newSubnet(input: NewSubnetInput): StoredSubnet {
  const subnetId = newEc2Id("subnet");
  const isDefault = input.defaultForAz ?? false;
  const subnet: Subnet = {
    SubnetId: subnetId,
    SubnetArn: subnetArn(input.scope, subnetId),
    VpcId: input.vpcId,
    OwnerId: input.scope.accountId,
    CidrBlock: input.cidrBlock,
    AvailabilityZone: input.zone.ZoneName!,
    AvailabilityZoneId: input.zone.ZoneId!,
    AvailableIpAddressCount: assignableRange(input.cidrBlock).count,
    DefaultForAz: isDefault,
    // Default subnets give instances public addresses; others do not (EC2's defaults).
    MapPublicIpOnLaunch: isDefault,
    MapCustomerOwnedIpOnLaunch: false,
    AssignIpv6AddressOnCreation: false,
    Ipv6CidrBlockAssociationSet: [],
    EnableDns64: false,
    Ipv6Native: false,
    PrivateDnsNameOptionsOnLaunch: { HostnameType: "ip-name", EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false },
    State: "available",
    Tags: input.tags ?? [],
  };
  return { subnet, createdAt: input.now.getTime() };
}

/** The default VPC of `scope`: the VPC, its default group and one default subnet per zone. */
export function newDefaultVpc(scope: Scope, now: Date): { vpc: StoredVpc; defaultGroup: StoredSecurityGroup; subnets: StoredSubnet[] } {
  const { vpc, defaultGroup } = newVpc({ scope, cidrBlock: DEFAULT_VPC_CIDR, isDefault: true, now });
  const subnets = availabilityZones(scope.region).map((zone, i) =>
    newSubnet({ scope, vpcId: vpc.vpc.VpcId!, cidrBlock: defaultSubnetCidr(i), zone, defaultForAz: true, now }),
  );
  return { vpc, defaultGroup, subnets };
}
