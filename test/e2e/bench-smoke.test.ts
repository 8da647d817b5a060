// The benchmarks keep working: each runs in its quick mode and ends with its JSON summary.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { packageRoot } from "../../src/paths.js";

for (const name of ["startup", "api-throughput", "placement", "task-start", "convergence", "footprint"]) {
  test(`bench ${name} --quick prints its figures and a JSON summary`, () => {
    const r = spawnSync(process.execPath, [join(packageRoot, "dist/bench", `${name}.js`), "--quick"], { encoding: "utf8", timeout: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    const last = r.stdout.trim().split("\n").pop()!;
    const summary = JSON.parse(last) as { bench: string };
    assert.equal(summary.bench, name);
  });
}
