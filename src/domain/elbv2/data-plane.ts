// What the data plane must do, as one plain value computed from ELBv2's documents: every
// load balancer with its listeners and ordered rules, and every target group it forwards to
// with its health check and targets. The control plane computes it after each change and
// hands it to the engine (src/dataplane), which makes its proxy match it: servers through the
// proxy's runtime API, listeners and rules by a hitless reload. Only the types live here;
// computing one from the documents is the data plane's own pure module.
import type { RedirectActionConfig, RuleCondition } from "@aws-sdk/client-elastic-load-balancing-v2";

export interface DataPlaneConfig {
  loadBalancers: PlaneLoadBalancer[];
  targetGroups: PlaneTargetGroup[];
}

export interface PlaneLoadBalancer {
  /** The load balancer's id (the last part of its ARN). */
  id: string;
  type: "application" | "network";
  /** Where its listeners listen on the host (its 127.x address). */
  address: string;
  /** Its interfaces (one per subnet, all in one VPC): the source of its connections to targets and of its health checks. */
  interfaces: { zone: string; address: string }[];
  /** idle_timeout.timeout_seconds (application) or the TCP idle timeout (network). */
  idleTimeoutSeconds: number;
  listeners: PlaneListener[];
}

export interface PlaneListener {
  /** The listener's id (the last part of its ARN). */
  id: string;
  port: number;
  protocol: "HTTP" | "HTTPS" | "TCP" | "TLS" | "UDP" | "TCP_UDP";
  /** Non-default rules by ascending priority, then the default one. */
  rules: PlaneRule[];
}

export interface PlaneRule {
  priority: number | "default";
  conditions: RuleCondition[];
  action: PlaneAction;
}

export type PlaneAction =
  | {
      type: "forward";
      targetGroups: { id: string; weight: number }[];
      /**
       * ForwardConfig.TargetGroupStickinessConfig when enabled: a client that got the
       * AWSALBTG cookie from this rule comes back to the same target group for this long,
       * whatever the weights, while that group is still one of the rule's.
       */
      stickiness?: { durationSeconds: number };
    }
  | { type: "fixed-response"; statusCode: number; contentType?: string; body?: string }
  | { type: "redirect"; redirect: RedirectActionConfig };

export interface PlaneTargetGroup {
  /** The target group's id (the last part of its ARN). */
  id: string;
  protocol: "HTTP" | "HTTPS" | "TCP" | "TLS" | "UDP" | "TCP_UDP";
  /** ip targets are reached from the load balancer's interface address; instance targets from the host. */
  targetType: "instance" | "ip";
  /** stickiness.enabled: how a client is kept on one target of the group (none when off). */
  stickiness?: PlaneStickiness;
  healthCheck: PlaneHealthCheck;
  /** deregistration_delay.timeout_seconds: how long a draining target keeps its connections. */
  deregistrationDelaySeconds: number;
  /** slow_start.duration_seconds (0: off). */
  slowStartSeconds: number;
  /** Registered targets, draining ones included (marked). */
  targets: PlaneTarget[];
}

/**
 * A target group's stickiness by its stickiness.type: lb_cookie (ALB: the load balancer's
 * AWSALB cookie names the target), app_cookie (ALB: the application's own cookie keeps the
 * client on the target that set it) or source_ip (NLB: a client address stays on one target).
 */
export type PlaneStickiness =
  | { type: "lb_cookie"; /** stickiness.lb_cookie.duration_seconds */ durationSeconds: number }
  | {
      type: "app_cookie";
      /** stickiness.app_cookie.cookie_name: the cookie the targets set. */
      cookieName: string;
      /** stickiness.app_cookie.duration_seconds */
      durationSeconds: number;
    }
  | { type: "source_ip" };

export interface PlaneHealthCheck {
  enabled: boolean;
  protocol: "HTTP" | "HTTPS" | "TCP";
  /** A port number, or the target's own port. */
  port: number | "traffic-port";
  /** HTTP(S) only. */
  path?: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  /** HTTP codes the check admits, as ELB's Matcher.HttpCode: "200", "200,202", "200-299". */
  httpCodes?: string;
}

export interface PlaneTarget {
  /** The target's id as registered (an instance id or an address). */
  id: string;
  /** Where to connect. */
  address: string;
  port: number;
  /** The zone given at registration or found for it: picks the load balancer's interface in that zone. */
  zone?: string;
  /** Deregistering: takes no new connections; its open ones close at drainUntil (ms). */
  drainUntil?: number;
  /** For slow start: when it was registered (ms). */
  registeredAt: number;
}
