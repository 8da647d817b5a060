// Runs one ECS task on this host: see runner.ts for the lifecycle and the files beside it for
// each concern (images, volumes, network, ports, container spec, dependencies, health, reports).
export { TaskRunner, type TaskRunnerDeps } from "./runner.js";
export { containerSpec, healthCheck, DEFAULT_STOP_TIMEOUT_SECONDS, type SpecContext } from "./container-spec.js";
export { dependencyProblem, startWaves, stopWaves, conditionState, type Condition } from "./dependencies.js";
export { dockerName, ecsLabels, taskIdentity, LABEL, PAUSE_CONTAINER_NAME } from "./identity.js";
export { OOM_REASON, ESSENTIAL_EXITED } from "./failure.js";
export { ensureVpcNetwork, occupiedCidrs, occupiedPools } from "./vpc-network.js";
