// The rules of ELBv2's load balancers that need no state: names, the subnets one may sit in,
// the hosted zone of its DNS name, the loopback address the host reaches it on, and the
// document a CreateLoadBalancer stores.
import type { AvailabilityZone, LoadBalancer, Tag } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Scope } from "../scope.js";
import { loadBalancerArn, loadBalancerDnsName, newElbId, type LoadBalancerKind } from "./arns.js";
import type { LoadBalancerInterface, StoredLoadBalancer } from "./documents.js";
import { defaultLoadBalancerAttributes } from "./attributes.js";

/** Why `name` cannot name a load balancer, in ELBv2's words, or undefined when it can. */
export function loadBalancerNameProblem(name: string): string | undefined {
  if (name.length === 0) return "The load balancer name cannot be empty";
  if (name.length > 32) return `The load balancer name '${name}' cannot be longer than '32' characters`;
  if (!/^[a-zA-Z0-9-]+$/.test(name)) return `The load balancer name '${name}' can contain only alphanumeric characters and hyphens`;
  if (name.startsWith("-") || name.endsWith("-")) return `The load balancer name '${name}' cannot begin or end with a hyphen`;
  if (name.startsWith("internal-")) return `The load balancer name '${name}' cannot begin with 'internal-'`;
  return undefined;
}

export const kindOf = (type: string): LoadBalancerKind => (type === "network" ? "net" : "app");

/**
 * The Route 53 zone AWS publishes load balancers' names in, per region and type (the zone
 * a Terraform alias record points at). Regions not listed get us-east-1's.
 */
const HOSTED_ZONES: Record<string, { app: string; net: string }> = {
  "us-east-1": { app: "Z35SXDOTRQ7X7K", net: "Z26RNL4JYFTOTI" },
  "us-east-2": { app: "Z3AADJGX6KTTL2", net: "ZLMOA37VPKANP" },
  "us-west-1": { app: "Z368ELLRRE2KJ0", net: "Z24FKFUX50B4VW" },
  "us-west-2": { app: "Z1H1FL5HABSF5", net: "Z18D5FSROUN65G" },
  "eu-west-1": { app: "Z32O12XQLNTSW2", net: "Z2IFOLAFXWLO4F" },
  "eu-west-2": { app: "ZHURV8PSTC4K8", net: "ZD4D7Y8KGAS4G" },
  "eu-central-1": { app: "Z215JYRZR1TBD5", net: "Z3F0SRJ5LGBH90" },
  "ap-southeast-1": { app: "Z1LMS91P8CMLE5", net: "ZKVM4W9LS7TM" },
  "ap-southeast-2": { app: "Z1GM3OXH4ZPM65", net: "ZCT6FZBF4DROD" },
  "ap-northeast-1": { app: "Z14GRHDCWA56QT", net: "Z31USIVHYNEOWT" },
};

export function canonicalHostedZoneId(region: string, kind: LoadBalancerKind): string {
  return (HOSTED_ZONES[region] ?? HOSTED_ZONES["us-east-1"]!)[kind];
}

/** 127.64.0.0/10 less its first and last address: where load balancers listen on the host. */
const LOOPBACK_FIRST = (127 << 24) + (64 << 16) + 1;
const LOOPBACK_COUNT = (1 << 22) - 2;

/**
 * A loopback address for a new load balancer, drawn at random from 127.64.0.0/10 and not in
 * `taken`: random rather than lowest-free because several berths may share a host and each
 * knows only its own load balancers. `random` gives a number in [0, 1).
 */
export function pickLoopback(taken: ReadonlySet<string>, random: () => number = Math.random): string {
  for (;;) {
    const n = LOOPBACK_FIRST + Math.floor(random() * LOOPBACK_COUNT);
    const address = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
    if (!taken.has(address)) return address;
  }
}

/** One subnet of a new load balancer, as the handler found it in EC2's state. */
export interface ChosenSubnet {
  subnetId: string;
  availabilityZone: string;
}

export interface NewLoadBalancer {
  scope: Scope;
  name: string;
  type: "application" | "network";
  scheme: "internal" | "internet-facing";
  vpcId: string;
  securityGroups: string[];
  interfaces: LoadBalancerInterface[];
  loopbackAddress: string;
  tags: Tag[];
  now: Date;
}

/** The stored document of a new load balancer: active at once (berth has nothing to provision). */
export function newLoadBalancer(lb: NewLoadBalancer): StoredLoadBalancer {
  const kind = kindOf(lb.type);
  const id = newElbId();
  const digits = String(Math.floor(Math.random() * 1e10)).padStart(10, "0");
  const internal = lb.scheme === "internal";
  const loadBalancer: Omit<LoadBalancer, "CreatedTime"> = {
    LoadBalancerArn: loadBalancerArn(lb.scope, kind, lb.name, id),
    DNSName: loadBalancerDnsName(lb.scope, { kind, name: lb.name, id, internal, digits }),
    CanonicalHostedZoneId: canonicalHostedZoneId(lb.scope.region, kind),
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: lb.vpcId,
    State: { Code: "active" },
    Type: lb.type,
    AvailabilityZones: availabilityZonesOf(lb.type, lb.interfaces),
    ...(lb.type === "application" || lb.securityGroups.length ? { SecurityGroups: lb.securityGroups } : {}),
    IpAddressType: "ipv4",
  };
  return {
    loadBalancer,
    attributes: defaultLoadBalancerAttributes(lb.type, internal),
    tags: lb.tags,
    interfaces: lb.interfaces,
    loopbackAddress: lb.loopbackAddress,
    createdAt: lb.now.getTime(),
  };
}

/**
 * AvailabilityZones as DescribeLoadBalancers answers them: one per subnet; a network load
 * balancer shows its address in each (an application one's addresses are not published).
 */
export function availabilityZonesOf(type: string, interfaces: readonly LoadBalancerInterface[]): AvailabilityZone[] {
  return interfaces.map((i) => ({
    ZoneName: i.availabilityZone,
    SubnetId: i.subnetId,
    LoadBalancerAddresses: type === "network" ? [{ PrivateIPv4Address: i.privateIpAddress }] : [],
  }));
}

/** The LoadBalancer of a stored document, as Describe answers it. */
export const describedLoadBalancer = (doc: StoredLoadBalancer): LoadBalancer => ({
  ...doc.loadBalancer,
  CreatedTime: new Date(doc.createdAt),
});
