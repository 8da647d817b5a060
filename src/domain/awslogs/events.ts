// How a container's output lines become CloudWatch Logs events and PutLogEvents batches, within
// the limits AWS sets: at most 10,000 events and 1,048,576 bytes a call (each event's message in
// UTF-8 plus 26 bytes), at most 256 KB an event, spanning no more than 24 hours, in time order.
// Pure: the shipper feeds lines and the clock in.

/** CloudWatch Logs' accounting overhead per event. */
export const PER_EVENT_BYTES = 26;
export const MAX_BATCH_BYTES = 1_048_576;
export const MAX_BATCH_EVENTS = 10_000;
/** The longest message one event may carry: 256 KB less the overhead, as Docker's driver splits. */
export const MAX_EVENT_BYTES = 262_144 - PER_EVENT_BYTES;
export const MAX_BATCH_SPAN_MS = 24 * 3_600_000;

/** One output line of a container, as the engine's log gives it. */
export interface SourceLine {
  /** Milliseconds since the epoch. */
  time: number;
  /** Where the line is in the container's log (the engine's timestamp in nanoseconds): shipped up to here, resume after. */
  position: bigint;
  /** Without its line feed. */
  text: string;
}

export interface LogEvent {
  timestamp: number;
  message: string;
  /** Set on the event that completes its lines: once it is stored, the log is shipped up to here. */
  position?: bigint;
}

export function eventBytes(event: LogEvent): number {
  return Buffer.byteLength(event.message, "utf8") + PER_EVENT_BYTES;
}

/**
 * A message as events of at most MAX_EVENT_BYTES, cut on character boundaries; an empty
 * message makes none (CloudWatch Logs refuses empty events, and Docker's driver sends none).
 */
export function splitMessage(message: string, timestamp: number, position: bigint): LogEvent[] {
  // Nearly every line is far below the limit: a UTF-16 unit is at most 3 bytes of UTF-8, so a
  // short line is one event as it is, without encoding it to cut it.
  if (message.length === 0) return [];
  if (message.length * 3 <= MAX_EVENT_BYTES) return [{ timestamp, message, position }];
  const bytes = Buffer.from(message, "utf8");
  const events: LogEvent[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + MAX_EVENT_BYTES, bytes.length);
    // Back off to the first byte of a character (continuation bytes are 10xxxxxx).
    while (end < bytes.length && end > start && (bytes[end]! & 0xc0) === 0x80) end--;
    events.push({ timestamp, message: bytes.subarray(start, end).toString("utf8") });
    start = end;
  }
  if (events.length > 0) events[events.length - 1]!.position = position;
  return events;
}

/**
 * How many events from the head of `queue` make the next PutLogEvents call: as many as fit
 * the count, the bytes and the 24-hour span. At least one (a single event always fits).
 */
export function batchSize(queue: readonly LogEvent[]): number {
  let bytes = 0;
  let min = Infinity;
  let max = -Infinity;
  let n = 0;
  for (const event of queue) {
    const size = eventBytes(event);
    const lo = Math.min(min, event.timestamp);
    const hi = Math.max(max, event.timestamp);
    if (n > 0 && (n >= MAX_BATCH_EVENTS || bytes + size > MAX_BATCH_BYTES || hi - lo > MAX_BATCH_SPAN_MS)) break;
    bytes += size;
    min = lo;
    max = hi;
    n++;
  }
  return n;
}

/** A batch in the time order PutLogEvents requires; lines of the same time keep their order. */
export function inTimeOrder(events: readonly LogEvent[]): LogEvent[] {
  return [...events].sort((a, b) => a.timestamp - b.timestamp);
}

/** The furthest position a stored batch completes, if any. */
export function shippedPosition(events: readonly LogEvent[]): bigint | undefined {
  let furthest: bigint | undefined;
  for (const e of events) if (e.position !== undefined && (furthest === undefined || e.position > furthest)) furthest = e.position;
  return furthest;
}

/**
 * awslogs-multiline-pattern / awslogs-datetime-format: a line matching the pattern starts a new
 * event, the lines after it join that event (each with its line feed, as Docker's driver keeps
 * them) until the next match. A pending event also goes once it reaches the event size limit,
 * or once nothing has joined it for a while (flushIdle), so a last message is not held forever.
 */
export class MultilineJoiner {
  private lines: string[] = [];
  private bytes = 0;
  private first: SourceLine | undefined;
  private last: SourceLine | undefined;
  private touched = 0;

  constructor(private readonly pattern: RegExp) {}

  /** The events `line` completes. */
  push(line: SourceLine, now: number): LogEvent[] {
    const text = `${line.text}\n`;
    const size = Buffer.byteLength(text, "utf8");
    const out = this.pattern.test(line.text) || this.bytes + size > MAX_EVENT_BYTES ? this.flush() : [];
    if (!this.first) this.first = line;
    this.lines.push(text);
    this.bytes += size;
    this.last = line;
    this.touched = now;
    return out;
  }

  /** The pending event, when nothing joined it for `idleMs`. */
  flushIdle(now: number, idleMs: number): LogEvent[] {
    return this.first && now - this.touched >= idleMs ? this.flush() : [];
  }

  /** The pending event, now. */
  flush(): LogEvent[] {
    if (!this.first || !this.last) return [];
    const events = splitMessage(this.lines.join(""), this.first.time, this.last.position);
    this.lines = [];
    this.bytes = 0;
    this.first = this.last = undefined;
    return events;
  }

  get pending(): boolean {
    return this.first !== undefined;
  }
}
