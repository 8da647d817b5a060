// Load balancers and target groups for the listener and rule tests, written straight into an
// in-process berth's store as CreateLoadBalancer and CreateTargetGroup would store them. The
// listener and rule handlers only read them; once those operations land, these helpers can
// call them through the SDK instead (same options, same ARNs back).
import { elbIdOf, loadBalancerArn, loadBalancerDnsName, newElbId, targetGroupArn } from "../../src/domain/elbv2/arns.js";
import type { StoredLoadBalancer, StoredTargetGroup } from "../../src/domain/elbv2/documents.js";
import type { Scope } from "../../src/domain/scope.js";
import { TEST_ACCOUNT } from "./berth-process.js";
import type { InProcessBerth } from "./in-process.js";

const testScope = (region = "us-east-1"): Scope => ({ accountId: TEST_ACCOUNT, region });

export interface LoadBalancerDoc {
  name: string;
  type?: "application" | "network";
  vpcId: string;
  region?: string;
}

/** Stores an active load balancer of `type` (application by default) in `vpcId`; returns its ARN. */
export async function putLoadBalancer(berth: InProcessBerth, opts: LoadBalancerDoc): Promise<string> {
  const scope = testScope(opts.region);
  const type = opts.type ?? "application";
  const kind = type === "application" ? "app" : "net";
  const id = newElbId();
  const arn = loadBalancerArn(scope, kind, opts.name, id);
  const doc: StoredLoadBalancer = {
    loadBalancer: {
      LoadBalancerArn: arn,
      LoadBalancerName: opts.name,
      DNSName: loadBalancerDnsName(scope, { kind, name: opts.name, id, internal: true, digits: "1234567890" }),
      Scheme: "internal",
      VpcId: opts.vpcId,
      State: { Code: "active" },
      Type: type,
      AvailabilityZones: [],
      SecurityGroups: [],
      IpAddressType: "ipv4",
    },
    attributes: [],
    tags: [],
    interfaces: [],
    loopbackAddress: "127.64.0.1",
    createdAt: Date.now(),
  };
  await berth.plane.state.elbv2.loadBalancers.putMany(scope, [{ id: elbIdOf(arn), doc }]);
  return arn;
}

export interface TargetGroupDoc {
  name: string;
  vpcId: string;
  protocol?: "HTTP" | "HTTPS" | "TCP" | "TLS" | "UDP" | "TCP_UDP";
  port?: number;
  targetType?: "ip" | "instance" | "lambda" | "alb";
  region?: string;
}

/** Stores a target group (HTTP, port 80, ip targets unless told) in `vpcId`; returns its ARN. */
export async function putTargetGroup(berth: InProcessBerth, opts: TargetGroupDoc): Promise<string> {
  const scope = testScope(opts.region);
  const id = newElbId();
  const arn = targetGroupArn(scope, opts.name, id);
  const protocol = opts.protocol ?? "HTTP";
  const doc: StoredTargetGroup = {
    targetGroup: {
      TargetGroupArn: arn,
      TargetGroupName: opts.name,
      Protocol: protocol,
      Port: opts.port ?? 80,
      VpcId: opts.vpcId,
      TargetType: opts.targetType ?? "ip",
      HealthCheckEnabled: true,
      HealthCheckProtocol: protocol === "HTTP" || protocol === "HTTPS" ? protocol : "TCP",
      HealthCheckPort: "traffic-port",
      IpAddressType: "ipv4",
    },
    attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "300" }],
    tags: [],
    targets: [],
    createdAt: Date.now(),
  };
  await berth.plane.state.elbv2.targetGroups.putMany(scope, [{ id: elbIdOf(arn), doc }]);
  return arn;
}
