// Test images built on this machine: no registry is reachable from the tests, so the one image
// they run is `FROM scratch` plus Debian's static busybox (sh, sleep, httpd, nc, wget, tail, …).
import Docker from "dockerode";
import { ensureBusyboxImage as buildBusyboxImage } from "../../src/runtime/docker/local-image.js";

export const BUSYBOX_IMAGE = "berth-test/busybox:latest";

/** One build per tag per process, however many tests ask at once. */
const building = new Map<string, Promise<string>>();

/** Builds the scratch+busybox image under `tag` unless Docker already has it; returns the tag. */
export function ensureBusyboxImage(tag = BUSYBOX_IMAGE, docker = new Docker()): Promise<string> {
  let pending = building.get(tag);
  if (!pending) {
    pending = buildBusyboxImage(docker, tag);
    building.set(tag, pending);
    pending.catch(() => building.delete(tag));
  }
  return pending;
}

/**
 * Removes every container berth started for `cluster` (by its ECS cluster label), running or
 * not: a suite that leaves its `sleep 600` tasks behind slows Docker for every suite after it.
 */
export async function removeClusterContainers(cluster: string, docker = new Docker()): Promise<void> {
  for (const c of await docker.listContainers({ all: true, filters: { label: ["com.amazonaws.ecs.cluster"] } })) {
    if (c.Labels["com.amazonaws.ecs.cluster"]?.endsWith(`/${cluster}`))
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined);
  }
}
