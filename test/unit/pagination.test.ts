import { EcsError } from "../../src/domain/errors.js";
import assert from "node:assert/strict";
import { test } from "node:test";
import { paginate } from "../../src/domain/pagination.js";

const opts = { defaultMax: 3, limit: 5 };
const id = (s: string) => s;

test("pages cover every item once, in order", () => {
  const items = ["a", "b", "c", "d", "e", "f", "g"];
  const seen: string[] = [];
  let token: string | undefined;
  do {
    const page = paginate(items, id, { ...opts, nextToken: token });
    seen.push(...page.items);
    token = page.nextToken;
  } while (token);
  assert.deepEqual(seen, items);
});

test("the last page has no token", () => {
  assert.equal(paginate(["a", "b", "c"], id, opts).nextToken, undefined);
  assert.ok(paginate(["a", "b", "c", "d"], id, opts).nextToken);
});

test("a page boundary survives items added before it", () => {
  const first = paginate(["b", "c", "d", "e"], id, { ...opts, maxResults: 2 });
  const second = paginate(["a", "b", "c", "d", "e"], id, { ...opts, maxResults: 2, nextToken: first.nextToken });
  assert.deepEqual(second.items, ["d", "e"]);
});

test("maxResults outside its range and garbage tokens are InvalidParameterException", () => {
  const isInvalid = (err: unknown) => err instanceof EcsError && err.name === "InvalidParameterException";
  assert.throws(() => paginate(["a"], id, { ...opts, maxResults: 0 }), isInvalid);
  assert.throws(() => paginate(["a"], id, { ...opts, maxResults: 6 }), isInvalid);
  assert.throws(() => paginate(["a"], id, { ...opts, nextToken: "not-a-token" }), isInvalid);
});
