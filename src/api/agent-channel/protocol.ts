// The push channel between the control plane and its agents: a SigV4-signed long poll.
// The agent says which host it is and what it has seen; the answer comes when the tasks
// assigned to that host change (or after a while, as a heartbeat), and carries the tasks
// that changed since, in full, and the ARNs of all the others. Container health rides
// along on the request, as the ECS agent sends it over its telemetry connection.
import type { TaskDefinition, TaskOverride } from "@aws-sdk/client-ecs";
import type { TaskNetwork } from "../../domain/task/lifecycle.js";
import type { HostVersion } from "./notifier.js";

export const POLL_PATH = "/agent/v1/poll";

export interface PollRequest {
  /** The container instance ARN RegisterContainerInstance returned. */
  containerInstanceArn: string;
  seen?: HostVersion;
  /** Health of containers that have health checks, as Docker reports it. */
  health?: { taskArn: string; containerName: string; healthStatus: "HEALTHY" | "UNHEALTHY" | "UNKNOWN" }[];
  /** How long the control plane may hold the request (ms). */
  waitMs?: number;
}

/** One task the host should run (desiredStatus RUNNING) or stop (STOPPED). */
export interface TaskAssignment {
  taskArn: string;
  clusterArn: string;
  desiredStatus: "RUNNING" | "STOPPED";
  lastStatus: string;
  launchType: string;
  group: string;
  taskDefinition: TaskDefinition;
  overrides: TaskOverride;
  containers: { name: string; containerArn: string }[];
  network?: TaskNetwork;
  /** Address that published ports bind to when the task has no loopback address of its own. */
  hostPortBindIp: string;
  version: number;
}

export interface PollResponse {
  version: HostVersion;
  /**
   * The tasks assigned to the host that changed since the version the agent had seen:
   * every assigned task when it had seen none, or one from before a control-plane restart.
   */
  tasks: TaskAssignment[];
  /** The ARN of every task assigned to the host; a task missing here was taken away from it. */
  assigned: string[];
}
