// The awslogs driver's pure rules: options, stream names, strftime → regex, events within
// CloudWatch Logs' limits and multi-line joining.
import { strict as assert } from "node:assert";
import { describe, test } from "node:test";
import { awslogsOptions, awslogsProblem, parseSize, streamName, strftimeToRegex } from "../../src/domain/awslogs/options.js";
import {
  batchSize,
  eventBytes,
  inTimeOrder,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  MAX_EVENT_BYTES,
  MultilineJoiner,
  shippedPosition,
  splitMessage,
  type LogEvent,
} from "../../src/domain/awslogs/events.js";
import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { taskLogStreams } from "../../src/domain/awslogs/streams.js";
import { splitLogsArgs } from "../../src/cli/logs-command.js";

describe("awslogs options", () => {
  test("read as ECS documents them, with Docker's defaults", () => {
    const opts = awslogsOptions({ "awslogs-group": "/ecs/web", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "web" });
    assert.deepEqual(
      { ...opts },
      { group: "/ecs/web", region: "eu-west-1", streamPrefix: "web", createGroup: false, mode: "blocking", maxBufferBytes: 1024 * 1024 },
    );
    const nb = awslogsOptions({ "awslogs-group": "g", "awslogs-create-group": "true", mode: "non-blocking", "max-buffer-size": "4m" });
    assert.equal(nb.createGroup, true);
    assert.equal(nb.mode, "non-blocking");
    assert.equal(nb.maxBufferBytes, 4 * 1024 * 1024);
  });

  test("refused in Docker's words", () => {
    assert.equal(awslogsProblem({}), "must specify a value for log opt 'awslogs-group'");
    assert.equal(awslogsProblem({ "awslogs-group": "g", colour: "red" }), "unknown log opt 'colour' for awslogs log driver");
    assert.match(awslogsProblem({ "awslogs-group": "g", "awslogs-create-group": "perhaps" }) ?? "", /awslogs-create-group/);
    assert.match(awslogsProblem({ "awslogs-group": "g", mode: "fast" }) ?? "", /logging mode not supported: fast/);
    assert.match(awslogsProblem({ "awslogs-group": "g", "max-buffer-size": "lots" }) ?? "", /max-buffer-size/);
    assert.match(
      awslogsProblem({ "awslogs-group": "g", "awslogs-datetime-format": "%Y", "awslogs-multiline-pattern": "^x" }) ?? "",
      /at the same time/,
    );
    assert.match(awslogsProblem({ "awslogs-group": "g", "awslogs-multiline-pattern": "(" }) ?? "", /multiline pattern/);
    assert.equal(awslogsProblem({ "awslogs-group": "g", "awslogs-create-group": "1" }), undefined);
  });

  test("stream: prefix/container-name/task-id, or the container's Docker id without a prefix", () => {
    assert.equal(streamName({ streamPrefix: "web" }, "app", "0123abcd", "f00d"), "web/app/0123abcd");
    assert.equal(streamName({}, "app", "0123abcd", "f00dbeef"), "f00dbeef");
  });

  test("sizes as Docker reads them", () => {
    assert.equal(parseSize("1024"), 1024);
    assert.equal(parseSize("512k"), 512 * 1024);
    assert.equal(parseSize("2MB"), 2 * 1024 * 1024);
    assert.equal(parseSize("1g"), 1024 ** 3);
    assert.equal(parseSize("big"), undefined);
  });

  test("strftime → regex as Docker's driver converts it, unknown directives dropped", () => {
    assert.equal(strftimeToRegex("[%Y-%m-%d"), "[\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[1,2][0-9]|3[0,1])");
    assert.equal(strftimeToRegex("%H:%M:%S%L %Q"), "(?:[0,1][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\\.\\d{3} ");
    const pattern = awslogsOptions({ "awslogs-group": "g", "awslogs-datetime-format": "%b %d, %Y %H:%M:%S" }).multiline!;
    assert.ok(pattern.test("Dec 06, 2026 16:55:02 started"));
    assert.ok(!pattern.test("    at Object.<anonymous> (index.js:1:1)"));
  });
});

describe("awslogs events", () => {
  test("a line longer than an event is cut on character boundaries; the last part carries the position", () => {
    const line = "é".repeat(MAX_EVENT_BYTES); // two bytes each
    const events = splitMessage(line, 5, 42n);
    assert.equal(events.map((e) => e.message).join(""), line);
    assert.ok(events.every((e) => Buffer.byteLength(e.message) <= MAX_EVENT_BYTES && e.timestamp === 5));
    assert.deepEqual(
      events.map((e) => e.position),
      [undefined, 42n],
    );
    assert.deepEqual(splitMessage("", 5, 1n), []);
  });

  test("a batch stops at 10,000 events, at 1,048,576 bytes counting 26 a event, and at 24 hours", () => {
    const small = (i: number): LogEvent => ({ timestamp: i, message: "x" });
    assert.equal(batchSize(Array.from({ length: MAX_BATCH_EVENTS + 5 }, (_, i) => small(i))), MAX_BATCH_EVENTS);
    const big: LogEvent = { timestamp: 0, message: "y".repeat(100_000) };
    const fits = Math.floor(MAX_BATCH_BYTES / eventBytes(big));
    assert.equal(batchSize(Array.from({ length: fits + 3 }, () => big)), fits);
    const exact = MAX_BATCH_BYTES - eventBytes(big) * fits - 26;
    assert.equal(batchSize([...Array.from({ length: fits }, () => big), { timestamp: 0, message: "z".repeat(exact) }]), fits + 1);
    assert.equal(batchSize([...Array.from({ length: fits }, () => big), { timestamp: 0, message: "z".repeat(exact + 1) }]), fits);
    const day = 24 * 3_600_000;
    assert.equal(batchSize([small(0), small(day), small(day + 1)]), 2);
    assert.equal(batchSize([]), 0);
  });

  test("batches go in time order, stable; the furthest position is what was shipped", () => {
    const events: LogEvent[] = [
      { timestamp: 2, message: "b", position: 7n },
      { timestamp: 1, message: "a" },
      { timestamp: 2, message: "c", position: 9n },
    ];
    assert.deepEqual(
      inTimeOrder(events).map((e) => e.message),
      ["a", "b", "c"],
    );
    assert.equal(shippedPosition(events), 9n);
    assert.equal(shippedPosition([{ timestamp: 1, message: "a" }]), undefined);
  });

  test("multi-line: lines join until the next matching line, stamped with the first; idle or too big, the event goes", () => {
    const joiner = new MultilineJoiner(/^\[/);
    const line = (n: number, text: string) => ({ time: n * 10, position: BigInt(n), text });
    assert.deepEqual(joiner.push(line(1, "[1] boom"), 0), []);
    assert.deepEqual(joiner.push(line(2, "  at a"), 0), []);
    assert.deepEqual(joiner.push(line(3, "  at b"), 0), []);
    assert.deepEqual(joiner.push(line(4, "[2] fine"), 0), [{ timestamp: 10, message: "[1] boom\n  at a\n  at b\n", position: 3n }]);
    assert.deepEqual(joiner.flushIdle(999, 1000), []);
    assert.deepEqual(joiner.flushIdle(1000, 1000), [{ timestamp: 40, message: "[2] fine\n", position: 4n }]);
    assert.equal(joiner.pending, false);
    // Lines before any match form an event of their own.
    assert.deepEqual(joiner.push(line(5, "orphan"), 0), []);
    assert.deepEqual(joiner.push(line(6, "[3]"), 0), [{ timestamp: 50, message: "orphan\n", position: 5n }]);
    const huge = "h".repeat(MAX_EVENT_BYTES / 2);
    assert.deepEqual(joiner.push(line(7, huge), 0).length, 0);
    const cut = joiner.push(line(8, huge), 0);
    assert.equal(cut.length, 1, "the pending event reached the limit and went before the line that would overflow it");
    assert.equal(cut[0]!.message, `[3]\n${huge}\n`);
  });
});

describe("a task's awslogs streams", () => {
  const task = {
    taskArn: "arn:aws:ecs:us-east-1:123456789012:task/c/0123456789abcdef0123456789abcdef",
    containers: [
      { name: "web", runtimeId: "d0c4e1" },
      { name: "side", runtimeId: "5eed" },
      { name: "plain", runtimeId: "beef" },
    ],
  };
  const definition: TaskDefinition = {
    containerDefinitions: [
      { name: "web", logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "g", "awslogs-stream-prefix": "p" } } },
      { name: "side", logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "h", "awslogs-region": "eu-west-1" } } },
      { name: "plain", logConfiguration: { logDriver: "json-file" } },
    ],
  };

  test("named as the agent names them; a container without a prefix by its Docker id; others have none", () => {
    assert.deepEqual(taskLogStreams(task, definition, "us-east-1"), [
      { taskArn: task.taskArn, containerName: "web", region: "us-east-1", group: "g", stream: "p/web/0123456789abcdef0123456789abcdef" },
      { taskArn: task.taskArn, containerName: "side", region: "eu-west-1", group: "h", stream: "5eed" },
    ]);
    assert.deepEqual(taskLogStreams({ ...task, containers: [] }, definition, "us-east-1").length, 1, "no Docker id yet, no stream");
  });

  test("berth logs: one target among flags", () => {
    assert.deepEqual(splitLogsArgs(["--cluster", "c", "web", "--follow"]), { target: "web", flags: ["--cluster", "c", "--follow"] });
    assert.throws(() => splitLogsArgs(["--follow"]), /give one task/);
    assert.throws(() => splitLogsArgs(["a", "b"]), /give one task/);
  });
});
