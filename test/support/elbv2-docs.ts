// A target group written straight into an in-process berth's store, for what the API cannot
// make: a group in a VPC that does not exist (any more), which listeners and rules must refuse
// to forward to. Everything else comes through the API (test/support/elbv2.ts).
import { elbIdOf, newElbId, targetGroupArn } from "../../src/domain/elbv2/arns.js";
import type { StoredTargetGroup } from "../../src/domain/elbv2/documents.js";
import type { Scope } from "../../src/domain/scope.js";
import { TEST_ACCOUNT } from "./berth-process.js";
import type { InProcessBerth } from "./in-process.js";

const testScope = (region = "us-east-1"): Scope => ({ accountId: TEST_ACCOUNT, region });

export interface TargetGroupDoc {
  name: string;
  vpcId: string;
  protocol?: "HTTP" | "HTTPS" | "TCP" | "TLS" | "UDP" | "TCP_UDP";
  port?: number;
  targetType?: "ip" | "instance" | "lambda" | "alb";
  region?: string;
}

/** Stores a target group (HTTP, port 80, ip targets unless told) in `vpcId`, which need not exist; returns its ARN. */
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
