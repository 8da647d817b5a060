// Where an awsvpc task's network interface goes, as ECS decides it from EC2's objects: the
// subnets and security groups a network configuration names must exist and share one VPC
// (no group named: the VPC's default group), and each new task goes to the subnet whose zone
// holds the fewest tasks of its group. Pure: the ECS handlers look the objects up.
import { invalidParameter } from "../errors.js";

/** What an awsvpcConfiguration asks for, its shape already checked (checkNetworkConfiguration). */
export interface AwsvpcRequest {
  subnets: string[];
  securityGroups: string[];
}

/** The EC2 objects a request names, as far as placing an interface needs them; missing ones are absent. */
export interface AwsvpcObjects {
  subnets: ReadonlyMap<string, { vpcId: string; cidr: string; availabilityZone: string }>;
  securityGroups: ReadonlyMap<string, { vpcId: string }>;
  vpcs: ReadonlyMap<string, { cidr: string; defaultSecurityGroupId: string }>;
}

export interface AwsvpcSubnet {
  subnetId: string;
  cidr: string;
  availabilityZone: string;
}

/** A checked awsvpc configuration: its VPC, its subnets in the order given, and the groups every interface gets. */
export interface AwsvpcPlacement {
  vpcId: string;
  vpcCidr: string;
  subnets: AwsvpcSubnet[];
  securityGroupIds: string[];
}

/** Checks `request` against the EC2 objects it names, in ECS's order: subnets, then groups, then their VPCs. */
export function resolveAwsvpc(request: AwsvpcRequest, found: AwsvpcObjects): AwsvpcPlacement {
  const subnetIds = [...new Set(request.subnets)];
  const groupIds = [...new Set(request.securityGroups)];
  for (const id of subnetIds) {
    if (!found.subnets.has(id)) {
      throw invalidParameter(
        `Error retrieving subnet information for [${id}]: The subnet ID '${id}' does not exist (ErrorCode: InvalidSubnetID.NotFound)`,
      );
    }
  }
  for (const id of groupIds) {
    if (!found.securityGroups.has(id)) {
      throw invalidParameter(
        `Error retrieving security group information for [${id}]: The security group '${id}' does not exist (ErrorCode: InvalidGroup.NotFound)`,
      );
    }
  }
  const subnets = subnetIds.map((subnetId) => ({ subnetId, ...found.subnets.get(subnetId)! }));
  const vpcId = subnets[0]!.vpcId;
  const stray = subnets.find((s) => s.vpcId !== vpcId);
  if (stray) {
    throw invalidParameter(
      `Subnets ${subnets[0]!.subnetId} and ${stray.subnetId} are in different VPCs (${vpcId}, ${stray.vpcId}); the subnets of a network configuration must all belong to one VPC.`,
    );
  }
  for (const id of groupIds) {
    if (found.securityGroups.get(id)!.vpcId !== vpcId) {
      throw invalidParameter(`Security group ${id} does not appear to belong to the same VPC as the input subnets.`);
    }
  }
  const vpc = found.vpcs.get(vpcId);
  // A subnet outlives no VPC (DeleteVpc refuses while it has subnets); a missing one is the subnet's fault.
  if (!vpc) {
    throw invalidParameter(
      `Error retrieving subnet information for [${subnets[0]!.subnetId}]: The vpc ID '${vpcId}' does not exist (ErrorCode: InvalidVpcID.NotFound)`,
    );
  }
  return {
    vpcId,
    vpcCidr: vpc.cidr,
    subnets: subnets.map(({ subnetId, cidr, availabilityZone }) => ({ subnetId, cidr, availabilityZone })),
    securityGroupIds: groupIds.length ? groupIds : [vpc.defaultSecurityGroupId],
  };
}

/** The availability zones of a placement's subnets, in the order given, each once. */
export function zonesOf(placement: AwsvpcPlacement): string[] {
  return [...new Set(placement.subnets.map((s) => s.availabilityZone))];
}

/**
 * The subnet a new task of a group goes to: among those `usable` allows (an EC2 task: the
 * subnets of its instance's zone; any: those with a free address), the one whose zone holds
 * the fewest of the group's live tasks (`tasksInZone`), ties going to the first given.
 */
export function chooseSubnet(
  subnets: readonly AwsvpcSubnet[],
  tasksInZone: (zone: string) => number,
  usable: (subnet: AwsvpcSubnet) => boolean,
): AwsvpcSubnet | undefined {
  let best: AwsvpcSubnet | undefined;
  for (const s of subnets) {
    if (!usable(s)) continue;
    if (!best || tasksInZone(s.availabilityZone) < tasksInZone(best.availabilityZone)) best = s;
  }
  return best;
}
