// HAProxy as a process of its own, detached from the control plane: started in master-worker
// mode and daemonised (so a kill -9 of berth leaves it serving), reloaded through its master
// socket (the new worker takes the listening sockets over from the old one through the
// admin socket's expose-fd: no connection is refused), stopped by a signal to the master.
import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { answers, haproxyCommand } from "./socket.js";

export const HAPROXY = process.env["BERTH_HAPROXY"] ?? "/usr/sbin/haproxy";

export interface HaproxyFiles {
  dir: string;
  config: string;
  pid: string;
  master: string;
  admin: string;
  serverState: string;
  /** What the engine applied last (structure and servers), for a restarted control plane. */
  applied: string;
}

export function haproxyFiles(dir: string): HaproxyFiles {
  return {
    dir,
    config: join(dir, "haproxy.cfg"),
    pid: join(dir, "haproxy.pid"),
    master: join(dir, "master.sock"),
    admin: join(dir, "admin.sock"),
    serverState: join(dir, "server-state"),
    applied: join(dir, "applied.json"),
  };
}

/** The master's pid when a HAProxy of this directory runs and answers. */
export async function runningMaster(files: HaproxyFiles): Promise<number | undefined> {
  const pid = masterPid(files);
  if (pid === undefined || !alive(pid)) return undefined;
  return (await answers(files.master)) && (await answers(files.admin)) ? pid : undefined;
}

function masterPid(files: HaproxyFiles): number | undefined {
  if (!existsSync(files.pid)) return undefined;
  const pid = Number(readFileSync(files.pid, "utf8").trim().split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Checks a configuration file; throws HAProxy's own complaint. */
export function checkConfig(path: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(HAPROXY, ["-c", "-q", "-f", path], (err, _stdout, stderr) =>
      err ? reject(new Error(`haproxy rejects its configuration: ${stderr.trim() || err.message}`)) : resolve(),
    ),
  );
}

/** Starts HAProxy on the written configuration; resolves once its worker answers. */
export async function startHaproxy(files: HaproxyFiles): Promise<void> {
  rmSync(files.master, { force: true });
  rmSync(files.admin, { force: true });
  await new Promise<void>((resolve, reject) => {
    const child = spawn(HAPROXY, ["-W", "-D", "-S", `${files.master},mode,600`, "-f", files.config, "-p", files.pid], {
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`haproxy did not start (exit ${code}): ${stderr.trim()}`))));
  });
  await waitFor(() => answers(files.admin), 10_000, "haproxy's admin socket");
}

/** Reloads the master on the written configuration; resolves once a new worker serves it. */
export async function reloadHaproxy(files: HaproxyFiles): Promise<void> {
  const before = await currentWorker(files);
  await haproxyCommand(files.master, "reload").catch(() => ""); // the master re-executes itself and drops the connection
  await waitFor(
    async () => {
      const worker = await currentWorker(files).catch(() => undefined);
      return worker !== undefined && worker !== before && (await answers(files.admin));
    },
    15_000,
    "haproxy's reloaded worker",
  );
}

/** The pid of the worker the master calls current ("# workers" in `show proc`). */
async function currentWorker(files: HaproxyFiles): Promise<number | undefined> {
  const lines = (await haproxyCommand(files.master, "show proc")).split("\n");
  const start = lines.findIndex((l) => l.startsWith("# workers"));
  const first = start < 0 ? undefined : lines[start + 1];
  if (!first || first.startsWith("#")) return undefined;
  return Number(first.trim().split(/\s+/)[0]);
}

/** Stops HAProxy (master and workers) and waits until it is gone. */
export async function stopHaproxy(files: HaproxyFiles): Promise<void> {
  const pid = masterPid(files);
  if (pid !== undefined && alive(pid)) {
    process.kill(pid, "SIGTERM");
    await waitFor(async () => !alive(pid), 10_000, "haproxy to stop").catch(() => process.kill(pid, "SIGKILL"));
  }
  for (const path of [files.pid, files.master, files.admin]) rmSync(path, { force: true });
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
