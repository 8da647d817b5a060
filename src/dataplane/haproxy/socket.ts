// HAProxy's command-line interfaces over their Unix sockets: the worker's runtime API
// (admin.sock) and the master's (master.sock). Each call opens a connection, sends its
// commands (";"-separated) and reads until HAProxy closes it.
import { connect } from "node:net";

export function haproxyCommand(socketPath: string, command: string, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(socketPath);
    const timer = setTimeout(() => socket.destroy(new Error(`no answer from ${socketPath} to "${command}"`)), timeoutMs);
    // The master's CLI answers once the request side is closed; the runtime API either way.
    socket.on("connect", () => socket.end(`${command}\n`));
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
  });
}

/** Whether something answers on the socket. */
export async function answers(socketPath: string): Promise<boolean> {
  try {
    await haproxyCommand(socketPath, "show info", 1_000);
    return true;
  } catch {
    return false;
  }
}

/** The named columns of `show stat`'s CSV, one record per line ("" where a line lacks one). */
export function parseStat<C extends string>(csv: string, columns: readonly C[]): Record<C, string>[] {
  const lines = csv.split("\n").filter((l) => l.trim() !== "");
  const header = lines.shift();
  if (!header?.startsWith("# ")) return [];
  const names = header.slice(2).split(",");
  const at = columns.map((c) => names.indexOf(c));
  // Only the wanted columns become properties: a poll of thousands of servers builds no hundred-key records.
  return lines.map((line) => {
    const values = line.split(",");
    return Object.fromEntries(columns.map((c, i) => [c, values[at[i]!] ?? ""])) as Record<C, string>;
  });
}
