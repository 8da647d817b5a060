// HAProxy's check statuses as ELB's failures: a check that never connects (a SYN a security
// group drops: L4TOUT) or gets no answer in time is a timeout (Target.Timeout); a refused or
// broken connection is a failure, never a response-code mismatch; only an HTTP code is one.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkFailure, observedOf } from "../../src/dataplane/haproxy/health.js";

test("check statuses: timeouts, refusals and codes", () => {
  for (const status of ["L4TOUT", "L6TOUT", "L7TOUT", "* L4TOUT"]) assert.deepEqual(checkFailure(status, ""), { kind: "timeout" }, status);
  for (const status of ["L4CON", "L6RSP", "L7RSP", "SOCKERR"]) assert.deepEqual(checkFailure(status, ""), { kind: "connection" }, status);
  assert.deepEqual(checkFailure("L7STS", "404"), { kind: "response-code", code: 404 });
  assert.deepEqual(checkFailure("L7STS", ""), { kind: "connection" }, "no code: no mismatch to name");
  assert.equal(checkFailure("L7OK", "200"), undefined);
  assert.equal(checkFailure("L4OK", ""), undefined);
});

test("a server down after its SYNs were dropped is unhealthy by timeout", () => {
  assert.deepEqual(observedOf({ status: "DOWN", checkStatus: "L4TOUT", checkCode: "" }, false), {
    status: "unhealthy",
    failure: { kind: "timeout" },
  });
  assert.deepEqual(observedOf({ status: "UP", checkStatus: "L7OK", checkCode: "200" }, true), { status: "healthy" });
  assert.deepEqual(observedOf({ status: "UP", checkStatus: "L7OK", checkCode: "200" }, false), { status: "initial" });
});
