// Rules that look at one container definition at a time. Messages marked (ECS) are
// real ECS messages found in public error reports; the others are berth's wording in
// the same style, because the real text could not be found.
import type { ContainerDefinition, HealthCheck } from "@aws-sdk/client-ecs";
import { clientException, invalidParameter } from "../errors.js";

const CONTAINER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** Docker 20.10+ refuses a hard limit under 6 MiB (ECS developer guide, "memory"). */
export const MIN_CONTAINER_MEMORY_MIB = 6;

export function checkContainerName(c: ContainerDefinition): void {
  if (c.name === undefined || c.name === "") throw clientException("Container.name should not be null or empty.");
  if (!CONTAINER_NAME.test(c.name)) throw clientException("Container.name contains invalid characters.");
}

export function checkImage(c: ContainerDefinition): void {
  // (ECS) "Container.image should not be null or empty."
  if (c.image === undefined || c.image.trim() === "") throw clientException("Container.image should not be null or empty.");
  // Docker refuses whitespace and control characters in references (ECS: "Container.image contains invalid characters.").
  // eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
  if (/[\s\u0000-\u001f]/.test(c.image)) throw clientException("Container.image contains invalid characters.");
}

export function checkMemory(c: ContainerDefinition, taskMemory: number | undefined): void {
  const name = c.name;
  if (taskMemory === undefined && c.memory === undefined && c.memoryReservation === undefined) {
    // (ECS)
    throw clientException(`Invalid setting for container '${name}'. At least one of 'memory' or 'memoryReservation' must be specified.`);
  }
  if (c.memory !== undefined && c.memory < MIN_CONTAINER_MEMORY_MIB) {
    throw clientException(`Invalid 'memory' setting for container '${name}'. The minimum is ${MIN_CONTAINER_MEMORY_MIB} MiB.`);
  }
  if (c.memoryReservation !== undefined && c.memoryReservation < 1) {
    throw clientException(`Invalid 'memoryReservation' setting for container '${name}'. It must be a positive number.`);
  }
  if (c.memory !== undefined && c.memoryReservation !== undefined && c.memoryReservation > c.memory) {
    // (ECS, wording of the second sentence)
    throw clientException(`Invalid setting for container '${name}'. 'memory' must be greater than or equal to 'memoryReservation'.`);
  }
  if (taskMemory !== undefined && c.memory !== undefined && c.memory > taskMemory) {
    // (ECS) troubleshooting entry "The 'memory' setting for container is greater than for the task"
    throw clientException(`The 'memory' setting for container '${name}' is greater than for the task.`);
  }
  if (c.cpu !== undefined && c.cpu < 0) {
    throw clientException(`Invalid 'cpu' setting for container '${name}'. It must not be negative.`);
  }
}

const CONTAINER_PORT_RANGE = /^(\d+)-(\d+)$/;

/**
 * Port mapping rules. `hostPortsSeen` collects "<port>/<protocol>" across the task,
 * because two containers of one task cannot bind the same host port either.
 */
export function checkPortMappings(c: ContainerDefinition, mode: string, hostPortsSeen: Set<string>): void {
  const name = c.name;
  const mappings = c.portMappings ?? [];
  if (mode === "none" && mappings.length > 0) {
    throw clientException(`Invalid setting for container '${name}'. Port mappings are not supported when networkMode=none.`);
  }
  const containerPortsSeen = new Set<number>();
  for (const p of mappings) {
    const protocol = p.protocol ?? "tcp";
    if (protocol !== "tcp" && protocol !== "udp") {
      throw invalidParameter(`Invalid protocol '${String(protocol)}' for container '${name}'. Valid values: tcp, udp.`);
    }
    if (p.containerPortRange !== undefined) {
      const m = CONTAINER_PORT_RANGE.exec(p.containerPortRange);
      const lo = m ? Number(m[1]) : NaN;
      const hi = m ? Number(m[2]) : NaN;
      if (!(lo >= 1 && hi <= 65535 && lo < hi)) {
        throw clientException(`Invalid containerPortRange '${p.containerPortRange}' for container '${name}'.`);
      }
      if (p.containerPort !== undefined || p.hostPort !== undefined) {
        throw clientException(
          `Invalid port mapping for container '${name}'. containerPortRange cannot be combined with containerPort or hostPort.`,
        );
      }
      continue;
    }
    if (p.containerPort === undefined || p.containerPort < 1 || p.containerPort > 65535) {
      throw clientException(`Invalid 'containerPort' setting for container '${name}'. It must be between 1 and 65535.`);
    }
    if (p.hostPort !== undefined && (p.hostPort < 0 || p.hostPort > 65535)) {
      throw clientException(`Invalid 'hostPort' setting for container '${name}'. It must be between 0 and 65535.`);
    }
    if ((mode === "awsvpc" || mode === "host") && p.hostPort !== undefined && p.hostPort !== p.containerPort) {
      // (ECS) "When networkMode=awsvpc, the host ports and container ports in port mappings must match."
      throw clientException(`When networkMode=${mode}, the host ports and container ports in port mappings must match.`);
    }
    // "You can't expose the same container port for multiple protocols" (PortMapping API reference).
    if (containerPortsSeen.has(p.containerPort)) {
      throw clientException(`Invalid port mapping for container '${name}'. Container port ${p.containerPort} is mapped more than once.`);
    }
    containerPortsSeen.add(p.containerPort);
    const hostPort = mode === "bridge" ? (p.hostPort ?? 0) : p.containerPort;
    if (hostPort !== 0) {
      const key = `${hostPort}/${protocol}`;
      if (hostPortsSeen.has(key)) {
        throw clientException(`Host port ${hostPort}/${protocol} is used by more than one port mapping in the task definition.`);
      }
      hostPortsSeen.add(key);
    }
  }
}

// Ranges from the HealthCheck API reference; the startPeriod text is a real ECS
// message ("Health check startPeriod must be less than or equal to the maximum allowed value 300").
const HEALTH_RANGES: ReadonlyArray<[keyof HealthCheck, number, number]> = [
  ["interval", 5, 300],
  ["timeout", 2, 60],
  ["retries", 1, 10],
  ["startPeriod", 0, 300],
];

export function checkHealthCheck(c: ContainerDefinition): void {
  const h = c.healthCheck;
  if (h === undefined) return;
  const cmd = h.command ?? [];
  if (cmd.length === 0) throw clientException(`Invalid health check for container '${c.name}'. The command must not be empty.`);
  if (cmd[0] !== "CMD" && cmd[0] !== "CMD-SHELL" && cmd[0] !== "NONE") {
    throw clientException(`Invalid health check for container '${c.name}'. The command must start with CMD, CMD-SHELL or NONE.`);
  }
  for (const [field, min, max] of HEALTH_RANGES) {
    const v = h[field] as number | undefined;
    if (v === undefined) continue;
    if (v < min) throw clientException(`Health check ${field} must be greater than or equal to the minimum allowed value ${min}`);
    if (v > max) throw clientException(`Health check ${field} must be less than or equal to the maximum allowed value ${max}`);
  }
}

export function checkTimeouts(c: ContainerDefinition): void {
  for (const field of ["startTimeout", "stopTimeout"] as const) {
    const v = c[field];
    if (v !== undefined && v < 2) {
      throw clientException(`Invalid '${field}' setting for container '${c.name}'. It must be at least 2 seconds.`);
    }
  }
}
