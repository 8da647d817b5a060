// ECS Exec's pure rules: the command split as the SSM agent splits it, which container a
// session goes to, and the ExecuteCommandAgent each container shows.
import type { Task } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { test } from "node:test";
import { CommandSyntaxError, execTarget, NOT_ENABLED_MESSAGE, splitCommand, withExecuteCommandAgents } from "../../src/domain/exec.js";
import { applyTaskReport } from "../../src/domain/task/lifecycle.js";

test("a command is split as a shell splits words, without expanding anything", () => {
  assert.deepEqual(splitCommand("sh -c 'echo hi; exit 3'"), ["sh", "-c", "echo hi; exit 3"]);
  assert.deepEqual(splitCommand(`echo "a \\"b\\" $HOME" c\\ d`), ["echo", 'a "b" $HOME', "c d"]);
  assert.deepEqual(splitCommand("  ls   -l  # a comment"), ["ls", "-l"]);
  assert.deepEqual(splitCommand("''"), [""]);
  assert.deepEqual(splitCommand(""), []);
  assert.throws(() => splitCommand("echo 'unclosed"), CommandSyntaxError);
});

const running = (over: Partial<Task> = {}): Task => ({
  lastStatus: "RUNNING",
  desiredStatus: "RUNNING",
  enableExecuteCommand: true,
  containers: withExecuteCommandAgents(
    [
      { name: "app", lastStatus: "RUNNING" },
      { name: "side", lastStatus: "RUNNING" },
    ],
    new Date(0),
  ),
  ...over,
});

test("a session goes to the container named, or the only one; ECS's errors otherwise", () => {
  assert.equal(execTarget(running(), true, "side").name, "side");
  assert.equal(execTarget(running({ containers: running().containers!.slice(0, 1) }), true, undefined).name, "app");
  assert.throws(() => execTarget(running(), false, "app"), {
    name: "InvalidParameterException",
    message: "Interactive is the only mode supported currently.",
  });
  assert.throws(() => execTarget(running(), true, undefined), { name: "InvalidParameterException", message: /more than one container/ });
  assert.throws(() => execTarget(running(), true, "nope"), { name: "InvalidParameterException", message: /nope/ });
  assert.throws(() => execTarget(running({ enableExecuteCommand: false }), true, "app"), { message: NOT_ENABLED_MESSAGE });
  assert.throws(() => execTarget(running({ lastStatus: "STOPPED", desiredStatus: "STOPPED" }), true, "app"), {
    message: NOT_ENABLED_MESSAGE,
  });
});

test("the ExecuteCommandAgent is PENDING, then RUNNING with the container, then STOPPED", () => {
  const td = { containerDefinitions: [{ name: "app", essential: true }] };
  const t0 = new Date(1000);
  const task = {
    enableExecuteCommand: true,
    lastStatus: "PENDING",
    desiredStatus: "RUNNING",
    version: 1,
    containers: withExecuteCommandAgents([{ name: "app", lastStatus: "PENDING" }], t0),
  } as Task;
  assert.deepEqual(task.containers![0]!.managedAgents, [{ name: "ExecuteCommandAgent", lastStatus: "PENDING" }]);
  const t1 = new Date(2000);
  const up = applyTaskReport(task, td, { status: "RUNNING", containers: [{ containerName: "app", status: "RUNNING" }] }, t1);
  assert.deepEqual(up.containers![0]!.managedAgents, [{ name: "ExecuteCommandAgent", lastStatus: "RUNNING", lastStartedAt: t1 }]);
  const down = applyTaskReport(
    up,
    td,
    { status: "STOPPED", containers: [{ containerName: "app", status: "STOPPED", exitCode: 0 }] },
    new Date(3000),
  );
  assert.deepEqual(down.containers![0]!.managedAgents, [{ name: "ExecuteCommandAgent", lastStatus: "STOPPED", lastStartedAt: t1 }]);
  const plain = applyTaskReport({ ...task, enableExecuteCommand: false, containers: [{ name: "app" }] }, td, { status: "RUNNING" }, t1);
  assert.equal(plain.containers![0]!.managedAgents, undefined);
});
