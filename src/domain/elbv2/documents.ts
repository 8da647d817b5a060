// The documents berth keeps of Elastic Load Balancing (v2), in ELBv2's own shapes
// (@aws-sdk/client-elastic-load-balancing-v2): handlers answer with them, ECS registers its
// tasks in their target groups, and the data plane's configuration is computed from them
// (src/domain/elbv2/data-plane.ts). What the health checks observe is not stored: the engine
// keeps it, and the control plane reads it back (src/domain/elbv2/target-health.ts).
import type {
  Listener,
  ListenerAttribute,
  LoadBalancer,
  LoadBalancerAttribute,
  Rule,
  Tag,
  TargetGroup,
  TargetGroupAttribute,
} from "@aws-sdk/client-elastic-load-balancing-v2";

export interface StoredLoadBalancer {
  /** As DescribeLoadBalancers answers it, less CreatedTime (kept as createdAt). */
  loadBalancer: Omit<LoadBalancer, "CreatedTime">;
  /** Every attribute of its type, defaults included (DescribeLoadBalancerAttributes answers them all). */
  attributes: LoadBalancerAttribute[];
  tags: Tag[];
  /** One network interface per subnet (zone), from which it reaches its targets. */
  interfaces: LoadBalancerInterface[];
  /** The host's own address for it (127.x): where its listeners listen and its DNSName resolves on the host. */
  loopbackAddress: string;
  createdAt: number;
}

/** A load balancer's network interface in one of its subnets: EC2 shows it (requester "amazon-elb"). */
export interface LoadBalancerInterface {
  networkInterfaceId: string;
  subnetId: string;
  availabilityZone: string;
  privateIpAddress: string;
  macAddress: string;
}

export interface StoredTargetGroup {
  /** As DescribeTargetGroups answers it; LoadBalancerArns is derived from the listeners' actions when answering. */
  targetGroup: Omit<TargetGroup, "LoadBalancerArns">;
  /** Every attribute of its type, defaults included. */
  attributes: TargetGroupAttribute[];
  tags: Tag[];
  /** Registered targets and those still draining (a target fully deregistered is gone). */
  targets: StoredTarget[];
  createdAt: number;
}

/** One target (an id and port) as registered: ELB's unit of registration and health. */
export interface StoredTarget {
  /** An instance id (TargetType instance) or an IPv4 address (ip). */
  id: string;
  port: number;
  /** The zone given at registration, or the one of the target's subnet or instance. */
  availabilityZone?: string;
  /** Where the data plane connects: the address itself for ip targets; the instance's address for instance targets. */
  address: string;
  registeredAt: number;
  /** Set by DeregisterTargets: the target drains until `drainUntil`, then is removed. */
  draining?: { since: number; until: number };
}

export interface StoredListener {
  /** As DescribeListeners answers it. */
  listener: Listener;
  /**
   * Every attribute of its protocol, defaults included (DescribeListenerAttributes answers
   * them all); absent in a listener written without them, which then has the defaults.
   */
  attributes?: ListenerAttribute[];
  tags: Tag[];
  createdAt: number;
}

export interface StoredRule {
  /**
   * As DescribeRules answers it. Each listener has one default rule (IsDefault, Priority
   * "default") whose actions are the listener's DefaultActions, stored with the listener's
   * creation and changed by ModifyListener.
   */
  rule: Rule;
  /** The rule's listener (every rule belongs to one). */
  listenerArn: string;
  tags: Tag[];
  createdAt: number;
}
