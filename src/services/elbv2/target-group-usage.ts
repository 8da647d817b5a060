// What target groups are used by, for the target group handlers: DeleteTargetGroup refuses a
// group still forwarded to (ResourceInUse), and DescribeTargetGroups derives each group's
// LoadBalancerArns. Both read the rules, which hold every listener's default actions too.
import { loadBalancersByTargetGroup, loadBalancersForwardingTo, targetGroupUser } from "../../domain/elbv2/usage.js";
import type { Elbv2Context } from "./context.js";

/**
 * The ARN of a listener (by its default actions) or rule that forwards to `targetGroupArn`,
 * or undefined when none does. Call it inside routingChange (./routing.ts) so that no
 * listener or rule starts forwarding to the group between this answer and the deletion.
 */
export async function targetGroupInUse(ctx: Elbv2Context, targetGroupArn: string): Promise<string | undefined> {
  return targetGroupUser(await ctx.state.elbv2.rules.list(ctx.scope), targetGroupArn);
}

/** The load balancers whose listeners or rules forward to `targetGroupArn` (its LoadBalancerArns). */
export async function loadBalancerArnsOf(ctx: Elbv2Context, targetGroupArn: string): Promise<string[]> {
  return loadBalancersForwardingTo(await ctx.state.elbv2.rules.list(ctx.scope), targetGroupArn);
}

/** loadBalancerArnsOf every target group that is forwarded to, by target group ARN. */
export async function loadBalancerArnsByTargetGroup(ctx: Elbv2Context): Promise<Map<string, string[]>> {
  return loadBalancersByTargetGroup(await ctx.state.elbv2.rules.list(ctx.scope));
}
