// Resource ids: ECS's 32-hex-character long format; task ids also sort by creation time.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { newResourceId, newTimeOrderedId } from "../../src/domain/ids.js";

const LONG_ID = /^[0-9a-f]{32}$/;

describe("resource ids", () => {
  test("are 32 lowercase hex characters and do not repeat", () => {
    const ids = new Set<string>();
    // More than one 4 KB pool's worth, so the pool is refilled along the way.
    for (let i = 0; i < 1000; i++) {
      for (const id of [newResourceId(), newTimeOrderedId()]) {
        assert.match(id, LONG_ID);
        ids.add(id);
      }
    }
    assert.equal(ids.size, 2000);
  });

  test("task ids lead with their creation time, so later ones sort after earlier ones", () => {
    const at = Date.UTC(2026, 10, 26, 12, 0, 0);
    const id = newTimeOrderedId(at);
    assert.equal(parseInt(id.slice(0, 12), 16), at);
    const inOrder = [at - 86_400_000, at - 1, at, at + 1, at + 3_600_000].map((t) => newTimeOrderedId(t));
    assert.deepEqual([...inOrder].sort(), inOrder);
  });

  test("ids made in the same millisecond still differ in their random part", () => {
    const at = Date.now();
    const a = newTimeOrderedId(at);
    const b = newTimeOrderedId(at);
    assert.equal(a.slice(0, 12), b.slice(0, 12));
    assert.notEqual(a.slice(12), b.slice(12));
  });
});
