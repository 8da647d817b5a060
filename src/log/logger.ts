// The one log of berth's processes: levelled lines with structured fields, on stderr (stdout
// carries what a command prints for its user: the banner, the events). JSON lines when
// stderr is not a terminal, for whatever collects them; the same lines made readable when
// a person watches. The control plane and the agent log through the same kind of logger,
// so `berth up`, which runs both, writes one stream.
import { createRequire } from "node:module";
import { pino, type DestinationStream, type Logger as PinoLogger } from "pino";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const DEFAULT_LOG_LEVEL: LogLevel = "info";

/** What a line is about (taskArn, service, host…); `err` holds a failure, logged with its stack. */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose every line also carries these fields. */
  child(bindings: LogFields): Logger;
}

export interface LogOptions {
  level: LogLevel;
  /** Where lines go: stderr unless told otherwise (a test's memory). */
  destination?: DestinationStream;
  /** Readable lines instead of JSON; by default when lines go to stderr and stderr is a terminal. */
  pretty?: boolean;
}

export function createLogger(opts: LogOptions): Logger {
  // Synchronous writes: a line is out before the process can exit, and in order with the banner.
  const destination = opts.destination ?? pino.destination({ dest: 2, sync: true });
  const pretty = opts.pretty ?? (opts.destination === undefined && process.stderr.isTTY === true);
  return wrap(
    pino(
      {
        level: opts.level,
        timestamp: pino.stdTimeFunctions.isoTime,
        // "level":"warn" rather than pino's 40: read by people as often as by programs.
        formatters: { level: (label) => ({ level: label }) },
      },
      pretty ? readable(destination) : destination,
    ),
  );
}

/** Turns each JSON line into a readable one as it is written, in the same call. */
function readable(destination: DestinationStream): DestinationStream {
  // Loaded only here: a log that is not watched by a person never needs it.
  const { prettyFactory } = createRequire(import.meta.url)("pino-pretty") as typeof import("pino-pretty");
  const format = prettyFactory({ colorize: true, singleLine: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" });
  return { write: (line: string) => destination.write(format(line)) };
}

function wrap(log: PinoLogger): Logger {
  const at =
    (level: "debug" | "info" | "warn" | "error") =>
    (message: string, fields?: LogFields): void => {
      if (fields === undefined) log[level](message);
      else log[level](fields, message);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error"), child: (bindings) => wrap(log.child(bindings)) };
}
