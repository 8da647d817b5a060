// Task volumes on this host. `host.sourcePath`: a bind mount of that path. No host and no
// docker configuration, or dockerVolumeConfiguration with scope "task": a Docker volume of
// this task alone, named after it and removed with it. scope "shared": the named volume itself,
// created when `autoprovision` is set and kept when the task ends (without autoprovision Docker
// creates a missing one with the default driver at mount time, where ECS would fail the task).
import type { TaskDefinition, Volume } from "@aws-sdk/client-ecs";
import type { Logger } from "../../log/logger.js";
import type { RuntimeDriver } from "../../runtime/driver.js";
import type { VolumeSources } from "./container-spec.js";
import { failure, TaskFailure } from "./failure.js";
import { LABEL, type TaskIdentity } from "./identity.js";

export interface PlannedVolume {
  /** The task definition's name for it. */
  name: string;
  type: "bind" | "volume";
  /** Host path or Docker volume name. */
  source: string;
  /** Create before the containers (Docker volumes only). */
  create?: { driver?: string; driverOpts?: Record<string, string>; labels: Record<string, string> };
  /** Removed with the task's containers. */
  taskScoped: boolean;
}

export function planVolumes(td: TaskDefinition, task: TaskIdentity): PlannedVolume[] {
  return (td.volumes ?? []).map((v) => planVolume(v, task));
}

function planVolume(v: Volume, task: TaskIdentity): PlannedVolume {
  const name = v.name!;
  const unsupported = v.efsVolumeConfiguration
    ? "EFS"
    : v.fsxWindowsFileServerVolumeConfiguration
      ? "FSx for Windows File Server"
      : v.s3filesVolumeConfiguration
        ? "S3 Files"
        : undefined;
  if (unsupported) throw new TaskFailure(`ResourceInitializationError: volume ${name}: ${unsupported} volumes are not available on berth`);
  if (v.host?.sourcePath) return { name, type: "bind", source: v.host.sourcePath, taskScoped: false };
  const config = v.dockerVolumeConfiguration;
  const labels = { ...(config?.labels ?? {}), [LABEL.managed]: "1" };
  if (config?.scope === "shared") {
    return {
      name,
      type: "volume",
      source: name,
      taskScoped: false,
      ...(config.autoprovision ? { create: createOptions(config, labels) } : {}),
    };
  }
  return {
    name,
    type: "volume",
    source: `ecs-${task.family}-${task.revision}-${name}-${task.taskId}`,
    taskScoped: true,
    create: createOptions(config, { ...labels, [LABEL.taskArn]: task.taskArn }),
  };
}

function createOptions(config: Volume["dockerVolumeConfiguration"], labels: Record<string, string>): NonNullable<PlannedVolume["create"]> {
  return {
    ...(config?.driver ? { driver: config.driver } : {}),
    ...(config?.driverOpts ? { driverOpts: config.driverOpts } : {}),
    labels,
  };
}

export function volumeSources(plan: readonly PlannedVolume[]): VolumeSources {
  return new Map(plan.map((v) => [v.name, { type: v.type, source: v.source }]));
}

export async function provisionVolumes(driver: RuntimeDriver, plan: readonly PlannedVolume[]): Promise<void> {
  await Promise.all(
    plan.map(async (v) => {
      if (!v.create) return;
      try {
        await driver.createVolume(v.source, v.create);
      } catch (err) {
        throw failure(`ResourceInitializationError: failed to create volume ${v.name}`, err);
      }
    }),
  );
}

/** Call once the task's containers are gone: a volume still in use cannot be removed. */
export async function removeTaskVolumes(driver: RuntimeDriver, plan: readonly PlannedVolume[], log: Logger): Promise<void> {
  for (const v of plan.filter((p) => p.taskScoped)) {
    await driver.removeVolume(v.source).catch((err: unknown) => log.warn("could not remove a volume", { volume: v.source, err }));
  }
}
