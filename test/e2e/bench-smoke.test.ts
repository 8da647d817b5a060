// A smoke test of the benchmarks: each still runs (in its --quick mode) and ends with its JSON
// summary. It says nothing about speed: the figures are bench/'s, printed against their baselines
// by `./berth bench`, never asserted in a test.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { packageRoot } from "../../src/paths.js";

for (const name of [
  "startup",
  "api-throughput",
  "placement",
  "task-start",
  "convergence",
  "footprint",
  "lb",
  "lb-service",
  "credentials-endpoint",
  "log-ingestion",
  "logs-filter",
]) {
  test(`smoke: bench ${name} --quick runs and prints a JSON summary (not a speed check)`, () => {
    const r = spawnSync(process.execPath, [join(packageRoot, "dist/bench", `${name}.js`), "--quick"], {
      encoding: "utf8",
      timeout: 300_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const last = r.stdout.trim().split("\n").pop()!;
    const summary = JSON.parse(last) as { bench: string };
    assert.equal(summary.bench, name);
  });
}
