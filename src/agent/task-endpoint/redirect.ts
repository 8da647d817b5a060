// The redirect of 169.254.170.2:80 to the task endpoint on 127.0.0.1:<port>, as ecs-init makes
// it for the ECS agent, in one nftables table of this agent process's own (named after its data
// dir), replaced whole in one transaction at each change:
// - the addresses of this agent's containers, awsvpc tasks' interfaces and bridge containers'
//   (once Docker has given them one), are DNATed first, in a chain of higher priority than any
//   berth's catch-all: with several berths on one host, each container reaches the agent that
//   runs it;
// - the catch-all, at lower priority: whatever comes from Docker's bridge (docker0) or berth's
//   VPC bridges (bv-…) is DNATed on prerouting. It serves a bridge container's requests before
//   its address is in the set (Docker gives it at start, so the container may ask first), and
//   everything when berth is alone on its host. The bridges get route_localnet, or the kernel
//   drops packets bound for 127/8 that come from outside;
// - host-network containers (the host's own traffic) are DNATed on output. Their source is the
//   host's: with several berths on one host, whichever table nft runs first gets them (to
//   tell them apart would take matching their cgroup, `socket cgroupv2`, once it exists);
// - what reaches 127.0.0.1:<port> from outside the host's loopback without having been
//   DNATed is dropped: the endpoint is not for the host's neighbours.
// The table outlives a killed agent (its tasks keep their endpoint once it is back) and goes
// on a clean stop.
import { createHash } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import type { Logger } from "../../log/logger.js";
import { findNft, Nft } from "../firewall/nft.js";

export const ENDPOINT_ADDRESS = "169.254.170.2";
const DOCKER_BRIDGE = "docker0";

export const redirectTable = (dataDir: string) => `berth_tmds_${createHash("sha256").update(dataDir).digest("hex").slice(0, 8)}`;

export interface RedirectScript {
  table: string;
  port: number;
  /** The addresses of this agent's awsvpc tasks and bridge containers. */
  sources: readonly string[];
  comment: string;
}

export function renderRedirect({ table, port, sources, comment }: RedirectScript): string {
  const to = `ip daddr ${ENDPOINT_ADDRESS} tcp dport 80 dnat to 127.0.0.1:${port}`;
  const elements = sources.length ? ` elements = { ${[...sources].sort().join(", ")} }` : "";
  return [
    `add table ip ${table}`,
    `delete table ip ${table}`,
    `table ip ${table} {`,
    `  comment "${comment.replace(/["\\]/g, "")}"`,
    `  set tasks { type ipv4_addr;${elements} }`,
    "  chain tasks_prerouting {",
    "    type nat hook prerouting priority dstnat - 1; policy accept;",
    `    ip saddr @tasks ${to}`,
    "  }",
    "  chain prerouting {",
    "    type nat hook prerouting priority dstnat; policy accept;",
    `    iifname "${DOCKER_BRIDGE}" ${to}`,
    `    iifname "bv-*" ${to}`,
    "  }",
    "  chain output {",
    "    type nat hook output priority -100; policy accept;",
    `    ${to}`,
    "  }",
    "  chain input {",
    "    type filter hook input priority filter; policy accept;",
    `    iifname != "lo" ip daddr 127.0.0.0/8 tcp dport ${port} ct status dnat accept`,
    `    iifname != "lo" ip daddr 127.0.0.0/8 tcp dport ${port} drop`,
    "  }",
    "}",
    "",
  ].join("\n");
}

export interface RedirectOptions {
  dataDir: string;
  log: Logger;
  /** Default: the host's nft; missing, there is no redirect (logged). */
  nft?: Nft;
  /** Sets net.ipv4.conf.<iface>.route_localnet=1; default: through /proc. */
  routeLocalnet?: (iface: string) => void;
}

export class Redirect {
  private readonly table: string;
  private nft?: Nft;
  private port?: number;
  private readonly sources = new Map<string, number>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: RedirectOptions) {
    this.table = redirectTable(opts.dataDir);
  }

  get tableName(): string {
    return this.table;
  }

  /** Redirects to `port`; without nft (or the right to use it) the endpoint is only reachable on loopback. */
  async start(port: number): Promise<void> {
    this.port = port;
    const binary = this.opts.nft ? undefined : findNft();
    this.nft = this.opts.nft ?? (binary ? new Nft(binary) : undefined);
    if (!this.nft) {
      this.opts.log.warn("nft is missing: containers cannot reach the task endpoint at 169.254.170.2 (install nftables)");
      return;
    }
    this.localnet(DOCKER_BRIDGE);
    await this.apply().catch((err: unknown) => {
      this.opts.log.warn("could not redirect 169.254.170.2 to the task endpoint", { err });
      this.nft = undefined;
    });
  }

  /** An awsvpc task's address (once its VPC's bridge exists) or a bridge container's: DNATed before any berth's catch-all. */
  async addSource(address: string, bridge?: string): Promise<void> {
    if (bridge) this.localnet(bridge);
    this.sources.set(address, (this.sources.get(address) ?? 0) + 1);
    await this.apply();
  }

  async removeSource(address: string): Promise<void> {
    const n = (this.sources.get(address) ?? 0) - 1;
    if (n > 0) this.sources.set(address, n);
    else this.sources.delete(address);
    await this.apply();
  }

  /** Removes the table (a clean stop). */
  async stop(): Promise<void> {
    await this.queue;
    const nft = this.nft;
    this.nft = undefined;
    await nft?.deleteTable(this.table, "ip");
  }

  private apply(): Promise<void> {
    const next = this.queue.then(async () => {
      if (!this.nft || this.port === undefined) return;
      await this.nft.apply(
        renderRedirect({
          table: this.table,
          port: this.port,
          sources: [...this.sources.keys()],
          comment: `berth task endpoint pid ${process.pid}`,
        }),
      );
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private localnet(iface: string): void {
    try {
      if (this.opts.routeLocalnet) this.opts.routeLocalnet(iface);
      else {
        const file = `/proc/sys/net/ipv4/conf/${iface}/route_localnet`;
        if (existsSync(file)) writeFileSync(file, "1");
      }
    } catch (err) {
      this.opts.log.warn("could not set route_localnet: containers on this bridge cannot reach the task endpoint", { iface, err });
    }
  }
}
