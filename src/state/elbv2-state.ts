// The collections of berth's Elastic Load Balancing (v2), and the index keys of each. Every
// document is keyed by the last part of its ARN (16 hex digits).
import type { StoredListener, StoredLoadBalancer, StoredRule, StoredTargetGroup } from "../domain/elbv2/documents.js";
import type { Collection, Store } from "./store.js";

export type * from "../domain/elbv2/documents.js";

export interface Elbv2State {
  /** Keyed by the load balancer's id; status: its State.Code. */
  loadBalancers: Collection<StoredLoadBalancer>;
  /** Keyed by the target group's id; parent: its VpcId. */
  targetGroups: Collection<StoredTargetGroup>;
  /** Keyed by the listener's id; parent: its load balancer's id. */
  listeners: Collection<StoredListener>;
  /** Keyed by the rule's id; parent: its listener's id. */
  rules: Collection<StoredRule>;
  /** Writes to several of these collections (and ECS's or EC2's) that land together. */
  transact: Store["transact"];
}

const lastPart = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

export function elbv2State(store: Store): Elbv2State {
  return {
    loadBalancers: store.collection<StoredLoadBalancer>({
      name: "loadBalancer",
      keys: (lb) => ({ parent: "", seq: lb.createdAt, status: lb.loadBalancer.State?.Code ?? "provisioning" }),
    }),
    targetGroups: store.collection<StoredTargetGroup>({
      name: "targetGroup",
      keys: (tg) => ({ parent: tg.targetGroup.VpcId ?? "", seq: tg.createdAt, status: "" }),
    }),
    listeners: store.collection<StoredListener>({
      name: "listener",
      keys: (l) => ({ parent: lastPart(l.listener.LoadBalancerArn!), seq: l.createdAt, status: "" }),
    }),
    rules: store.collection<StoredRule>({
      name: "listenerRule",
      keys: (r) => ({ parent: lastPart(r.listenerArn), seq: r.createdAt, status: "" }),
    }),
    transact: (work, options) => store.transact(work, options),
  };
}
