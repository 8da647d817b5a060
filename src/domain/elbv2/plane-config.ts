// The data plane's configuration computed from ELBv2's documents: what every load balancer
// listens on, its rules in the order ELB evaluates them, and the target groups it forwards to
// with the targets that still take traffic or still drain. Pure: the controller calls it after
// every change and hands the result to the engine.
import { orderedRules } from "./rule-order.js";
import type { Action } from "@aws-sdk/client-elastic-load-balancing-v2";
import { elbIdOf } from "./arns.js";
import type {
  PlaneAction,
  PlaneHealthCheck,
  PlaneStickiness,
  PlaneListener,
  PlaneRule,
  PlaneTargetGroup,
  DataPlaneConfig,
} from "./data-plane.js";
import type { StoredListener, StoredLoadBalancer, StoredRule, StoredTargetGroup } from "./documents.js";
import { isApplicationProtocol } from "./target-group.js";
import { attributeOf, deregistrationDelaySeconds } from "./targets.js";

export interface Elbv2Documents {
  loadBalancers: readonly StoredLoadBalancer[];
  listeners: readonly StoredListener[];
  rules: readonly StoredRule[];
  targetGroups: readonly StoredTargetGroup[];
}

/** Load balancers that serve: those being made (their listeners may already exist) and active ones. */
const serving = (lb: StoredLoadBalancer) => {
  const code = lb.loadBalancer.State?.Code ?? "provisioning";
  return code === "active" || code === "provisioning" || code === "active_impaired";
};

export function dataPlaneConfig(docs: Elbv2Documents, now: number): DataPlaneConfig {
  const rulesByListener = new Map<string, StoredRule[]>();
  for (const rule of docs.rules) {
    const id = elbIdOf(rule.listenerArn);
    rulesByListener.set(id, [...(rulesByListener.get(id) ?? []), rule]);
  }
  const groupsById = new Map(docs.targetGroups.map((g) => [elbIdOf(g.targetGroup.TargetGroupArn!), g]));
  const used = new Set<string>();
  const loadBalancers = docs.loadBalancers.filter(serving).map((lb) => {
    const id = elbIdOf(lb.loadBalancer.LoadBalancerArn!);
    const listeners = docs.listeners
      .filter((l) => elbIdOf(l.listener.LoadBalancerArn!) === id)
      .map((l): PlaneListener => {
        const listenerId = elbIdOf(l.listener.ListenerArn!);
        const rules = orderedRules(rulesByListener.get(listenerId) ?? [])
          .map((r) => planeRule(r, groupsById))
          .filter((r): r is PlaneRule => r !== undefined);
        for (const rule of rules) if (rule.action.type === "forward") for (const g of rule.action.targetGroups) used.add(g.id);
        return { id: listenerId, port: l.listener.Port!, protocol: l.listener.Protocol as PlaneListener["protocol"], rules };
      })
      .sort((a, b) => a.port - b.port);
    return {
      id,
      type: lb.loadBalancer.Type === "network" ? ("network" as const) : ("application" as const),
      address: lb.loopbackAddress,
      interfaces: lb.interfaces.map((i) => ({ zone: i.availabilityZone, address: i.privateIpAddress })),
      idleTimeoutSeconds: Number(lb.attributes.find((a) => a.Key === "idle_timeout.timeout_seconds")?.Value ?? "60"),
      listeners,
    };
  });
  const targetGroups = [...used].sort().map((id) => planeTargetGroup(id, groupsById.get(id)!, now));
  return { loadBalancers, targetGroups };
}

function planeRule(stored: StoredRule, groups: ReadonlyMap<string, StoredTargetGroup>): PlaneRule | undefined {
  const actions = [...(stored.rule.Actions ?? [])].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
  // The last action decides (authenticate actions come before it, and berth does not run them).
  const last = actions.at(-1);
  const action = last && planeAction(last, groups);
  if (!action) return undefined;
  const priority = stored.rule.IsDefault || stored.rule.Priority === "default" ? "default" : Number(stored.rule.Priority);
  return { priority, conditions: stored.rule.Conditions ?? [], action };
}

function planeAction(action: Action, groups: ReadonlyMap<string, StoredTargetGroup>): PlaneAction | undefined {
  switch (action.Type) {
    case "forward": {
      const listed = action.ForwardConfig?.TargetGroups?.length
        ? action.ForwardConfig.TargetGroups.map((g) => ({ id: elbIdOf(g.TargetGroupArn!), weight: g.Weight ?? 1 }))
        : action.TargetGroupArn
          ? [{ id: elbIdOf(action.TargetGroupArn), weight: 1 }]
          : [];
      const targetGroups = listed.filter((g) => groups.has(g.id));
      if (targetGroups.length === 0) return undefined;
      const sticky = action.ForwardConfig?.TargetGroupStickinessConfig;
      return {
        type: "forward",
        targetGroups,
        ...(sticky?.Enabled ? { stickiness: { durationSeconds: sticky.DurationSeconds ?? 3600 } } : {}),
      };
    }
    case "fixed-response": {
      const c = action.FixedResponseConfig!;
      return {
        type: "fixed-response",
        statusCode: Number(c.StatusCode),
        ...(c.ContentType ? { contentType: c.ContentType } : {}),
        ...(c.MessageBody !== undefined ? { body: c.MessageBody } : {}),
      };
    }
    case "redirect":
      return { type: "redirect", redirect: action.RedirectConfig! };
    default:
      return undefined;
  }
}

function planeTargetGroup(id: string, stored: StoredTargetGroup, now: number): PlaneTargetGroup {
  const g = stored.targetGroup;
  const attr = (key: string, fallback: string) => attributeOf(stored.attributes, key, fallback);
  const sticky = attr("stickiness.enabled", "false") === "true" ? stickinessOf(stored) : undefined;
  return {
    id,
    protocol: g.Protocol as PlaneTargetGroup["protocol"],
    targetType: g.TargetType === "ip" ? "ip" : "instance",
    ...(sticky ? { stickiness: sticky } : {}),
    healthCheck: healthCheckOf(stored),
    deregistrationDelaySeconds: deregistrationDelaySeconds(stored),
    slowStartSeconds: Number(attr("slow_start.duration_seconds", "0")),
    targets: stored.targets
      .filter((t) => !t.draining || t.draining.until > now)
      .map((t) => ({
        id: t.id,
        address: t.address,
        port: t.port,
        ...(t.availabilityZone ? { zone: t.availabilityZone } : {}),
        ...(t.draining ? { drainUntil: t.draining.until } : {}),
        registeredAt: t.registeredAt,
      })),
  };
}

/** The stickiness of a group whose stickiness.enabled is true, by its type (the default is the protocol's). */
function stickinessOf(stored: StoredTargetGroup): PlaneStickiness | undefined {
  const application = isApplicationProtocol(stored.targetGroup.Protocol);
  const attr = (key: string, fallback: string) => attributeOf(stored.attributes, key, fallback);
  switch (attr("stickiness.type", application ? "lb_cookie" : "source_ip")) {
    case "lb_cookie":
      return { type: "lb_cookie", durationSeconds: Number(attr("stickiness.lb_cookie.duration_seconds", "86400")) };
    case "app_cookie": {
      const cookieName = attr("stickiness.app_cookie.cookie_name", "");
      if (!cookieName) return undefined;
      return { type: "app_cookie", cookieName, durationSeconds: Number(attr("stickiness.app_cookie.duration_seconds", "86400")) };
    }
    case "source_ip":
      return { type: "source_ip" };
    default:
      return undefined;
  }
}

function healthCheckOf(stored: StoredTargetGroup): PlaneHealthCheck {
  const g = stored.targetGroup;
  const protocol = (g.HealthCheckProtocol ??
    (g.Protocol === "HTTP" || g.Protocol === "HTTPS" ? g.Protocol : "TCP")) as PlaneHealthCheck["protocol"];
  const http = protocol === "HTTP" || protocol === "HTTPS";
  return {
    enabled: g.HealthCheckEnabled !== false,
    protocol,
    port: !g.HealthCheckPort || g.HealthCheckPort === "traffic-port" ? "traffic-port" : Number(g.HealthCheckPort),
    ...(http ? { path: g.HealthCheckPath ?? "/", httpCodes: g.Matcher?.HttpCode ?? "200" } : {}),
    intervalSeconds: g.HealthCheckIntervalSeconds ?? 30,
    timeoutSeconds: g.HealthCheckTimeoutSeconds ?? 5,
    healthyThreshold: g.HealthyThresholdCount ?? 5,
    unhealthyThreshold: g.UnhealthyThresholdCount ?? 2,
  };
}
