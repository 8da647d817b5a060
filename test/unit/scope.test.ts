// scopeKey: one key per account, region and id, whatever characters they hold.
import assert from "node:assert/strict";
import { test } from "node:test";
import { scopeKey } from "../../src/domain/scope.js";

test("scopeKey tells apart every scope and id, even where a slash would not", () => {
  const keys = [
    scopeKey({ accountId: "123456789012", region: "us-east-1" }),
    scopeKey({ accountId: "123456789012", region: "us-east-2" }),
    scopeKey({ accountId: "210987654321", region: "us-east-1" }),
    scopeKey({ accountId: "123456789012", region: "us-east-1" }, "web/api"),
    scopeKey({ accountId: "123456789012", region: "us-east-1/web" }, "api"),
    scopeKey({ accountId: "123456789012", region: "us-east-1" }, ""),
  ];
  assert.equal(new Set(keys).size, keys.length);
  assert.equal(scopeKey({ accountId: "1", region: "r" }, "x"), scopeKey({ accountId: "1", region: "r" }, "x"));
});
