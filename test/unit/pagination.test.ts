import { EcsError } from "../../src/domain/errors.js";
import assert from "node:assert/strict";
import { test } from "node:test";
import { pageInKeyOrder, paginate, positionOf, tokenAfter } from "../../src/domain/pagination.js";

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

test("a page boundary survives the last item given being deleted: the next page starts at the one after it", () => {
  const first = paginate(["a", "b", "c", "d", "e"], id, { ...opts, maxResults: 2 });
  const second = paginate(["a", "c", "d", "e"], id, { ...opts, maxResults: 2, nextToken: first.nextToken });
  assert.deepEqual(second.items, ["c", "d"]);
});

test("maxResults outside its range and garbage tokens are InvalidParameterException", () => {
  const isInvalid = (err: unknown) => err instanceof EcsError && err.name === "InvalidParameterException";
  assert.throws(() => paginate(["a"], id, { ...opts, maxResults: 0 }), isInvalid);
  assert.throws(() => paginate(["a"], id, { ...opts, maxResults: 6 }), isInvalid);
  assert.throws(() => paginate(["a"], id, { ...opts, nextToken: "not-a-token" }), isInvalid);
});

test("keyset tokens name a (parent, seq, id) position and refuse anything else", () => {
  const isInvalid = (err: unknown) => err instanceof EcsError && err.name === "InvalidParameterException";
  const position = { seq: 1795707956433, id: "019ac2f4e1d1a2b3c4d5e6f708192a3b" };
  assert.deepEqual(positionOf(tokenAfter(position)), position);
  assert.deepEqual(positionOf(tokenAfter({ seq: 0, id: "a/b" })), { seq: 0, id: "a/b" });
  assert.deepEqual(positionOf(tokenAfter({ parent: "web", seq: 7, id: "web:7" })), { parent: "web", seq: 7, id: "web:7" });
  assert.throws(() => positionOf(Buffer.from(JSON.stringify({ k: "7/web:7", o: 0, p: 7 })).toString("base64url")), isInvalid);
  assert.throws(() => positionOf("not-a-token"), isInvalid);
  // A token of the offset kind, or one naming no number, is no position.
  const offsetToken = paginate(["a", "b"], id, { ...opts, maxResults: 1 }).nextToken!;
  assert.throws(() => positionOf(offsetToken), isInvalid);
  assert.throws(() => positionOf(Buffer.from(JSON.stringify({ k: "x/abc", o: 0 })).toString("base64url")), isInvalid);
  assert.throws(() => positionOf(Buffer.from(JSON.stringify({ k: "12/", o: 0 })).toString("base64url")), isInvalid);
});

test("pages in key order resume past the key named, whatever came and went before or at it", () => {
  const invalid = () => new Error("invalid token");
  const first = pageInKeyOrder(["d", "b", "a", "c", "e"], id, undefined, 2, invalid);
  assert.deepEqual(first.items, ["a", "b"]);
  // a and b deleted, "bb" and "aa" added: by position the next page would start at e.
  const second = pageInKeyOrder(["e", "bb", "c", "aa", "d"], id, first.nextToken, 2, invalid);
  assert.deepEqual(second, { items: ["bb", "c"], nextToken: second.nextToken });
  assert.deepEqual(pageInKeyOrder(["e", "bb", "c", "aa", "d"], id, second.nextToken, 2, invalid), { items: ["d", "e"] });
  assert.deepEqual(pageInKeyOrder(["a"], id, "", 2, invalid), { items: ["a"] }, "an empty token is the first page");
  assert.throws(() => pageInKeyOrder(["a"], id, "not-a-token", 2, invalid), /invalid token/);
});
