// `berth up` needs a Docker Engine: use the running one; as root on Debian/Ubuntu install
// docker.io and start dockerd; otherwise say exactly what to do.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, openSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "../log/logger.js";
import type { RuntimeDriver } from "../runtime/driver.js";
import { findNft, NftUnavailable } from "../agent/firewall/nft.js";
import { HAPROXY } from "../dataplane/haproxy/process.js";

export class DockerUnavailable extends Error {}

async function reachable(driver: RuntimeDriver): Promise<boolean> {
  try {
    await driver.ping();
    return true;
  } catch {
    return false;
  }
}

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(":").concat(["/usr/sbin", "/sbin"])) {
    if (existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return undefined;
}

export async function ensureDocker(driver: RuntimeDriver, dataDir: string, log: Logger): Promise<void> {
  if (await reachable(driver)) return;
  const root = process.getuid?.() === 0;
  if (!which("dockerd")) {
    if (!root || !existsSync("/usr/bin/apt-get")) {
      throw new DockerUnavailable(
        "berth needs Docker Engine and none is running. Install and start it (Debian/Ubuntu: " +
          "`sudo apt-get install -y docker.io && sudo systemctl start docker`), or run `./berth up` as root to let berth do it.",
      );
    }
    log.info("installing Docker Engine (apt-get install docker.io)");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    execFileSync("apt-get", ["install", "-y", "-qq", "docker.io"], { stdio: "inherit", env });
  }
  if (!root)
    throw new DockerUnavailable(
      "Docker Engine is installed but not running: start it (`sudo systemctl start docker`) or run berth as root.",
    );
  log.info("starting dockerd", { output: join(dataDir, "dockerd.log") });
  const out = openSync(join(dataDir, "dockerd.log"), "a");
  const daemon = spawn(which("dockerd")!, [], { detached: true, stdio: ["ignore", out, out] });
  daemon.unref();
  for (let i = 0; i < 120; i++) {
    if (await reachable(driver)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new DockerUnavailable(`dockerd did not come up within 30 s; see ${join(dataDir, "dockerd.log")}`);
}

/**
 * The agent enforces security groups with nft: as root on Debian/Ubuntu berth installs the
 * nftables package when it is missing; otherwise says how to install it or turn enforcement off.
 */
export function ensureNft(log: Logger): void {
  if (findNft()) return;
  const root = process.getuid?.() === 0;
  if (root && existsSync("/usr/bin/apt-get")) {
    log.info("installing nftables (apt-get install nftables)");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    execFileSync("apt-get", ["install", "-y", "-qq", "nftables"], { stdio: "inherit", env });
    if (findNft()) return;
  }
  throw new NftUnavailable(
    "berth enforces security groups with nftables and the nft command is missing: install it " +
      "(Debian/Ubuntu: `sudo apt-get install -y nftables`), or turn enforcement off with --security-groups off " +
      "(BERTH_SECURITY_GROUPS=off).",
  );
}

export class HaproxyUnavailable extends Error {}

/**
 * The control plane serves load balancers with HAProxy: as root on Debian/Ubuntu berth installs
 * the haproxy package when it is missing; otherwise says how to install it or turn them off.
 */
export function ensureHaproxy(log: Logger): void {
  if (existsSync(HAPROXY)) return;
  if (process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")) {
    log.info("installing haproxy (apt-get install haproxy)");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    execFileSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    execFileSync("apt-get", ["install", "-y", "-qq", "haproxy"], { stdio: "inherit", env });
    // Debian's package starts its own haproxy service; berth runs its own processes.
    execFileSync("sh", ["-c", "command -v systemctl >/dev/null && systemctl disable --now haproxy || true"], { stdio: "ignore" });
    if (existsSync(HAPROXY)) return;
  }
  throw new HaproxyUnavailable(
    `berth serves load balancers with HAProxy and ${HAPROXY} is missing: install it ` +
      "(Debian/Ubuntu: `sudo apt-get install -y haproxy`), or turn load balancers off with --load-balancers off " +
      "(BERTH_LOAD_BALANCERS=off).",
  );
}
