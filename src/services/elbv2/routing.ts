// What the listener and rule handlers share: one lock for every change to what forwards where
// (listeners, rules, and the target groups and load balancers they name), the look-ups by ARN
// with ELBv2's not-found errors, the facts of target groups that actions are checked against,
// and the domain's refusals turned into ELBv2's errors.
import type { Action } from "@aws-sdk/client-elastic-load-balancing-v2";
import { forwardedTargetGroupArns, type ActionSite, type LoadBalancerType, type TargetGroupFacts } from "../../domain/elbv2/actions.js";
import { elbIdOf } from "../../domain/elbv2/arns.js";
import type { StoredListener, StoredLoadBalancer, StoredRule } from "../../domain/elbv2/documents.js";
import { ElbRuleError } from "../../domain/elbv2/rule-error.js";
import { loadBalancersForwardingTo } from "../../domain/elbv2/usage.js";
import { scopeKey } from "../../domain/scope.js";
import { KeyedSerializer } from "../../keyed-serializer.js";
import type { Elbv2Context } from "./context.js";
import { Elbv2Error } from "./errors.js";

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

/** A handler whose domain refusals (ElbRuleError) reach the caller as ELBv2's errors. */
export function elbHandler<I, O>(work: (ctx: Elbv2Context, input: I) => Promise<O>): (ctx: Elbv2Context, input: I) => Promise<O> {
  return async (ctx, input) => {
    try {
      return await work(ctx, input);
    } catch (err) {
      throw err instanceof ElbRuleError ? new Elbv2Error(err.code, err.message) : err;
    }
  };
}

export const loadBalancerNotFound = () => new Elbv2Error("LoadBalancerNotFoundException", "One or more load balancers not found");
export const listenerNotFound = () => new Elbv2Error("ListenerNotFoundException", "One or more listeners not found");
export const ruleNotFound = () => new Elbv2Error("RuleNotFoundException", "One or more rules not found");

/** The stored document of `arn` in `collection`, only if it is that very ARN (not one of another name or scope). */
async function byArn<T>(
  ctx: Elbv2Context,
  collection: { get(scope: Elbv2Context["scope"], id: string): Promise<T | undefined> },
  arn: string,
  arnOf: (doc: T) => string | undefined,
): Promise<T | undefined> {
  const doc = await collection.get(ctx.scope, elbIdOf(arn));
  return doc && arnOf(doc) === arn ? doc : undefined;
}

export async function loadBalancerOf(ctx: Elbv2Context, arn: string): Promise<StoredLoadBalancer> {
  const lb = await byArn(ctx, ctx.state.elbv2.loadBalancers, arn, (d) => d.loadBalancer.LoadBalancerArn);
  if (!lb) throw loadBalancerNotFound();
  return lb;
}

export async function listenerOf(ctx: Elbv2Context, arn: string): Promise<StoredListener> {
  const listener = await byArn(ctx, ctx.state.elbv2.listeners, arn, (d) => d.listener.ListenerArn);
  if (!listener) throw listenerNotFound();
  return listener;
}

export async function ruleOf(ctx: Elbv2Context, arn: string): Promise<StoredRule> {
  const rule = await byArn(ctx, ctx.state.elbv2.rules, arn, (d) => d.rule.RuleArn);
  if (!rule) throw ruleNotFound();
  return rule;
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
    const tg = await byArn(ctx, ctx.state.elbv2.targetGroups, arn, (d) => d.targetGroup.TargetGroupArn);
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

/**
 * One page of `items` after `marker` (a Marker this gave as NextMarker), at most `pageSize`
 * of them (all when absent, as ELBv2 answers without PageSize). The marker names the last
 * item returned, so a page boundary holds while items before it come and go.
 */
export function markerPage<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  input: { Marker?: string; PageSize?: number },
): { page: T[]; NextMarker?: string } {
  let start = 0;
  if (input.Marker !== undefined && input.Marker !== "") {
    const cursor = decodeMarker(input.Marker);
    const at = items.findIndex((item) => keyOf(item) === cursor.k);
    start = at >= 0 ? at + 1 : Math.min(cursor.o + 1, items.length);
  }
  const size = input.PageSize ?? items.length;
  const page = items.slice(start, start + size);
  const end = start + page.length;
  if (end >= items.length || page.length === 0) return { page };
  return { page, NextMarker: Buffer.from(JSON.stringify({ k: keyOf(page[page.length - 1]!), o: end - 1 })).toString("base64url") };
}

function decodeMarker(marker: string): { k: string; o: number } {
  try {
    const cursor = JSON.parse(Buffer.from(marker, "base64url").toString("utf8")) as { k: unknown; o: unknown };
    if (typeof cursor.k === "string" && typeof cursor.o === "number" && Number.isInteger(cursor.o) && cursor.o >= 0)
      return { k: cursor.k, o: cursor.o };
  } catch {
    // refused below
  }
  throw new Elbv2Error("ValidationError", "The marker is not valid");
}
