// berth's service reconciler (REPLICA and DAEMON, rolling updates, circuit breaker, throttle):
// pure and synchronous; the control-plane loop supplies the snapshot and applies the plan.
export { reconcile } from "./reconcile.js";
export { newDeploymentId, isDeploymentId, DEPLOYMENT_ID_PREFIX } from "./ids.js";
export {
  DEFAULT_PERCENTS,
  CIRCUIT_BREAKER_FAILED_REASON,
  type Bounds,
  completedReason,
  deploymentBounds,
  inProgressReason,
  rollbackReason,
  startDeployment,
} from "./deployment.js";
export { MAX_FAILURE_THRESHOLD, MIN_FAILURE_THRESHOLD, failureThreshold, restoreDeployment } from "./circuit-breaker.js";
export { blueStillServes } from "./traffic-shift.js";
export { THROTTLE_AFTER_FAILURES, THROTTLE_BASE_DELAY_MS, THROTTLE_MAX_DELAY_MS, launchDelayMs } from "./backoff.js";
export {
  REPEAT_AFTER_MS,
  deploymentCompletedMessage,
  deploymentConfigurationStuckMessage,
  deploymentFailedMessage,
  failedHealthChecksMessage,
  deregisteredTargetsMessage,
  drainingMessage,
  registeredTargetsMessage,
  unhealthyInTargetGroupMessage,
  rollingBackMessage,
  startedTasksMessage,
  steadyStateMessage,
  stoppedTasksMessage,
  throttledMessage,
  unableToPlaceMessage,
} from "./events.js";
export { scalingActivityReason } from "./replica.js";
export { scheduleTaskSets } from "./task-sets.js";
export { HEALTH_CHECK_STOP_REASON, elbHealthCheckStopReason, observeTask, taskIdOf } from "./task-state.js";
export * from "./types.js";
