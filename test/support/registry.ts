// A local image registry (Debian's docker-registry) on 127.0.0.1, optionally behind
// htpasswd credentials, so tests exercise real pulls without reaching any other address.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { waitFor } from "./wait.js";

export interface LocalRegistry {
  address: string;
  /** Pushes a local image under `name` (e.g. "app:1"); returns the full reference. */
  push(localImage: string, name: string): string;
  stop(): Promise<void>;
}

export async function startRegistry(auth?: { username: string; password: string }): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), "berth-registry-"));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  let authBlock = "";
  if (auth) {
    execFileSync("htpasswd", ["-Bbc", join(dir, "htpasswd"), auth.username, auth.password], { stdio: "ignore" });
    authBlock = `auth:\n  htpasswd:\n    realm: berth-test\n    path: ${join(dir, "htpasswd")}\n`;
  }
  writeFileSync(
    join(dir, "config.yml"),
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, "data")}\nhttp:\n  addr: ${address}\n${authBlock}`,
  );
  const child: ChildProcess = spawn("docker-registry", ["serve", join(dir, "config.yml")], { stdio: "ignore" });
  await waitFor(
    async () => {
      const res = await fetch(`http://${address}/v2/`);
      return res.status === 200 || res.status === 401;
    },
    { message: "docker-registry to answer", retryErrors: true },
  );
  // A docker config dir of our own keeps the login out of the user's ~/.docker.
  const dockerConfig = join(dir, "docker");
  if (auth) {
    execFileSync("docker", ["--config", dockerConfig, "login", address, "-u", auth.username, "--password-stdin"], {
      input: auth.password,
      stdio: ["pipe", "ignore", "ignore"],
    });
  }
  return {
    address,
    push(localImage, name) {
      const ref = `${address}/${name}`;
      execFileSync("docker", ["tag", localImage, ref], { stdio: "ignore" });
      execFileSync("docker", ["--config", dockerConfig, "push", ref], { stdio: "ignore" });
      // Untag, so the agent has to pull it through the registry.
      execFileSync("docker", ["rmi", ref], { stdio: "ignore" });
      return ref;
    },
    async stop() {
      child.kill();
      await new Promise((r) => child.once("exit", r));
    },
  };
}
