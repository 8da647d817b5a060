// The agent's enforcement of its host's security groups: one nftables table per agent, named
// after its container instance, replaced in one transaction by each policy the control plane
// sends. The table outlives the agent on purpose: killed, the agent leaves its tasks' rules in
// force (fail closed), and once started again keeps them until its first policy replaces them.
import { createHash } from "node:crypto";
import type { Logger } from "../../log/logger.js";
import type { FirewallPolicy } from "../../wire/firewall.js";
import { findNft, Nft, NftUnavailable } from "./nft.js";
import { renderPolicy } from "./render.js";

/** The ECS credentials endpoint, which a task reaches whatever its groups (as on AWS). */
export const CREDENTIALS_ENDPOINT = "169.254.170.2";

const TABLE = /^berth_[0-9a-f]{8}$/;
const OWNER = /^berth agent pid (\d+)/;

/** The table of the agent registered as `containerInstanceArn`: berth_ and 8 hex digits of its hash. */
export const firewallTable = (containerInstanceArn: string) =>
  `berth_${createHash("sha256").update(containerInstanceArn).digest("hex").slice(0, 8)}`;

const ownerComment = (pid: number) => `berth agent pid ${pid}`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface FirewallOptions {
  log: Logger;
  /** The nft command; default: the one on this host, or NftUnavailable from start(). */
  nft?: Nft;
  pid?: number;
}

export class Firewall {
  private nft?: Nft;
  private table?: string;
  private applied = "";
  /** This agent's table under an earlier registration: removed once the new one is in force. */
  private previous?: string;
  /** Policies are applied one at a time, in the order they came. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly pid: number;

  constructor(private readonly opts: FirewallOptions) {
    this.nft = opts.nft;
    this.pid = opts.pid ?? process.pid;
  }

  get tableName(): string | undefined {
    return this.table;
  }

  /**
   * Finds nft and removes the tables of dead agents other than this one: another agent's
   * table whose owner process is gone judges tasks no one enforces any more. This agent's own
   * table stays until its first policy replaces it.
   */
  async start(containerInstanceArn: string): Promise<void> {
    if (!this.nft) {
      const binary = findNft();
      if (!binary)
        throw new NftUnavailable(
          "berth enforces security groups with nftables and the nft command is missing: install it " +
            "(Debian/Ubuntu: `sudo apt-get install -y nftables`), or start the agent with --security-groups off.",
        );
      this.nft = new Nft(binary);
    }
    const table = firewallTable(containerInstanceArn);
    if (this.table && this.table !== table) this.previous = this.table;
    if (this.table !== table) this.applied = "";
    this.table = table;
    for (const table of await this.nft.inetTables()) {
      if (!TABLE.test(table) || table === this.table) continue;
      const owner = OWNER.exec((await this.nft.comment(table)) ?? "");
      if (!owner || alive(Number(owner[1]))) continue;
      this.opts.log.info("removing the firewall table of an agent that is gone", { table, pid: Number(owner[1]) });
      await this.nft
        .deleteTable(table)
        .catch((err: unknown) => this.opts.log.warn("could not remove a stale firewall table", { table, err }));
    }
  }

  /** Replaces the table with `policy`'s; one policy at a time, a repeat of the last one costs nothing. */
  apply(policy: FirewallPolicy): Promise<void> {
    const next = this.queue.then(() => this.replace(policy));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async replace(policy: FirewallPolicy): Promise<void> {
    if (!this.nft || !this.table) throw new Error("the firewall is not started");
    const script = renderPolicy(policy, { table: this.table, comment: ownerComment(this.pid), exempt: [CREDENTIALS_ENDPOINT] });
    if (script === this.applied) return;
    await this.nft.apply(script);
    this.applied = script;
    if (this.previous) {
      await this.nft.deleteTable(this.previous);
      this.previous = undefined;
    }
    this.opts.log.debug("security groups applied", { table: this.table, interfaces: policy.interfaces.length });
  }

  /**
   * Ends enforcement: the table is removed only when `keepRules` is false (no task of this
   * agent keeps running); otherwise it stays, so tasks left running are never left open.
   */
  async stop(keepRules: boolean): Promise<void> {
    await this.queue;
    if (keepRules || !this.nft || !this.table) return;
    await this.nft.deleteTable(this.table);
    this.applied = "";
  }
}
