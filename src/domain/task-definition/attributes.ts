// `requiresAttributes`: the container-instance attributes (agent capabilities) a task
// definition needs, which ECS derives at registration and placement later matches
// against each instance's attributes. The mapping below is assembled from real
// DescribeTaskDefinition outputs (e.g. awslogs → logging-driver.awslogs + docker-remote-api.1.19,
// memoryReservation → 1.21, awslogs-create-group → 1.29, awslogs-datetime-format → 1.30,
// awsvpc → 1.18 + task-eni, taskRoleArn → task-iam-role, startTimeout/dependsOn →
// container-ordering, SSM secrets → secrets.ssm.environment-variables, ECR image with an
// execution role → ecr-auth + execution-role-ecr-pull) and the ECS developer guide's
// notes on which Docker Remote API version each parameter needs.
import type { Attribute, ContainerDefinition, RegisterTaskDefinitionRequest } from "@aws-sdk/client-ecs";

const CAP = "com.amazonaws.ecs.capability.";
const ECS_CAP = "ecs.capability.";
const api = (v: string) => `${CAP}docker-remote-api.${v}`;
const ECR_IMAGE = /^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

/** Docker Remote API version each awslogs option first appeared in. */
const AWSLOGS_OPTION_API: Record<string, string> = {
  "awslogs-create-group": "1.29",
  "awslogs-datetime-format": "1.30",
  "awslogs-multiline-pattern": "1.30",
};

function secretsCapability(valueFrom: string | undefined, suffix: string): string {
  return `${ECS_CAP}secrets.${valueFrom?.includes(":secretsmanager:") ? "asm" : "ssm"}.${suffix}`;
}

function containerAttributes(c: ContainerDefinition, td: RegisterTaskDefinitionRequest, add: (n: string) => void): void {
  const log = c.logConfiguration;
  if (log?.logDriver !== undefined) {
    add(`${CAP}logging-driver.${log.logDriver}`);
    if (log.logDriver === "awslogs" && td.executionRoleArn !== undefined) add(`${ECS_CAP}execution-role-awslogs`);
  }
  if (c.image !== undefined && ECR_IMAGE.test(c.image)) add(`${CAP}ecr-auth`);
  if (log !== undefined) add(api("1.19"));
  if (c.memoryReservation !== undefined) add(api("1.21"));
  if (log?.logDriver === "awslogs") {
    for (const option of Object.keys(log.options ?? {})) {
      const v = AWSLOGS_OPTION_API[option];
      if (v !== undefined) add(api(v));
    }
  }
  if (c.dockerLabels !== undefined || c.ulimits !== undefined) add(api("1.18"));
  if (c.dockerSecurityOptions !== undefined || c.readonlyRootFilesystem !== undefined) add(api("1.17"));
  if (c.linuxParameters?.initProcessEnabled !== undefined) add(api("1.25"));
  if (c.privileged === true) add(`${CAP}privileged-container`);
  if (c.dependsOn !== undefined || c.startTimeout !== undefined || c.stopTimeout !== undefined) {
    add(`${ECS_CAP}container-ordering`);
  }
  if (c.healthCheck !== undefined) add(`${ECS_CAP}container-health-check`);
  if (c.repositoryCredentials !== undefined) add(`${ECS_CAP}private-registry-authentication.secretsmanager`);
  if (c.environmentFiles !== undefined && c.environmentFiles.length > 0) add(`${ECS_CAP}env-files.s3`);
  if (c.firelensConfiguration?.type !== undefined) add(`${ECS_CAP}firelens.${c.firelensConfiguration.type}`);
  for (const s of c.secrets ?? []) add(secretsCapability(s.valueFrom, "environment-variables"));
  for (const s of log?.secretOptions ?? []) add(secretsCapability(s.valueFrom, "bootstrap.log-driver"));
  if (c.image !== undefined && ECR_IMAGE.test(c.image) && td.executionRoleArn !== undefined) {
    add(`${ECS_CAP}execution-role-ecr-pull`);
  }
}

/** The derived attributes, each once, in a stable order (per container, then task level). */
export function requiredAttributesOf(td: RegisterTaskDefinitionRequest): Attribute[] {
  const names: string[] = [];
  const add = (n: string) => {
    if (!names.includes(n)) names.push(n);
  };
  for (const c of td.containerDefinitions ?? []) containerAttributes(c, td, add);
  if (td.taskRoleArn !== undefined) {
    add(`${CAP}task-iam-role`);
    if (td.networkMode === "host") add(`${CAP}task-iam-role-network-host`);
  }
  for (const v of td.volumes ?? []) {
    if (v.efsVolumeConfiguration !== undefined) {
      add(`${ECS_CAP}efs`);
      const efs = v.efsVolumeConfiguration;
      if (efs.authorizationConfig !== undefined || efs.transitEncryption === "ENABLED") add(`${ECS_CAP}efsAuth`);
    }
    if (v.dockerVolumeConfiguration !== undefined) {
      add(api("1.25"));
      const driver = v.dockerVolumeConfiguration.driver;
      if (driver !== undefined && driver !== "local") add(`${ECS_CAP}docker-plugin.${driver}`);
    }
    if (v.fsxWindowsFileServerVolumeConfiguration !== undefined) add(`${ECS_CAP}fsxWindowsFileServer`);
  }
  if (td.proxyConfiguration !== undefined) add(`${ECS_CAP}aws-appmesh`);
  if (td.networkMode === "awsvpc") {
    add(api("1.18"));
    add(`${ECS_CAP}task-eni`);
  }
  return names.map((name) => ({ name }));
}
