// The LogDatabase in its own SQLite file (<dataDir>/logs.sqlite), apart from the document
// store: events are rows with a time index per group and per stream, so a filter walks one
// group's events in time order and a stream's page is an index range. WAL journal; each
// PutLogEvents is one transaction, committed (at the store's synchronous level) before the
// handler answers, so an acknowledged batch survives kill -9.
import Database from "better-sqlite3";
import type { Scope } from "../../domain/scope.js";
import type {
  AcceptedBatch,
  EventPosition,
  EventRange,
  GroupScan,
  LogDatabase,
  LogGroupRow,
  LogStreamRow,
  StreamListing,
} from "../log-events.js";
import type { Synchronous } from "./open.js";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS log_groups (
  id INTEGER PRIMARY KEY, scope TEXT NOT NULL, name TEXT NOT NULL, creation_time INTEGER NOT NULL,
  retention_days INTEGER, class TEXT NOT NULL, kms_key_id TEXT, tags TEXT NOT NULL,
  UNIQUE (scope, name));
CREATE TABLE IF NOT EXISTS log_streams (
  id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, name TEXT NOT NULL, creation_time INTEGER NOT NULL,
  first_ts INTEGER, last_ts INTEGER, last_ingestion INTEGER, sequence INTEGER NOT NULL,
  last_batch_sequence INTEGER, last_batch_digest TEXT, stored_bytes INTEGER NOT NULL DEFAULT 0,
  UNIQUE (group_id, name));
CREATE TABLE IF NOT EXISTS log_events (
  seq INTEGER PRIMARY KEY, group_id INTEGER NOT NULL, stream_id INTEGER NOT NULL,
  ts INTEGER NOT NULL, ingestion INTEGER NOT NULL, message TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS log_events_by_group ON log_events (group_id, ts, seq);
CREATE INDEX IF NOT EXISTS log_events_by_stream ON log_events (stream_id, ts, seq);
`;

const scopeOf = (scope: Scope) => `${scope.accountId}/${scope.region}`;
const DAY_MS = 86_400_000;

interface GroupRecord {
  id: number;
  name: string;
  creation_time: number;
  retention_days: number | null;
  class: string;
  kms_key_id: string | null;
  tags: string;
  stored_bytes: number | null;
}

interface StreamRecord {
  id: number;
  group_id: number;
  name: string;
  creation_time: number;
  first_ts: number | null;
  last_ts: number | null;
  last_ingestion: number | null;
  sequence: number;
  last_batch_sequence: number | null;
  last_batch_digest: string | null;
  stored_bytes: number;
}

interface EventRecord {
  seq: number;
  stream_id: number;
  ts: number;
  ingestion: number;
  message: string;
}

function groupRow(r: GroupRecord): LogGroupRow {
  return {
    id: r.id,
    name: r.name,
    creationTime: r.creation_time,
    ...(r.retention_days !== null ? { retentionInDays: r.retention_days } : {}),
    logGroupClass: r.class,
    ...(r.kms_key_id !== null ? { kmsKeyId: r.kms_key_id } : {}),
    tags: JSON.parse(r.tags) as Record<string, string>,
    storedBytes: r.stored_bytes ?? 0,
  };
}

function streamRow(r: StreamRecord): LogStreamRow {
  return {
    id: r.id,
    groupId: r.group_id,
    name: r.name,
    creationTime: r.creation_time,
    ...(r.first_ts !== null ? { firstEventTimestamp: r.first_ts } : {}),
    ...(r.last_ts !== null ? { lastEventTimestamp: r.last_ts } : {}),
    ...(r.last_ingestion !== null ? { lastIngestionTime: r.last_ingestion } : {}),
    sequence: r.sequence,
    ...(r.last_batch_sequence !== null && r.last_batch_digest !== null
      ? { lastBatch: { sequence: r.last_batch_sequence, digest: r.last_batch_digest } }
      : {}),
    storedBytes: r.stored_bytes,
  };
}

/** GroupScan.jsonOnly in SQL: the first character after ASCII blanks opens a JSON document, or is not ASCII. */
const MAY_BE_JSON = `(substr(ltrim(message, char(9, 10, 11, 12, 13, 32)), 1, 1) IN ('{', '[')
  OR unicode(ltrim(message, char(9, 10, 11, 12, 13, 32))) > 127)`;

/** The LIKE pattern for names starting with `prefix` (ESCAPE '\'). */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, "\\$&")}%`;

const GROUP_COLUMNS = `g.id, g.name, g.creation_time, g.retention_days, g.class, g.kms_key_id, g.tags,
  (SELECT SUM(stored_bytes) FROM log_streams s WHERE s.group_id = g.id) AS stored_bytes`;

export function openLogDatabase(path: string, synchronous: Synchronous): LogDatabase {
  const db = new Database(path);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${synchronous === "FULL" ? "FULL" : "NORMAL"}`);
  db.pragma("busy_timeout = 5000");
  db.exec(SCHEMA);

  const q = {
    insertGroup: db.prepare(
      `INSERT INTO log_groups (scope, name, creation_time, retention_days, class, kms_key_id, tags) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    ),
    group: db.prepare(`SELECT ${GROUP_COLUMNS} FROM log_groups g WHERE g.scope = ? AND g.name = ?`),
    deleteGroupEvents: db.prepare("DELETE FROM log_events WHERE group_id = ?"),
    deleteGroupStreams: db.prepare("DELETE FROM log_streams WHERE group_id = ?"),
    deleteGroup: db.prepare("DELETE FROM log_groups WHERE id = ?"),
    setRetention: db.prepare("UPDATE log_groups SET retention_days = ? WHERE id = ?"),
    setTags: db.prepare("UPDATE log_groups SET tags = ? WHERE id = ?"),
    insertStream: db.prepare(
      "INSERT INTO log_streams (group_id, name, creation_time, sequence) VALUES (?, ?, ?, 1) ON CONFLICT DO NOTHING",
    ),
    stream: db.prepare("SELECT * FROM log_streams WHERE group_id = ? AND name = ?"),
    streamGroup: db.prepare("SELECT group_id FROM log_streams WHERE id = ?"),
    streamsByPrefix: db.prepare("SELECT * FROM log_streams WHERE group_id = ? AND name LIKE ? ESCAPE '\\' ORDER BY name"),
    streamsOfGroup: db.prepare("SELECT id, name FROM log_streams WHERE group_id = ?"),
    deleteStreamEvents: db.prepare("DELETE FROM log_events WHERE stream_id = ?"),
    deleteStream: db.prepare("DELETE FROM log_streams WHERE id = ?"),
    insertEvent: db.prepare("INSERT INTO log_events (group_id, stream_id, ts, ingestion, message) VALUES (?, ?, ?, ?, ?)"),
    updateStream: db.prepare(
      `UPDATE log_streams SET first_ts = min(coalesce(first_ts, ?), ?), last_ts = max(coalesce(last_ts, ?), ?),
         last_ingestion = ?, sequence = ?, last_batch_sequence = ?, last_batch_digest = ?, stored_bytes = stored_bytes + ?
       WHERE id = ?`,
    ),
    updateStreamSequence: db.prepare(
      "UPDATE log_streams SET sequence = ?, last_batch_sequence = ?, last_batch_digest = ?, last_ingestion = ? WHERE id = ?",
    ),
    forward: db.prepare(
      `SELECT seq, stream_id, ts, ingestion, message FROM log_events
       WHERE stream_id = ? AND ts >= ? AND ts < ? AND (ts, seq) > (?, ?) ORDER BY ts, seq LIMIT ?`,
    ),
    backward: db.prepare(
      `SELECT seq, stream_id, ts, ingestion, message FROM log_events
       WHERE stream_id = ? AND ts >= ? AND ts < ? AND (ts, seq) < (?, ?) ORDER BY ts DESC, seq DESC LIMIT ?`,
    ),
    retainedGroups: db.prepare("SELECT id, retention_days FROM log_groups WHERE retention_days IS NOT NULL"),
    expiredBytes: db.prepare(
      `SELECT stream_id, SUM(length(CAST(message AS BLOB))) AS bytes FROM log_events WHERE group_id = ? AND ts < ? GROUP BY stream_id`,
    ),
    lessBytes: db.prepare("UPDATE log_streams SET stored_bytes = max(0, stored_bytes - ?) WHERE id = ?"),
    deleteExpired: db.prepare("DELETE FROM log_events WHERE group_id = ? AND ts < ?"),
  };
  const scans = new Map<string, Database.Statement>();
  const toEvent = (names: Map<number, string>) => (r: EventRecord) => ({
    seq: r.seq,
    streamName: names.get(r.stream_id) ?? "",
    timestamp: r.ts,
    ingestionTime: r.ingestion,
    message: r.message,
  });

  const removeGroup = db.transaction((id: number) => {
    q.deleteGroupEvents.run(id);
    q.deleteGroupStreams.run(id);
    q.deleteGroup.run(id);
  });
  const removeStream = db.transaction((id: number) => {
    q.deleteStreamEvents.run(id);
    q.deleteStream.run(id);
  });
  const appendBatch = db.transaction((streamId: number, batch: AcceptedBatch) => {
    const stream = q.streamGroup.get(streamId) as { group_id: number } | undefined;
    if (!stream) return;
    const { events, ingestionTime, sequence, lastBatch } = batch;
    if (events.length === 0) {
      q.updateStreamSequence.run(sequence, lastBatch.sequence, lastBatch.digest, ingestionTime, streamId);
      return;
    }
    let bytes = 0;
    for (const e of events) {
      q.insertEvent.run(stream.group_id, streamId, e.timestamp, ingestionTime, e.message);
      bytes += Buffer.byteLength(e.message, "utf8");
    }
    const first = events[0]!.timestamp;
    const last = events[events.length - 1]!.timestamp;
    q.updateStream.run(first, first, last, last, ingestionTime, sequence, lastBatch.sequence, lastBatch.digest, bytes, streamId);
  });
  const sweep = db.transaction((now: number) => {
    let deleted = 0;
    for (const g of q.retainedGroups.all() as { id: number; retention_days: number }[]) {
      const cutoff = now - g.retention_days * DAY_MS;
      for (const s of q.expiredBytes.all(g.id, cutoff) as { stream_id: number; bytes: number }[]) q.lessBytes.run(s.bytes, s.stream_id);
      deleted += q.deleteExpired.run(g.id, cutoff).changes;
    }
    return deleted;
  });

  function scanStatement(streams: number, containing: number, jsonOnly: boolean): Database.Statement {
    const key = `${streams}/${containing}/${jsonOnly}`;
    let statement = scans.get(key);
    if (!statement) {
      const streamFilter = streams < 0 ? "" : `AND stream_id IN (${Array(streams).fill("?").join(", ")})`;
      const terms = Array(containing).fill("AND instr(message, ?) > 0").join(" ") + (jsonOnly ? ` AND ${MAY_BE_JSON}` : "");
      statement = db.prepare(
        `SELECT seq, stream_id, ts, ingestion, message FROM log_events
         WHERE group_id = ? AND ts >= ? AND ts < ? AND (ts, seq) > (?, ?) ${streamFilter} ${terms} ORDER BY ts, seq`,
      );
      scans.set(key, statement);
    }
    return statement;
  }

  return {
    createGroup(scope, g) {
      const info = q.insertGroup.run(
        scopeOf(scope),
        g.name,
        g.creationTime,
        g.retentionInDays ?? null,
        g.logGroupClass,
        g.kmsKeyId ?? null,
        JSON.stringify(g.tags),
      );
      return info.changes === 1;
    },
    group(scope, name) {
      const r = q.group.get(scopeOf(scope), name) as GroupRecord | undefined;
      return r && groupRow(r);
    },
    groups(scope, query) {
      const where = ["g.scope = ?"];
      const args: unknown[] = [scopeOf(scope)];
      const add = (clause: string, ...values: unknown[]) => {
        where.push(clause);
        args.push(...values);
      };
      if (query.prefix !== undefined) add("g.name LIKE ? ESCAPE '\\'", likePrefix(query.prefix));
      if (query.pattern) add("instr(lower(g.name), lower(?)) > 0", query.pattern);
      if (query.names) add(`g.name IN (${query.names.map(() => "?").join(", ") || "NULL"})`, ...query.names);
      if (query.afterName !== undefined) add("g.name > ?", query.afterName);
      // LIKE is case-insensitive for ASCII; names are compared exactly by the prefix check below.
      const rows = db
        .prepare(`SELECT ${GROUP_COLUMNS} FROM log_groups g WHERE ${where.join(" AND ")} ORDER BY g.name LIMIT ?`)
        .all(...args, query.prefix === undefined ? query.limit : -1) as GroupRecord[];
      return rows
        .filter((r) => query.prefix === undefined || r.name.startsWith(query.prefix))
        .slice(0, query.limit)
        .map(groupRow);
    },
    deleteGroup(scope, name) {
      const r = q.group.get(scopeOf(scope), name) as GroupRecord | undefined;
      if (!r) return false;
      removeGroup(r.id);
      return true;
    },
    updateGroup(groupId, change) {
      if (change.retentionInDays !== undefined) q.setRetention.run(change.retentionInDays, groupId);
      if (change.tags !== undefined) q.setTags.run(JSON.stringify(change.tags), groupId);
    },

    createStream(groupId, name, creationTime) {
      return q.insertStream.run(groupId, name, creationTime).changes === 1;
    },
    stream(groupId, name) {
      const r = q.stream.get(groupId, name) as StreamRecord | undefined;
      return r && streamRow(r);
    },
    streams(groupId, listing: StreamListing) {
      const direction = listing.descending ? "DESC" : "ASC";
      const order = listing.orderBy === "LastEventTime" ? `coalesce(last_ts, -1) ${direction}, id ${direction}` : `name ${direction}`;
      const prefix = listing.prefix === undefined ? "" : "AND name LIKE ? ESCAPE '\\'";
      const args: unknown[] = [groupId, ...(listing.prefix === undefined ? [] : [likePrefix(listing.prefix)])];
      const rows = db.prepare(`SELECT * FROM log_streams WHERE group_id = ? ${prefix} ORDER BY ${order}`).all(...args) as StreamRecord[];
      return rows
        .filter((r) => listing.prefix === undefined || r.name.startsWith(listing.prefix))
        .slice(listing.offset, listing.offset + listing.limit)
        .map(streamRow);
    },
    streamsByName(groupId, names) {
      return names.map((name) => q.stream.get(groupId, name) as StreamRecord | undefined).flatMap((r) => (r ? [streamRow(r)] : []));
    },
    streamsByPrefix(groupId, prefix) {
      return (q.streamsByPrefix.all(groupId, likePrefix(prefix)) as StreamRecord[]).filter((r) => r.name.startsWith(prefix)).map(streamRow);
    },
    deleteStream(streamId) {
      removeStream(streamId);
    },

    append(streamId, batch) {
      appendBatch(streamId, batch);
    },
    streamEvents(streamId, range: EventRange, page) {
      const names = new Map<number, string>();
      if (page.before) {
        const rows = q.backward.all(streamId, range.startTime, range.endTime, page.before.timestamp, page.before.seq, page.limit);
        return (rows as EventRecord[]).reverse().map(toEvent(names));
      }
      const after: EventPosition = page.after ?? { timestamp: Number.MIN_SAFE_INTEGER, seq: -1 };
      return (q.forward.all(streamId, range.startTime, range.endTime, after.timestamp, after.seq, page.limit) as EventRecord[]).map(
        toEvent(names),
      );
    },
    *scanGroup(groupId, scan: GroupScan) {
      const names = new Map((q.streamsOfGroup.all(groupId) as { id: number; name: string }[]).map((s) => [s.id, s.name]));
      const after = scan.after ?? { timestamp: Number.MIN_SAFE_INTEGER, seq: -1 };
      const statement = scanStatement(scan.streamIds?.length ?? -1, scan.containing.length, scan.jsonOnly === true);
      const rows = statement.iterate(
        groupId,
        scan.startTime,
        scan.endTime,
        after.timestamp,
        after.seq,
        ...(scan.streamIds ?? []),
        ...scan.containing,
      ) as IterableIterator<EventRecord>;
      const event = toEvent(names);
      for (const r of rows) yield event(r);
    },
    sweepExpired(now) {
      return sweep(now);
    },
    close() {
      db.close();
    },
  };
}
