// One lock for every change to what forwards where (listeners, rules, and the creation and
// deletion of the target groups and load balancers they name), and what the listener and rule
// handlers share: the facts of target groups that actions are checked against, rules by parent.
import type { Action } from "@aws-sdk/client-elastic-load-balancing-v2";
import { forwardedTargetGroupArns, type ActionSite, type LoadBalancerType, type TargetGroupFacts } from "../../domain/elbv2/actions.js";
import { elbIdOf } from "../../domain/elbv2/arns.js";
import type { StoredLoadBalancer, StoredRule } from "../../domain/elbv2/documents.js";
import { loadBalancersForwardingTo } from "../../domain/elbv2/usage.js";
import { scopeKey } from "../../domain/scope.js";
import { KeyedSerializer } from "../../keyed-serializer.js";
import type { Elbv2Context } from "./context.js";
import { Elbv2Error } from "./errors.js";
import { findTargetGroup } from "./lookup.js";

const routingChanges = new KeyedSerializer();

/**
 * Runs a change to the account and region's listeners, rules, or the target groups and load
 * balancers they name, one at a time: each reads what is stored, checks (a port or priority
 * free, a target group on one load balancer only) and writes. DeleteTargetGroup and
 * DeleteLoadBalancer take it too, so nothing starts forwarding to what is being deleted.
 */
export function routingChange<T>(ctx: Elbv2Context, section: () => Promise<T>): Promise<T> {
  return routingChanges.run(scopeKey(ctx.scope), section);
}

/** The type of a load balancer berth serves listeners for. */
export function loadBalancerType(lb: StoredLoadBalancer): LoadBalancerType {
  const type = lb.loadBalancer.Type;
  if (type === "application" || type === "network") return type;
  throw new Elbv2Error("UnsupportedProtocolException", `Listeners of '${type}' load balancers are not supported by berth`);
}

/** Where a listener of `lb` with `protocol` stands, for checking its actions. */
export function actionSite(lb: StoredLoadBalancer, protocol: string): ActionSite {
  return {
    loadBalancerArn: lb.loadBalancer.LoadBalancerArn!,
    loadBalancerType: loadBalancerType(lb),
    vpcId: lb.loadBalancer.VpcId ?? "",
    protocol,
  };
}

/** A listener's rules, default included, in no particular order. */
export const rulesOfListener = (ctx: Elbv2Context, listenerArn: string): Promise<StoredRule[]> =>
  ctx.state.elbv2.rules.list(ctx.scope, { parent: elbIdOf(listenerArn) });

/** Every rule of every listener of a load balancer, default rules included. */
export async function rulesOfLoadBalancer(ctx: Elbv2Context, loadBalancerArn: string): Promise<StoredRule[]> {
  const listeners = await ctx.state.elbv2.listeners.list(ctx.scope, { parent: elbIdOf(loadBalancerArn) });
  return (await Promise.all(listeners.map((l) => rulesOfListener(ctx, l.listener.ListenerArn!)))).flat();
}

/**
 * The facts of every target group `actions` forward to that exists (by ARN), with the load
 * balancers already forwarding to each; a missing one is simply absent from the map.
 */
export async function targetGroupFacts(ctx: Elbv2Context, actions: readonly Action[] | undefined): Promise<Map<string, TargetGroupFacts>> {
  const arns = forwardedTargetGroupArns(actions);
  const facts = new Map<string, TargetGroupFacts>();
  if (arns.length === 0) return facts;
  const rules = await ctx.state.elbv2.rules.list(ctx.scope);
  for (const arn of arns) {
    const tg = await findTargetGroup(ctx, arn);
    if (!tg) continue;
    facts.set(arn, {
      arn,
      vpcId: tg.targetGroup.VpcId,
      protocol: tg.targetGroup.Protocol,
      targetType: tg.targetGroup.TargetType,
      loadBalancerArns: loadBalancersForwardingTo(rules, arn),
    });
  }
  return facts;
}
