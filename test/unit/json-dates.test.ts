// Dates written in the caller's form (epoch seconds on the AWS wire), and Date left as it was.
import assert from "node:assert/strict";
import { test } from "node:test";
import { toAwsJson } from "../../src/wire/aws-json.js";
import { stringifyWithDates } from "../../src/json-dates.js";

test("AWS JSON writes timestamps as epoch seconds at any depth and omits absent members", () => {
  const at = new Date("2026-11-26T12:00:00.250Z");
  const body = JSON.parse(toAwsJson({ task: { createdAt: at, gone: undefined, containers: [{ at }] }, when: [at] }));
  assert.deepEqual(body, {
    task: { createdAt: at.getTime() / 1000, containers: [{ at: at.getTime() / 1000 }] },
    when: [at.getTime() / 1000],
  });
  assert.equal(JSON.stringify(at), `"${at.toISOString()}"`, "Date's own JSON form is back");
});

test("Date's own JSON form is back after a stringify that throws", () => {
  assert.throws(
    () =>
      stringifyWithDates({ at: new Date(0), big: 1n }, function (this: Date) {
        return this.getTime();
      }),
    TypeError,
  );
  assert.equal(JSON.stringify({ at: new Date(0) }), '{"at":"1970-01-01T00:00:00.000Z"}');
});
