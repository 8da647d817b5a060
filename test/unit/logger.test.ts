// berth's log: a line a call at or above the level, JSON with level, time, message and the
// fields (a child's bindings included) when not read by a person, readable when it is.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createLogger, type LogLevel } from "../../src/log/logger.js";

type LogEntry = Record<string, unknown>;

function captured(level: LogLevel, pretty?: boolean) {
  const lines: string[] = [];
  const log = createLogger({ level, pretty, destination: { write: (line: string) => void lines.push(line) } });
  return { log, lines, entries: () => lines.map((l) => JSON.parse(l) as LogEntry) };
}

test("lines below the level are dropped; silent drops all", () => {
  const { log, entries } = captured("warn");
  log.debug("d");
  log.info("i");
  log.warn("w");
  log.error("e");
  assert.deepEqual(
    entries().map((e) => [e.level, e.msg]),
    [
      ["warn", "w"],
      ["error", "e"],
    ],
  );
  const quiet = captured("silent");
  quiet.log.error("nobody hears this");
  assert.equal(quiet.lines.length, 0);
  const everything = captured("trace");
  everything.log.debug("d");
  assert.equal(everything.entries()[0]!.level, "debug");
});

test("a line is one JSON document: level, time, msg and the fields; an error with its message and stack", () => {
  const { log, lines, entries } = captured("info");
  log.info("task started", { taskArn: "arn:aws:ecs:us-east-1:123456789012:task/default/abc", containers: 2 });
  log.error("housekeeping failed", { err: new Error("disk full") });
  assert.ok(
    lines.every((l) => l.endsWith("\n") && l.indexOf("\n") === l.length - 1),
    "one line each",
  );
  const [started, failed] = entries() as [LogEntry, LogEntry];
  assert.equal(started.level, "info");
  assert.equal(started.msg, "task started");
  assert.equal(started.taskArn, "arn:aws:ecs:us-east-1:123456789012:task/default/abc");
  assert.equal(started.containers, 2);
  assert.ok(!Number.isNaN(Date.parse(started.time as string)) && /^\d{4}-\d\d-\d\dT/.test(started.time as string), String(started.time));
  const err = failed.err as { type: string; message: string; stack: string };
  assert.equal(failed.level, "error");
  assert.equal(err.type, "Error");
  assert.equal(err.message, "disk full");
  assert.match(err.stack, /^Error: disk full\n\s+at /);
});

test("a child's lines carry its bindings and its parent's; the parent's do not", () => {
  const { log, entries } = captured("info");
  const agent = log.child({ component: "agent" });
  const task = agent.child({ taskArn: "arn:t" });
  task.info("container exited", { exitCode: 0 });
  agent.info("registered");
  log.info("listening");
  const [fromTask, fromAgent, fromRoot] = entries() as [LogEntry, LogEntry, LogEntry];
  assert.equal(fromTask.component, "agent");
  assert.equal(fromTask.taskArn, "arn:t");
  assert.equal(fromTask.exitCode, 0);
  assert.equal(fromAgent.component, "agent");
  assert.equal(fromAgent.taskArn, undefined);
  assert.equal(fromRoot.component, undefined);
});

test("for a person: readable lines, not JSON", () => {
  const { log, lines } = captured("info", true);
  log.warn("state change not accepted yet", { retryInMs: 200 });
  assert.equal(lines.length, 1);
  const [line = ""] = lines;
  assert.ok(!line.startsWith("{"), line);
  assert.match(line, /WARN/);
  assert.match(line, /state change not accepted yet/);
  assert.match(line, /retryInMs/);
});
