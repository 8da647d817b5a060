// The collections of berth's EC2 networking, and the index keys of each.
import type { StoredSecurityGroup, StoredSubnet, StoredVpc } from "./ec2-documents.js";
import type { Collection, Store } from "./store.js";

export * from "./ec2-documents.js";

export interface Ec2State {
  /** Keyed by VpcId. */
  vpcs: Collection<StoredVpc>;
  /** Keyed by SubnetId; parent: the VpcId. */
  subnets: Collection<StoredSubnet>;
  /** Keyed by GroupId; parent: the VpcId. */
  securityGroups: Collection<StoredSecurityGroup>;
}

export function ec2State(store: Store): Ec2State {
  return {
    vpcs: store.collection<StoredVpc>({
      name: "vpc",
      keys: (v) => ({ parent: "", seq: v.createdAt, status: v.vpc.State ?? "available" }),
    }),
    subnets: store.collection<StoredSubnet>({
      name: "vpcSubnet",
      keys: (s) => ({ parent: s.subnet.VpcId!, seq: s.createdAt, status: s.subnet.State ?? "available" }),
    }),
    securityGroups: store.collection<StoredSecurityGroup>({
      name: "securityGroup",
      keys: (g) => ({ parent: g.group.VpcId!, seq: g.createdAt, status: "" }),
    }),
  };
}
