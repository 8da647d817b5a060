// The in-memory by-parent index on the real SQLite store: after any sequence of writes it
// lists what the store lists, in the store's order.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ParentIndex } from "../../src/state/parent-index.js";
import { openSqliteStore } from "../../src/state/sqlite/sqlite-store.js";
import type { CollectionSpec } from "../../src/state/store.js";
import { mulberry32 } from "../support/random.js";

interface Doc {
  id: string;
  group: string;
  at: number;
  beat: number;
}
const spec: CollectionSpec<Doc> = { name: "doc", keys: (d) => ({ parent: d.group, seq: d.at, status: "" }) };
const scope = { accountId: "111111111111", region: "us-east-1" };
const byStoreOrder = (a: Doc, b: Doc) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

test("after random writes, moves and removals the index lists what the store lists", async () => {
  const docs = openSqliteStore(join(mkdtempSync(join(tmpdir(), "berth-parent-")), "state.sqlite")).collection(spec);
  const rng = mulberry32(11);
  const write = (id: string, patch: Partial<Doc>) =>
    docs.write(scope, id, (cur) => ({ id, group: "g0", at: 0, beat: 0, ...cur, ...patch }));
  for (let i = 0; i < 20; i++) await write(`d${i}`, { group: `g${i % 3}`, at: Math.floor(rng() * 5) });
  const index = new ParentIndex(
    docs,
    (d) => d.group,
    (d) => d.id,
    byStoreOrder,
  );
  const pending = index.list(scope, "g0"); // a write while the first load is under way
  await write("d0", { group: "g2", beat: 99 });
  await pending;
  for (let step = 0; step < 300; step++) {
    const id = `d${Math.floor(rng() * 25)}`;
    const r = rng();
    if (r < 0.6)
      await write(id, { beat: step }); // in place
    else if (r < 0.8) await write(id, { group: `g${Math.floor(rng() * 3)}` });
    else if (r < 0.9) await write(id, { at: Math.floor(rng() * 5) });
    else await docs.remove(scope, id);
    if (step % 25 === 0 || step === 299) {
      for (const g of ["g0", "g1", "g2"])
        assert.deepEqual(await index.list(scope, g), await docs.list(scope, { parent: g }), `step ${step}, ${g}`);
    }
  }
});
