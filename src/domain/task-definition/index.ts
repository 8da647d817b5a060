export { validateTaskDefinition, MAX_CONTAINERS } from "./validate.js";
export { buildTaskDefinition, type TaskDefinitionContext } from "./normalize.js";
export { FARGATE_SIZES, isValidFargateSize, parseTaskCpu, parseTaskMemory } from "./fargate.js";
export { compatibilitiesOf, effectiveNetworkMode, fargateProblem, launchTypeProblem } from "./compat.js";
export { requiredAttributesOf } from "./attributes.js";
