// The ./berth launcher runs node with the flags src/cli/node-flags.ts names, so what the
// tests and benchmarks spawn is what a user runs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { NODE_FLAGS } from "../../src/cli/node-flags.js";
import { packageRoot } from "../../src/paths.js";

test("the launcher passes every node flag berth is measured with", () => {
  const launch = readFileSync(join(packageRoot, "berth"), "utf8")
    .split("\n")
    .find((l) => /^exec node .*main\.js/.test(l));
  assert.ok(launch, "the launcher's exec line");
  for (const flag of NODE_FLAGS) assert.ok(launch.split(/\s+/).includes(flag), `${flag} in: ${launch}`);
});
