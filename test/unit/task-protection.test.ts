// Task scale-in protection's pure rules: the expiry ECS sets, its limits, how a stored
// protection reads back, and which tasks can be protected.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EcsError } from "../../src/domain/errors.js";
import { checkProtectionTasks, protectedTaskView, protectionExpiry, protectionFailure } from "../../src/domain/task/protection.js";

const now = new Date("2026-01-01T00:00:00Z");
const plus = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
const invalid = (err: unknown) => err instanceof EcsError && err.name === "InvalidParameterException";

describe("task protection rules", () => {
  test("on: 120 minutes by default, else expiresInMinutes from 1 to 2880; off: no expiry, minutes ignored", () => {
    assert.deepEqual(protectionExpiry(true, undefined, now), plus(120));
    assert.deepEqual(protectionExpiry(true, 1, now), plus(1));
    assert.deepEqual(protectionExpiry(true, 2880, now), plus(2880));
    for (const bad of [0, -5, 2881]) assert.throws(() => protectionExpiry(true, bad, now), invalid);
    assert.equal(protectionExpiry(false, 9999, now), undefined);
  });

  test("at most the operation's limit of tasks", () => {
    assert.equal(checkProtectionTasks(Array(10).fill("t"), 10).length, 10);
    assert.throws(() => checkProtectionTasks(Array(11).fill("t"), 10), invalid);
    assert.deepEqual(checkProtectionTasks(undefined, 100), []);
  });

  test("an expired protection reads as off", () => {
    assert.deepEqual(protectedTaskView("arn", plus(1), now), { taskArn: "arn", protectionEnabled: true, expirationDate: plus(1) });
    assert.deepEqual(protectedTaskView("arn", plus(-1), now), { taskArn: "arn", protectionEnabled: false });
    assert.deepEqual(protectedTaskView("arn", undefined, now), { taskArn: "arn", protectionEnabled: false });
  });

  test("only a service's tasks can be protected", () => {
    assert.equal(protectionFailure("a", undefined)?.reason, "MISSING");
    assert.equal(protectionFailure("a", { group: "family:web" })?.reason, "TASK_NOT_VALID");
    assert.equal(protectionFailure("a", { group: "service:web", startedBy: "ecs-svc/123" }), undefined);
  });
});
