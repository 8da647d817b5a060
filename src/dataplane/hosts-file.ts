// Load balancers' names on the host: a block of /etc/hosts that berth owns, one per data
// directory ("# berth <dir> begin" … "# berth <dir> end"), each line "<loopback> <DNSName>".
// The file is rewritten in place rather than replaced (in a container /etc/hosts is a bind
// mount), under a lock file that several berths on one host share; other blocks and lines
// are left as they are.
import { closeSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";

export interface HostName {
  address: string;
  name: string;
}

/** The hosts file's text with this directory's block holding `names` (no block when there are none). */
export function withBlock(text: string, dataDir: string, names: readonly HostName[]): string {
  const begin = `# berth ${dataDir} begin`;
  const end = `# berth ${dataDir} end`;
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const from = lines.indexOf(begin);
  const to = lines.indexOf(end, from);
  const kept = from >= 0 && to > from ? [...lines.slice(0, from), ...lines.slice(to + 1)] : lines;
  if (names.length === 0) return kept.length === 0 ? "" : kept.join("\n") + "\n";
  const block = [begin, ...[...names].sort((a, b) => (a.name < b.name ? -1 : 1)).map((n) => `${n.address} ${n.name}`), end];
  return [...kept, ...block].join("\n") + "\n";
}

/** Rewrites this directory's block of the hosts file at `path`, under its lock. */
export async function writeHostsBlock(path: string, dataDir: string, names: readonly HostName[]): Promise<void> {
  const lock = `${path}.berth-lock`;
  await acquire(lock);
  try {
    const before = readFileSync(path, "utf8");
    const after = withBlock(before, dataDir, names);
    if (after !== before) writeFileSync(path, after);
  } finally {
    rmSync(lock, { force: true });
  }
}

async function acquire(lock: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      closeSync(openSync(lock, "wx"));
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      // A holder that died leaves its lock: one older than a few seconds is taken over.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 5_000 || attempt > 500) rmSync(lock, { force: true });
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
