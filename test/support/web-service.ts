// A web service behind a load balancer, as the end-to-end tests build it: busybox's httpd in a
// FARGATE task answering which revision it is, and target groups that check it as often as ELB
// allows and drain it quickly, so deployments through a real data plane take seconds.
import type { RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import {
  CreateTargetGroupCommand,
  ModifyTargetGroupAttributesCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";

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
