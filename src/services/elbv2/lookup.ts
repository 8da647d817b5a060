// Finding a load balancer by the ARN a request names, as ELBv2 does: an ARN of no load balancer
// of this account and region is a ValidationError; a well-formed one of none that exists, LoadBalancerNotFound.
import { elbIdOf, parseElbArn } from "../../domain/elbv2/arns.js";
import type { StoredLoadBalancer } from "../../domain/elbv2/documents.js";
import type { Elbv2Context } from "./context.js";
import { Elbv2Error } from "./errors.js";

export const loadBalancerNotFound = (message = "One or more load balancers not found") =>
  new Elbv2Error("LoadBalancerNotFoundException", message);

/** The document id of the load balancer `arn` names, or the ValidationError of a malformed ARN. */
export function loadBalancerIdOf(ctx: Pick<Elbv2Context, "scope">, arn: string): string | undefined {
  const parsed = parseElbArn(ctx.scope, arn);
  if (!parsed) {
    // Another account's or region's ARN is well-formed but names nothing here.
    if (/^arn:aws[a-z-]*:elasticloadbalancing:[^:]*:\d{12}:loadbalancer\/(app|net)\/[^/]+\/[0-9a-f]+$/.test(arn)) return undefined;
    throw new Elbv2Error("ValidationError", `'${arn}' is not a valid load balancer ARN`);
  }
  if (parsed.type !== "loadbalancer") throw new Elbv2Error("ValidationError", `'${arn}' is not a valid load balancer ARN`);
  return elbIdOf(arn);
}

/** The stored load balancer `arn` names, or undefined. */
export async function findLoadBalancer(ctx: Elbv2Context, arn: string): Promise<StoredLoadBalancer | undefined> {
  const id = loadBalancerIdOf(ctx, arn);
  const doc = id === undefined ? undefined : await ctx.state.elbv2.loadBalancers.get(ctx.scope, id);
  return doc?.loadBalancer.LoadBalancerArn === arn ? doc : undefined;
}

/** The stored load balancer `arn` names, or LoadBalancerNotFound. */
export async function requireLoadBalancer(ctx: Elbv2Context, arn: string): Promise<StoredLoadBalancer> {
  const doc = await findLoadBalancer(ctx, arn);
  if (!doc) throw loadBalancerNotFound();
  return doc;
}
