// Shared by the task-runner tests: assignments built from a few container definitions, and
// deps that record every report.
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import type { ContainerDefinition, TaskDefinition } from "@aws-sdk/client-ecs";
import type { TaskAssignment } from "../../src/wire/agent-channel.js";
import type { TaskReport } from "../../src/domain/task/lifecycle.js";
import type { TaskRunnerDeps } from "../../src/agent/task-runner/index.js";
import type { RuntimeDriver } from "../../src/runtime/driver.js";
import { createLogger } from "../../src/log/logger.js";

export const CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/default";

export function assignment(
  containers: ContainerDefinition[],
  td: Partial<TaskDefinition> = {},
  extra: Partial<TaskAssignment> = {},
): TaskAssignment {
  const taskId = randomBytes(16).toString("hex");
  const family = td.family ?? "web";
  const taskDefinition: TaskDefinition = {
    family,
    revision: 3,
    taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:3`,
    volumes: [],
    ...td,
    containerDefinitions: containers.map((c) => ({
      cpu: 0,
      essential: true,
      portMappings: [],
      environment: [],
      mountPoints: [],
      volumesFrom: [],
      ...c,
    })),
  };
  return {
    taskArn: `arn:aws:ecs:us-east-1:123456789012:task/default/${taskId}`,
    clusterArn: CLUSTER_ARN,
    desiredStatus: "RUNNING",
    lastStatus: "PENDING",
    launchType: "EC2",
    group: `family:${family}`,
    taskDefinition,
    overrides: {},
    containers: containers.map((c) => ({
      name: c.name!,
      containerArn: `arn:aws:ecs:us-east-1:123456789012:container/default/${taskId}/${randomBytes(16).toString("hex")}`,
    })),
    hostPortBindIp: "127.0.0.1",
    version: 1,
    ...extra,
  };
}

export interface Recorder {
  deps: TaskRunnerDeps;
  reports: TaskReport[];
  logs: string[];
  /** The first report matching, waiting for it if need be. */
  until(predicate: (r: TaskReport) => boolean, timeoutMs?: number): Promise<TaskReport>;
  /** The container's entries across all reports, in order. */
  containerReports(name: string): NonNullable<TaskReport["containers"]>;
  statuses(): string[];
}

export function recorder(driver: RuntimeDriver, overrides: Partial<TaskRunnerDeps> = {}): Recorder {
  const reports: TaskReport[] = [];
  const logs: string[] = [];
  const listeners = new Set<() => void>();
  let nextPort = 49153;
  const deps: TaskRunnerDeps = {
    driver,
    report: async (change) => {
      reports.push(structuredClone(change));
      for (const l of listeners) l();
    },
    log: createLogger({ level: "debug", destination: { write: (line: string) => void logs.push(line.trimEnd()) } }),
    pauseImage: "berth/pause:latest",
    allocateHostPort: async () => nextPort++,
    now: () => new Date(),
    cleanupDelayMs: 0,
    ...overrides,
  };
  return {
    deps,
    reports,
    logs,
    until(predicate, timeoutMs = 10_000) {
      const found = reports.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no such report within ${timeoutMs} ms; got ${JSON.stringify(reports)}\nlogs:\n${logs.join("\n")}`));
        }, timeoutMs);
        const check = () => {
          const hit = reports.find(predicate);
          if (!hit) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(hit);
        };
        listeners.add(check);
      });
    },
    containerReports: (name) => reports.flatMap((r) => (r.containers ?? []).filter((c) => c.containerName === name)),
    statuses: () => reports.filter((r) => r.status).map((r) => r.status!),
  };
}

/** A free TCP port on 127.0.0.1 in the dynamic range, as the agent's allocator would pick. */
export async function freeHostPort(bindIp: string): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 49153 + Math.floor(Math.random() * (65535 - 49153));
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(false));
      server.listen(port, bindIp, () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port");
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
