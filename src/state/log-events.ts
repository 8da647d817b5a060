// CloudWatch Logs' state: log groups, their streams and the streams' events. Events are many
// and small, so they are rows of their own database (src/state/sqlite/log-database.ts), not
// documents in the generic Store; groups and streams live beside them in the same file so
// that a PutLogEvents (its events and its stream's token and timestamps) commits as one
// transaction. The calls are synchronous (better-sqlite3): a handler's read-decide-write on
// a stream runs without yielding, so two batches to one stream never interleave.
import type { Scope } from "../domain/scope.js";

export interface LogGroupRow {
  id: number;
  name: string;
  creationTime: number;
  retentionInDays?: number;
  logGroupClass: string;
  kmsKeyId?: string;
  tags: Record<string, string>;
  /** UTF-8 bytes of the group's stored messages. */
  storedBytes: number;
}

export interface LogStreamRow {
  id: number;
  groupId: number;
  name: string;
  creationTime: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  /** The stream's upload sequence counter: the next batch's sequence token. */
  sequence: number;
  /** The counter that preceded the last accepted batch, and that batch's digest (DataAlreadyAccepted). */
  lastBatch?: { sequence: number; digest: string };
  storedBytes: number;
}

export interface StoredEvent {
  /** Insertion order, unique in the database: ties between equal timestamps break on it. */
  seq: number;
  streamName: string;
  timestamp: number;
  ingestionTime: number;
  message: string;
}

/** A place in time order: events strictly after (forward) or before (backward) it. */
export interface EventPosition {
  timestamp: number;
  seq: number;
}

export interface StreamListing {
  prefix?: string;
  orderBy: "LogStreamName" | "LastEventTime";
  descending: boolean;
  /** Skip this many streams of the ordered listing (the page token's offset). */
  offset: number;
  limit: number;
}

export interface EventRange {
  /** Inclusive, milliseconds. */
  startTime: number;
  /** Exclusive, milliseconds. */
  endTime: number;
}

export interface GroupScan extends EventRange {
  /** Only these streams (ids); undefined: every stream of the group. */
  streamIds?: number[];
  after?: EventPosition;
  /** Substrings every event returned must contain (a filter pattern's required terms). */
  containing: readonly string[];
  /**
   * Only events that may be JSON documents: the first character after any ASCII blanks is `{`,
   * `[` or not ASCII (a superset: JavaScript's trimStart also skips Unicode blanks).
   */
  jsonOnly?: boolean;
}

export interface AcceptedBatch {
  events: readonly { timestamp: number; message: string }[];
  ingestionTime: number;
  /** The stream's counter once the batch is in, and what it was before with the batch's digest. */
  sequence: number;
  lastBatch: { sequence: number; digest: string };
}

export interface LogDatabase {
  createGroup(scope: Scope, group: Omit<LogGroupRow, "id" | "storedBytes">): boolean;
  group(scope: Scope, name: string): LogGroupRow | undefined;
  /** Groups by name, after `afterName`, whose name starts with `prefix` or contains `pattern` (case-insensitive). */
  groups(scope: Scope, query: { prefix?: string; pattern?: string; names?: string[]; afterName?: string; limit: number }): LogGroupRow[];
  deleteGroup(scope: Scope, name: string): boolean;
  updateGroup(groupId: number, change: { retentionInDays?: number | null; tags?: Record<string, string> }): void;

  createStream(groupId: number, name: string, creationTime: number): boolean;
  stream(groupId: number, name: string): LogStreamRow | undefined;
  streams(groupId: number, listing: StreamListing): LogStreamRow[];
  streamsByName(groupId: number, names: readonly string[]): LogStreamRow[];
  streamsByPrefix(groupId: number, prefix: string): LogStreamRow[];
  deleteStream(streamId: number): void;

  /** Stores an accepted batch and the stream's new sequence state, durably, as one commit. */
  append(streamId: number, batch: AcceptedBatch): void;
  /** A stream's events in time order, forward after `after` or backward before `before`, at most `limit`. */
  streamEvents(streamId: number, range: EventRange, page: { after?: EventPosition; before?: EventPosition; limit: number }): StoredEvent[];
  /** A group's events in time order across its streams, for a filter: iterate and stop when done. */
  scanGroup(groupId: number, scan: GroupScan): IterableIterator<StoredEvent>;
  /** Deletes events older than their group's retention at `now`; returns how many went. */
  sweepExpired(now: number): number;
  close(): void;
}
