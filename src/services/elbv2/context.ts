import type * as Elbv2Sdk from "@aws-sdk/client-elastic-load-balancing-v2";
import type { HandlerTable } from "../../aws/operations.js";
import type { Scope } from "../../domain/scope.js";
import type { TargetHealthBoard } from "../../domain/elbv2/target-health.js";
import type { KeyedSerializer } from "../../keyed-serializer.js";
import type { Logger } from "../../log/logger.js";
import type { EcsState } from "../../state/ecs-state.js";

/** What every ELBv2 handler gets besides its input. */
export interface Elbv2Context {
  scope: Scope;
  log: Logger;
  now: Date;
  /**
   * berth's whole state: ELBv2's own collections under `elbv2`, EC2's networking under `ec2`
   * (subnets, groups and the interfaces a load balancer's addresses must not collide with),
   * and ECS's container instances (instance targets).
   */
  state: EcsState;
  /** What the data plane's health checks observe of each target. */
  health: TargetHealthBoard;
  /**
   * ECS's lock on placement per account and region (by scopeKey): a load balancer takes
   * addresses in its subnets under it, as a task does, so the two never take the same one.
   */
  placementLock: KeyedSerializer;
  /** Where berth publishes containers' host ports ("0.0.0.0": every address): an instance target's address. */
  hostPortBindIp: string;
}

/** ELBv2 handlers by operation name, each typed from its @aws-sdk/client-elastic-load-balancing-v2 command. */
export type Elbv2Handlers = HandlerTable<typeof Elbv2Sdk, Elbv2Context>;

/** What the ELBv2 service is built from (src/cli/control-plane.ts). */
export interface Elbv2Deps {
  state: EcsState;
  health: TargetHealthBoard;
  placementLock: KeyedSerializer;
  hostPortBindIp: string;
}
