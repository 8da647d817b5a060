// Assertions on AWS-shaped errors as the SDK and the CLI surface them.
import assert from "node:assert/strict";
import type { CliResult } from "./clients.js";

/** The SDK rejects with an error whose name is the `__type` (and whose message is `message`, or matches it). */
export async function expectError(p: Promise<unknown>, code: string, message?: RegExp | string): Promise<void> {
  await assert.rejects(p, (err: Error) => {
    assert.equal(err.name, code, err.message);
    if (typeof message === "string") assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  });
}

/** The CLI exits non-zero and names the code and the operation on stderr. */
export function expectCliError(r: CliResult, code: string, operation: string): void {
  assert.notEqual(r.status, 0, `expected ${operation} to fail: ${r.stdout}`);
  assert.match(r.stderr, new RegExp(`An error occurred \\(${code}\\) when calling the ${operation} operation`));
}
