// The pause image the awsvpc tests run: busybox sleeping forever, built locally from the test
// busybox image (no registry is reachable).
import type { Readable } from "node:stream";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { ensureBusyboxImage } from "../support/images.js";

export const PAUSE_IMAGE = "berth-test/pause:latest";

export async function ensurePauseImage(docker = new Docker()): Promise<string> {
  const busybox = await ensureBusyboxImage();
  try {
    await docker.getImage(PAUSE_IMAGE).inspect();
    return PAUSE_IMAGE;
  } catch {
    // built below
  }
  const context = mkdtempSync(join(tmpdir(), "berth-pause-"));
  try {
    writeFileSync(join(context, "Dockerfile"), `FROM ${busybox}\nCMD ["sleep", "2147483647"]\n`);
    const stream = (await docker.buildImage({ context, src: ["Dockerfile"] }, { t: PAUSE_IMAGE, rm: true, forcerm: true })) as unknown as Readable;
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (err: Error | null, output: { error?: string }[]) => {
        const failure = err?.message ?? output.find((line) => line.error)?.error;
        if (failure) reject(new Error(`building ${PAUSE_IMAGE}: ${failure}`));
        else resolve();
      });
    });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return PAUSE_IMAGE;
}
