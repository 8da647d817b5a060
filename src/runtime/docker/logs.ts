// A container's output from Docker's logs API (json-file keeps it), with the engine's timestamps.
// Without a terminal the answer is multiplexed: 8-byte frame headers (stream, size) around each
// message. Every message is "<RFC3339Nano timestamp> <text>"; a line longer than json-file's 16 KB
// buffer is stored as several messages of which only the last ends with a line feed, so the parts
// are joined back into one line here.
import type Docker from "dockerode";
import type { LogLine } from "../driver.js";
import { call } from "./client.js";

type Stream = LogLine["stream"];

export async function* containerLogs(docker: Docker, id: string, opts: { sinceNs?: bigint; follow: boolean }): AsyncGenerator<LogLine> {
  const container = docker.getContainer(id);
  const info = await call(() => container.inspect(), `logs of ${id}`);
  const options = {
    stdout: true,
    stderr: true,
    timestamps: true,
    // Docker reads "seconds.nanoseconds" and keeps lines stamped at or after it.
    ...(opts.sinceNs !== undefined ? { since: sinceParameter(opts.sinceNs) } : {}),
  };
  const answer = opts.follow
    ? await call(() => container.logs({ ...options, follow: true }), `logs of ${id}`)
    : await call(() => container.logs({ ...options, follow: false }), `logs of ${id}`);
  const source = answer;
  const chunks: Iterable<Buffer> | AsyncIterable<Buffer> = Buffer.isBuffer(source) ? [source] : (source as AsyncIterable<Buffer>);
  const parser = info.Config.Tty ? new RawParser() : new FrameParser();
  try {
    for await (const chunk of chunks) yield* parser.push(chunk);
    yield* parser.end();
  } finally {
    if (!Buffer.isBuffer(source)) (source as unknown as { destroy?: () => void }).destroy?.();
  }
}

export function sinceParameter(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, "0");
  return `${seconds}.${fraction}`;
}

/** "2026-12-06T16:55:02.123456789Z" → nanoseconds since the epoch. */
export function parseTimestamp(stamp: string): bigint | undefined {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(stamp);
  if (!match) return undefined;
  const ms = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((match[2] ?? "").padEnd(9, "0"));
}

/** One message: its timestamp, its text, whether it ends a line. */
function message(text: string): { timeNs: bigint; text: string; complete: boolean } | undefined {
  const space = text.indexOf(" ");
  const timeNs = space > 0 ? parseTimestamp(text.slice(0, space)) : undefined;
  if (timeNs === undefined) return undefined;
  const complete = text.endsWith("\n");
  let body = text.slice(space + 1, complete ? -1 : undefined);
  if (complete && body.endsWith("\r")) body = body.slice(0, -1);
  return { timeNs, text: body, complete };
}

class FrameParser {
  private buffer: Buffer = Buffer.alloc(0);
  /** A line stored in parts, per stream, until its last part comes. */
  private readonly partial = new Map<Stream, { timeNs: bigint; parts: string[] }>();

  *push(chunk: Buffer): Generator<LogLine> {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    while (this.buffer.length >= 8) {
      const size = this.buffer.readUInt32BE(4);
      if (this.buffer.length < 8 + size) break;
      const stream: Stream = this.buffer[0] === 2 ? "stderr" : "stdout";
      const payload = this.buffer.subarray(8, 8 + size).toString("utf8");
      this.buffer = this.buffer.subarray(8 + size);
      yield* this.message(stream, payload);
    }
  }

  *end(): Generator<LogLine> {
    for (const [stream, held] of this.partial) yield { timeNs: held.timeNs, stream, text: held.parts.join("") };
    this.partial.clear();
  }

  private *message(stream: Stream, payload: string): Generator<LogLine> {
    const m = message(payload);
    if (!m) return;
    const held = this.partial.get(stream);
    if (!m.complete) {
      if (held) held.parts.push(m.text);
      else this.partial.set(stream, { timeNs: m.timeNs, parts: [m.text] });
      return;
    }
    this.partial.delete(stream);
    // The line is where its first part is, so that resuming after it skips all of it.
    if (held) yield { timeNs: held.timeNs, stream, text: held.parts.join("") + m.text };
    else yield { timeNs: m.timeNs, stream, text: m.text };
  }
}

/** A terminal's output: one stream, lines as they come. */
class RawParser {
  private rest = "";

  *push(chunk: Buffer): Generator<LogLine> {
    this.rest += chunk.toString("utf8");
    let newline: number;
    while ((newline = this.rest.indexOf("\n")) >= 0) {
      const m = message(this.rest.slice(0, newline + 1));
      this.rest = this.rest.slice(newline + 1);
      if (m) yield { timeNs: m.timeNs, stream: "stdout", text: m.text };
    }
  }

  *end(): Generator<LogLine> {
    const m = this.rest ? message(this.rest) : undefined;
    this.rest = "";
    if (m) yield { timeNs: m.timeNs, stream: "stdout", text: m.text };
  }
}
