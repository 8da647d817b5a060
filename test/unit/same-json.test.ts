// sameJson: equal exactly when the two would be stored as the same JSON data.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sameJson } from "../../src/domain/same-json.js";

describe("sameJson", () => {
  test("agrees with comparing the JSON text, whatever the key order", () => {
    const cases: [unknown, unknown][] = [
      [
        { a: 1, b: [1, "x", null] },
        { b: [1, "x", null], a: 1 },
      ],
      [{ a: 1 }, { a: 2 }],
      [{ a: [1, 2] }, { a: [2, 1] }],
      [{ a: [1] }, { a: [1, 1] }],
      [{ a: {} }, { a: [] }],
      [{ a: null }, {}],
      [{ a: "1" }, { a: 1 }],
      [{ nested: { deep: { x: true } } }, { nested: { deep: { x: false } } }],
      [[], []],
      [null, {}],
    ];
    const sorted = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sorted)
        : v && typeof v === "object"
          ? Object.fromEntries(
              Object.entries(v)
                .sort(([x], [y]) => (x < y ? -1 : 1))
                .map(([k, x]) => [k, sorted(x)]),
            )
          : v;
    for (const [a, b] of cases) {
      assert.equal(sameJson(a, b), JSON.stringify(sorted(a)) === JSON.stringify(sorted(b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
  });

  test("a key holding undefined counts as absent, as JSON drops it", () => {
    assert.equal(sameJson({ a: 1, gone: undefined }, { a: 1 }), true);
    assert.equal(sameJson({ a: 1 }, { a: 1, gone: undefined }), true);
    assert.equal(sameJson({ a: undefined }, { a: null }), false);
  });

  test("dates compare by instant", () => {
    assert.equal(sameJson({ at: new Date(5) }, { at: new Date(5) }), true);
    assert.equal(sameJson({ at: new Date(5) }, { at: new Date(6) }), false);
    assert.equal(sameJson({ at: new Date(5) }, { at: 5 }), false);
    assert.equal(sameJson({ at: new Date(5) }, { at: {} }), false);
  });
});
