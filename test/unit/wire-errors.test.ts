// How anything thrown looks on the wire: the ECS model decides the status of an EcsError.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ProtocolError, toWireError } from "../../src/aws/errors.js";
import { EcsError, invalidParameter, serverException } from "../../src/domain/errors.js";
import { createLogger } from "../../src/log/logger.js";
import { ecsErrors } from "../../src/services/ecs/service.js";

test("an EcsError is the caller's fault (400) unless the model marks it the service's (ServerException, 500); anything else is a logged 500", () => {
  const logged: string[] = [];
  const log = createLogger({ level: "debug", destination: { write: (line: string) => void logged.push(line) } });
  assert.deepEqual(toWireError(invalidParameter("bad"), ecsErrors, log), {
    status: 400,
    type: "InvalidParameterException",
    message: "bad",
  });
  assert.deepEqual(toWireError(new EcsError("ServiceNotFoundException", "Service not found."), ecsErrors, log), {
    status: 400,
    type: "ServiceNotFoundException",
    message: "Service not found.",
  });
  assert.deepEqual(toWireError(serverException("broken"), ecsErrors, log), { status: 500, type: "ServerException", message: "broken" });
  assert.deepEqual(toWireError(new ProtocolError("InvalidSignatureException", "no", 403), ecsErrors, log), {
    status: 403,
    type: "InvalidSignatureException",
    message: "no",
  });
  assert.equal(logged.length, 0);
  assert.deepEqual(toWireError(new TypeError("x is undefined"), ecsErrors, log), {
    status: 500,
    type: "ServerException",
    message: "An internal error occurred in berth.",
  });
  assert.equal(logged.length, 1, "an unexpected error is logged");
});
