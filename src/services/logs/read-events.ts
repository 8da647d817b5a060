// Reading events: GetLogEvents (one stream, pages both ways with f/… and b/… tokens) and
// FilterLogEvents (a group's streams interleaved by time, through a filter pattern). Events
// past their group's retention are never returned, swept or not.
import type * as Logs from "@aws-sdk/client-cloudwatch-logs";
import { FilterPatternError, parseFilterPattern, type FilterPattern } from "../../domain/logs/filter-pattern.js";
import { retentionCutoff } from "../../domain/logs/put-batch.js";
import {
  HEAD,
  eventIdOf,
  formatPageToken,
  formatStreamToken,
  parsePageToken,
  parseStreamToken,
  type Position,
} from "../../domain/logs/tokens.js";
import type { EventRange, LogGroupRow, LogStreamRow, StoredEvent } from "../../state/log-events.js";
import type { LogsContext, LogsHandlers } from "./context.js";
import { invalidParameter } from "./errors.js";
import { groupNamed, requireStream } from "./lookup.js";

const MAX_EVENTS = 10_000;
/** A response carries at most 1 MB of events, as AWS's do. */
const MAX_RESPONSE_BYTES = 1_048_576;
/**
 * FilterLogEvents looks at no more than this many events per call (after the store's term
 * pre-filter); past it, the page ends with what it found and a nextToken, as AWS's pages do
 * when a search is long. It bounds one call's time whatever the pattern.
 */
const SCAN_BUDGET = 250_000;
const END: Position = { timestamp: Number.MAX_SAFE_INTEGER, seq: Number.MAX_SAFE_INTEGER };

function rangeOf(ctx: LogsContext, group: LogGroupRow, input: { startTime?: number; endTime?: number }): EventRange {
  const cutoff = retentionCutoff(ctx.now.getTime(), group.retentionInDays);
  return {
    startTime: Math.max(input.startTime ?? Number.MIN_SAFE_INTEGER, Number.isFinite(cutoff) ? cutoff : Number.MIN_SAFE_INTEGER),
    endTime: input.endTime ?? Number.MAX_SAFE_INTEGER,
  };
}

/** The events that fit in one response: at most 1 MB of messages. */
function withinResponseSize<T extends { message: string }>(events: T[]): T[] {
  let bytes = 0;
  const fit = events.findIndex((e) => (bytes += Buffer.byteLength(e.message, "utf8") + 26) > MAX_RESPONSE_BYTES);
  return fit < 0 ? events : events.slice(0, Math.max(1, fit));
}

async function getLogEvents(ctx: LogsContext, input: Logs.GetLogEventsRequest): Promise<Logs.GetLogEventsResponse> {
  const group = groupNamed(ctx, input);
  const stream = requireStream(ctx, group, input.logStreamName!);
  const token = input.nextToken === undefined ? undefined : parseStreamToken(input.nextToken);
  if (input.nextToken !== undefined && !token) throw invalidParameter("The specified nextToken is invalid.");
  const direction = token?.direction ?? (input.startFromHead ? "forward" : "backward");
  const from = token?.position ?? (direction === "forward" ? HEAD : END);
  const limit = input.limit ?? MAX_EVENTS;
  const range = rangeOf(ctx, group, input);
  const page = withinResponseSize(
    ctx.db.streamEvents(stream.id, range, direction === "forward" ? { after: from, limit } : { before: from, limit }),
  );
  const first = page[0];
  const last = page[page.length - 1];
  // At the end of the stream, the token asked with comes back again: poll with it for new events.
  const forward = last ?? (direction === "forward" ? from : HEAD);
  const backward = first ?? from;
  return {
    events: page.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
    nextForwardToken: formatStreamToken({ direction: "forward", position: positionOf(forward) }),
    nextBackwardToken: formatStreamToken({ direction: "backward", position: positionOf(backward) }),
  };
}

const positionOf = (p: Position | StoredEvent): Position => ({ timestamp: p.timestamp, seq: p.seq });

function streamsToSearch(ctx: LogsContext, group: LogGroupRow, input: Logs.FilterLogEventsRequest): LogStreamRow[] | undefined {
  if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined)
    throw invalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
  if (input.logStreamNames !== undefined) return ctx.db.streamsByName(group.id, input.logStreamNames);
  if (input.logStreamNamePrefix !== undefined) return ctx.db.streamsByPrefix(group.id, input.logStreamNamePrefix);
  return undefined;
}

function patternOf(source: string | undefined): FilterPattern {
  try {
    return parseFilterPattern(source);
  } catch (err) {
    if (err instanceof FilterPatternError) throw invalidParameter("Invalid filter pattern");
    throw err;
  }
}

async function filterLogEvents(ctx: LogsContext, input: Logs.FilterLogEventsRequest): Promise<Logs.FilterLogEventsResponse> {
  const group = groupNamed(ctx, input);
  const streams = streamsToSearch(ctx, group, input);
  const pattern = patternOf(input.filterPattern);
  const resume = input.nextToken === undefined ? undefined : parsePageToken("filter", input.nextToken);
  if (input.nextToken !== undefined && !isPosition(resume)) throw invalidParameter("The specified nextToken is invalid.");
  const limit = input.limit ?? MAX_EVENTS;
  const found: StoredEvent[] = [];
  let nextToken: string | undefined;
  if (streams === undefined || streams.length > 0) {
    const rows = ctx.db.scanGroup(group.id, {
      ...rangeOf(ctx, group, input),
      ...(streams ? { streamIds: streams.map((s) => s.id) } : {}),
      ...(isPosition(resume) ? { after: resume } : {}),
      containing: pattern.requiredTerms,
      ...(pattern.jsonOnly ? { jsonOnly: true } : {}),
    });
    try {
      let scanned = 0;
      let bytes = 0;
      let lastSeen: Position | undefined;
      for (let row = rows.next(); !row.done; row = rows.next()) {
        const event = row.value;
        if (found.length >= limit || bytes >= MAX_RESPONSE_BYTES || scanned >= SCAN_BUDGET) {
          // More events remain: the next page resumes after the last one looked at.
          nextToken = formatPageToken("filter", lastSeen);
          break;
        }
        scanned++;
        lastSeen = positionOf(event);
        if (pattern.matches(event.message)) {
          found.push(event);
          bytes += Buffer.byteLength(event.message, "utf8") + 26;
        }
      }
    } finally {
      rows.return?.();
    }
  }
  const searched =
    streams ?? ctx.db.streams(group.id, { orderBy: "LogStreamName", descending: false, offset: 0, limit: Number.MAX_SAFE_INTEGER });
  return {
    events: found.map((e) => ({
      logStreamName: e.streamName,
      timestamp: e.timestamp,
      message: e.message,
      ingestionTime: e.ingestionTime,
      eventId: eventIdOf(e),
    })),
    searchedLogStreams: searched.map((s) => ({ logStreamName: s.name, searchedCompletely: nextToken === undefined })),
    ...(nextToken !== undefined ? { nextToken } : {}),
  };
}

function isPosition(value: unknown): value is Position {
  const p = value as Partial<Position> | undefined;
  return typeof p === "object" && p !== null && Number.isSafeInteger(p.timestamp) && Number.isSafeInteger(p.seq);
}

export const readEventsOperations = {
  GetLogEvents: getLogEvents,
  FilterLogEvents: filterLogEvents,
} satisfies LogsHandlers;
