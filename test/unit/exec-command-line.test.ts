// berth exec's command line: the words after -- quoted so that ECS Exec's split (the SSM
// agent's shlex) gives the same words back.
import assert from "node:assert/strict";
import { test } from "node:test";
import { commandLine, splitExecArgs } from "../../src/cli/exec-command.js";
import { splitCommand } from "../../src/domain/exec.js";

test("berth exec's command line splits back into the same words", () => {
  for (const argv of [["sh", "-c", "echo hi; exit 3"], ["printf", "%s\\n", "it's", "", "a  b", "$X"], ["ls"]])
    assert.deepEqual(splitCommand(commandLine(argv)), argv);
});

test("the task is the one word before -- that is not a flag or its value", () => {
  assert.deepEqual(splitExecArgs(["--container", "app", "0123", "--cluster", "c", "--", "ls", "--help"]), {
    task: "0123",
    flags: ["--container", "app", "--cluster", "c"],
    command: ["ls", "--help"],
  });
  assert.throws(() => splitExecArgs(["0123", "--"]), /after --/);
  assert.throws(() => splitExecArgs(["--", "ls"]), /one task/);
});
