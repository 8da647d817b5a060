// Finding a load balancer, target group, listener or rule by the ARN a request names, as ELBv2
// does: a string that is no ARN of that kind is a ValidationError; a well-formed ARN of another
// account or region, or of nothing stored, is that kind's NotFound.
import { elbIdOf, parseElbArn, type ParsedElbArn } from "../../domain/elbv2/arns.js";
import type { StoredListener, StoredLoadBalancer, StoredRule, StoredTargetGroup } from "../../domain/elbv2/documents.js";
import type { Elbv2Context } from "./context.js";
import { Elbv2Error } from "./errors.js";

export const loadBalancerNotFound = (message = "One or more load balancers not found") =>
  new Elbv2Error("LoadBalancerNotFoundException", message);
export const targetGroupNotFound = () => new Elbv2Error("TargetGroupNotFoundException", "One or more target groups not found");
export const listenerNotFound = () => new Elbv2Error("ListenerNotFoundException", "One or more listeners not found");
export const ruleNotFound = () => new Elbv2Error("RuleNotFoundException", "One or more rules not found");

type ElbKind = ParsedElbArn["type"];

const KINDS: Record<ElbKind, { noun: string; path: string }> = {
  loadbalancer: { noun: "load balancer", path: "(app|net)/[^/]+/[0-9a-f]+" },
  targetgroup: { noun: "target group", path: "[^/]+/[0-9a-f]+" },
  listener: { noun: "listener", path: "(app|net)/[^/]+/[0-9a-f]+/[0-9a-f]+" },
  "listener-rule": { noun: "listener rule", path: "(app|net)/[^/]+/[0-9a-f]+/[0-9a-f]+/[0-9a-f]+" },
};

/** The document id of the `kind` ARN `arn` names; undefined for another account's or region's; a ValidationError for anything else. */
function idOf(ctx: Pick<Elbv2Context, "scope">, arn: string, kind: ElbKind): string | undefined {
  const parsed = parseElbArn(ctx.scope, arn);
  if (parsed?.type === kind) return elbIdOf(arn);
  const elsewhere = new RegExp(`^arn:aws[a-z-]*:elasticloadbalancing:[^:]*:\\d{12}:${kind}/${KINDS[kind].path}$`);
  if (!parsed && elsewhere.test(arn)) return undefined;
  throw new Elbv2Error("ValidationError", `'${arn}' is not a valid ${KINDS[kind].noun} ARN`);
}

export const loadBalancerIdOf = (ctx: Pick<Elbv2Context, "scope">, arn: string) => idOf(ctx, arn, "loadbalancer");
export const targetGroupIdOf = (ctx: Pick<Elbv2Context, "scope">, arn: string) => idOf(ctx, arn, "targetgroup");

/** The stored document `arn` names in `collection`, only if it is that very ARN (not one of another name). */
async function byArn<T>(
  ctx: Elbv2Context,
  collection: { get(scope: Elbv2Context["scope"], id: string): Promise<T | undefined> },
  kind: ElbKind,
  arn: string,
  arnOf: (doc: T) => string | undefined,
): Promise<T | undefined> {
  const id = idOf(ctx, arn, kind);
  const doc = id === undefined ? undefined : await collection.get(ctx.scope, id);
  return doc && arnOf(doc) === arn ? doc : undefined;
}

export const findLoadBalancer = (ctx: Elbv2Context, arn: string): Promise<StoredLoadBalancer | undefined> =>
  byArn(ctx, ctx.state.elbv2.loadBalancers, "loadbalancer", arn, (d) => d.loadBalancer.LoadBalancerArn);
export const findTargetGroup = (ctx: Elbv2Context, arn: string): Promise<StoredTargetGroup | undefined> =>
  byArn(ctx, ctx.state.elbv2.targetGroups, "targetgroup", arn, (d) => d.targetGroup.TargetGroupArn);
export const findListener = (ctx: Elbv2Context, arn: string): Promise<StoredListener | undefined> =>
  byArn(ctx, ctx.state.elbv2.listeners, "listener", arn, (d) => d.listener.ListenerArn);
export const findRule = (ctx: Elbv2Context, arn: string): Promise<StoredRule | undefined> =>
  byArn(ctx, ctx.state.elbv2.rules, "listener-rule", arn, (d) => d.rule.RuleArn);

/** What `find` answers, or `notFound` when it answers nothing. */
const required =
  <T>(find: (ctx: Elbv2Context, arn: string) => Promise<T | undefined>, notFound: () => Elbv2Error) =>
  async (ctx: Elbv2Context, arn: string): Promise<T> => {
    const doc = await find(ctx, arn);
    if (!doc) throw notFound();
    return doc;
  };

export const requireLoadBalancer = required(findLoadBalancer, () => loadBalancerNotFound());
export const requireTargetGroup = required(findTargetGroup, targetGroupNotFound);
export const requireListener = required(findListener, listenerNotFound);
export const requireRule = required(findRule, ruleNotFound);
