// Images berth builds on the host itself, since no registry may be reachable: `FROM scratch`
// plus a static busybox (Debian's busybox-static). The awsvpc pause container runs on one.
import { execFileSync } from "node:child_process";
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type Docker from "dockerode";

const CANDIDATES = ["/bin/busybox", "/usr/bin/busybox"];

/** Builds `tag` from scratch + busybox with `cmd` as its command, unless Docker has it. */
export async function ensureBusyboxImage(docker: Docker, tag: string, cmd: string[] = ["/bin/sh"]): Promise<string> {
  if (await hasImage(docker, tag)) return tag;
  const context = mkdtempSync(join(tmpdir(), "berth-image-"));
  try {
    copyFileSync(staticBusybox(), join(context, "busybox"));
    const dockerfile = `FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\nCMD ${JSON.stringify(cmd)}\n`;
    writeFileSync(join(context, "Dockerfile"), dockerfile);
    const stream = (await docker.buildImage(
      { context, src: ["Dockerfile", "busybox"] },
      { t: tag, rm: true, forcerm: true },
    )) as unknown as Readable;
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (err: Error | null, output: { error?: string }[]) => {
        const failure = err?.message ?? output.find((line) => line.error)?.error;
        if (failure) reject(new Error(`building ${tag}: ${failure}`));
        else resolve();
      });
    });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return tag;
}

async function hasImage(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

/** The static busybox to build with; installs Debian's busybox-static when root and missing. */
export function staticBusybox(): string {
  const found = CANDIDATES.find((path) => existsSync(path) && isStatic(path));
  if (found) return found;
  if (process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")) {
    const apt = (...args: string[]) =>
      execFileSync("apt-get", args, { stdio: "ignore", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    try {
      apt("install", "-y", "-qq", "busybox-static");
    } catch {
      apt("update", "-qq"); // a fresh machine may have no package lists yet
      apt("install", "-y", "-qq", "busybox-static");
    }
    const installed = CANDIDATES.find((path) => existsSync(path) && isStatic(path));
    if (installed) return installed;
  }
  throw new Error("a static busybox is needed at /bin/busybox (Debian: apt-get install -y busybox-static)");
}

/** A dynamically linked busybox would not run in a scratch image: it has an ELF PT_INTERP header. */
function isStatic(path: string): boolean {
  const header = Buffer.alloc(4096);
  const fd = openSync(path, "r");
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2) return false; // not 64-bit ELF
  const phoff = Number(header.readBigUInt64LE(0x20));
  const phentsize = header.readUInt16LE(0x36);
  const phnum = header.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const offset = phoff + i * phentsize;
    if (offset + 4 > header.length) return false;
    if (header.readUInt32LE(offset) === 3) return false; // PT_INTERP
  }
  return true;
}
