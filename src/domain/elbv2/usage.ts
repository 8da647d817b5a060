// Which load balancers, listeners and rules use a target group: what ELBv2 derives a target
// group's LoadBalancerArns from, and what keeps a target group in use (DeleteTargetGroup
// refuses while a listener or rule forwards to it). Every listener's default actions are also
// its default rule's, so the rules alone tell.
import { forwardedTargetGroupArns } from "./actions.js";
import type { StoredRule } from "./documents.js";

/** The load balancer ARN a listener ARN (or a rule ARN's listener part) belongs to. */
export function loadBalancerArnOfListener(listenerArn: string): string {
  return listenerArn.replace(":listener/", ":loadbalancer/").replace(/\/[^/]+$/, "");
}

/** The load balancers whose listeners or rules forward to `targetGroupArn`, each once. */
export function loadBalancersForwardingTo(rules: readonly StoredRule[], targetGroupArn: string): string[] {
  return loadBalancersByTargetGroup(rules).get(targetGroupArn) ?? [];
}

/** loadBalancersForwardingTo for every target group forwarded to at all, from one pass over the rules. */
export function loadBalancersByTargetGroup(rules: readonly StoredRule[]): Map<string, string[]> {
  const byGroup = new Map<string, Set<string>>();
  for (const r of rules)
    for (const tg of forwardedTargetGroupArns(r.rule.Actions)) {
      const arns = byGroup.get(tg) ?? new Set<string>();
      arns.add(loadBalancerArnOfListener(r.listenerArn));
      byGroup.set(tg, arns);
    }
  return new Map([...byGroup].map(([tg, arns]) => [tg, [...arns]]));
}

/**
 * What forwards to `targetGroupArn`, if anything: a listener's ARN (through its default
 * actions) or a rule's ARN.
 */
export function targetGroupUser(rules: readonly StoredRule[], targetGroupArn: string): string | undefined {
  const user = rules.find((r) => forwardedTargetGroupArns(r.rule.Actions).includes(targetGroupArn));
  if (!user) return undefined;
  return user.rule.IsDefault ? user.listenerArn : user.rule.RuleArn;
}
