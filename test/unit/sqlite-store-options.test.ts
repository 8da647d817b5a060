// The SQLite store's options, and the errors it reports because no caller would hear of them.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { startCheckpointer } from "../../src/state/sqlite/checkpointer.js";
import { openSqliteStore } from "../../src/state/sqlite/sqlite-store.js";
import type { CollectionSpec } from "../../src/state/store.js";

interface Doc {
  name: string;
  n: number;
}

const spec: CollectionSpec<Doc> = { name: "doc", keys: (d) => ({ parent: "", seq: d.n, status: "" }) };
const east = { accountId: "111111111111", region: "us-east-1" };
const dir = () => mkdtempSync(join(tmpdir(), "berth-store-"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("SQLite store options", () => {
  test("cacheDocuments bounds the decoded documents kept: past it, a read decodes again", async () => {
    const read = async (cacheDocuments?: number) => {
      const store = openSqliteStore(join(dir(), "state.sqlite"), cacheDocuments === undefined ? {} : { cacheDocuments });
      const docs = store.collection(spec);
      await docs.write(east, "a", () => ({ name: "a", n: 1 }));
      await docs.write(east, "b", () => ({ name: "b", n: 2 }));
      const first = await docs.get(east, "a");
      await docs.get(east, "b");
      const again = await docs.get(east, "a");
      await store.close();
      return first === again;
    };
    assert.equal(await read(), true, "by default both stay cached: the same copy comes back");
    assert.equal(await read(1), false, "with room for one, reading b dropped a");
  });

  test("a group commit that failed and then went through write by write is reported", async () => {
    const heard: string[] = [];
    const store = openSqliteStore(join(dir(), "state.sqlite"), {
      onError: (what, err) => heard.push(`${what}: ${(err as Error).message}`),
    });
    const docs = store.collection(spec);
    let calls = 0;
    // Not pure, against the contract: it fails the first attempt only, so no write fails.
    const flaky = docs.write(
      east,
      "f",
      () => {
        if (++calls === 1) throw new Error("only once");
        return { name: "f", n: 1 };
      },
      { grouped: true },
    );
    const other = docs.write(east, "o", () => ({ name: "o", n: 2 }), { grouped: true });
    assert.equal((await flaky)?.name, "f");
    assert.equal((await other)?.name, "o");
    assert.deepEqual(heard, ["group commit: only once"]);
    // A write that fails again is its caller's to hear of, not reported.
    const failing = docs.write(
      east,
      "x",
      () => {
        throw new Error("refused");
      },
      { grouped: true },
    );
    const fine = docs.write(east, "y", () => ({ name: "y", n: 3 }), { grouped: true });
    await assert.rejects(failing, /refused/);
    await fine;
    assert.deepEqual(heard, ["group commit: only once"]);
    await store.close();
  });
});

describe("checkpointer", () => {
  test("a store left open does not keep the process running", () => {
    const store = new URL("../../src/state/sqlite/sqlite-store.js", import.meta.url).href;
    const where = dir();
    // A file, not --eval: the checkpointer's thread inherits the process's flags, and
    // --input-type would stop it from starting at all.
    const script = join(where, "open.mjs");
    writeFileSync(
      script,
      `import { openSqliteStore } from ${JSON.stringify(store)};
      const store = openSqliteStore(${JSON.stringify(join(where, "state.sqlite"))});
      await store.collection({ name: "doc", keys: () => ({ parent: "", seq: 0, status: "" }) }).write(${JSON.stringify(east)}, "a", () => ({}));
      // Long enough for the checkpointer's thread to be up and checkpointing.
      await new Promise((resolve) => setTimeout(resolve, 500));`,
    );
    const run = spawnSync(process.execPath, [script], { timeout: 20_000, encoding: "utf8" });
    assert.equal(run.signal, null, "it ended by itself");
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, "", "and reported nothing");
  });

  test("a failing checkpoint is reported, once while the same failure lasts", async () => {
    const path = join(dir(), "not-a-database");
    writeFileSync(path, "x".repeat(8192));
    const heard: { message: string; code?: string }[] = [];
    const checkpointer = startCheckpointer(path, (err) =>
      heard.push({ message: (err as Error).message, code: (err as { code?: string }).code }),
    );
    // The worker tries every 200 ms: this spans several rounds.
    await sleep(1_000);
    await checkpointer.close();
    assert.deepEqual(heard, [{ message: "file is not a database", code: "SQLITE_NOTADB" }]);
  });

  test("a worker that cannot start is reported, and closing still returns", async () => {
    const heard: string[] = [];
    const checkpointer = startCheckpointer(join(dir(), "missing", "state.sqlite"), (err) => heard.push((err as Error).message));
    const deadline = Date.now() + 5_000;
    while (heard.length === 0 && Date.now() < deadline) await sleep(20);
    await checkpointer.close();
    assert.equal(heard.length, 1);
    assert.match(heard[0]!, /directory does not exist/);
  });
});
