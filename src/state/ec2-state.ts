// The collections of berth's EC2 networking, and the index keys of each.
import type { Tag } from "@aws-sdk/client-ec2";
import type { StoredSecurityGroup, StoredSubnet, StoredVpc } from "../domain/ec2/documents.js";
import type { Collection, Scope, Store } from "./store.js";

export type * from "../domain/ec2/documents.js";

export interface Ec2State {
  /** Keyed by VpcId. */
  vpcs: Collection<StoredVpc>;
  /** Keyed by SubnetId; parent: the VpcId. */
  subnets: Collection<StoredSubnet>;
  /** Keyed by GroupId; parent: the VpcId. */
  securityGroups: Collection<StoredSecurityGroup>;
  /** Per account and region, under "account": whether its default VPC was made (deleting it must not bring it back). */
  accounts: Collection<StoredEc2Account>;
  /**
   * Tags of network interfaces, keyed by NetworkInterfaceId. An interface is derived from its
   * owner (src/state/network-interfaces.ts) and has no document to hold them; a tag set whose
   * interface is gone is never answered (interface ids are not reused) and is removed when tags are next written.
   */
  interfaceTags: Collection<StoredInterfaceTags>;
  /** Writes to several of these collections that land together. */
  transact: Store["transact"];
  /** Every account and region with state: a new VPC must not overlap any VPC on the same hosts, whoever owns it. */
  scopes(): Promise<Scope[]>;
}

export interface StoredInterfaceTags {
  networkInterfaceId: string;
  tags: Tag[];
  createdAt: number;
}

export interface StoredEc2Account {
  defaultVpcMade: boolean;
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
    accounts: store.collection<StoredEc2Account>({
      name: "ec2Account",
      keys: () => ({ parent: "", seq: 0, status: "" }),
    }),
    interfaceTags: store.collection<StoredInterfaceTags>({
      name: "networkInterfaceTags",
      keys: (t) => ({ parent: "", seq: t.createdAt, status: "" }),
    }),
    transact: (work, options) => store.transact(work, options),
    scopes: () => store.scopes(),
  };
}
