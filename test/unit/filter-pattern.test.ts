// CloudWatch Logs filter patterns: the pure parser and matcher of src/domain/logs.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { FilterPatternError, parseFilterPattern } from "../../src/domain/logs/filter-pattern.js";

const matching = (pattern: string, messages: string[]) => messages.filter((m) => parseFilterPattern(pattern).matches(m));

describe("filter patterns: terms", () => {
  const lines = ["ERROR disk full", "WARN disk at 90%", "INFO ok", "error lowercase", "ERROR timeout after 3s"];

  test("an empty pattern matches everything", () => {
    assert.deepEqual(matching("", lines), lines);
    assert.deepEqual(matching("   ", lines), lines);
    assert.deepEqual(parseFilterPattern(undefined).requiredTerms, []);
  });

  test("every term must appear, case-sensitively", () => {
    assert.deepEqual(matching("ERROR", lines), ["ERROR disk full", "ERROR timeout after 3s"]);
    assert.deepEqual(matching("ERROR disk", lines), ["ERROR disk full"]);
    assert.deepEqual(matching("error", lines), ["error lowercase"]);
    assert.deepEqual(parseFilterPattern("ERROR disk").requiredTerms, ["ERROR", "disk"]);
  });

  test("a quoted phrase is one term with its spaces", () => {
    assert.deepEqual(matching('"disk full"', lines), ["ERROR disk full"]);
    assert.deepEqual(matching('"at 90%"', lines), ["WARN disk at 90%"]);
  });

  test("?terms: any of them", () => {
    assert.deepEqual(matching("?ERROR ?WARN", lines), ["ERROR disk full", "WARN disk at 90%", "ERROR timeout after 3s"]);
    assert.deepEqual(matching('?"disk full" ?INFO', lines), ["ERROR disk full", "INFO ok"]);
  });

  test("-terms exclude", () => {
    assert.deepEqual(matching("ERROR -timeout", lines), ["ERROR disk full"]);
    assert.deepEqual(matching('disk -"disk full"', lines), ["WARN disk at 90%"]);
  });

  test("malformed term patterns are errors", () => {
    for (const bad of ['"unterminated', "ERROR -", "?", 'ab"c']) assert.throws(() => parseFilterPattern(bad), FilterPatternError, bad);
  });
});

describe("filter patterns: JSON", () => {
  const events = [
    JSON.stringify({ level: "error", latency: 250, user: "bot-7", ok: false, tags: ["a", "b"], nested: { id: 1 } }),
    JSON.stringify({ level: "info", latency: 50, user: "alice", ok: true, gone: null }),
    JSON.stringify({ level: "error", latency: 99, user: "bob" }),
    "not json { $.level }",
    "[1, 2]",
  ];
  const pick = (pattern: string) => matching(pattern, events).map((m) => events.indexOf(m));

  test("string equality, inequality and wildcards", () => {
    assert.deepEqual(pick('{ $.level = "error" }'), [0, 2]);
    assert.deepEqual(pick("{ $.level = error }"), [0, 2]);
    assert.deepEqual(pick('{ $.level != "error" }'), [1]);
    assert.deepEqual(pick('{ $.user = "bot*" }'), [0]);
    assert.deepEqual(pick('{ $.user = "*o*" }'), [0, 2]);
    assert.deepEqual(pick('{ $.level = "ERROR" }'), []);
  });

  test("numbers compare numerically", () => {
    assert.deepEqual(pick("{ $.latency > 100 }"), [0]);
    assert.deepEqual(pick("{ $.latency >= 99 }"), [0, 2]);
    assert.deepEqual(pick("{ $.latency < 99 }"), [1]);
    assert.deepEqual(pick("{ $.latency <= 50 }"), [1]);
    assert.deepEqual(pick("{ $.latency = 250 }"), [0]);
    assert.deepEqual(pick("{ $.latency != 250 }"), [1, 2]);
    assert.deepEqual(pick("{ $.nested.id = 1 }"), [0]);
  });

  test("&&, || and parentheses", () => {
    assert.deepEqual(pick('{ $.level = "error" && $.latency > 100 }'), [0]);
    assert.deepEqual(pick('{ $.level = "info" || $.latency > 100 }'), [0, 1]);
    assert.deepEqual(pick('{ ($.level = "error" || $.level = "info") && $.latency < 100 }'), [1, 2]);
    assert.deepEqual(pick('{ $.level = "error" && ($.user = "bob" || $.latency > 200) }'), [0, 2]);
  });

  test("booleans, arrays, IS NULL and NOT EXISTS", () => {
    assert.deepEqual(pick("{ $.ok = true }"), [1]);
    assert.deepEqual(pick("{ $.ok = false }"), [0]);
    assert.deepEqual(pick('{ $.tags[1] = "b" }'), [0]);
    assert.deepEqual(pick("{ $.gone IS NULL }"), [1]);
    assert.deepEqual(pick("{ $.ok NOT EXISTS }"), [2, 4]);
    assert.deepEqual(pick("{ $[0] = 1 }"), [4]);
  });

  test("a comparison on a missing field or a non-JSON message is false", () => {
    assert.deepEqual(pick('{ $.missing != "x" }'), []);
    assert.deepEqual(pick("{ $.user > 3 }"), []);
  });

  test("malformed JSON patterns are errors", () => {
    for (const bad of [
      '{ $.level = "error" ',
      "{ level = 1 }",
      "{ $.a = }",
      "{ $.a > }",
      '{ $.a > "x" }',
      "{ ($.a = 1 }",
      "{ $.a = 1 && }",
      "{ $.a ! 1 }",
      "{ $.a IS 1 }",
      "{ }",
    ])
      assert.throws(() => parseFilterPattern(bad), FilterPatternError, bad);
  });
});

describe("filter patterns: space-delimited", () => {
  const lines = [
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
    '127.0.0.2 - bob [10/Oct/2000:13:35:22 -0700] "GET /index.html HTTP/1.0" 404 12',
    "short line",
  ];

  test("fields by position, with conditions", () => {
    const fields = "[ip, id, user, timestamp, request, status_code, bytes]";
    assert.deepEqual(matching(fields, lines), lines.slice(0, 2));
    assert.deepEqual(matching("[ip, id, user, timestamp, request, status_code = 404, bytes]", lines), [lines[1]]);
    assert.deepEqual(matching("[ip, id, user, timestamp, request, status_code = 2*, bytes > 1000]", lines), [lines[0]]);
    assert.deepEqual(matching("[ip, id, user = bob || user = frank, ...]", lines), lines.slice(0, 2));
    assert.deepEqual(matching("[..., status_code = 404, bytes]", lines), [lines[1]]);
  });

  test("malformed delimited patterns are errors", () => {
    for (const bad of ["[a, b", "[a,, b]", "[a = ]", "[..., ...]"]) assert.throws(() => parseFilterPattern(bad), FilterPatternError, bad);
  });
});
