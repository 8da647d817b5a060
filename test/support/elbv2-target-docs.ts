// Listeners written straight into a test berth's state, so that target group tests can make a
// group "used by a load balancer" (a listener's default action forwards to it) without the
// load balancer and listener APIs. Swap for CreateLoadBalancer/CreateListener calls once the
// suites meet.
import { listenerArn, loadBalancerArn, newElbId, ruleArn } from "../../src/domain/elbv2/arns.js";
import type { StoredListener, StoredRule } from "../../src/domain/elbv2/documents.js";
import type { ControlPlane } from "../../src/cli/control-plane.js";
import { TEST_ACCOUNT } from "./berth-process.js";

export interface WrittenListener {
  loadBalancerArn: string;
  listenerArn: string;
  /** Takes the listener and its default rule away again. */
  remove(): Promise<void>;
}

/** A listener of a (stored nowhere) application load balancer whose default action forwards to `targetGroupArns`. */
export async function listenerForwardingTo(
  plane: ControlPlane,
  targetGroupArns: string[],
  opts: { region?: string; loadBalancerArn?: string; port?: number } = {},
): Promise<WrittenListener> {
  const scope = { accountId: TEST_ACCOUNT, region: opts.region ?? "us-east-1" };
  const lbArn = opts.loadBalancerArn ?? loadBalancerArn(scope, "app", `lb-${newElbId().slice(0, 6)}`, newElbId());
  const listenerId = newElbId();
  const lArn = listenerArn(lbArn, listenerId);
  const actions = [
    {
      Type: "forward" as const,
      Order: 1,
      ForwardConfig: { TargetGroups: targetGroupArns.map((TargetGroupArn) => ({ TargetGroupArn, Weight: 1 })) },
    },
  ];
  const listener: StoredListener = {
    listener: { ListenerArn: lArn, LoadBalancerArn: lbArn, Port: opts.port ?? 80, Protocol: "HTTP", DefaultActions: actions },
    tags: [],
    createdAt: Date.now(),
  };
  const ruleId = newElbId();
  const rule: StoredRule = {
    rule: { RuleArn: ruleArn(lArn, ruleId), Priority: "default", Conditions: [], Actions: actions, IsDefault: true },
    listenerArn: lArn,
    tags: [],
    createdAt: Date.now(),
  };
  const { listeners, rules } = plane.state.elbv2;
  await plane.state.elbv2.transact((tx) => {
    tx.put(listeners, scope, listenerId, listener);
    tx.put(rules, scope, ruleId, rule);
  });
  return {
    loadBalancerArn: lbArn,
    listenerArn: lArn,
    remove: () =>
      plane.state.elbv2.transact((tx) => {
        tx.remove(listeners, scope, listenerId);
        tx.remove(rules, scope, ruleId);
      }),
  };
}

/** A bare application load balancer document (no interfaces), for Describe calls that name one. */
export async function storedLoadBalancer(plane: ControlPlane, vpcId: string, region = "us-east-1"): Promise<string> {
  const scope = { accountId: TEST_ACCOUNT, region };
  const id = newElbId();
  const name = `lb-${id.slice(0, 6)}`;
  const arn = loadBalancerArn(scope, "app", name, id);
  await plane.state.elbv2.loadBalancers.putMany(scope, [
    {
      id,
      doc: {
        loadBalancer: {
          LoadBalancerArn: arn,
          LoadBalancerName: name,
          Type: "application",
          Scheme: "internal",
          VpcId: vpcId,
          State: { Code: "active" },
        },
        attributes: [],
        tags: [],
        interfaces: [],
        loopbackAddress: "127.64.0.9",
        createdAt: Date.now(),
      },
    },
  ]);
  return arn;
}
