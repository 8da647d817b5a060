// The id at the end of an ARN or reference, and "name or ARN" arguments.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { idFromRef, nameFromRef } from "../../src/domain/arn.js";

const scope = { accountId: "123456789012", region: "us-east-1" };

describe("idFromRef", () => {
  test("takes what follows the last slash, or the whole reference", () => {
    const cases: [string, string][] = [
      ["arn:aws:ecs:us-east-1:123456789012:task/web/0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"],
      ["arn:aws:ecs:us-east-1:123456789012:container-instance/web/abc", "abc"],
      ["web/abc", "abc"],
      ["abc", "abc"],
      ["trailing/", ""],
      ["", ""],
    ];
    for (const [ref, id] of cases) {
      assert.equal(idFromRef(ref), id, ref);
      assert.equal(idFromRef(ref), ref.split("/").pop(), `${ref}: as split("/").pop() cut it`);
    }
  });
});

describe("nameFromRef", () => {
  test("reduces an ARN of this scope to its resource, passes names through", () => {
    assert.equal(nameFromRef(scope, "arn:aws:ecs:us-east-1:123456789012:cluster/web", "cluster"), "web");
    assert.equal(nameFromRef(scope, "web", "cluster"), "web");
    assert.equal(nameFromRef(scope, "arn:aws:ecs:eu-west-1:123456789012:cluster/web", "cluster"), undefined);
    assert.equal(nameFromRef(scope, "arn:aws:ecs:us-east-1:123456789012:service/web", "cluster"), undefined);
  });
});
