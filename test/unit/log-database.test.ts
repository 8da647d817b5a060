// The CloudWatch Logs database (src/state/sqlite/log-database.ts) on a real SQLite file:
// the retention sweep and what a reopened file still holds.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { parseFilterPattern } from "../../src/domain/logs/filter-pattern.js";
import { openLogDatabase } from "../../src/state/sqlite/log-database.js";

const DAY = 86_400_000;
const scope = { accountId: "123456789012", region: "us-east-1" };

describe("log database", () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-logs-db-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "logs.sqlite");

  test("the sweep deletes events past their group's retention only, and their bytes", () => {
    const db = openLogDatabase(path, "NORMAL");
    const now = Date.now();
    for (const [name, retentionInDays] of [
      ["kept", undefined],
      ["swept", 3],
    ] as const) {
      assert.ok(
        db.createGroup(scope, {
          name,
          creationTime: now,
          logGroupClass: "STANDARD",
          tags: {},
          ...(retentionInDays ? { retentionInDays } : {}),
        }),
      );
      const group = db.group(scope, name)!;
      assert.ok(db.createStream(group.id, "s", now));
      const stream = db.stream(group.id, "s")!;
      db.append(stream.id, {
        events: [
          { timestamp: now - 5 * DAY, message: "old" },
          { timestamp: now - 1000, message: "new!" },
        ],
        ingestionTime: now,
        sequence: 2,
        lastBatch: { sequence: 1, digest: "d" },
      });
    }
    assert.equal(db.sweepExpired(now), 1);
    assert.equal(db.sweepExpired(now), 0);
    const messages = (name: string) => {
      const group = db.group(scope, name)!;
      const stream = db.stream(group.id, "s")!;
      return db.streamEvents(stream.id, { startTime: 0, endTime: Number.MAX_SAFE_INTEGER }, { limit: 10 }).map((e) => e.message);
    };
    assert.deepEqual(messages("kept"), ["old", "new!"]);
    assert.deepEqual(messages("swept"), ["new!"]);
    assert.equal(db.group(scope, "swept")!.storedBytes, 4);
    assert.equal(db.group(scope, "kept")!.storedBytes, 7);
    db.close();
  });

  test("a reopened file holds what was appended, with the stream's sequence state", () => {
    const db = openLogDatabase(path, "FULL");
    const group = db.group(scope, "kept")!;
    const stream = db.stream(group.id, "s")!;
    assert.equal(stream.sequence, 2);
    assert.deepEqual(stream.lastBatch, { sequence: 1, digest: "d" });
    assert.equal(stream.firstEventTimestamp! < stream.lastEventTimestamp!, true);
    assert.ok(db.deleteGroup(scope, "kept"));
    assert.equal(db.group(scope, "kept"), undefined);
    assert.equal(db.groups(scope, { limit: 10 }).length, 1);
    db.close();
  });

  test("a jsonOnly scan drops lines that cannot be JSON and keeps every one a JSON pattern matches", () => {
    const db = openLogDatabase(path, "NORMAL");
    const now = Date.now();
    assert.ok(db.createGroup(scope, { name: "json", creationTime: now, logGroupClass: "STANDARD", tags: {} }));
    const group = db.group(scope, "json")!;
    assert.ok(db.createStream(group.id, "s", now));
    const messages = [
      '{"a":1}',
      ' \t\r\n{"a":1}',
      '[{"a":1}]',
      '\u00a0{"a":1}',
      '\ufeff{"a":1}',
      "é {",
      "INFO [main] {a=1}",
      "   ",
      "plain",
    ];
    db.append(db.stream(group.id, "s")!.id, {
      events: messages.map((message, i) => ({ timestamp: now + i, message })),
      ingestionTime: now,
      sequence: 2,
      lastBatch: { sequence: 1, digest: "d" },
    });
    const scan = { startTime: 0, endTime: Number.MAX_SAFE_INTEGER, containing: [] };
    const kept = [...db.scanGroup(group.id, { ...scan, jsonOnly: true })].map((e) => e.message);
    assert.deepEqual(kept, messages.slice(0, 6), "JSON documents, and lines starting with a non-ASCII character");
    const pattern = parseFilterPattern("{ $.a = 1 }");
    assert.equal(pattern.jsonOnly, true);
    const all = [...db.scanGroup(group.id, scan)].map((e) => e.message);
    assert.deepEqual(
      kept.filter((m) => pattern.matches(m)),
      all.filter((m) => pattern.matches(m)),
    );
    db.close();
  });
});
