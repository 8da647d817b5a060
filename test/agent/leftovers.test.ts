// Which containers a restarted agent takes for its own leftovers (pure).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { leftoverContainers } from "../../src/agent/leftovers.js";
import { LABEL } from "../../src/agent/task-runner/index.js";
import type { ContainerState } from "../../src/runtime/driver.js";

const container = (id: string, labels: Record<string, string>): ContainerState =>
  ({ id, name: id, image: "busybox", imageId: "sha256:0", status: "exited", oomKilled: false, labels }) as ContainerState;

describe("agent leftovers", () => {
  test("only this agent's containers of tasks no longer assigned to it", () => {
    const mine = "arn:ci/me";
    const existing = [
      container("assigned", { [LABEL.owner]: mine, [LABEL.taskArn]: "t1" }),
      container("stale", { [LABEL.owner]: mine, [LABEL.taskArn]: "t2" }),
      container("before-reregistration", { [LABEL.owner]: "arn:ci/old", [LABEL.taskArn]: "t3" }),
      container("other-agent", { [LABEL.owner]: "arn:ci/other", [LABEL.taskArn]: "t4" }),
      container("unlabelled", { [LABEL.taskArn]: "t5" }),
      container("not-a-task", { [LABEL.owner]: mine }),
    ];
    const found = leftoverContainers(existing, new Set([mine, "arn:ci/old"]), new Set(["t1"]));
    assert.deepEqual(
      found.map((c) => c.id),
      ["stale", "before-reregistration"],
    );
  });
});
