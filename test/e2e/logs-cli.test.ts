// CloudWatch Logs on berth's endpoint as the unmodified AWS CLIs meet it: groups, streams,
// put-log-events, get-log-events and filter-log-events with a pattern; bad batches refused with
// the service's errors and nothing stored; then kill -9 of the control plane right after an
// acknowledged put, and every acknowledged event is there after the restart.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { expectCliError } from "../support/assertions.js";
import { newDataDir, startBerth, type BerthProcess } from "../support/berth-process.js";
import { availableClis, runCli } from "../support/clients.js";

describe("CloudWatch Logs with the AWS CLIs, across a kill -9", () => {
  const dataDir = newDataDir();
  let berth: BerthProcess;
  before(async () => {
    berth = await startBerth({ dataDir });
  });
  after(async () => {
    await berth.stop();
  });

  const events = (start: number, lines: string[]) => JSON.stringify(lines.map((message, i) => ({ timestamp: start + i, message })));

  availableClis().forEach((cli, n) => {
    test(`${cli.name} (${cli.path}): put, get and filter; bad batches change nothing; acknowledged events survive kill -9`, async () => {
      const group = `/e2e/logs-cli-${n}`;
      let aws = (...args: string[]) => runCli(cli, berth.endpoint, ["logs", ...args]);
      assert.equal(aws("create-log-group", "--log-group-name", group).status, 0);
      expectCliError(aws("create-log-group", "--log-group-name", group), "ResourceAlreadyExistsException", "CreateLogGroup");
      assert.equal(aws("create-log-stream", "--log-group-name", group, "--log-stream-name", "app/web/1").status, 0);
      const putEvents = (logEvents: string) =>
        aws("put-log-events", "--log-group-name", group, "--log-stream-name", "app/web/1", "--log-events", logEvents);
      const now = Date.now();
      const put = putEvents(
        events(now, ['{"level":"info","msg":"started"}', '{"level":"error","msg":"db down"}', "plain line with a needle"]),
      );
      assert.equal(put.status, 0, put.stderr);
      assert.equal(put.json.rejectedLogEventsInfo, undefined);

      // Out of order, and a stream that does not exist: the service's errors, nothing stored.
      const backwards = JSON.stringify([
        { timestamp: now + 10, message: "later" },
        { timestamp: now + 5, message: "earlier" },
      ]);
      const refused = putEvents(backwards);
      expectCliError(refused, "InvalidParameterException", "PutLogEvents");
      assert.match(refused.stderr, /chronological order/);
      expectCliError(
        aws("put-log-events", "--log-group-name", group, "--log-stream-name", "nope", "--log-events", events(now, ["x"])),
        "ResourceNotFoundException",
        "PutLogEvents",
      );

      const got = aws("get-log-events", "--log-group-name", group, "--log-stream-name", "app/web/1", "--start-from-head");
      assert.equal(got.status, 0, got.stderr);
      assert.deepEqual(
        got.json.events.map((e: { message: string }) => e.message),
        ['{"level":"info","msg":"started"}', '{"level":"error","msg":"db down"}', "plain line with a needle"],
      );
      const errors = aws("filter-log-events", "--log-group-name", group, "--filter-pattern", '{ $.level = "error" }');
      assert.equal(errors.status, 0, errors.stderr);
      assert.deepEqual(
        errors.json.events.map((e: { message: string; logStreamName: string }) => [e.logStreamName, e.message]),
        [["app/web/1", '{"level":"error","msg":"db down"}']],
      );
      const needle = aws("filter-log-events", "--log-group-name", group, "--filter-pattern", "needle");
      assert.deepEqual(
        needle.json.events.map((e: { message: string }) => e.message),
        ["plain line with a needle"],
      );
      expectCliError(
        aws("filter-log-events", "--log-group-name", group, "--filter-pattern", "{ $.level = "),
        "InvalidParameterException",
        "FilterLogEvents",
      );

      // Acknowledged, then the control plane is killed before it can flush anything by choice.
      const last = putEvents(events(now + 100, ["acknowledged"]));
      assert.equal(last.status, 0, last.stderr);
      await berth.kill9();
      berth = await startBerth({ dataDir });
      aws = (...args: string[]) => runCli(cli, berth.endpoint, ["logs", ...args]);
      const after = aws("get-log-events", "--log-group-name", group, "--log-stream-name", "app/web/1", "--start-from-head");
      assert.equal(after.status, 0, after.stderr);
      assert.deepEqual(
        after.json.events.map((e: { message: string }) => e.message),
        ['{"level":"info","msg":"started"}', '{"level":"error","msg":"db down"}', "plain line with a needle", "acknowledged"],
      );
      const streams = aws("describe-log-streams", "--log-group-name", group);
      assert.equal(streams.json.logStreams[0].logStreamName, "app/web/1");
      assert.equal(streams.json.logStreams[0].lastEventTimestamp, now + 100);
    });
  });
});
