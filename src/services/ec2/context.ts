import type * as Ec2Sdk from "@aws-sdk/client-ec2";
import type { HandlerTable } from "../../aws/operations.js";
import type { Scope } from "../../domain/scope.js";
import type { KeyedSerializer } from "../../keyed-serializer.js";
import type { Logger } from "../../log/logger.js";
import type { Ec2State } from "../../state/ec2-state.js";
import type { NetworkInterfaceIndex } from "../../state/network-interfaces.js";

/** What every EC2 handler gets besides its input. */
export interface Ec2Context {
  scope: Scope;
  log: Logger;
  now: Date;
  state: Ec2State;
  /** The network interfaces berth has attached (awsvpc tasks), derived from their owners. */
  interfaces: NetworkInterfaceIndex;
  /**
   * The IPv4 CIDRs a new VPC must not overlap: the hosts' routes and the Docker networks
   * berth did not make. Each VPC is a network on every host, and one that overlaps either
   * would be refused by Docker or break the host's own traffic.
   */
  occupiedCidrs(): string[];
  /**
   * ECS's lock on placement per account and region (by scopeKey): deleting a subnet, group or
   * VPC holds it, so a placement in progress lands first (and the delete sees its interface)
   * or the next placement finds the subnet or group gone.
   */
  placementLock: KeyedSerializer;
}

/** EC2 handlers by operation name, each typed from its @aws-sdk/client-ec2 command. */
export type Ec2Handlers = HandlerTable<typeof Ec2Sdk, Ec2Context>;

/** What the EC2 service is built from (src/cli/control-plane.ts). */
export interface Ec2Deps {
  state: Ec2State;
  interfaces: NetworkInterfaceIndex;
  occupiedCidrs(): string[];
  placementLock: KeyedSerializer;
}
