// Service event messages in ECS's words (DescribeServices `events`). Sources: the ECS
// developer guide "Service event messages" and "Service throttle logic", the AWS CLI
// examples (describe-services, update-service) and event logs of real services.
import { FailureReason, type PlacementFailure } from "../placement/types.js";
import { taskIdOf } from "./task-state.js";
import type { ObservedTask } from "./types.js";

/** ECS omits a repeated message until its cause is resolved or six hours have passed. */
export const REPEAT_AFTER_MS = 6 * 60 * 60 * 1000;

const svc = (serviceName: string) => `(service ${serviceName})`;
const taskList = (taskArnsOrIds: readonly string[]) => taskArnsOrIds.map((t) => `(task ${taskIdOf(t)})`).join(" ");

export const steadyStateMessage = (serviceName: string) => `${svc(serviceName)} has reached a steady state.`;

/** The loop renders it once it knows the new tasks' ids. */
export const startedTasksMessage = (serviceName: string, taskArnsOrIds: readonly string[]) =>
  `${svc(serviceName)} has started ${taskArnsOrIds.length} tasks: ${taskList(taskArnsOrIds)}.`;

export const stoppedTasksMessage = (serviceName: string, taskArnsOrIds: readonly string[]) =>
  `${svc(serviceName)} has stopped ${taskArnsOrIds.length} running tasks: ${taskList(taskArnsOrIds)}.`;

export const failedHealthChecksMessage = (serviceName: string, taskArn: string) =>
  `${svc(serviceName)} (task ${taskIdOf(taskArn)}) failed container health checks.`;

/**
 * ECS's event for a task failing its target group's checks ("Amazon ECS service unhealthy event
 * messages"): an EC2 task names its instance, a FARGATE or awsvpc one only its port.
 */
export function unhealthyInTargetGroupMessage(serviceName: string, task: ObservedTask): string {
  const where = task.loadBalancer?.unhealthyIn;
  if (!where || (task.hasHealthCheck && task.healthStatus === "UNHEALTHY")) return failedHealthChecksMessage(serviceName, task.taskArn);
  const instance = where.instanceId ? ` (instance ${where.instanceId})` : "";
  return `${svc(serviceName)} (task ${taskIdOf(task.taskArn)})${instance} (port ${where.port}) is unhealthy in (target-group ${where.targetGroupName}) due to (reason ${where.reason})`;
}

/** ECS's events as it registers a service's tasks in a target group, and deregisters them. */
export const registeredTargetsMessage = (serviceName: string, count: number, targetGroupArn: string) =>
  `${svc(serviceName)} registered ${count} targets in (target-group ${targetGroupArn})`;
export const deregisteredTargetsMessage = (serviceName: string, count: number, targetGroupArn: string) =>
  `${svc(serviceName)} deregistered ${count} targets in (target-group ${targetGroupArn})`;
export const drainingMessage = (serviceName: string, count: number) =>
  `${svc(serviceName)} has begun draining connections on ${count} tasks.`;

export const deploymentCompletedMessage = (serviceName: string, deploymentId: string) =>
  `${svc(serviceName)} (deployment ${deploymentId}) deployment completed.`;

export const deploymentFailedMessage = (serviceName: string, deploymentId: string) =>
  `${svc(serviceName)} (deployment ${deploymentId}) deployment failed: tasks failed to start.`;

/** Names the deployment rolled back to (the last completed one), not the new one. */
export const rollingBackMessage = (serviceName: string, targetDeploymentId: string) =>
  `${svc(serviceName)} rolling back to deployment ${targetDeploymentId}.`;

/** berth runs no Lambda functions: a deployment passing an AWS_LAMBDA hook's stage says so. */
export const lambdaHookNotRunMessage = (serviceName: string, deploymentId: string, functionArn: string, stage: string) =>
  `${svc(serviceName)} (deployment ${deploymentId}) did not run the lifecycle hook ${functionArn} at ${stage}: berth does not run AWS Lambda functions.`;

/** A blue/green (linear, canary) deployment moving test or production traffic to its tasks. */
export const testTrafficShiftedMessage = (serviceName: string, deploymentId: string) =>
  `${svc(serviceName)} (deployment ${deploymentId}) is now receiving 100% of test traffic.`;
export const productionTrafficShiftedMessage = (serviceName: string, deploymentId: string, tenths: number) =>
  `${svc(serviceName)} (deployment ${deploymentId}) is now receiving ${(tenths / 10).toFixed(1)}% of production traffic.`;

export const throttledMessage = (serviceName: string) => `${svc(serviceName)} is unable to consistently start tasks successfully.`;

export const deploymentConfigurationStuckMessage = (serviceName: string) =>
  `${svc(serviceName)} was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.`;

const MORE_INFO = "For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.";

function closestMatchingProblem(reason: string): string {
  switch (reason) {
    case FailureReason.cpu:
      return "has insufficient CPU units available.";
    case FailureReason.memory:
      return "has insufficient memory available.";
    case FailureReason.ports:
    case FailureReason.portsUdp:
      return "is already using a port required by your task.";
    case FailureReason.agent:
      return "doesn't have the agent connected.";
    case FailureReason.attribute:
      return "is missing an attribute required by your task.";
    default:
      return `encountered error "${reason}".`;
  }
}

/**
 * "(service web) was unable to place a task because no container instance met all of its
 * requirements. The closest matching (container-instance 1a2b…) has insufficient memory
 * available. For more information, see …". `failure` is the closest matching instance.
 */
export function unableToPlaceMessage(
  serviceName: string,
  outcome: { failures: readonly PlacementFailure[]; noContainerInstances: boolean },
): string {
  const head = `${svc(serviceName)} was unable to place a task because no container instance met all of its requirements.`;
  const closest = outcome.failures[0];
  if (outcome.noContainerInstances || !closest) return `${head} Reason: No Container Instances were found in your cluster. ${MORE_INFO}`;
  return `${head} The closest matching (container-instance ${taskIdOf(closest.arn)}) ${closestMatchingProblem(closest.reason)} ${MORE_INFO}`;
}

/**
 * Emits a condition's message unless it was emitted within six hours and the condition has
 * lasted since. Returns the conditions with this one recorded.
 */
export function conditionEvent(
  conditions: Record<string, number>,
  key: string,
  nowMs: number,
): { emit: boolean; conditions: Record<string, number> } {
  const last = conditions[key];
  if (last !== undefined && nowMs - last < REPEAT_AFTER_MS) return { emit: false, conditions };
  return { emit: true, conditions: { ...conditions, [key]: nowMs } };
}

/** Forgets conditions that ended, so the next occurrence is reported at once. */
export function endConditions(conditions: Record<string, number>, ended: (key: string) => boolean): Record<string, number> {
  return Object.fromEntries(Object.entries(conditions).filter(([key]) => !ended(key)));
}
