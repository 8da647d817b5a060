// The nft command: berth's one way to change the host's nftables. A script goes to `nft -f -`,
// which applies it as one transaction (all of it, or nothing).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export class NftUnavailable extends Error {}

/** Where nft is, or undefined: it lives in sbin, often not on a user's PATH. */
export function findNft(): string | undefined {
  const dirs = (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]);
  for (const dir of dirs) if (dir && existsSync(join(dir, "nft"))) return join(dir, "nft");
  return undefined;
}

export class Nft {
  constructor(private readonly binary: string) {}

  /** Runs nft with `args`, `input` on its stdin; resolves with its stdout, rejects with its stderr. */
  run(args: readonly string[], input?: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, args, { stdio: ["pipe", "pipe", "pipe"] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on("data", (d: Buffer) => out.push(d));
      child.stderr.on("data", (d: Buffer) => err.push(d));
      child.on("error", reject);
      child.on("close", (code) => {
        if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
        else reject(new Error(`nft ${args.join(" ")} failed (${code}): ${Buffer.concat(err).toString("utf8").trim().slice(0, 2000)}`));
      });
      child.stdin.on("error", () => undefined);
      child.stdin.end(input ?? "");
    });
  }

  /** Applies a script as one transaction. */
  apply(script: string): Promise<string> {
    return this.run(["-f", "-"], script);
  }

  /** Checks a script without applying it (still needs CAP_NET_ADMIN). */
  check(script: string): Promise<string> {
    return this.run(["-c", "-f", "-"], script);
  }

  /** The names of the host's inet tables. */
  async inetTables(): Promise<string[]> {
    const listing = JSON.parse(await this.run(["-j", "list", "tables", "inet"])) as {
      nftables: { table?: { family: string; name: string } }[];
    };
    return listing.nftables.flatMap((e) => (e.table?.family === "inet" ? [e.table.name] : []));
  }

  /** A table's comment, or undefined when it has none (or is gone). */
  async comment(table: string): Promise<string | undefined> {
    // `nft -j` leaves table comments out; the text listing starts with it.
    const text = await this.run(["-t", "list", "table", "inet", table]).catch(() => "");
    return /^\s*comment "([^"]*)"/m.exec(text)?.[1];
  }

  async deleteTable(table: string, family: "inet" | "ip" = "inet"): Promise<void> {
    await this.apply(`add table ${family} ${table}\ndelete table ${family} ${table}\n`);
  }
}
