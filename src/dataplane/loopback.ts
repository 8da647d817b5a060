// Load balancers' interface addresses on the host's loopback device (`ip addr add A/32 dev
// lo`): HAProxy connects to ip targets from them, so a task sees (and its security groups
// judge) the load balancer's own address. Kept on lo rather than on the VPC's bridge so they
// outlast Docker's networks; the host answers ARP for them on the bridge. Each data directory
// labels its addresses, so it removes only its own.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";

/** lo's label for this data directory's addresses (at most 15 characters). */
export const loopbackLabel = (dataDir: string) => `lo:b${createHash("sha256").update(dataDir).digest("hex").slice(0, 8)}`;

/** The addresses on lo under `label`. */
export function labelledAddresses(label: string): string[] {
  const out = execFileSync("ip", ["-o", "-4", "addr", "show", "dev", "lo"], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((line) => line.trim().endsWith(` ${label}`) || line.includes(` ${label}\\`))
    .map((line) => /inet (\d+\.\d+\.\d+\.\d+)\/32/.exec(line)?.[1])
    .filter((a): a is string => a !== undefined);
}

/** Makes lo hold exactly `wanted` under `label`: adds the missing, removes the rest. */
export function syncLoopback(label: string, wanted: readonly string[]): void {
  const present = new Set(labelledAddresses(label));
  for (const address of wanted) {
    if (!present.has(address)) execFileSync("ip", ["addr", "add", `${address}/32`, "dev", "lo", "label", label], { stdio: "ignore" });
  }
  for (const address of present) {
    if (!wanted.includes(address)) execFileSync("ip", ["addr", "del", `${address}/32`, "dev", "lo"], { stdio: "ignore" });
  }
}
