// The Store contract on real SQLite files.
import assert from "node:assert/strict";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import { migrations } from "../../src/state/sqlite/migrations.js";
import { openSqliteStore } from "../../src/state/sqlite/sqlite-store.js";
import type { CollectionSpec } from "../../src/state/store.js";
import { waitFor } from "../support/wait.js";

interface Doc {
  name: string;
  group: string;
  n: number;
  state: string;
  at?: Date;
  host?: string;
  history?: { at: Date; what: string }[];
}

const spec: CollectionSpec<Doc> = { name: "doc", keys: (d) => ({ parent: d.group, seq: d.n, status: d.state }) };
const east = { accountId: "111111111111", region: "us-east-1" };
const west = { accountId: "111111111111", region: "us-west-2" };
const file = () => join(mkdtempSync(join(tmpdir(), "berth-store-")), "state.sqlite");

describe("SQLite store", () => {
  test("write creates, updates and leaves alone", async () => {
    const docs = openSqliteStore(file()).collection(spec);
    const at = new Date("2026-01-02T03:04:05.678Z");
    await docs.write(east, "a", () => ({ name: "a", group: "g", n: 1, state: "ACTIVE", at }));
    assert.deepEqual(await docs.get(east, "a"), { name: "a", group: "g", n: 1, state: "ACTIVE", at });
    await docs.write(east, "a", (cur) => ({ ...cur!, state: "INACTIVE" }));
    assert.equal((await docs.get(east, "a"))?.state, "INACTIVE");
    const same = await docs.write(east, "a", () => undefined);
    assert.equal(same?.state, "INACTIVE");
  });

  test("scopes: those holding documents, including ones first written after the first ask, and after a reopen", async () => {
    const path = file();
    const store = openSqliteStore(path);
    const docs = store.collection(spec);
    await docs.write(east, "a", () => ({ name: "a", group: "g", n: 1, state: "ACTIVE" }));
    assert.deepEqual(await store.scopes(), [east]);
    await docs.putMany(west, [{ id: "b", doc: { name: "b", group: "g", n: 1, state: "ACTIVE" } }]);
    const other = { accountId: "222222222222", region: "us-east-1" };
    await docs.append(other, "g", (seq) => ({ id: `c${seq}`, doc: { name: "c", group: "g", n: seq, state: "ACTIVE" } }));
    const key = (s: { accountId: string; region: string }) => `${s.accountId}/${s.region}`;
    assert.deepEqual((await store.scopes()).map(key).sort(), [east, west, other].map(key).sort());
    await store.close();
    const reopened = openSqliteStore(path);
    assert.deepEqual((await reopened.scopes()).map(key).sort(), [east, west, other].map(key).sort());
    await reopened.close();
  });

  test("watchers hear every committed change, and nothing else", async () => {
    const docs = openSqliteStore(file()).collection(spec);
    const heard: string[] = [];
    const stop = docs.watch((scope, id, doc) => heard.push(`${scope.region} ${id} ${doc?.state ?? "removed"}`));
    await docs.write(east, "a", () => ({ name: "a", group: "g", n: 1, state: "ACTIVE" }));
    await docs.write(east, "a", () => undefined); // left alone: nothing committed
    await assert.rejects(
      docs.write(east, "a", () => {
        throw new Error("no");
      }),
    );
    await docs.putMany(west, [{ id: "b", doc: { name: "b", group: "g", n: 2, state: "PENDING" } }]);
    await docs.append(east, "g", (n) => ({ id: `g:${n}`, doc: { name: "c", group: "g", n, state: "NEW" } }));
    await docs.remove(east, "a");
    await docs.remove(east, "missing");
    stop();
    await docs.write(east, "z", () => ({ name: "z", group: "g", n: 9, state: "ACTIVE" }));
    assert.deepEqual(heard, ["us-east-1 a ACTIVE", "us-west-2 b PENDING", "us-east-1 g:1 NEW", "us-east-1 a removed"]);
  });

  test("the log is folded back into the database off the request path, and the store closes cleanly", async () => {
    const path = file();
    const store = openSqliteStore(path);
    const docs = store.collection(spec);
    const padding = "x".repeat(2_000);
    for (let i = 0; i < 1_000; i++) await docs.write(east, `d${i}`, () => ({ name: padding, group: "g", n: i, state: "ACTIVE" }));
    // ~2 MB written: far below the writer's own checkpoint threshold, so only the
    // checkpointer thread moves it from the WAL into the database file.
    await waitFor(() => statSync(path).size, {
      until: (bytes) => bytes >= 1_000_000,
      message: "a database file of 1 MB",
      timeoutMs: 5_000,
      intervalMs: 50,
    });
    assert.ok(statSync(path).size >= 1_000_000, `database file holds ${statSync(path).size} bytes`);
    await store.close();
    const reopened = openSqliteStore(path);
    assert.equal((await reopened.collection(spec).get(east, "d999"))?.n, 999);
    await reopened.close();
  });

  test("a mutation that throws changes nothing", async () => {
    const docs = openSqliteStore(file()).collection(spec);
    await docs.write(east, "a", () => ({ name: "a", group: "g", n: 1, state: "ACTIVE" }));
    await assert.rejects(
      docs.write(east, "a", () => {
        throw new Error("no");
      }),
      /no/,
    );
    await assert.rejects(
      docs.append(east, "g", () => {
        throw new Error("nope");
      }),
      /nope/,
    );
    assert.equal((await docs.get(east, "a"))?.state, "ACTIVE");
    const next = await docs.append(east, "g", (n) => ({ id: `g:${n}`, doc: { name: `g:${n}`, group: "g", n, state: "ACTIVE" } }));
    assert.equal(next.n, 1, "the failed append did not use up a number");
  });

  test("append numbers per parent from 1, never reusing a number", async () => {
    const docs = openSqliteStore(file()).collection(spec);
    const add = (group: string) =>
      docs.append(east, group, (n) => ({ id: `${group}:${n}`, doc: { name: `${group}:${n}`, group, n, state: "ACTIVE" } }));
    const made = await Promise.all(Array.from({ length: 20 }, () => add("web")));
    assert.deepEqual(
      made.map((d) => d.n).sort((a, b) => a - b),
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    assert.equal((await add("db")).n, 1);
    await docs.remove(east, "web:20");
    assert.equal((await add("web")).n, 21);
  });

  test("list filters by parent, prefix and status and orders by parent then seq", async () => {
    const docs = openSqliteStore(file()).collection(spec);
    for (const [group, n, state] of [
      ["b", 2, "ACTIVE"],
      ["a", 10, "ACTIVE"],
      ["a", 9, "INACTIVE"],
      ["ab", 1, "ACTIVE"],
    ] as const) {
      await docs.write(east, `${group}:${n}`, () => ({ name: `${group}:${n}`, group, n, state }));
    }
    const names = async (q = {}) => (await docs.list(east, q)).map((d) => d.name);
    assert.deepEqual(await names(), ["a:9", "a:10", "ab:1", "b:2"]);
    assert.deepEqual(await names({ order: "desc" }), ["b:2", "ab:1", "a:10", "a:9"]);
    assert.deepEqual(await names({ parent: "a" }), ["a:9", "a:10"]);
    assert.deepEqual(await names({ parentPrefix: "a" }), ["a:9", "a:10", "ab:1"]);
    assert.deepEqual(await names({ status: "ACTIVE" }), ["a:10", "ab:1", "b:2"]);
    assert.deepEqual(await names({ parent: "a", order: "desc", limit: 1 }), ["a:10"], "the latest of a parent");
    assert.deepEqual(await names({ status: "ACTIVE", limit: 2 }), ["a:10", "ab:1"]);
    assert.deepEqual(await names({ limit: 0 }), []);
    // Across parents by (seq, id), and past a position in that order.
    assert.deepEqual(await names({ orderBy: "seq" }), ["ab:1", "b:2", "a:9", "a:10"]);
    assert.deepEqual(await names({ orderBy: "seq", after: { seq: 2, id: "b:2" }, limit: 1 }), ["a:9"]);
    assert.deepEqual(await names({ orderBy: "seq", order: "desc", after: { seq: 9, id: "a:9" } }), ["b:2", "ab:1"]);
    assert.deepEqual(await names({ orderBy: "seq", status: "ACTIVE", after: { seq: 1, id: "ab:1" } }), ["b:2", "a:10"]);
    // In the (parent, seq, id) order, past a position that names its parent.
    assert.deepEqual(await names({ after: { parent: "a", seq: 9, id: "a:9" } }), ["a:10", "ab:1", "b:2"]);
    assert.deepEqual(await names({ after: { parent: "a", seq: 10, id: "a:10" }, limit: 1 }), ["ab:1"]);
    assert.deepEqual(await names({ order: "desc", after: { parent: "ab", seq: 1, id: "ab:1" } }), ["a:10", "a:9"]);
    assert.deepEqual(await names({ status: "ACTIVE", after: { parent: "a", seq: 9, id: "a:9" } }), ["a:10", "ab:1", "b:2"]);
    assert.deepEqual(await names({ parent: "a", after: { parent: "a", seq: 9, id: "a:9" } }), ["a:10"]);
    await assert.rejects(names({ after: { seq: 1, id: "ab:1" } }), /parent/);
    // The limit is written into the SQL: only a whole number gets there.
    await assert.rejects(names({ limit: 1.5 }), /limit/);
    await assert.rejects(names({ limit: "1; DROP TABLE documents" as unknown as number }), /limit/);
    assert.equal(await docs.count(east, { status: "ACTIVE" }), 3);
    const many = await docs.getMany(east, ["a:9", "zz", "b:2"]);
    assert.deepEqual([...many.keys()].sort(), ["a:9", "b:2"]);
  });

  test("dates come back as dates at any depth, and look-alike objects are left alone", async () => {
    const docs = openSqliteStore(file()).collection(spec);
    const at = new Date("2026-03-04T05:06:07.089Z");
    await docs.write(east, "d", () => ({ name: "d", group: "", n: 0, state: "", at, history: [{ at, what: "made" }] }));
    const back = (await docs.get(east, "d"))!;
    assert.ok(back.at instanceof Date && back.history![0]!.at instanceof Date);
    assert.equal(back.history![0]!.at.getTime(), at.getTime());
    const lookAlike = { $date: 5, what: "not a date" };
    await docs.write(east, "e", () => ({ name: "e", group: "", n: 0, state: "", history: [lookAlike as never] }));
    assert.deepEqual((await docs.get(east, "e"))!.history![0], lookAlike);
  });

  test("a state file from the first schema gains grouped task parents on open, and keeps its documents through every migration", async () => {
    const path = file();
    const old = new Database(path);
    old.exec(migrations[0]!);
    old.pragma("user_version = 1");
    old
      .prepare("INSERT INTO documents VALUES ('111111111111','us-east-1','task','t1','c',1,'LIVE',1,?)")
      .run(JSON.stringify({ name: "t1", group: "c", n: 1, state: "LIVE", hostId: "h9", task: { group: "service:web" } }));
    old.close();
    const tasks = openSqliteStore(path).collection<Doc & { hostId: string }>({
      name: "task",
      keys: (d) => ({ parent: d.group, seq: d.n, status: d.state }),
    });
    assert.equal((await tasks.get(east, "t1"))?.hostId, "h9");
    assert.deepEqual(
      (await tasks.list(east, { status: "LIVE" })).map((d) => d.name),
      ["t1"],
    );
    assert.deepEqual(
      (await tasks.list(east, { parent: "c/service:web" })).map((d) => d.name),
      ["t1"],
      "tasks are grouped by cluster and group",
    );
    assert.deepEqual(
      (await tasks.list(east, { parentPrefix: "c/" })).map((d) => d.name),
      ["t1"],
    );
    assert.deepEqual(await tasks.list(east, { parentPrefix: "c0" }), []);
  });

  test("a write that keeps the indexed columns is seen by every read, also by another store on the same file", async () => {
    const path = file();
    const docs = openSqliteStore(path).collection(spec);
    await docs.write(east, "r", () => ({ name: "r", group: "g", n: 1, state: "LIVE", host: "h1", history: [] }));
    for (let i = 0; i < 5; i++) {
      await docs.write(east, "r", (cur) => ({ ...cur!, history: [...cur!.history!, { at: new Date(i), what: `step ${i}` }] }), {
        grouped: true,
      });
    }
    const steps = (d: Doc | undefined) => d?.history?.map((h) => h.what);
    const expected = ["step 0", "step 1", "step 2", "step 3", "step 4"];
    assert.deepEqual(steps(await docs.get(east, "r")), expected);
    assert.deepEqual(steps((await docs.list(east, { parent: "g", status: "LIVE" }))[0]), expected);
    // A second store has nothing cached: it reads rows and versions as they are on disk.
    const other = openSqliteStore(path).collection(spec);
    assert.deepEqual(steps((await other.list(east, { parent: "g" }))[0]), expected);
    await docs.write(east, "r", (cur) => ({ ...cur!, history: [] }));
    assert.deepEqual(
      steps((await other.list(east, { parent: "g" }))[0]),
      [],
      "the other store sees the row's new version and reads it again",
    );
    await docs.write(east, "r", (cur) => ({ ...cur!, state: "STOPPED" }));
    assert.equal(await other.count(east, { parent: "g", status: "LIVE" }), 0, "a changed key moves the document in the index");
    assert.equal(await other.count(east, { parent: "g", status: "STOPPED" }), 1);
  });

  test("a write starting from a cached copy builds on the row as it is when another store changed it meanwhile", async () => {
    const path = file();
    const mine = openSqliteStore(path).collection(spec);
    const theirs = openSqliteStore(path).collection(spec);
    const append = (what: string) => (cur: Doc | undefined) => ({ ...cur!, history: [...cur!.history!, { at: new Date(0), what }] });
    await mine.write(east, "c", () => ({ name: "c", group: "g", n: 1, state: "LIVE", history: [] }));
    await mine.write(east, "c", append("mine 1")); // cached here, at version 2
    await theirs.write(east, "c", append("theirs")); // version 3, unknown to `mine`'s cache
    const written = await mine.write(east, "c", append("mine 2"), { grouped: true });
    const steps = (d: Doc | undefined) => d?.history?.map((h) => h.what);
    assert.deepEqual(steps(written), ["mine 1", "theirs", "mine 2"]);
    assert.deepEqual(steps(await theirs.get(east, "c")), ["mine 1", "theirs", "mine 2"]);
    // Two writes of one document in one group commit: the second builds on the first.
    await Promise.all([mine.write(east, "c", append("a"), { grouped: true }), mine.write(east, "c", append("b"), { grouped: true })]);
    assert.deepEqual(steps(await theirs.get(east, "c")), ["mine 1", "theirs", "mine 2", "a", "b"]);
    assert.deepEqual(steps(await mine.get(east, "c")), ["mine 1", "theirs", "mine 2", "a", "b"]);
    // A write that finds nothing to change in a stale copy still looks at the row as it is.
    await theirs.write(east, "c", (cur) => ({ ...cur!, n: 7 }));
    const seen = await mine.write(east, "c", (cur) => (cur!.n === 7 ? { ...cur!, history: [] } : undefined));
    assert.deepEqual(steps(seen), []);
  });

  test("a cached document is read again once another store has committed, and only then", async () => {
    const path = file();
    const mine = openSqliteStore(path).collection(spec);
    const theirs = openSqliteStore(path).collection(spec);
    await mine.write(east, "x", () => ({ name: "x", group: "g", n: 1, state: "LIVE" }));
    await mine.write(east, "y", () => ({ name: "y", group: "g", n: 2, state: "LIVE" }));
    const first = await mine.get(east, "x");
    assert.equal(await mine.get(east, "x"), first, "the same cached copy while nothing else wrote");
    // Their commits land between two of my reads in the same turn of the event loop.
    await theirs.write(east, "x", (cur) => ({ ...cur!, name: "x2" }));
    assert.equal((await mine.get(east, "x"))?.name, "x2");
    await theirs.write(east, "y", (cur) => ({ ...cur!, name: "y2" }));
    await theirs.remove(east, "x");
    const many = await mine.getMany(east, ["x", "y"]);
    assert.deepEqual([...many.keys()], ["y"]);
    assert.equal(many.get("y")?.name, "y2");
    assert.equal(await mine.get(east, "x"), undefined);
    // My own writes need no second look.
    await mine.write(east, "y", (cur) => ({ ...cur!, name: "y3" }));
    assert.equal((await mine.get(east, "y"))?.name, "y3");
    assert.equal((await theirs.get(east, "y"))?.name, "y3");
  });

  test("encoding a document leaves Date's own JSON form as it was, even when it fails", async () => {
    const docs = openSqliteStore(file()).collection(spec);
    const iso = JSON.stringify({ at: new Date(0) });
    await docs.write(east, "d", () => ({ name: "d", group: "", n: 0, state: "", at: new Date(0) }));
    assert.equal(JSON.stringify({ at: new Date(0) }), iso);
    await assert.rejects(
      docs.write(east, "bad", () => ({ name: "bad", group: "", n: 0, state: "", at: new Date(0), big: 1n }) as Doc),
      TypeError,
    );
    assert.equal(JSON.stringify({ at: new Date(0) }), iso);
    assert.equal(await docs.get(east, "bad"), undefined);
  });

  test("putMany writes every document or none", async () => {
    const docs = openSqliteStore(file()).collection(spec);
    await docs.putMany(
      east,
      [1, 2, 3].map((n) => ({ id: `p${n}`, doc: { name: `p${n}`, group: "p", n, state: "LIVE" } })),
    );
    assert.equal(await docs.count(east, { parent: "p" }), 3);
    const broken = { name: "bad", group: "p", n: 9, state: "LIVE", at: new Date(Number.NaN) };
    const failing = [
      { id: "p4", doc: { name: "p4", group: "p", n: 4, state: "LIVE" } },
      { id: "bad", doc: { ...broken, n: undefined as unknown as number } },
    ];
    await assert.rejects(docs.putMany(east, failing));
    assert.equal(await docs.count(east, { parent: "p" }), 3, "the batch with a bad document left nothing behind");
    assert.equal(await docs.get(east, "p4"), undefined);
  });

  test("documents read back are frozen, so no reader can change what others share", async () => {
    const docs = openSqliteStore(file()).collection(spec);
    const written = await docs.write(east, "f", () => ({
      name: "f",
      group: "",
      n: 0,
      state: "",
      history: [{ at: new Date(0), what: "x" }],
    }));
    const read = (await docs.get(east, "f"))!;
    for (const doc of [written!, read]) {
      assert.throws(() => {
        doc.state = "changed";
      }, TypeError);
      assert.throws(() => {
        doc.history!.push({ at: new Date(1), what: "y" });
      }, TypeError);
    }
    const next = await docs.write(east, "f", (cur) => ({ ...cur!, state: "next" }));
    assert.equal(next!.state, "next");
    assert.equal((await docs.list(east))[0]!.state, "next", "a write replaces the shared copy");
  });

  test("account and region partition the state", async () => {
    const docs = openSqliteStore(file()).collection(spec);
    await docs.write(east, "x", () => ({ name: "x", group: "", n: 0, state: "ACTIVE" }));
    assert.equal(await docs.get(west, "x"), undefined);
    assert.equal(await docs.get({ ...east, accountId: "222222222222" }, "x"), undefined);
    assert.equal((await docs.list(west)).length, 0);
  });

  test("state and numbering survive closing and reopening", async () => {
    const path = file();
    const first = openSqliteStore(path);
    const a = first.collection(spec);
    await a.append(east, "g", (n) => ({ id: `g:${n}`, doc: { name: `g:${n}`, group: "g", n, state: "ACTIVE" } }));
    await first.close();
    const b = openSqliteStore(path).collection(spec);
    assert.equal((await b.get(east, "g:1"))?.name, "g:1");
    const next = await b.append(east, "g", (n) => ({ id: `g:${n}`, doc: { name: `g:${n}`, group: "g", n, state: "ACTIVE" } }));
    assert.equal(next.n, 2);
  });
  test("writes asked for together commit together, each one whole: in order, and a failing one alone is undone", async () => {
    const store = openSqliteStore(file());
    const docs = store.collection(spec);
    await docs.write(east, "c", () => ({ name: "c", group: "g", n: 0, state: "ACTIVE" }));
    const heard: (number | "removed")[] = [];
    docs.watch((_scope, id, doc) => id === "c" && heard.push(doc?.n ?? "removed"));
    // One turn of the event loop: the grouped ones share one commit, which the remove (not
    // grouped) makes at once; the writes after it wait for the turn.
    const grouped = { grouped: true };
    const increments = Array.from({ length: 20 }, () => docs.write(east, "c", (cur) => ({ ...cur!, n: cur!.n + 1 }), grouped));
    const appended = docs.append(east, "g", (n) => ({ id: `g:${n}`, doc: { name: `g:${n}`, group: "g", n, state: "ACTIVE" } }), grouped);
    const failing = docs.append(
      east,
      "g",
      (n) => {
        void n;
        throw new Error("refused");
      },
      grouped,
    );
    const removed = docs.remove(east, "c");
    const afterRemove = docs.write(
      east,
      "c",
      (cur) => (cur ? { ...cur, n: -1 } : { name: "c", group: "g", n: 100, state: "ACTIVE" }),
      grouped,
    );
    assert.deepEqual(
      (await Promise.all(increments)).map((d) => d!.n),
      Array.from({ length: 20 }, (_, i) => i + 1),
      "each saw the one before",
    );
    assert.equal((await appended).n, 1);
    await assert.rejects(failing, /refused/);
    assert.equal(await removed, true);
    assert.equal((await afterRemove)!.n, 100, "the remove asked for first landed first");
    assert.deepEqual(heard, [...Array.from({ length: 20 }, (_, i) => i + 1), "removed", 100]);
    const next = await docs.append(east, "g", (n) => ({ id: `g:${n}`, doc: { name: `g:${n}`, group: "g", n, state: "ACTIVE" } }));
    assert.equal(next.n, 2, "the failed append, undone alone, used up no number");
    await store.close();
  });

  test("a batch undone by one failing write runs again without it, each write seeing what the ones before it wrote", async () => {
    const store = openSqliteStore(file());
    const docs = store.collection(spec);
    await docs.write(east, "x", () => ({ name: "x", group: "g", n: 0, state: "ACTIVE" }));
    const grouped = { grouped: true };
    let attempt = 0;
    // Runs once per attempt at the batch; its result differs per attempt only to show which one is read.
    const first = docs.write(east, "x", (cur) => ({ ...cur!, name: `attempt ${++attempt}` }), grouped);
    const second = docs.write(east, "x", (cur) => ({ ...cur!, n: cur!.n + 1, what: cur!.name }) as Doc, grouped);
    const failing = docs.write(
      east,
      "y",
      () => {
        throw new Error("refused");
      },
      grouped,
    );
    assert.equal((await first)!.name, "attempt 2", "the batch ran again after the failure");
    assert.equal(
      ((await second) as Doc & { what: string }).what,
      "attempt 2",
      "the second write saw the first as committed, not as undone",
    );
    await assert.rejects(failing, /refused/);
    assert.equal(((await docs.get(east, "x")) as Doc & { what: string }).what, "attempt 2");
    await store.close();
  });

  test("a grouped write is acknowledged only once committed, and what is queued at close is committed first", async () => {
    const path = file();
    const store = openSqliteStore(path);
    const docs = store.collection(spec);
    let acknowledged = false;
    const written = docs
      .write(east, "q", () => ({ name: "q", group: "g", n: 1, state: "ACTIVE" }), { grouped: true })
      .then(() => (acknowledged = true));
    const peek = new Database(path, { readonly: true });
    const committedRows = () => peek.prepare("SELECT count(*) FROM documents WHERE id = 'q'").pluck().get();
    assert.equal(committedRows(), 0, "not yet committed");
    assert.equal(acknowledged, false);
    await written;
    assert.equal(committedRows(), 1, "committed by the time it is acknowledged");
    const queued = docs.write(east, "r", () => ({ name: "r", group: "g", n: 2, state: "ACTIVE" }), { grouped: true });
    await store.close();
    await queued;
    peek.close();
    const reopened = openSqliteStore(path);
    assert.equal((await reopened.collection(spec).get(east, "r"))?.n, 2);
    await reopened.close();
  });

  test("a write not grouped commits before it returns (a lock held around it is not held for a turn of the loop), taking the queued ones along", async () => {
    const path = file();
    const store = openSqliteStore(path);
    const docs = store.collection(spec);
    const peek = new Database(path, { readonly: true });
    const rows = () => peek.prepare("SELECT count(*) FROM documents").pluck().get();
    const queued = docs.write(east, "w", () => ({ name: "w", group: "g", n: 1, state: "ACTIVE" }), { grouped: true });
    assert.equal(rows(), 0);
    const placed = docs.putMany(east, [{ id: "p", doc: { name: "p", group: "g", n: 2, state: "ACTIVE" } }]);
    assert.equal(rows(), 2, "both committed, the queued write with it");
    const alone = docs.write(east, "x", () => ({ name: "x", group: "g", n: 3, state: "ACTIVE" }));
    assert.equal(rows(), 3);
    const appended = docs.append(east, "g", (n) => ({ id: `g:${n}`, doc: { name: `g:${n}`, group: "g", n, state: "ACTIVE" } }));
    assert.equal(rows(), 4);
    peek.close();
    await Promise.all([queued, placed, alone, appended]);
    await store.close();
  });
});
