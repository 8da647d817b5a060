// ELBv2's quotas per account and region, as DescribeAccountLimits answers them (AWS's
// defaults; berth has no way to raise them). The handlers that make each resource enforce the
// ones that concern them.
import type { Limit } from "@aws-sdk/client-elastic-load-balancing-v2";

export const ELB_LIMITS = {
  "application-load-balancers": 50,
  "condition-values-per-alb-rule": 5,
  "condition-wildcards-per-alb-rule": 5,
  "gateway-load-balancers": 100,
  "gateway-load-balancers-per-vpc": 100,
  "geneve-target-groups": 100,
  "listeners-per-application-load-balancer": 50,
  "listeners-per-network-load-balancer": 50,
  "network-load-balancer-enis-per-vpc": 1200,
  "network-load-balancers": 50,
  "rules-per-application-load-balancer": 100,
  "target-groups": 3000,
  "target-groups-per-action-on-application-load-balancer": 5,
  "target-groups-per-action-on-network-load-balancer": 1,
  "target-groups-per-application-load-balancer": 100,
  "targets-per-application-load-balancer": 1000,
  "targets-per-availability-zone-per-gateway-load-balancer": 300,
  "targets-per-availability-zone-per-network-load-balancer": 500,
  "targets-per-network-load-balancer": 3000,
} as const;

export type ElbLimitName = keyof typeof ELB_LIMITS;

/** Every quota, by name, as DescribeAccountLimits lists them. */
export const accountLimits = (): Limit[] => Object.entries(ELB_LIMITS).map(([Name, max]) => ({ Name, Max: String(max) }));
