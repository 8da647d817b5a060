// A listener's or a rule's actions as ELBv2 checks and stores them. Berth serves the terminal
// actions (forward, with weighted target groups and stickiness; redirect; fixed-response);
// the authenticate actions need HTTPS listeners, which berth cannot create. Every stored
// action is in one canonical form (normaliseAction), the one DescribeListeners and
// DescribeRules echo and the data plane reads.
import type { Action, ForwardActionConfig, RedirectActionConfig, TargetGroupTuple } from "@aws-sdk/client-elastic-load-balancing-v2";
import { ElbRefusal } from "./refusal.js";

export type LoadBalancerType = "application" | "network";

/** What the checks of an action need to know of the listener it is for. */
export interface ActionSite {
  loadBalancerArn: string;
  loadBalancerType: LoadBalancerType;
  vpcId: string;
  /** The listener's protocol (HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP). */
  protocol: string;
}

/** What the checks need of a target group an action forwards to. */
export interface TargetGroupFacts {
  arn: string;
  vpcId?: string;
  protocol?: string;
  targetType?: string;
  /** The load balancers whose listeners or rules already forward to it. */
  loadBalancerArns: readonly string[];
}

/** The content types a fixed-response action may answer with, as ELBv2 lists them. */
export const FIXED_RESPONSE_CONTENT_TYPES = ["text/plain", "text/css", "text/html", "application/javascript", "application/json"];

/** Target groups one forward action may weigh, by load balancer type. */
export const MAX_FORWARD_TARGET_GROUPS: Record<LoadBalancerType, number> = { application: 5, network: 1 };

const TERMINAL = new Set(["forward", "redirect", "fixed-response"]);

/** The target group protocols a listener's protocol may forward to. */
const COMPATIBLE_PROTOCOLS: Record<string, readonly string[]> = {
  HTTP: ["HTTP", "HTTPS"],
  HTTPS: ["HTTP", "HTTPS"],
  TCP: ["TCP", "TCP_UDP"],
  TLS: ["TCP", "TLS"],
  UDP: ["UDP", "TCP_UDP"],
  TCP_UDP: ["TCP_UDP"],
};

const TARGET_TYPES: Record<LoadBalancerType, readonly string[]> = {
  application: ["instance", "ip", "lambda"],
  network: ["instance", "ip", "alb"],
};

/** Every target group the actions forward to, each once, in the order named. */
export function forwardedTargetGroupArns(actions: readonly Action[] | undefined): string[] {
  const arns: string[] = [];
  for (const action of actions ?? []) {
    if (action.Type !== "forward") continue;
    for (const arn of [action.TargetGroupArn, ...(action.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupArn)])
      if (arn !== undefined && !arns.includes(arn)) arns.push(arn);
  }
  return arns;
}

/**
 * An action in the one form berth stores and the data plane reads. A forward names its groups
 * in ForwardConfig.TargetGroups, each with a Weight (1 when not given), and stickiness
 * ({Enabled: false} when not given); TargetGroupArn is kept when it forwards to one group only,
 * as ELBv2 echoes both. A redirect has every component, the placeholders where not given.
 * Other members of the action (a config of another type) are dropped.
 */
export function normaliseAction(action: Action): Action {
  const order = action.Order !== undefined ? { Order: action.Order } : {};
  if (action.Type === "forward") {
    const groups: TargetGroupTuple[] = action.ForwardConfig?.TargetGroups?.length
      ? action.ForwardConfig.TargetGroups.map((t) => ({ TargetGroupArn: t.TargetGroupArn, Weight: t.Weight ?? 1 }))
      : [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }];
    const sticky = action.ForwardConfig?.TargetGroupStickinessConfig;
    const forward: ForwardActionConfig = {
      TargetGroups: groups,
      TargetGroupStickinessConfig: sticky?.Enabled
        ? { Enabled: true, ...(sticky.DurationSeconds !== undefined ? { DurationSeconds: sticky.DurationSeconds } : {}) }
        : { Enabled: false },
    };
    return {
      Type: "forward",
      ...(groups.length === 1 ? { TargetGroupArn: groups[0]!.TargetGroupArn } : {}),
      ForwardConfig: forward,
      ...order,
    };
  }
  if (action.Type === "redirect") {
    const r = action.RedirectConfig ?? ({} as RedirectActionConfig);
    return {
      Type: "redirect",
      RedirectConfig: {
        Protocol: r.Protocol ?? "#{protocol}",
        Port: r.Port ?? "#{port}",
        Host: r.Host ?? "#{host}",
        Path: r.Path ?? "/#{path}",
        Query: r.Query ?? "#{query}",
        StatusCode: r.StatusCode,
      },
      ...order,
    };
  }
  if (action.Type === "fixed-response")
    return { Type: "fixed-response", FixedResponseConfig: { ...action.FixedResponseConfig! }, ...order };
  return { ...action };
}

/**
 * The actions checked as ELBv2 checks them for a listener at `site`, in canonical form, each
 * with its Order.
 * `groups` holds every target group of the account and region the actions might name.
 */
export function checkedActions(actions: readonly Action[], site: ActionSite, groups: ReadonlyMap<string, TargetGroupFacts>): Action[] {
  if (actions.length === 0) throw new ElbRefusal("ValidationError", "At least one action must be specified");
  for (const action of actions) checkActionType(action, site);
  const terminal = actions.filter((a) => TERMINAL.has(a.Type!));
  if (terminal.length > 1)
    throw new ElbRefusal(
      "InvalidLoadBalancerActionException",
      "Only one of the action types forward, redirect and fixed-response can be specified",
    );
  const orders = actions.map((a) => a.Order).filter((o) => o !== undefined);
  if (new Set(orders).size !== orders.length) throw new ElbRefusal("ValidationError", "Action orders must be unique");
  for (const action of actions) {
    if (action.Type === "forward") checkForward(action, site, groups);
    else if (action.Type === "redirect") checkRedirect(action);
    else checkFixedResponse(action);
  }
  // ELBv2 numbers the actions it was given without an Order by their position.
  return actions.map((a, i) => normaliseAction({ ...a, Order: a.Order ?? i + 1 }));
}

function checkActionType(action: Action, site: ActionSite): void {
  const type = action.Type!;
  if (!TERMINAL.has(type))
    throw new ElbRefusal(
      "InvalidLoadBalancerActionException",
      `The action type '${type}' is supported only on HTTPS listeners, which berth cannot create: it keeps no certificates`,
    );
  if (site.loadBalancerType === "network" && type !== "forward")
    throw new ElbRefusal(
      "InvalidLoadBalancerActionException",
      `The action type '${type}' is not supported by network load balancers: it must be 'forward'`,
    );
  const configs: [keyof Action, string][] = [
    ["ForwardConfig", "forward"],
    ["RedirectConfig", "redirect"],
    ["FixedResponseConfig", "fixed-response"],
    ["TargetGroupArn", "forward"],
  ];
  for (const [member, owner] of configs)
    if (action[member] !== undefined && owner !== type)
      throw new ElbRefusal("ValidationError", `A '${type}' action cannot have a '${member}'`);
}

function checkForward(action: Action, site: ActionSite, groups: ReadonlyMap<string, TargetGroupFacts>): void {
  const tuples = action.ForwardConfig?.TargetGroups ?? [];
  if (action.TargetGroupArn === undefined && tuples.length === 0)
    throw new ElbRefusal("ValidationError", "A target group ARN must be specified for a forward action");
  if (
    action.TargetGroupArn !== undefined &&
    tuples.length > 0 &&
    (tuples.length !== 1 || tuples[0]!.TargetGroupArn !== action.TargetGroupArn)
  )
    throw new ElbRefusal(
      "ValidationError",
      "The TargetGroupArn and the ForwardConfig of a forward action must name the same single target group",
    );
  const limit = MAX_FORWARD_TARGET_GROUPS[site.loadBalancerType];
  if (tuples.length > limit) throw new ElbRefusal("ValidationError", `A forward action can have at most '${limit}' target groups`);
  const seen = new Set<string>();
  for (const tuple of tuples) {
    if (tuple.TargetGroupArn === undefined)
      throw new ElbRefusal("ValidationError", "A target group ARN must be specified for each target group of a forward action");
    if (seen.has(tuple.TargetGroupArn))
      throw new ElbRefusal("ValidationError", `Target group '${tuple.TargetGroupArn}' is specified more than once in a forward action`);
    seen.add(tuple.TargetGroupArn);
    if (tuple.Weight !== undefined && (tuple.Weight < 0 || tuple.Weight > 999))
      throw new ElbRefusal("ValidationError", `The weight of target group '${tuple.TargetGroupArn}' must be between 0 and 999`);
  }
  const sticky = action.ForwardConfig?.TargetGroupStickinessConfig;
  if (sticky?.Enabled && sticky.DurationSeconds === undefined)
    throw new ElbRefusal("ValidationError", "A stickiness duration must be specified when target group stickiness is enabled");
  if (sticky?.DurationSeconds !== undefined && (sticky.DurationSeconds < 1 || sticky.DurationSeconds > 604800))
    throw new ElbRefusal("ValidationError", "The stickiness duration must be between 1 and 604800 seconds");
  for (const arn of forwardedTargetGroupArns([action])) checkTargetGroup(arn, site, groups.get(arn));
}

function checkTargetGroup(arn: string, site: ActionSite, group: TargetGroupFacts | undefined): void {
  if (!group) throw new ElbRefusal("TargetGroupNotFoundException", "One or more target groups not found");
  if (group.vpcId !== undefined && group.vpcId !== site.vpcId)
    throw new ElbRefusal(
      "InvalidConfigurationRequestException",
      `Target group '${arn}' is in a different VPC than load balancer '${site.loadBalancerArn}'`,
    );
  if (group.targetType !== undefined && !TARGET_TYPES[site.loadBalancerType].includes(group.targetType))
    throw new ElbRefusal(
      "InvalidConfigurationRequestException",
      `Target group '${arn}' has the target type '${group.targetType}', which ${site.loadBalancerType} load balancers do not support`,
    );
  if (group.protocol !== undefined && !(COMPATIBLE_PROTOCOLS[site.protocol] ?? []).includes(group.protocol))
    throw new ElbRefusal(
      "IncompatibleProtocolsException",
      `The listener and its associated target group '${arn}' have incompatible protocols ('${site.protocol}' and '${group.protocol}')`,
    );
  if (group.loadBalancerArns.some((lb) => lb !== site.loadBalancerArn))
    throw new ElbRefusal(
      "TargetGroupAssociationLimitException",
      `The following target groups cannot be associated with more than one load balancer: ${arn}`,
    );
}

function checkRedirect(action: Action): void {
  const r = action.RedirectConfig;
  if (!r) throw new ElbRefusal("ValidationError", "A redirect config must be specified for a redirect action");
  if (r.Protocol !== undefined && !/^(HTTPS?|#\{protocol\})$/.test(r.Protocol))
    throw new ElbRefusal("ValidationError", `The redirect protocol '${r.Protocol}' must be HTTP, HTTPS or #{protocol}`);
  if (r.Port !== undefined && r.Port !== "#{port}" && !/^\d{1,5}$/.test(r.Port)) throw badRedirectPort();
  if (r.Port !== undefined && /^\d+$/.test(r.Port) && (Number(r.Port) < 1 || Number(r.Port) > 65535)) throw badRedirectPort();
  if (r.Path !== undefined && !r.Path.startsWith("/")) throw new ElbRefusal("ValidationError", "The redirect path must start with a '/'");
  const same =
    (r.Protocol ?? "#{protocol}") === "#{protocol}" &&
    (r.Port ?? "#{port}") === "#{port}" &&
    (r.Host ?? "#{host}") === "#{host}" &&
    (r.Path ?? "/#{path}") === "/#{path}" &&
    (r.Query ?? "#{query}") === "#{query}";
  if (same)
    throw new ElbRefusal(
      "InvalidLoadBalancerActionException",
      "A redirect must change at least one of the protocol, port, host, path and query, or it would loop",
    );
}

const badRedirectPort = () => new ElbRefusal("ValidationError", "The redirect port must be '#{port}' or a number between 1 and 65535");

function checkFixedResponse(action: Action): void {
  const f = action.FixedResponseConfig;
  if (!f) throw new ElbRefusal("ValidationError", "A fixed-response config must be specified for a fixed-response action");
  // The model's patterns, which the front door does not check.
  if (!/^(2|4|5)\d\d$/.test(f.StatusCode ?? ""))
    throw new ElbRefusal("ValidationError", `The fixed-response status code '${f.StatusCode}' must be a 2XX, 4XX or 5XX code`);
  if (f.ContentType !== undefined && !FIXED_RESPONSE_CONTENT_TYPES.includes(f.ContentType))
    throw new ElbRefusal(
      "InvalidLoadBalancerActionException",
      "The ContentType must be one of:'text/html', 'application/json', 'application/javascript', 'text/css', 'text/plain'",
    );
}
