// Parameter Store's pure rules (src/domain/ssm): names and ARNs with selectors, the path a name
// sits under, tiers, labels moving between versions, and pages by name.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SsmError } from "../../src/domain/ssm/errors.js";
import { isUnder } from "../../src/domain/ssm/filters.js";
import { labelVersion } from "../../src/domain/ssm/labels.js";
import { checkNewName, levelsOf, parameterArn, parentPathOf, parseRef } from "../../src/domain/ssm/names.js";
import { pageByName } from "../../src/domain/ssm/pages.js";
import { putParameter, tierOf, type StoredParameter } from "../../src/domain/ssm/parameter.js";

const scope = { accountId: "123456789012", region: "us-east-1" };
const refused = (fn: () => unknown, code: string) => assert.throws(fn, (err: unknown) => err instanceof SsmError && err.code === code);

describe("SSM parameter names", () => {
  test("levels, parent paths and ARNs", () => {
    assert.deepEqual([levelsOf("plain"), levelsOf("/a"), levelsOf("/a/b/c")], [1, 1, 3]);
    assert.deepEqual([parentPathOf("plain"), parentPathOf("/a"), parentPathOf("/a/b/c")], ["/", "/", "/a/b"]);
    assert.equal(parameterArn(scope, "/a/b"), "arn:aws:ssm:us-east-1:123456789012:parameter/a/b");
    assert.equal(parameterArn(scope, "plain"), "arn:aws:ssm:us-east-1:123456789012:parameter/plain");
  });

  test("a name, an ARN, each with a selector; an ARN of elsewhere names nothing", () => {
    assert.deepEqual(parseRef(scope, "/a/b"), { names: ["/a/b"] });
    assert.deepEqual(parseRef(scope, "/a/b:3"), { names: ["/a/b"], selector: { version: 3 }, selectorText: ":3" });
    assert.deepEqual(parseRef(scope, "/a/b:prod"), { names: ["/a/b"], selector: { label: "prod" }, selectorText: ":prod" });
    assert.deepEqual(parseRef(scope, "arn:aws:ssm:us-east-1:123456789012:parameter/a/b:2"), {
      names: ["/a/b"],
      selector: { version: 2 },
      selectorText: ":2",
    });
    assert.deepEqual(parseRef(scope, "arn:aws:ssm:us-east-1:123456789012:parameter/x"), { names: ["x", "/x"] });
    assert.equal(parseRef(scope, "arn:aws:ssm:eu-west-1:123456789012:parameter/x"), undefined);
    assert.equal(parseRef(scope, "arn:aws:secretsmanager:us-east-1:123456789012:secret:x"), undefined);
    refused(() => parseRef(scope, "/a:"), "ValidationException");
  });

  test("names a put may create", () => {
    for (const ok of ["plain", "/a/b.c-d_e", "/" + "x/".repeat(14) + "x"]) checkNewName(ok);
    for (const bad of ["/a b", "/awsome", "ssm", "a/b", "/a//b", "/a/", "/a:b"]) refused(() => checkNewName(bad), "ValidationException");
    refused(() => checkNewName("/" + "x/".repeat(15) + "x"), "HierarchyLevelLimitExceededException");
  });

  test("under a path: one level or at any depth; /ab is not under /a", () => {
    assert.ok(isUnder("/a/b", "/a", false));
    assert.ok(!isUnder("/a/b/c", "/a", false));
    assert.ok(isUnder("/a/b/c", "/a", true));
    assert.ok(!isUnder("/ab", "/a", true));
    assert.ok(isUnder("/a", "/", false) && !isUnder("plain", "/", true));
  });
});

describe("SSM parameter rules", () => {
  test("tiers", () => {
    assert.equal(tierOf(undefined, undefined, 4096), "Standard");
    assert.equal(tierOf(undefined, "Advanced", 10), "Advanced");
    assert.equal(tierOf("Intelligent-Tiering", undefined, 4097), "Advanced");
    refused(() => tierOf(undefined, undefined, 4097), "ValidationException");
    refused(() => tierOf("Standard", "Advanced", 10), "ValidationException");
    refused(() => tierOf("Advanced", undefined, 8193), "ValidationException");
  });

  test("a label moves to the version it is put on", () => {
    const put = (current: StoredParameter | undefined, Value: string) =>
      putParameter(current, { input: { Name: "/p", Value, Type: "String", Overwrite: true }, storedValue: Value, now: 0, user: "u" });
    const two = put(put(undefined, "1"), "2");
    const first = labelVersion(two, 1, ["live"]);
    const moved = labelVersion(first.parameter, 2, ["live"]);
    assert.deepEqual(
      moved.parameter.versions.map((v) => v.labels),
      [[], ["live"]],
    );
  });

  test("pages by name hold their boundary while names come and go", () => {
    const names = ["/c", "/a", "/b", "/d"];
    const first = pageByName(names, (n) => n, 2, undefined);
    assert.deepEqual(first.items, ["/a", "/b"]);
    const next = pageByName(["/a", "/d", "/c", "/bb"], (n) => n, 2, first.nextToken);
    assert.deepEqual(next.items, ["/bb", "/c"]);
    assert.deepEqual(
      pageByName(["/a", "/d", "/c", "/bb"], (n) => n, 2, next.nextToken),
      { items: ["/d"] },
    );
    refused(() => pageByName(names, (n) => n, 2, "not-a-token"), "InvalidNextToken");
  });
});
