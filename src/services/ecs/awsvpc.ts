// An awsvpc network configuration checked against EC2's stored subnets, security groups and
// VPCs, wherever ECS takes one (RunTask, StartTask, CreateService, UpdateService,
// CreateTaskSet, and the scheduler before it starts a service's tasks). The account and
// region's default VPC is made first, as every AWS account has one from the start.
import type { NetworkConfiguration, TaskDefinition } from "@aws-sdk/client-ecs";
import { resolveAwsvpc, type AwsvpcObjects, type AwsvpcPlacement } from "../../domain/task/awsvpc.js";
import { checkNetworkConfiguration, type LaunchChoice } from "../../domain/task/launch-rules.js";
import { ensureDefaultVpc } from "../../state/default-vpc.js";
import type { ScopedState } from "./context.js";

/** The placement of `td`'s tasks under `config`; undefined for network modes other than awsvpc. */
export async function awsvpcPlacement(
  ctx: ScopedState,
  td: TaskDefinition,
  config: NetworkConfiguration | undefined,
  launchType?: LaunchChoice["launchType"],
): Promise<AwsvpcPlacement | undefined> {
  const request = checkNetworkConfiguration(td, config, launchType);
  if (!request) return undefined;
  const { ec2 } = ctx.state;
  await ensureDefaultVpc(ec2, ctx.scope, ctx.now);
  const [subnets, groups] = await Promise.all([
    ec2.subnets.getMany(ctx.scope, request.subnets),
    ec2.securityGroups.getMany(ctx.scope, request.securityGroups),
  ]);
  const subnetsFound: AwsvpcObjects["subnets"] = new Map(
    [...subnets].map(([id, s]) => [
      id,
      { vpcId: s.subnet.VpcId!, cidr: s.subnet.CidrBlock!, availabilityZone: s.subnet.AvailabilityZone! },
    ]),
  );
  const vpcIds = [...new Set([...subnetsFound.values()].map((s) => s.vpcId))];
  const vpcs = await ec2.vpcs.getMany(ctx.scope, vpcIds);
  const found: AwsvpcObjects = {
    subnets: subnetsFound,
    securityGroups: new Map([...groups].map(([id, g]) => [id, { vpcId: g.group.VpcId! }])),
    vpcs: new Map([...vpcs].map(([id, v]) => [id, { cidr: v.vpc.CidrBlock!, defaultSecurityGroupId: v.defaultSecurityGroupId }])),
  };
  return resolveAwsvpc(request, found);
}
