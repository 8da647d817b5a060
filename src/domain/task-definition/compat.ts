// Which launch types a task definition can run on. Real ECS validates every
// registration against each launch type and reports the ones that pass in
// `compatibilities`; a launch type named in `requiresCompatibilities` that does not
// pass makes the registration fail. Both paths use the checks below so they agree.
import type { Compatibility, RegisterTaskDefinitionRequest } from "@aws-sdk/client-ecs";
import { FARGATE_SIZES, parseTaskCpu, parseTaskMemory } from "./fargate.js";

/** bridge is what ECS runs on Linux when networkMode is omitted (it is not echoed back). */
export function effectiveNetworkMode(input: Pick<RegisterTaskDefinitionRequest, "networkMode">): string {
  return input.networkMode ?? "bridge";
}

const FARGATE_LOG_DRIVERS = ["awslogs", "splunk", "awsfirelens"];

/**
 * The first reason this task definition cannot run on Fargate, as the ClientException
 * message ECS returns, or undefined when it can. The first four messages and those for
 * pidMode and ipcMode are real ECS messages seen in public error reports (aws/aws-cdk#29619,
 * cn-terraform/terraform-aws-ecs-fargate#2); the rest are berth's wording.
 */
export function fargateProblem(input: RegisterTaskDefinitionRequest): string | undefined {
  if (effectiveNetworkMode(input) !== "awsvpc") return "Fargate only supports network mode \u2018awsvpc\u2019.";
  if (input.cpu === undefined) return "Fargate requires that 'cpu' be defined at the task level.";
  if (input.memory === undefined) return "Fargate requires that 'memory' be defined at the task level.";
  const cpu = parseTaskCpu(input.cpu);
  const memory = parseTaskMemory(input.memory);
  if (cpu === undefined) return "Invalid 'cpu' setting for task.";
  if (memory === undefined) return "Invalid 'memory' setting for task.";
  if (!(FARGATE_SIZES.get(cpu)?.includes(memory) ?? false)) {
    return (
      `No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. ` +
      "See the Amazon ECS documentation for the valid values."
    );
  }
  if (input.pidMode === "host") {
    return "Tasks using the Fargate launch type do not support pidMode 'host'. The supported value for pidMode is 'task'.";
  }
  if (input.ipcMode !== undefined) return "Tasks using the Fargate launch type do not support ipcMode.";
  if ((input.placementConstraints ?? []).length > 0) return "Fargate does not support task placement constraints.";
  for (const v of input.volumes ?? []) {
    if (v.host?.sourcePath !== undefined) {
      return `Invalid volume '${v.name}'. Fargate does not support host volumes with a sourcePath.`;
    }
    if (v.dockerVolumeConfiguration !== undefined) {
      return `Invalid volume '${v.name}'. Fargate does not support dockerVolumeConfiguration.`;
    }
  }
  for (const c of input.containerDefinitions ?? []) {
    if (c.privileged === true) return `Invalid setting for container '${c.name}'. Fargate does not support privileged containers.`;
    if (c.stopTimeout !== undefined && c.stopTimeout > 120) {
      return `Invalid setting for container '${c.name}'. Fargate requires a stopTimeout of at most 120 seconds.`;
    }
    const driver = c.logConfiguration?.logDriver;
    if (driver !== undefined && !FARGATE_LOG_DRIVERS.includes(driver)) {
      return `${driver} is not a valid log driver. Must be one of [${FARGATE_LOG_DRIVERS.join(",")}]`;
    }
  }
  return undefined;
}

/** Reason the definition cannot run on a launch type, or undefined when it can. */
export function launchTypeProblem(input: RegisterTaskDefinitionRequest, type: string): string | undefined {
  const mode = input.networkMode;
  switch (type) {
    case "EC2":
      return undefined;
    case "FARGATE":
      return fargateProblem(input);
    case "EXTERNAL":
      // ECS Anywhere has no ENI to give a task.
      return mode === "awsvpc" ? "Task definition does not support launch_type EXTERNAL with network mode awsvpc." : undefined;
    case "MANAGED_INSTANCES":
      // Managed Instances documents awsvpc, host and none, and refuses task
      // definitions that leave networkMode unset.
      return mode === "awsvpc" || mode === "host" || mode === "none"
        ? undefined
        : "Task definition does not support launch_type MANAGED_INSTANCES: networkMode must be awsvpc, host or none.";
    default:
      return `Invalid compatibility: ${type}.`;
  }
}

/**
 * The `compatibilities` echoed back. Observed real outputs: bridge / unset →
 * ["EXTERNAL","EC2"] (aws-cli register-task-definition example, 2024); awsvpc Fargate-sized →
 * ["EC2","MANAGED_INSTANCES","FARGATE"] (DescribeTaskDefinition outputs from 2026).
 */
export function compatibilitiesOf(input: RegisterTaskDefinitionRequest): Compatibility[] {
  const order: Compatibility[] =
    input.networkMode === "awsvpc" ? ["EC2", "MANAGED_INSTANCES", "FARGATE"] : ["EXTERNAL", "EC2", "MANAGED_INSTANCES", "FARGATE"];
  return order.filter((t) => launchTypeProblem(input, t) === undefined);
}
