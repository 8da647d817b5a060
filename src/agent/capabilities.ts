// What this agent tells the control plane it can do, as ECS agent capability attributes.
// Task definitions require some of them (requiresAttributes); placement only sends a task
// to an instance that has them all, so claim only what berth's agent really honours.
import type { Attribute } from "@aws-sdk/client-ecs";

const DOCKER_API_VERSIONS = [
  "1.17",
  "1.18",
  "1.19",
  "1.20",
  "1.21",
  "1.22",
  "1.23",
  "1.24",
  "1.25",
  "1.26",
  "1.27",
  "1.28",
  "1.29",
  "1.30",
  "1.31",
  "1.32",
  "1.33",
  "1.34",
  "1.35",
  "1.36",
  "1.37",
  "1.38",
  "1.39",
  "1.40",
  "1.41",
];
const LOG_DRIVERS = ["json-file", "syslog", "journald", "gelf", "fluentd", "none", "awslogs"];

export function capabilityAttributes(): Attribute[] {
  const names = [
    ...DOCKER_API_VERSIONS.map((v) => `com.amazonaws.ecs.capability.docker-remote-api.${v}`),
    ...LOG_DRIVERS.map((d) => `com.amazonaws.ecs.capability.logging-driver.${d}`),
    "com.amazonaws.ecs.capability.privileged-container",
    "ecs.capability.task-eni",
    "ecs.capability.container-health-check",
    "ecs.capability.container-ordering",
    "ecs.capability.execution-role-awslogs",
    "ecs.capability.env-files.s3",
    "ecs.capability.docker-plugin.local",
    "ecs.capability.task-cpu-mem-limit",
    "ecs.capability.pid-ipc-namespace-sharing",
    "ecs.capability.full-sync",
    // Task roles: the credentials endpoint at 169.254.170.2, for bridge, awsvpc and host-network tasks (task-endpoint/).
    "com.amazonaws.ecs.capability.task-iam-role",
    "com.amazonaws.ecs.capability.task-iam-role-network-host",
    // Secrets and registry auth read through berth's Secrets Manager and SSM (task-runner/secrets.ts).
    "ecs.capability.secrets.asm.environment-variables",
    "ecs.capability.secrets.ssm.environment-variables",
    "ecs.capability.secrets.asm.bootstrap.log-driver",
    "ecs.capability.secrets.ssm.bootstrap.log-driver",
    "ecs.capability.private-registry-authentication.secretsmanager",
  ];
  return names.map((name) => ({ name }));
}
