// A web service behind a load balancer, as the end-to-end tests build it: busybox's httpd in a
// FARGATE task answering which revision it is, and target groups that check it as often as ELB
// allows and drain it quickly, so deployments through a real data plane take seconds; and the
// internal ALB in a VPC of its own that such services sit behind.
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, type EC2Client } from "@aws-sdk/client-ec2";
import type { RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import {
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ModifyTargetGroupAttributesCommand,
  waitUntilLoadBalancerAvailable,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { vpcOfItsOwn } from "./vpc.js";

/** ELB's quickest health checks: a new target is healthy after two checks five seconds apart. */
export const FAST_HEALTH_CHECK = {
  HealthCheckPath: "/health",
  HealthCheckIntervalSeconds: 5,
  HealthCheckTimeoutSeconds: 2,
  HealthyThresholdCount: 2,
  UnhealthyThresholdCount: 2,
};

/** A web task's command: busybox's httpd serving `mark` at /, "api" under /api/, and a health file. */
export const webCommand = (mark: string) =>
  `mkdir -p /www/api && echo ${mark} > /www/index.html && echo api > /www/api/index.html && echo ok > /www/health && exec httpd -f -p 80 -h /www`;

/** A FARGATE (awsvpc) task definition of `family` whose container "web" serves `mark` on port 80. */
export function webTaskDefinition(family: string, image: string, mark: string): RegisterTaskDefinitionCommandInput {
  return {
    family,
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    cpu: "256",
    memory: "512",
    containerDefinitions: [
      { name: "web", image, stopTimeout: 2, command: ["sh", "-c", webCommand(mark)], portMappings: [{ containerPort: 80 }] },
    ],
  };
}

/** An HTTP ip target group on port 80 with FAST_HEALTH_CHECK, draining for `drainSeconds` when given; its ARN. */
export async function fastTargetGroup(
  elb: ElasticLoadBalancingV2Client,
  opts: { name: string; vpcId: string; drainSeconds?: number },
): Promise<string> {
  const arn = (
    await elb.send(
      new CreateTargetGroupCommand({
        Name: opts.name,
        Protocol: "HTTP",
        Port: 80,
        VpcId: opts.vpcId,
        TargetType: "ip",
        ...FAST_HEALTH_CHECK,
      }),
    )
  ).TargetGroups![0]!.TargetGroupArn!;
  if (opts.drainSeconds !== undefined) {
    await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: String(opts.drainSeconds) }],
      }),
    );
  }
  return arn;
}

export interface InternalAlb {
  vpcId: string;
  subnets: string[];
  /** The load balancer's security group. */
  lbGroup: string;
  /** The web tasks' group: admits TCP 80 from the load balancer's group. */
  taskGroup: string;
  /** Makes another group in the VPC (admitting nothing); its id. */
  group(name: string): Promise<string>;
  lbArn: string;
  dnsName: string;
}

/**
 * An internal ALB named `name`, available, in a VPC of its own with a subnet in two zones, its
 * group "lb", and a group "web" for the tasks behind it admitting TCP 80 from "lb". Remove the
 * VPC's Docker network when done.
 */
export async function internalAlbInOwnVpc(ec2: EC2Client, elb: ElasticLoadBalancingV2Client, name: string): Promise<InternalAlb> {
  const { vpcId, subnets } = await vpcOfItsOwn(ec2);
  const group = async (groupName: string) =>
    (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: groupName, Description: groupName }))).GroupId!;
  const [lbGroup, taskGroup] = [await group("lb"), await group("web")];
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: taskGroup,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, UserIdGroupPairs: [{ GroupId: lbGroup }] }],
    }),
  );
  const lb = (
    await elb.send(new CreateLoadBalancerCommand({ Name: name, Scheme: "internal", Subnets: subnets, SecurityGroups: [lbGroup] }))
  ).LoadBalancers![0]!;
  await waitUntilLoadBalancerAvailable({ client: elb, maxWaitTime: 30 }, { LoadBalancerArns: [lb.LoadBalancerArn!] });
  return { vpcId, subnets, lbGroup, taskGroup, group, lbArn: lb.LoadBalancerArn!, dnsName: lb.DNSName! };
}
