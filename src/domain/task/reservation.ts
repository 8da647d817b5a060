// What one task reserves on a host: ECS counts task-level cpu/memory when set, else the
// sum of its containers (memory falls back to memoryReservation), plus static host ports.
import type { ContainerDefinition, TaskDefinition, TaskOverride } from "@aws-sdk/client-ecs";
import { parseTaskCpu, parseTaskMemory } from "../task-definition/fargate.js";

export interface Reservation {
  cpu: number;
  memory: number;
  /** Static host ports (TCP / UDP); dynamic ones (hostPort 0) are chosen on the host. */
  ports: number[];
  portsUdp: number[];
}

export function effectiveContainers(td: TaskDefinition, overrides: TaskOverride | undefined): ContainerDefinition[] {
  const byName = new Map((overrides?.containerOverrides ?? []).map((o) => [o.name, o] as const));
  return (td.containerDefinitions ?? []).map((c) => {
    const o = byName.get(c.name);
    if (!o) return c;
    return {
      ...c,
      ...(o.command ? { command: o.command } : {}),
      ...(o.cpu !== undefined ? { cpu: o.cpu } : {}),
      ...(o.memory !== undefined ? { memory: o.memory } : {}),
      ...(o.memoryReservation !== undefined ? { memoryReservation: o.memoryReservation } : {}),
      ...(o.environmentFiles ? { environmentFiles: [...(c.environmentFiles ?? []), ...o.environmentFiles] } : {}),
      // Override variables replace same-named ones and add the rest.
      ...(o.environment
        ? {
            environment: [...(c.environment ?? []).filter((e) => !o.environment!.some((x) => x.name === e.name)), ...o.environment],
          }
        : {}),
    };
  });
}

export function taskCpu(td: TaskDefinition, overrides?: TaskOverride): number | undefined {
  return parseTaskCpu(overrides?.cpu ?? td.cpu);
}

export function taskMemory(td: TaskDefinition, overrides?: TaskOverride): number | undefined {
  return parseTaskMemory(overrides?.memory ?? td.memory);
}

export function reservationOf(td: TaskDefinition, overrides?: TaskOverride): Reservation {
  const containers = effectiveContainers(td, overrides);
  const cpu = taskCpu(td, overrides) ?? containers.reduce((sum, c) => sum + (c.cpu ?? 0), 0);
  const memory = taskMemory(td, overrides) ?? containers.reduce((sum, c) => sum + (c.memory ?? c.memoryReservation ?? 0), 0);
  const ports: number[] = [];
  const portsUdp: number[] = [];
  const mode = td.networkMode ?? "bridge";
  for (const c of containers) {
    for (const p of c.portMappings ?? []) {
      const host = mode === "bridge" ? p.hostPort : p.containerPort;
      if (!host) continue;
      (p.protocol === "udp" ? portsUdp : ports).push(host);
    }
  }
  return { cpu, memory, ports, portsUdp };
}
