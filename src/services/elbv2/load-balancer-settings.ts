// What can be changed of a load balancer once made: its attributes, its security groups, its
// subnets (each new subnet gets an interface, each dropped one loses its own) and its IP
// address type (berth serves IPv4 only). Each change is one write of the load balancer's
// document, and a refused change writes nothing.
import type {
  DescribeLoadBalancerAttributesInput,
  DescribeLoadBalancerAttributesOutput,
  ModifyLoadBalancerAttributesInput,
  ModifyLoadBalancerAttributesOutput,
  SetIpAddressTypeInput,
  SetIpAddressTypeOutput,
  SetSecurityGroupsInput,
  SetSecurityGroupsOutput,
  SetSubnetsInput,
  SetSubnetsOutput,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { elbIdOf } from "../../domain/elbv2/arns.js";
import { withAttributes } from "../../domain/elbv2/attributes.js";
import type { StoredLoadBalancer } from "../../domain/elbv2/documents.js";
import { availabilityZonesOf } from "../../domain/elbv2/load-balancer.js";
import { scopeKey } from "../../domain/scope.js";
import type { Elbv2Context, Elbv2Handlers } from "./context.js";
import { Elbv2Error } from "./errors.js";
import { allocateInterfaces, planSecurityGroups, planSubnets } from "./lb-network.js";
import { loadBalancerNotFound, requireLoadBalancer } from "./lookup.js";

const invalidConfig = (message: string) => new Elbv2Error("InvalidConfigurationRequestException", message);

/** Writes `change` of the load balancer `arn` names; gone meanwhile, LoadBalancerNotFound. */
async function changeLoadBalancer(
  ctx: Elbv2Context,
  arn: string,
  change: (current: StoredLoadBalancer) => StoredLoadBalancer,
): Promise<StoredLoadBalancer> {
  const written = await ctx.state.elbv2.loadBalancers.write(ctx.scope, elbIdOf(arn), (cur) => {
    if (!cur || cur.loadBalancer.LoadBalancerArn !== arn) throw loadBalancerNotFound();
    return change(cur);
  });
  return written!;
}

async function describeLoadBalancerAttributes(
  ctx: Elbv2Context,
  input: DescribeLoadBalancerAttributesInput,
): Promise<DescribeLoadBalancerAttributesOutput> {
  const doc = await requireLoadBalancer(ctx, input.LoadBalancerArn!);
  return { Attributes: doc.attributes };
}

async function modifyLoadBalancerAttributes(
  ctx: Elbv2Context,
  input: ModifyLoadBalancerAttributesInput,
): Promise<ModifyLoadBalancerAttributesOutput> {
  await requireLoadBalancer(ctx, input.LoadBalancerArn!);
  const doc = await changeLoadBalancer(ctx, input.LoadBalancerArn!, (cur) => {
    const result = withAttributes(cur.loadBalancer.Type === "network" ? "network" : "application", cur.attributes, input.Attributes ?? []);
    if ("problem" in result) throw new Elbv2Error(result.problem.code, result.problem.message);
    return { ...cur, attributes: result.attributes };
  });
  return { Attributes: doc.attributes };
}

async function setSecurityGroups(ctx: Elbv2Context, input: SetSecurityGroupsInput): Promise<SetSecurityGroupsOutput> {
  const doc = await requireLoadBalancer(ctx, input.LoadBalancerArn!);
  const type = doc.loadBalancer.Type ?? "application";
  if (type === "network" && !doc.loadBalancer.SecurityGroups?.length) {
    throw invalidConfig("You cannot set security groups on a Network Load Balancer which was created without any security groups");
  }
  if (!input.SecurityGroups?.length) throw new Elbv2Error("ValidationError", "At least one security group must be specified");
  const vpc = await ctx.state.ec2.vpcs.get(ctx.scope, doc.loadBalancer.VpcId!);
  if (!vpc) throw new Elbv2Error("InvalidSecurityGroupException", `Security group '${input.SecurityGroups[0]}' does not exist`);
  const groups = await planSecurityGroups(ctx, type, vpc, input.SecurityGroups);
  const written = await changeLoadBalancer(ctx, input.LoadBalancerArn!, (cur) => ({
    ...cur,
    loadBalancer: { ...cur.loadBalancer, SecurityGroups: groups },
  }));
  return { SecurityGroupIds: written.loadBalancer.SecurityGroups };
}

async function setSubnets(ctx: Elbv2Context, input: SetSubnetsInput): Promise<SetSubnetsOutput> {
  const doc = await requireLoadBalancer(ctx, input.LoadBalancerArn!);
  if (input.IpAddressType && input.IpAddressType !== "ipv4") throw ipv4Only(input.IpAddressType);
  const type = doc.loadBalancer.Type ?? "application";
  const plan = await planSubnets(ctx, type, input);
  if (plan.vpc.vpc.VpcId !== doc.loadBalancer.VpcId) {
    throw new Elbv2Error("InvalidSubnetException", `The subnets must belong to the load balancer's VPC '${doc.loadBalancer.VpcId}'`);
  }
  const written = await ctx.placementLock.run(scopeKey(ctx.scope), async () => {
    const current = await requireLoadBalancer(ctx, input.LoadBalancerArn!);
    const interfaces = await allocateInterfaces(ctx, plan, current.interfaces);
    return changeLoadBalancer(ctx, input.LoadBalancerArn!, (cur) => ({
      ...cur,
      interfaces,
      loadBalancer: { ...cur.loadBalancer, AvailabilityZones: availabilityZonesOf(type, interfaces) },
    }));
  });
  return { AvailabilityZones: written.loadBalancer.AvailabilityZones, IpAddressType: "ipv4" };
}

const ipv4Only = (type: string) => invalidConfig(`berth serves IPv4 only: IP address type '${type}' is not supported`);

async function setIpAddressType(ctx: Elbv2Context, input: SetIpAddressTypeInput): Promise<SetIpAddressTypeOutput> {
  await requireLoadBalancer(ctx, input.LoadBalancerArn!);
  if (input.IpAddressType !== "ipv4") throw ipv4Only(input.IpAddressType!);
  return { IpAddressType: "ipv4" };
}

export const loadBalancerSettingsOperations: Elbv2Handlers = {
  DescribeLoadBalancerAttributes: describeLoadBalancerAttributes,
  ModifyLoadBalancerAttributes: modifyLoadBalancerAttributes,
  SetSecurityGroups: setSecurityGroups,
  SetSubnets: setSubnets,
  SetIpAddressType: setIpAddressType,
};
