// The awslogs log driver's options, as ECS and Docker's driver read them: the log group and
// stream a container's output goes to, how its lines become events (multi-line joining) and
// what happens when the shipper falls behind (mode). Pure: the agent ships, this decides.

/** Docker's default for `max-buffer-size` in non-blocking mode (1m). */
export const DEFAULT_MAX_BUFFER_BYTES = 1024 * 1024;

export interface AwslogsOptions {
  group: string;
  region?: string;
  /** Undefined: the stream is named after the container's Docker id. */
  streamPrefix?: string;
  createGroup: boolean;
  /** blocking: stop reading until shipped; non-blocking: a bounded buffer that drops the oldest lines. */
  mode: "blocking" | "non-blocking";
  maxBufferBytes: number;
  /** A line matching it starts a new event; the lines in between are joined into one. */
  multiline?: RegExp;
}

/** Options Docker's driver knows besides these; accepted and left alone. */
const KNOWN = new Set([
  "awslogs-group",
  "awslogs-region",
  "awslogs-stream-prefix",
  "awslogs-stream",
  "awslogs-create-group",
  "awslogs-datetime-format",
  "awslogs-multiline-pattern",
  "awslogs-endpoint",
  "awslogs-credentials-endpoint",
  "awslogs-force-flush-interval-seconds",
  "awslogs-max-buffered-events",
  "awslogs-format",
  "mode",
  "max-buffer-size",
  "tag",
]);

/** Why the options cannot be used, in Docker's words; undefined when they are fine. */
export function awslogsProblem(options: Record<string, string>): string | undefined {
  for (const key of Object.keys(options)) if (!KNOWN.has(key)) return `unknown log opt '${key}' for awslogs log driver`;
  if (!options["awslogs-group"]) return "must specify a value for log opt 'awslogs-group'";
  if (options["awslogs-datetime-format"] && options["awslogs-multiline-pattern"]) {
    return "you cannot configure log opt 'awslogs-datetime-format' and 'awslogs-multiline-pattern' at the same time";
  }
  const create = options["awslogs-create-group"];
  if (create !== undefined && parseBool(create) === undefined) return `invalid value for log opt 'awslogs-create-group': ${create}`;
  const mode = options.mode;
  if (mode !== undefined && mode !== "blocking" && mode !== "non-blocking") return `logger: logging mode not supported: ${mode}`;
  const size = options["max-buffer-size"];
  if (size !== undefined && parseSize(size) === undefined) return `could not parse log opt 'max-buffer-size': ${size}`;
  try {
    multilinePattern(options);
  } catch (err) {
    return `awslogs could not parse multiline pattern key: ${(err as Error).message}`;
  }
  return undefined;
}

/** The options of a valid configuration (see awslogsProblem). */
export function awslogsOptions(options: Record<string, string>): AwslogsOptions {
  const problem = awslogsProblem(options);
  if (problem) throw new Error(problem);
  const multiline = multilinePattern(options);
  return {
    group: options["awslogs-group"]!,
    ...(options["awslogs-region"] ? { region: options["awslogs-region"] } : {}),
    ...(options["awslogs-stream-prefix"] ? { streamPrefix: options["awslogs-stream-prefix"] } : {}),
    createGroup: parseBool(options["awslogs-create-group"] ?? "false") === true,
    mode: options.mode === "non-blocking" ? "non-blocking" : "blocking",
    maxBufferBytes: options["max-buffer-size"] ? parseSize(options["max-buffer-size"])! : DEFAULT_MAX_BUFFER_BYTES,
    ...(multiline ? { multiline } : {}),
  };
}

/**
 * ECS names the stream `prefix/container-name/task-id`; without a prefix Docker's driver names
 * it after the container's id.
 */
export function streamName(opts: Pick<AwslogsOptions, "streamPrefix">, containerName: string, taskId: string, dockerId: string): string {
  return opts.streamPrefix ? `${opts.streamPrefix}/${containerName}/${taskId}` : dockerId;
}

/** Docker's strftime → regular expression table for awslogs-datetime-format. */
const STRFTIME: Record<string, string> = {
  "%a": "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)",
  "%A": "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)",
  "%w": "[0-6]",
  "%d": "(?:0[1-9]|[1,2][0-9]|3[0,1])",
  "%b": "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)",
  "%B": "(?:January|February|March|April|May|June|July|August|September|October|November|December)",
  "%m": "(?:0[1-9]|1[0-2])",
  "%Y": "\\d{4}",
  "%y": "\\d{2}",
  "%H": "(?:[0,1][0-9]|2[0-3])",
  "%I": "(?:0[0-9]|1[0-2])",
  "%p": "[A,P]M",
  "%M": "[0-5][0-9]",
  "%S": "[0-5][0-9]",
  "%f": "\\d{6}",
  "%z": "[+-]\\d{4}",
  "%Z": "[A-Z]{1,4}T",
  "%j": "(?:0[0-9][1-9]|[1,2][0-9][0-9]|3[0-5][0-9]|36[0-6])",
  "%L": "\\.\\d{3}",
};

/** As Docker converts it: each `%x` becomes its expression; one it does not know becomes nothing. */
export function strftimeToRegex(format: string): string {
  return format.replace(/%./g, (directive) => STRFTIME[directive] ?? "");
}

function multilinePattern(options: Record<string, string>): RegExp | undefined {
  const datetime = options["awslogs-datetime-format"];
  const pattern = datetime ? strftimeToRegex(datetime) : options["awslogs-multiline-pattern"];
  // Docker's driver matches it anywhere in the line (Go's Regexp.Match), so no anchor is added.
  return pattern ? new RegExp(pattern) : undefined;
}

/** Go's strconv.ParseBool. */
function parseBool(text: string): boolean | undefined {
  if (["1", "t", "T", "TRUE", "true", "True"].includes(text)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(text)) return false;
  return undefined;
}

/** Docker's units.RAMInBytes: "4m", "512k", "1g", "1024" (binary multiples). */
export function parseSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)i?b?$/i.exec(text.trim());
  if (!match) return undefined;
  const power = ["", "k", "m", "g", "t", "p"].indexOf(match[2]!.toLowerCase());
  return Math.floor(Number(match[1]) * 1024 ** power);
}
