// ELBv2's ARNs and names, as AWS forms them:
//   loadbalancer/app/<name>/<16 hex>           (net/ for network load balancers)
//   targetgroup/<name>/<16 hex>
//   listener/app/<lb name>/<lb id>/<16 hex>
//   listener-rule/app/<lb name>/<lb id>/<listener id>/<16 hex>
// and a load balancer's DNSName: internal-<name>-<10 digits>.<region>.elb.amazonaws.com for an
// internal application load balancer, <name>-<10 digits>.<region>.elb.amazonaws.com for an
// internet-facing one, <name>-<lb id>.elb.<region>.amazonaws.com for a network one.
import { parseArn } from "../arn.js";
import { newResourceId } from "../ids.js";
import type { Scope } from "../scope.js";

export type LoadBalancerKind = "app" | "net";

export const elbArn = (scope: Scope, resource: string) => `arn:aws:elasticloadbalancing:${scope.region}:${scope.accountId}:${resource}`;

/** 16 lowercase hex digits: the id part of every ELBv2 ARN. */
export const newElbId = (): string => newResourceId().slice(0, 16);

export const loadBalancerArn = (scope: Scope, kind: LoadBalancerKind, name: string, id: string) =>
  elbArn(scope, `loadbalancer/${kind}/${name}/${id}`);

export const targetGroupArn = (scope: Scope, name: string, id: string) => elbArn(scope, `targetgroup/${name}/${id}`);

/** A listener's ARN from its load balancer's: the same path under listener/, and its own id. */
export function listenerArn(loadBalancerArnValue: string, id: string): string {
  return loadBalancerArnValue.replace(":loadbalancer/", ":listener/") + `/${id}`;
}

/** A rule's ARN from its listener's. */
export function ruleArn(listenerArnValue: string, id: string): string {
  return listenerArnValue.replace(":listener/", ":listener-rule/") + `/${id}`;
}

/** What an ELBv2 ARN of this account and region names, or undefined for anything else. */
export interface ParsedElbArn {
  type: "loadbalancer" | "targetgroup" | "listener" | "listener-rule";
  /** The path after the type: "app/web/50dc6c495c0c9188", "web-targets/73e2d6bc24d8a067", … */
  path: string;
}

export function parseElbArn(scope: Scope, value: string): ParsedElbArn | undefined {
  const arn = parseArn(value);
  if (!arn || arn.service !== "elasticloadbalancing" || arn.region !== scope.region || arn.accountId !== scope.accountId) return undefined;
  const slash = arn.resource.indexOf("/");
  if (slash < 0) return undefined;
  const type = arn.resource.slice(0, slash);
  if (type !== "loadbalancer" && type !== "targetgroup" && type !== "listener" && type !== "listener-rule") return undefined;
  return { type, path: arn.resource.slice(slash + 1) };
}

/** The document id of a load balancer, target group, listener or rule: the last part of its ARN. */
export const elbIdOf = (arn: string): string => arn.slice(arn.lastIndexOf("/") + 1);

/**
 * A load balancer's DNSName. `digits` are ten decimal digits drawn once when it is made (for
 * application load balancers AWS's names carry such a number rather than the id).
 */
export function loadBalancerDnsName(
  scope: Scope,
  lb: { kind: LoadBalancerKind; name: string; id: string; internal: boolean; digits: string },
): string {
  if (lb.kind === "net") return `${lb.internal ? "internal-" : ""}${lb.name}-${lb.id}.elb.${scope.region}.amazonaws.com`;
  return `${lb.internal ? "internal-" : ""}${lb.name}-${lb.digits}.${scope.region}.elb.amazonaws.com`;
}
