// Runs the real berth binary as a child process, as a user would, on a free port with a
// throwaway data dir, so tests can also kill -9 it and start it again on the same state.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NODE_FLAGS } from "../../src/cli/node-flags.js";
import { packageRoot } from "../../src/paths.js";

export const TEST_ACCESS_KEY = "AKIABERTHTESTKEY0001";
export const TEST_SECRET_KEY = "berth-test-secret-key/0123456789abcdefghij";
export const TEST_ACCOUNT = "123456789012";

export interface BerthProcess {
  endpoint: string;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<number | null>;
  /** SIGKILL: no chance to flush or clean up. */
  kill9(): Promise<void>;
}

export interface StartOptions {
  dataDir?: string;
  port?: number;
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** Flags for node itself, e.g. ["--cpu-prof"] to profile the server. */
  nodeArgs?: string[];
  /** Use the account's fixed test credentials (default) or let berth generate its own. */
  fixedCredentials?: boolean;
  /** The berth to run: a built package elsewhere (default: this repository). */
  packageDir?: string;
}

export function newDataDir(): string {
  return mkdtempSync(join(tmpdir(), "berth-test-"));
}

export async function startBerth(opts: StartOptions = {}): Promise<BerthProcess> {
  const dataDir = opts.dataDir ?? newDataDir();
  const args = [
    ...NODE_FLAGS,
    ...(opts.nodeArgs ?? []),
    join(opts.packageDir ?? packageRoot, "dist/src/cli/main.js"),
    "server",
    "--port",
    String(opts.port ?? 0),
    "--data-dir",
    dataDir,
    "--account-id",
    TEST_ACCOUNT,
    ...(opts.fixedCredentials === false
      ? []
      : ["--access-key-id", TEST_ACCESS_KEY, "--secret-access-key", TEST_SECRET_KEY, "--no-profile"]),
    ...(opts.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`berth did not start in 15 s:\n${out}`)), 15_000);
    const check = () => {
      const m = /endpoint\s+(http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`berth exited with ${code} before starting:\n${out}`));
    });
  });
  return {
    endpoint,
    dataDir,
    child,
    output: () => out,
    async stop() {
      child.kill("SIGTERM");
      return exited;
    },
    async kill9() {
      child.kill("SIGKILL");
      await exited;
    },
  };
}
