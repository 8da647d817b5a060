// Finding a target group by the ARN a request names, and what uses it: the load balancers
// whose listeners (by their default actions) or rules forward to it. A group no listener or
// rule forwards to is not in use: its targets are "unused", and it may be deleted.
import type { Action } from "@aws-sdk/client-elastic-load-balancing-v2";
import { elbIdOf, parseElbArn } from "../../domain/elbv2/arns.js";
import type { StoredTargetGroup } from "../../domain/elbv2/documents.js";
import { TargetGroupError } from "../../domain/elbv2/target-group-error.js";
import type { Elbv2Context } from "./context.js";
import { Elbv2Error } from "./errors.js";

export const targetGroupNotFound = () => new Elbv2Error("TargetGroupNotFoundException", "One or more target groups not found");

/** The document id of the target group `arn` names; a string that is no target group ARN is a ValidationError. */
export function targetGroupIdOf(ctx: Pick<Elbv2Context, "scope">, arn: string): string | undefined {
  const parsed = parseElbArn(ctx.scope, arn);
  if (!parsed) {
    // Another account's or region's ARN is well formed but names nothing here.
    if (/^arn:aws[a-z-]*:elasticloadbalancing:[^:]*:\d{12}:targetgroup\/[^/]+\/[0-9a-f]+$/.test(arn)) return undefined;
    throw new Elbv2Error("ValidationError", `'${arn}' is not a valid target group ARN`);
  }
  if (parsed.type !== "targetgroup") throw new Elbv2Error("ValidationError", `'${arn}' is not a valid target group ARN`);
  return elbIdOf(arn);
}

/** The stored target group `arn` names, or undefined. */
export async function findTargetGroup(ctx: Elbv2Context, arn: string): Promise<StoredTargetGroup | undefined> {
  const id = targetGroupIdOf(ctx, arn);
  const doc = id === undefined ? undefined : await ctx.state.elbv2.targetGroups.get(ctx.scope, id);
  return doc?.targetGroup.TargetGroupArn === arn ? doc : undefined;
}

/** The stored target group `arn` names, or TargetGroupNotFound. */
export async function requireTargetGroup(ctx: Elbv2Context, arn: string): Promise<StoredTargetGroup> {
  const doc = await findTargetGroup(ctx, arn);
  if (!doc) throw targetGroupNotFound();
  return doc;
}

/** The target group ARNs an action forwards to (TargetGroupArn, or ForwardConfig's groups). */
export function forwardedTo(actions: readonly Action[] | undefined): string[] {
  const arns: string[] = [];
  for (const a of actions ?? []) {
    if (a.Type !== "forward") continue;
    if (a.TargetGroupArn) arns.push(a.TargetGroupArn);
    for (const g of a.ForwardConfig?.TargetGroups ?? []) if (g.TargetGroupArn) arns.push(g.TargetGroupArn);
  }
  return arns;
}

const loadBalancerOfListener = (listenerArn: string) => listenerArn.replace(":listener/", ":loadbalancer/").replace(/\/[^/]+$/, "");

/** What forwards to each target group of the scope: its users (listener or rule ARNs) and their load balancers. */
export interface TargetGroupUsage {
  users: Map<string, string[]>;
  loadBalancers: Map<string, string[]>;
}

export async function targetGroupUsage(ctx: Elbv2Context): Promise<TargetGroupUsage> {
  const [listeners, rules] = await Promise.all([ctx.state.elbv2.listeners.list(ctx.scope), ctx.state.elbv2.rules.list(ctx.scope)]);
  const usage: TargetGroupUsage = { users: new Map(), loadBalancers: new Map() };
  const add = (tg: string, user: string, lb: string) => {
    const users = usage.users.get(tg) ?? [];
    if (!users.includes(user)) usage.users.set(tg, [...users, user]);
    const lbs = usage.loadBalancers.get(tg) ?? [];
    if (!lbs.includes(lb)) usage.loadBalancers.set(tg, [...lbs, lb]);
  };
  for (const l of listeners)
    for (const tg of forwardedTo(l.listener.DefaultActions)) add(tg, l.listener.ListenerArn!, l.listener.LoadBalancerArn!);
  for (const r of rules) {
    const user = r.rule.IsDefault ? r.listenerArn : r.rule.RuleArn!;
    for (const tg of forwardedTo(r.rule.Actions)) add(tg, user, loadBalancerOfListener(r.listenerArn));
  }
  return usage;
}

/** The target group and target checks' refusals as ELBv2's errors; anything else as it is. */
export function asElbv2Error(err: unknown): unknown {
  return err instanceof TargetGroupError ? new Elbv2Error(err.code, err.message) : err;
}
