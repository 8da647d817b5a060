// PutLogEvents' rules for a batch, as CloudWatch Logs applies them: what makes the whole
// request an error (size, order, span), and which events it accepts but does not keep
// (too new, too old, older than the group's retention), reported by index.
import { createHash } from "node:crypto";

export const MAX_BATCH_BYTES = 1_048_576;
export const MAX_EVENT_BYTES = 262_144;
/** What AWS counts for each event on top of its message's UTF-8 bytes. */
export const EVENT_OVERHEAD_BYTES = 26;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
export const MAX_BATCH_SPAN_MS = 24 * HOUR_MS;
export const TOO_NEW_AFTER_MS = 2 * HOUR_MS;
export const TOO_OLD_BEFORE_MS = 14 * DAY_MS;

export interface InputEvent {
  timestamp: number;
  message: string;
}

/** A batch breaking a rule: the whole request is refused (InvalidParameterException) and nothing is kept. */
export class BatchRuleError extends Error {}

export interface RejectedEvents {
  /** Index of the first event too far in the future (inclusive). */
  tooNewLogEventStartIndex?: number;
  /** Index after the last event too old (exclusive). */
  tooOldLogEventEndIndex?: number;
  /** Index after the last event older than the group's retention (exclusive). */
  expiredLogEventEndIndex?: number;
}

export interface SortedBatch {
  /** The events to store, in order. */
  accepted: InputEvent[];
  rejected?: RejectedEvents;
}

/** Checks `events` (in the request's order) at `now`; `retentionDays` is the group's, if it has one. */
export function checkBatch(events: readonly InputEvent[], now: number, retentionDays: number | undefined): SortedBatch {
  let bytes = 0;
  for (const [i, event] of events.entries()) {
    const size = Buffer.byteLength(event.message, "utf8") + EVENT_OVERHEAD_BYTES;
    if (size > MAX_EVENT_BYTES) throw new BatchRuleError(`Log event too large: ${size} bytes exceeds limit of ${MAX_EVENT_BYTES}`);
    bytes += size;
    if (i > 0 && event.timestamp < events[i - 1]!.timestamp)
      throw new BatchRuleError("Log events in a single PutLogEvents request must be in chronological order.");
  }
  if (bytes > MAX_BATCH_BYTES) throw new BatchRuleError(`Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  if (events.length > 0 && events[events.length - 1]!.timestamp - events[0]!.timestamp > MAX_BATCH_SPAN_MS)
    throw new BatchRuleError("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");

  // The batch is in order, so each rejected kind is a prefix (old, expired) or a suffix (new).
  const expiredBefore = retentionDays === undefined ? -Infinity : now - retentionDays * DAY_MS;
  const tooOld = countWhile(events, (e) => e.timestamp < now - TOO_OLD_BEFORE_MS);
  const expired = countWhile(events, (e) => e.timestamp < expiredBefore);
  const firstTooNew = events.findIndex((e) => e.timestamp > now + TOO_NEW_AFTER_MS);
  const start = Math.max(tooOld, expired);
  const end = firstTooNew < 0 ? events.length : firstTooNew;
  const rejected: RejectedEvents = {};
  if (tooOld > 0) rejected.tooOldLogEventEndIndex = tooOld;
  if (expired > 0) rejected.expiredLogEventEndIndex = expired;
  if (firstTooNew >= 0) rejected.tooNewLogEventStartIndex = firstTooNew;
  return { accepted: events.slice(start, Math.max(start, end)), ...(Object.keys(rejected).length ? { rejected } : {}) };
}

function countWhile<T>(items: readonly T[], test: (item: T) => boolean): number {
  let n = 0;
  while (n < items.length && test(items[n]!)) n++;
  return n;
}

/** What identifies a batch's content, to recognise the same batch sent again. */
export function batchDigest(events: readonly InputEvent[]): string {
  const hash = createHash("sha256");
  for (const e of events) hash.update(`${e.timestamp}\0${Buffer.byteLength(e.message)}\0${e.message}\0`);
  return hash.digest("hex");
}

/** Retention periods PutRetentionPolicy accepts, in days. */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Events older than this instant are past a retention of `days` at `now`. */
export function retentionCutoff(now: number, days: number | undefined): number {
  return days === undefined ? -Infinity : now - days * DAY_MS;
}

/** Sequence tokens look like AWS's: long digit strings, here a counter so that they order. */
export function formatSequenceToken(counter: number): string {
  return `49${String(counter).padStart(54, "0")}`;
}
