// The pause image the awsvpc tests run: busybox sleeping forever, built locally by the same
// code berth's agent uses for its own pause image (no registry is reachable).
import Docker from "dockerode";
import { ensureBusyboxImage } from "../../src/runtime/docker/local-image.js";

export const PAUSE_IMAGE = "berth-test/pause:latest";

export function ensurePauseImage(docker = new Docker()): Promise<string> {
  return ensureBusyboxImage(docker, PAUSE_IMAGE, ["/bin/sleep", "2147483647"]);
}
