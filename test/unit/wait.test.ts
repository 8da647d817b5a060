// The tests' one way of waiting for a state (test/support/wait.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { waitFor } from "../support/wait.js";

test("resolves with the first truthy value, probing until then", async () => {
  let probes = 0;
  const found = await waitFor(() => (++probes < 3 ? undefined : { at: probes }), { intervalMs: 1 });
  assert.deepEqual(found, { at: 3 });
  assert.equal(probes, 3);
});

test("with `until`, resolves with the value it accepts, falsy or not", async () => {
  const values = [2, 1, 0];
  assert.equal(await waitFor(() => values.shift()!, { until: (n) => n === 0, intervalMs: 1 }), 0);
});

test("past the deadline, fails naming what it waited for and the last value seen", async () => {
  let n = 0;
  const started = Date.now();
  await assert.rejects(
    waitFor(() => ({ running: n++ % 2 }), { until: (s) => s.running === 3, message: "3 running", timeoutMs: 50, intervalMs: 5 }),
    (err: Error) => {
      assert.match(err.message, /^timed out after 50 ms waiting for 3 running; last seen: \{ running: [01] \}$/);
      return true;
    },
  );
  assert.ok(Date.now() - started >= 50, "not before the deadline");
});

test("without a message, names the probe by its source", async () => {
  const count = 0;
  await assert.rejects(
    waitFor(() => count > 1, { timeoutMs: 10, intervalMs: 5 }),
    /waiting for \(\) => count > 1; last seen: false$/,
  );
});

test("a probe that throws fails at once, unless errors are to be retried", async () => {
  let probes = 0;
  await assert.rejects(
    waitFor(() => {
      probes++;
      throw new Error("refused");
    }),
    /^Error: refused$/,
  );
  assert.equal(probes, 1);

  let attempts = 0;
  const ok = await waitFor(
    () => {
      if (++attempts < 3) throw new Error("ECONNREFUSED");
      return "up";
    },
    { retryErrors: true, intervalMs: 1 },
  );
  assert.equal(ok, "up");
  await assert.rejects(
    waitFor(() => Promise.reject(new Error("ECONNREFUSED")), { retryErrors: true, message: "the server", timeoutMs: 20, intervalMs: 5 }),
    /waiting for the server; last seen: error Error: ECONNREFUSED$/,
  );
});
