// Loggers for tests: one that drops everything, and one that keeps each line (parsed) to look at.
import { createLogger, type Logger } from "../../src/log/logger.js";

export const silentLog: Logger = createLogger({ level: "silent", pretty: false, destination: { write: () => undefined } });

export interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

/** A logger whose lines land in `lines`, as parsed JSON. */
export function memoryLog(level: "debug" | "info" = "debug"): { log: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    log: createLogger({ level, pretty: false, destination: { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) } }),
    lines,
  };
}
