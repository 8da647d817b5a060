import type * as EcsSdk from "@aws-sdk/client-ecs";
import type { HandlerTable } from "../../aws/operations.js";
import type { Scope } from "../../domain/scope.js";
import type { Logger } from "../../log/logger.js";
import type { EcsState } from "../../state/ecs-state.js";
import type { HostNotifier } from "./agent-channel/notifier.js";
import type { KeyedSerializer } from "../../keyed-serializer.js";
import type { ExecSessions } from "./exec/sessions.js";

/** What every ECS handler gets besides its input. */
export interface RequestContext {
  scope: Scope;
  /** This request's log: its lines carry the request id the client got. */
  log: Logger;
  /** The caller, as ECS names it in registeredBy and account settings. */
  principalArn: string;
  now: Date;
  state: EcsState;
  /** Tells agents to look again when their tasks change. */
  hosts: HostNotifier;
  /** Serialises placement decisions (and the scheduler's runs) per account and region. */
  placementLock: KeyedSerializer;
  /** How this request reached berth (e.g. http://127.0.0.1:4545), for DiscoverPollEndpoint. */
  endpoint: string;
  /** Options of this control plane that shape tasks. */
  options: ControlPlaneSettings;
  /** ECS Exec sessions handed out and waiting for their clients. */
  execSessions: ExecSessions;
  /** The service scheduler, told when a service needs another look. */
  scheduler: { poke(scope: Scope, serviceId: string): void; pokeCluster(scope: Scope, cluster: string): Promise<void> };
}

/**
 * One account and region's ECS state as of `now`: what the reads that handlers share with the
 * service scheduler take (a RequestContext is one).
 */
export interface ScopedState {
  scope: Scope;
  state: EcsState;
  now: Date;
  /** What decides whether an agent counts as connected. */
  options: Pick<ControlPlaneSettings, "agentTimeoutMs">;
}

/** ScopedState and the agents to tell of new or stopped tasks: what launching tasks takes. */
export interface LaunchScope extends ScopedState {
  hosts: HostNotifier;
}

export interface ControlPlaneSettings {
  /** Where published container ports listen on the host: 127.0.0.1 unless told otherwise. */
  hostPortBindIp: string;
  /** An agent silent for this long shows agentConnected: false and gets no new tasks. */
  agentTimeoutMs: number;
}

/** ECS handlers by operation name, each typed from its @aws-sdk/client-ecs command. */
export type EcsHandlers = HandlerTable<typeof EcsSdk, RequestContext>;
