// Named volumes on Docker (ECS task volumes with dockerVolumeConfiguration).
import type Docker from "dockerode";
import { call, statusCode, toRuntimeError } from "./client.js";

export interface VolumeOptions {
  driver?: string;
  driverOpts?: Record<string, string>;
  labels?: Record<string, string>;
}

/** Docker itself answers an existing name with that volume, which makes this idempotent. */
export async function createVolume(docker: Docker, name: string, opts: VolumeOptions): Promise<void> {
  await call(() =>
    docker.createVolume({ Name: name, Driver: opts.driver ?? "local", DriverOpts: opts.driverOpts ?? {}, Labels: opts.labels ?? {} }),
  );
}

/** A volume still in use rejects with kind "conflict" (Docker's 409). */
export async function removeVolume(docker: Docker, name: string): Promise<void> {
  try {
    await docker.getVolume(name).remove();
  } catch (err) {
    if (statusCode(err) === 404) return;
    throw toRuntimeError(err);
  }
}
