// Docker streams progress (pull) and events as newline-delimited JSON whose lines can be split
// across, or merged into, chunks.
import type { Readable } from "node:stream";

export function onJsonLines(stream: Readable, onObject: (obj: Record<string, unknown>) => void): void {
  let buffer = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) onObject(parse(line));
    }
  });
  stream.on("end", () => {
    const line = buffer.trim();
    buffer = "";
    if (line) onObject(parse(line));
  });
}

function parse(line: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(line);
    return value && typeof value === "object" ? (value as Record<string, unknown>) : { message: line };
  } catch {
    // Not JSON: surface the text rather than lose it.
    return { message: line };
  }
}
