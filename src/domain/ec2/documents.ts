// The documents berth keeps of EC2's networking, in EC2's own shapes (@aws-sdk/client-ec2):
// handlers answer with them, ECS reads them to place awsvpc tasks, and the firewall policy is
// computed from them. Network interfaces are not stored: each belongs to something that is
// (an awsvpc task, later a load balancer) and is derived from it (src/state/network-interfaces.ts).
// They are defined here, beside the pure rules that make and change them; src/state keeps them.
import type { SecurityGroup, SecurityGroupRule, Subnet, Vpc } from "@aws-sdk/client-ec2";

export interface StoredVpc {
  /** As DescribeVpcs answers it (IsDefault, CidrBlock, DhcpOptionsId, Tags, …). */
  vpc: Vpc;
  /** ModifyVpcAttribute's two settings, answered by DescribeVpcAttribute. */
  enableDnsSupport: boolean;
  enableDnsHostnames: boolean;
  /** The id of the VPC's default security group ("default"), made with the VPC. */
  defaultSecurityGroupId: string;
  createdAt: number;
}

export interface StoredSubnet {
  /** As DescribeSubnets answers it (VpcId, CidrBlock, AvailabilityZone, DefaultForAz, Tags, …). */
  subnet: Subnet;
  createdAt: number;
}

export interface StoredSecurityGroup {
  /** GroupId, GroupName, Description, VpcId, OwnerId, SecurityGroupArn, Tags; never IpPermissions. */
  group: Omit<SecurityGroup, "IpPermissions" | "IpPermissionsEgress">;
  /**
   * Every rule of the group, ingress and egress (IsEgress), one per source or destination (a
   * CIDR, a referenced group, a prefix list), each with its sgr- id: the unit EC2 counts,
   * deduplicates and revokes. DescribeSecurityGroups' IpPermissions are grouped from these.
   */
  rules: SecurityGroupRule[];
  createdAt: number;
}
