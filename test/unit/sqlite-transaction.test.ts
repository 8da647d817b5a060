// Store.transact on real SQLite files: several documents of several collections, committed
// together or not at all.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import Database from "better-sqlite3";
import { openSqliteStore } from "../../src/state/sqlite/sqlite-store.js";
import type { CollectionSpec } from "../../src/state/store.js";

interface Doc {
  name: string;
  group: string;
  n: number;
  state: string;
}

const docSpec: CollectionSpec<Doc> = { name: "doc", keys: (d) => ({ parent: d.group, seq: d.n, status: d.state }) };
const otherSpec: CollectionSpec<Doc> = { name: "other", keys: (d) => ({ parent: d.group, seq: d.n, status: d.state }) };
const east = { accountId: "111111111111", region: "us-east-1" };
const file = () => join(mkdtempSync(join(tmpdir(), "berth-store-")), "state.sqlite");
const doc = (name: string, n: number, state = "ACTIVE"): Doc => ({ name, group: "g", n, state });

/** A store with a document in each of two collections, both read once (so cached). */
async function twoCollections(path = file()) {
  const store = openSqliteStore(path);
  const docs = store.collection(docSpec);
  const others = store.collection(otherSpec);
  await docs.write(east, "a", () => doc("a", 1));
  await others.write(east, "b", () => doc("b", 1));
  await docs.get(east, "a");
  await others.get(east, "b");
  return { store, docs, others, path };
}

describe("Store.transact on SQLite", () => {
  test("removals land with the writes beside them, or not at all; the listeners hear them once committed", async () => {
    const { store, docs, others, path } = await twoCollections();
    const heard: string[] = [];
    docs.watch((_s, id, d) => heard.push(`doc ${id} ${d ? "written" : "gone"}`));
    others.watch((_s, id, d) => heard.push(`other ${id} ${d ? "written" : "gone"}`));
    await assert.rejects(
      store.transact((tx) => {
        tx.remove(docs, east, "a");
        tx.remove(others, east, "b");
        throw new Error("refused");
      }),
      /refused/,
    );
    assert.deepEqual(heard, []);
    assert.deepEqual(await docs.get(east, "a"), doc("a", 1), "a removal rolled back leaves the document, cache included");
    await store.transact((tx) => {
      tx.remove(docs, east, "a");
      tx.remove(others, east, "b");
      tx.put(others, east, "c", doc("c", 1));
      tx.remove(others, east, "never");
    });
    assert.deepEqual(heard, ["doc a gone", "other b gone", "other c written"], "a removal of nothing is not heard");
    const fresh = openSqliteStore(path);
    for (const s of [store, fresh]) {
      assert.equal(await s.collection(docSpec).get(east, "a"), undefined);
      assert.equal(await s.collection(otherSpec).get(east, "b"), undefined);
      assert.deepEqual(await s.collection(otherSpec).get(east, "c"), doc("c", 1));
    }
    await fresh.close();
    await store.close();
  });

  test("a throw in the middle leaves every collection as it was, and the cache with it", async () => {
    const { store, docs, others, path } = await twoCollections();
    const heard: string[] = [];
    docs.watch((_s, id) => heard.push(`doc ${id}`));
    others.watch((_s, id) => heard.push(`other ${id}`));
    const failed = store.transact((tx) => {
      tx.write(docs, east, "a", (cur) => ({ ...cur!, n: 2 }));
      tx.put(others, east, "c", doc("c", 1));
      tx.write(others, east, "b", (cur) => ({ ...cur!, state: "DRAINING" }));
      // A second write of the same document, with new index keys.
      tx.write(docs, east, "a", (cur) => ({ ...cur!, n: 3, state: "INACTIVE" }));
      throw new Error("refused");
    });
    await assert.rejects(failed, /refused/);
    assert.deepEqual(heard, [], "no listener heard of what was rolled back");
    // Read through this store's cache, and by another store from the file.
    const fresh = openSqliteStore(path);
    for (const s of [store, fresh]) {
      assert.deepEqual(await s.collection(docSpec).get(east, "a"), doc("a", 1));
      assert.deepEqual(await s.collection(otherSpec).get(east, "b"), doc("b", 1));
      assert.equal(await s.collection(otherSpec).get(east, "c"), undefined);
      assert.deepEqual(
        (await s.collection(docSpec).list(east, { status: "ACTIVE" })).map((d) => d.n),
        [1],
      );
    }
    // The next writes build on what is committed.
    assert.equal((await docs.write(east, "a", (cur) => ({ ...cur!, n: cur!.n + 10 })))!.n, 11);
    assert.equal((await store.transact((tx) => tx.write(others, east, "b", (cur) => ({ ...cur!, n: cur!.n + 10 }))))!.n, 11);
    assert.equal((await fresh.collection(otherSpec).get(east, "b"))?.n, 11);
    await fresh.close();
    await store.close();
  });

  test("what it wrote is committed before any listener hears of it, and each document is heard of in the order written", async () => {
    const { store, docs, others, path } = await twoCollections();
    const peek = new Database(path, { readonly: true });
    const committedN = (kind: string, id: string) =>
      (JSON.parse(peek.prepare("SELECT body FROM documents WHERE kind = ? AND id = ?").pluck().get(kind, id) as string) as Doc).n;
    const heard: string[] = [];
    docs.watch((_s, id, d) => heard.push(`doc ${id} ${d!.n} (on disk ${committedN("doc", id)})`));
    others.watch((_s, id, d) => heard.push(`other ${id} ${d!.n} (on disk ${committedN("other", id)})`));
    const done = store.transact((tx) => {
      tx.write(docs, east, "a", (cur) => ({ ...cur!, n: 2 }));
      tx.write(others, east, "b", (cur) => ({ ...cur!, n: 5 }));
      tx.write(docs, east, "a", (cur) => ({ ...cur!, n: cur!.n + 1 }));
      tx.write(docs, east, "a", () => undefined); // left as it is: nothing to hear
      return "done";
    });
    assert.equal(await done, "done");
    assert.deepEqual(heard, ["doc a 2 (on disk 3)", "other b 5 (on disk 5)", "doc a 3 (on disk 3)"]);
    peek.close();
    await store.close();
  });

  test("once it resolves, every read sees everything it wrote", async () => {
    const { store, docs, others, path } = await twoCollections();
    const answers = await store.transact((tx) => {
      const a = tx.write(docs, east, "a", (cur) => ({ ...cur!, state: "INACTIVE" }));
      const again = tx.write(docs, east, "a", (cur) => ({ ...cur!, n: cur!.n + 1 }));
      const absent = tx.write(docs, east, "nothing", () => undefined);
      const unchanged = tx.write(others, east, "b", () => undefined);
      tx.put(others, east, "c", doc("c", 7));
      const built = tx.write(others, east, "c", (cur) => ({ ...cur!, name: "c2" }));
      return { a, again, absent, unchanged, built };
    });
    assert.deepEqual(answers, {
      a: doc("a", 1, "INACTIVE"),
      again: doc("a", 2, "INACTIVE"),
      absent: undefined,
      unchanged: doc("b", 1),
      built: { ...doc("c", 7), name: "c2" },
    });
    const fresh = openSqliteStore(path);
    for (const s of [store, fresh]) {
      assert.deepEqual(await s.collection(docSpec).get(east, "a"), doc("a", 2, "INACTIVE"));
      assert.deepEqual(await s.collection(docSpec).list(east, { status: "INACTIVE" }), [doc("a", 2, "INACTIVE")]);
      assert.deepEqual(await s.collection(otherSpec).list(east), [doc("b", 1), { ...doc("c", 7), name: "c2" }]);
    }
    assert.ok(Object.isFrozen(await docs.get(east, "a")), "what it wrote is cached like any written document");
    await fresh.close();
    await store.close();
  });

  test("grouped with other writes: one failing write leaves the transaction whole, and a failing transaction leaves the others", async () => {
    const { store, docs, others } = await twoCollections();
    const grouped = { grouped: true };
    const before = docs.write(east, "a", (cur) => ({ ...cur!, n: cur!.n + 1 }), grouped);
    const together = store.transact((tx) => {
      tx.write(docs, east, "a", (cur) => ({ ...cur!, n: cur!.n + 1 }));
      tx.write(others, east, "b", (cur) => ({ ...cur!, n: cur!.n + 1 }));
      return "committed";
    }, grouped);
    const failing = others.write(
      east,
      "x",
      () => {
        throw new Error("refused");
      },
      grouped,
    );
    const after = docs.write(east, "a", (cur) => ({ ...cur!, n: cur!.n + 1 }), grouped);
    assert.equal(await together, "committed");
    await assert.rejects(failing, /refused/);
    assert.equal((await before)!.n, 2);
    assert.equal((await after)!.n, 4, "it saw the transaction's write of a");
    assert.equal((await others.get(east, "b"))!.n, 2);

    const fine = others.write(east, "b", (cur) => ({ ...cur!, n: cur!.n + 1 }), grouped);
    const undone = store.transact((tx) => {
      tx.write(docs, east, "a", (cur) => ({ ...cur!, n: 100 }));
      tx.put(others, east, "y", doc("y", 1));
      throw new Error("no");
    }, grouped);
    const alsoFine = docs.write(east, "a", (cur) => ({ ...cur!, n: cur!.n + 1 }), grouped);
    await assert.rejects(undone, /no/);
    assert.equal((await fine)!.n, 3);
    assert.equal((await alsoFine)!.n, 5, "built on the committed a, not the transaction's");
    assert.equal((await docs.get(east, "a"))!.n, 5);
    assert.equal(await others.get(east, "y"), undefined);
    await store.close();
  });

  test("a collection of another store is refused, and nothing is written", async () => {
    const { store, docs } = await twoCollections();
    const elsewhere = openSqliteStore(file()).collection(otherSpec);
    await assert.rejects(
      store.transact((tx) => {
        tx.write(docs, east, "a", (cur) => ({ ...cur!, n: 9 }));
        tx.put(elsewhere, east, "z", doc("z", 1));
      }),
      /another store/,
    );
    assert.equal((await docs.get(east, "a"))!.n, 1);
    assert.equal(await elsewhere.get(east, "z"), undefined);
    await store.close();
  });
});
