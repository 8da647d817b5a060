// ELBv2 documents written straight into a control plane's state, for ECS tests that need a
// target group used by a load balancer without going through the ELBv2 API: a target group,
// and a listener (with its default rule) whose default action forwards to it.
import { elbIdOf, listenerArn, loadBalancerArn, newElbId, ruleArn, targetGroupArn } from "../../src/domain/elbv2/arns.js";
import type { StoredTargetGroup } from "../../src/domain/elbv2/documents.js";
import type { Scope } from "../../src/domain/scope.js";
import type { EcsState } from "../../src/state/ecs-state.js";
import { TEST_ACCOUNT } from "./berth-process.js";

export const TEST_SCOPE: Scope = { accountId: TEST_ACCOUNT, region: "us-east-1" };

export interface TargetGroupOptions {
  name: string;
  targetType?: "ip" | "instance";
  vpcId?: string;
  port?: number;
  deregistrationDelaySeconds?: number;
  /** Also write a listener of a (made-up) load balancer forwarding to it; default true. */
  inUse?: boolean;
}

/** Writes a target group (and, unless told not to, a listener forwarding to it); returns its ARN. */
export async function putTargetGroup(state: EcsState, opts: TargetGroupOptions, scope: Scope = TEST_SCOPE): Promise<string> {
  const id = newElbId();
  const arn = targetGroupArn(scope, opts.name, id);
  const doc: StoredTargetGroup = {
    targetGroup: {
      TargetGroupArn: arn,
      TargetGroupName: opts.name,
      Protocol: "HTTP",
      Port: opts.port ?? 80,
      VpcId: opts.vpcId ?? "vpc-00000000000000000",
      HealthCheckEnabled: true,
      HealthCheckProtocol: "HTTP",
      HealthCheckPort: "traffic-port",
      HealthCheckPath: "/",
      HealthCheckIntervalSeconds: 30,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 5,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: "200" },
      TargetType: opts.targetType ?? "ip",
      ProtocolVersion: "HTTP1",
      IpAddressType: "ipv4",
    },
    attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: String(opts.deregistrationDelaySeconds ?? 300) }],
    tags: [],
    targets: [],
    createdAt: Date.now(),
  };
  await state.elbv2.targetGroups.putMany(scope, [{ id, doc }]);
  if (opts.inUse !== false) await putForwardingListener(state, arn, scope);
  return arn;
}

/** Writes a listener of a made-up load balancer whose default action forwards to `tgArn`. */
export async function putForwardingListener(state: EcsState, tgArn: string, scope: Scope = TEST_SCOPE): Promise<string> {
  const lbArn = loadBalancerArn(scope, "app", `lb-${elbIdOf(tgArn).slice(0, 6)}`, newElbId());
  const arn = listenerArn(lbArn, newElbId());
  const defaultActions = [{ Type: "forward" as const, TargetGroupArn: tgArn }];
  // Every listener has its default rule, whose actions are the listener's (what ELBv2's CreateListener stores).
  const defaultRuleArn = ruleArn(arn, newElbId());
  await state.elbv2.rules.putMany(scope, [
    {
      id: elbIdOf(defaultRuleArn),
      doc: {
        rule: { RuleArn: defaultRuleArn, Priority: "default", IsDefault: true, Conditions: [], Actions: defaultActions },
        listenerArn: arn,
        tags: [],
        createdAt: Date.now(),
      },
    },
  ]);
  await state.elbv2.listeners.putMany(scope, [
    {
      id: elbIdOf(arn),
      doc: {
        listener: {
          ListenerArn: arn,
          LoadBalancerArn: lbArn,
          Port: 80,
          Protocol: "HTTP",
          DefaultActions: defaultActions,
        },
        tags: [],
        createdAt: Date.now(),
      },
    },
  ]);
  return arn;
}

/** The stored target group named by `arn`. */
export async function targetGroupDoc(state: EcsState, arn: string, scope: Scope = TEST_SCOPE): Promise<StoredTargetGroup> {
  return (await state.elbv2.targetGroups.get(scope, elbIdOf(arn)))!;
}
