// What a TaskRunner is given: the engine, the agent's reports and ports, and the hooks of the
// agent's other parts (the task endpoint, secrets, log shipping) it calls at the right moments.
import type { TaskNetwork, TaskReport } from "../../domain/task/lifecycle.js";
import type { Logger } from "../../log/logger.js";
import type { Protocol, RegistryAuth, RuntimeDriver } from "../../runtime/driver.js";
import type { AwsLogs } from "../awslogs/awslogs.js";
import type { ExecutionResources } from "./secrets.js";

export interface TaskRunnerDeps {
  driver: RuntimeDriver;
  /** Sends a state change to the control plane; a rejection is retried with backoff until accepted or disposed. */
  report(change: TaskReport): Promise<void>;
  /** Says which task it runs for (the agent binds its ARN). */
  log: Logger;
  /** Image for the per-task network-namespace holder of awsvpc tasks; its own CMD must keep it running. */
  pauseImage: string;
  /** Picks a free host port in 49153–65535 for a dynamic (hostPort 0) mapping on this bind address. */
  allocateHostPort(bindIp: string, protocol: Protocol): Promise<number>;
  /** Gives back a port allocateHostPort handed out, once the task's containers have stopped. */
  releaseHostPort?(bindIp: string, protocol: Protocol, port: number): void;
  now(): Date;
  /** Credentials for the registry an image comes from (ECS_ENGINE_AUTH_DATA); none: anonymous pulls. */
  registryAuth?(image: string): RegistryAuth | undefined;
  /**
   * Secrets Manager and SSM, signed as this task's execution role: where its containers'
   * `secrets`, `secretOptions` and `repositoryCredentials` come from. Absent, a task that has any fails.
   */
  executionResources?: ExecutionResources;
  /**
   * How long stopped containers (and task-scoped volumes) are kept so that `docker logs` still
   * works, like ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION (3 h on ECS). Default 1 hour; 0 removes at once.
   */
  cleanupDelayMs?: number;
  /** How often health is re-read from the engine besides its events. Default 5 s. */
  healthPollMs?: number;
  /** How long a container waits for its dependencies when it sets no startTimeout. Default 3 minutes. */
  defaultStartTimeoutMs?: number;
  /** The agent's container instance ARN, labelled on every container so a restarted agent knows its leftovers. */
  owner?: string;
  /** The token of a container's ECS_CONTAINER_METADATA_URI(_V4) (see task-endpoint/tokens.ts); default: its ARN's uuid. */
  metadataToken?(containerArn: string): string;
  /** The id of the task role's credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI), when the task has a role. */
  roleCredentialsId?(taskArn: string): string | undefined;
  /** An awsvpc task's interface is up (its pause container runs): awaited before its containers are created. */
  interfaceUp?(network: TaskNetwork): Promise<void>;
  /** A bridge-mode container runs (started, or adopted running) / has exited: the task endpoint routes its address. */
  bridgeContainerUp?(dockerId: string): void;
  bridgeContainerDown?(dockerId: string): void;
  /** Ships the output of containers logging with awslogs; absent, their output stays in Docker's json-file only. */
  awslogs?: Pick<AwsLogs, "prepare" | "follow" | "forget">;
}

/** The runner's view of its task, for the task metadata endpoint. */
export interface TaskRunnerSnapshot {
  knownStatus: "PENDING" | "RUNNING" | "STOPPED";
  pullStartedAt?: Date;
  pullStoppedAt?: Date;
  executionStoppedAt?: Date;
  containers: { name: string; dockerId?: string; knownStatus: "PENDING" | "RUNNING" | "STOPPED"; exitCode?: number }[];
}
