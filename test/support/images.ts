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
