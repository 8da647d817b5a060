// Runs the real `berth agent` as a child process against a running berth, on this host's Docker.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { NODE_FLAGS } from "../../src/cli/node-flags.js";
import { packageRoot } from "../../src/paths.js";
import { newDataDir, TEST_ACCESS_KEY, TEST_SECRET_KEY } from "./berth-process.js";

export interface AgentProcess {
  child: ChildProcess;
  dataDir: string;
  output(): string;
  /** Resolves once every expected registration was printed. */
  registered: Promise<string[]>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function startAgent(
  endpoint: string,
  opts: { args?: string[]; dataDir?: string; registrations?: number; env?: NodeJS.ProcessEnv; packageDir?: string } = {},
): AgentProcess {
  const dataDir = opts.dataDir ?? newDataDir();
  const child = spawn(
    process.execPath,
    [
      ...NODE_FLAGS,
      join(opts.packageDir ?? packageRoot, "dist/src/cli/main.js"),
      "agent",
      "--endpoint",
      endpoint,
      "--access-key-id",
      TEST_ACCESS_KEY,
      "--secret-access-key",
      TEST_SECRET_KEY,
      "--data-dir",
      dataDir,
      ...(opts.args ?? []),
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...opts.env } },
  );
  let out = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const expected = opts.registrations ?? 1;
  const registered = new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`agent did not register in 60 s:\n${out}`)), 60_000);
    const check = () => {
      const arns = [...out.matchAll(/registered: (arn:\S+)/g)].map((m) => m[1]!);
      if (arns.length >= expected) {
        clearTimeout(timer);
        resolve(arns);
      }
    };
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      check();
    });
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`agent exited with ${code}:\n${out}`));
    });
  });
  registered.catch(() => undefined);
  return {
    child,
    dataDir,
    output: () => out,
    registered,
    async kill(signal = "SIGTERM") {
      child.kill(signal);
      await exited;
    },
  };
}
