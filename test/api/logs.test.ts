// CloudWatch Logs in-process: the real @aws-sdk/client-cloudwatch-logs (JSON 1.1, SigV4)
// against the whole control plane with no port; the CLIs' view is in test/e2e/logs-cli.test.ts.
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  DescribeMetricFiltersCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  ListTagsForResourceCommand,
  ListTagsLogGroupCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
  TagLogGroupCommand,
  TagResourceCommand,
  UntagLogGroupCommand,
  UntagResourceCommand,
  paginateDescribeLogGroups,
  paginateDescribeLogStreams,
  paginateFilterLogEvents,
  paginateGetLogEvents,
  type InputLogEvent,
} from "@aws-sdk/client-cloudwatch-logs";
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { TEST_ACCESS_KEY, TEST_ACCOUNT, TEST_SECRET_KEY } from "../support/berth-process.js";
import { inProcessBerth, inProcessHandler } from "../support/in-process.js";

const berth = inProcessBerth();
const logs = new CloudWatchLogsClient({
  endpoint: "http://berth.in-process",
  region: "us-east-1",
  credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
  maxAttempts: 1,
  requestHandler: inProcessHandler(berth.plane.handle),
});

let unique = 0;
const name = (what: string) => `/test/${what}-${++unique}`;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function groupWithStream(what: string, stream = "s1"): Promise<string> {
  const group = name(what);
  await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  return group;
}

const put = (group: string, stream: string, logEvents: InputLogEvent[], sequenceToken?: string) =>
  logs.send(
    new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents, ...(sequenceToken ? { sequenceToken } : {}) }),
  );

const messagesOf = async (group: string, stream = "s1") =>
  ((await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: true }))).events ?? []).map(
    (e) => e.message,
  );

/** Asserts that `call` fails with `name` and, if given, a message matching `message`. */
async function refuses(call: Promise<unknown>, errorName: string, message?: RegExp | string): Promise<Error & Record<string, unknown>> {
  let caught: (Error & Record<string, unknown>) | undefined;
  await assert.rejects(call, (err: Error & Record<string, unknown>) => {
    caught = err;
    assert.equal(err.name, errorName, err.message);
    if (typeof message === "string") assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  });
  return caught!;
}

describe("CloudWatch Logs in-process", () => {
  after(() => berth.close());

  describe("log groups", () => {
    test("create with tags and class, describe, delete", async () => {
      const group = name("groups");
      await logs.send(new CreateLogGroupCommand({ logGroupName: group, tags: { team: "a" }, logGroupClass: "INFREQUENT_ACCESS" }));
      const [described] = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups ?? [];
      assert.equal(described?.logGroupName, group);
      assert.equal(described?.arn, `arn:aws:logs:us-east-1:${TEST_ACCOUNT}:log-group:${group}:*`);
      assert.equal(described?.logGroupArn, `arn:aws:logs:us-east-1:${TEST_ACCOUNT}:log-group:${group}`);
      assert.equal(described?.metricFilterCount, 0);
      assert.equal(described?.storedBytes, 0);
      assert.equal(described?.logGroupClass, "INFREQUENT_ACCESS");
      assert.ok(Math.abs(described.creationTime! - Date.now()) < 60_000);
      assert.equal(described?.retentionInDays, undefined);
      assert.deepEqual((await logs.send(new ListTagsLogGroupCommand({ logGroupName: group }))).tags, { team: "a" });

      await refuses(
        logs.send(new CreateLogGroupCommand({ logGroupName: group })),
        "ResourceAlreadyExistsException",
        "The specified log group already exists",
      );
      await logs.send(new DeleteLogGroupCommand({ logGroupName: group }));
      assert.deepEqual((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups, []);
      await refuses(
        logs.send(new DeleteLogGroupCommand({ logGroupName: group })),
        "ResourceNotFoundException",
        "The specified log group does not exist.",
      );
    });

    test("bad names are InvalidParameterException and create nothing", async () => {
      await refuses(logs.send(new CreateLogGroupCommand({ logGroupName: "bad name!" })), "InvalidParameterException", /logGroupName/);
      await refuses(logs.send(new CreateLogGroupCommand({ logGroupName: "" })), "InvalidParameterException");
      const group = name("stream-names");
      await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
      await refuses(
        logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "a:b" })),
        "InvalidParameterException",
        /logStreamName/,
      );
      assert.deepEqual((await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }))).logStreams, []);
      const all = (await logs.send(new DescribeLogGroupsCommand({}))).logGroups ?? [];
      assert.ok(!all.some((g) => g.logGroupName === "bad name!"));
    });

    test("prefix, pattern and the paginator", async () => {
      const base = name("paged");
      const names = Array.from({ length: 7 }, (_, i) => `${base}/g${i}`);
      for (const n of names) await logs.send(new CreateLogGroupCommand({ logGroupName: n }));
      const seen: string[] = [];
      let pages = 0;
      for await (const page of paginateDescribeLogGroups({ client: logs, pageSize: 3 }, { logGroupNamePrefix: `${base}/` })) {
        pages++;
        seen.push(...(page.logGroups ?? []).map((g) => g.logGroupName!));
      }
      assert.deepEqual(seen, names);
      assert.equal(pages, 3);
      const pattern = base.split("/").pop()!.toUpperCase();
      const byPattern = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: pattern }))).logGroups ?? [];
      assert.deepEqual(
        byPattern.map((g) => g.logGroupName),
        names,
      );
      await refuses(
        logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: base, logGroupNamePattern: "x" })),
        "InvalidParameterException",
        /mutually exclusive/,
      );
      await refuses(logs.send(new DescribeLogGroupsCommand({ nextToken: "garbage" })), "InvalidParameterException", /nextToken/);
      await refuses(logs.send(new DescribeLogGroupsCommand({ limit: 51 })), "InvalidParameterException", /limit/);
    });

    test("an operation berth does not serve answers NotImplemented", async () => {
      const err = await refuses(logs.send(new DescribeMetricFiltersCommand({})), "NotImplemented", /DescribeMetricFilters/);
      assert.equal((err.$metadata as { httpStatusCode?: number }).httpStatusCode, 501);
    });
  });

  describe("log streams", () => {
    test("create, describe with their event times and tokens, order, delete", async () => {
      const group = await groupWithStream("streams", "b");
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "a" }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "c" }));
      await refuses(
        logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "a" })),
        "ResourceAlreadyExistsException",
        "The specified log stream already exists",
      );
      await refuses(
        logs.send(new CreateLogStreamCommand({ logGroupName: `${group}-none`, logStreamName: "a" })),
        "ResourceNotFoundException",
        "The specified log group does not exist.",
      );
      const now = Date.now();
      await put(group, "a", [{ timestamp: now - 5000, message: "first" }]);
      await put(group, "c", [{ timestamp: now - 3000, message: "x" }]);
      await put(group, "b", [
        { timestamp: now - 2000, message: "héllo" },
        { timestamp: now - 1000, message: "world" },
      ]);
      const streams = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }))).logStreams ?? [];
      assert.deepEqual(
        streams.map((s) => s.logStreamName),
        ["a", "b", "c"],
      );
      const b = streams[1]!;
      assert.equal(b.firstEventTimestamp, now - 2000);
      assert.equal(b.lastEventTimestamp, now - 1000);
      assert.ok(b.lastIngestionTime! >= now - 1000);
      assert.equal(b.storedBytes, Buffer.byteLength("héllo") + 5);
      assert.match(b.uploadSequenceToken!, /^\d{56}$/);
      assert.equal(b.arn, `arn:aws:logs:us-east-1:${TEST_ACCOUNT}:log-group:${group}:log-stream:b`);
      const byTime = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group, orderBy: "LastEventTime", descending: true }));
      assert.deepEqual(
        byTime.logStreams?.map((s) => s.logStreamName),
        ["b", "c", "a"],
      );
      const [described] = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups ?? [];
      assert.equal(described?.storedBytes, Buffer.byteLength("héllo") + 5 + 5 + 1);
      await refuses(
        logs.send(new DescribeLogStreamsCommand({ logGroupName: group, orderBy: "LastEventTime", logStreamNamePrefix: "a" })),
        "InvalidParameterException",
        "Cannot order by LastEventTime with a logStreamNamePrefix.",
      );
      const arn = `arn:aws:logs:us-east-1:${TEST_ACCOUNT}:log-group:${group}`;
      const byArn = await logs.send(new DescribeLogStreamsCommand({ logGroupIdentifier: arn, logStreamNamePrefix: "c" }));
      assert.deepEqual(
        byArn.logStreams?.map((s) => s.logStreamName),
        ["c"],
      );

      await logs.send(new DeleteLogStreamCommand({ logGroupName: group, logStreamName: "b" }));
      await refuses(
        logs.send(new DeleteLogStreamCommand({ logGroupName: group, logStreamName: "b" })),
        "ResourceNotFoundException",
        "The specified log stream does not exist.",
      );
      const [after] = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups ?? [];
      assert.equal(after?.storedBytes, 6);
    });

    test("the paginator walks every stream once", async () => {
      const group = await groupWithStream("stream-pages", "s00");
      for (let i = 1; i < 12; i++)
        await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: `s${String(i).padStart(2, "0")}` }));
      const seen: string[] = [];
      for await (const page of paginateDescribeLogStreams({ client: logs, pageSize: 5 }, { logGroupName: group }))
        seen.push(...(page.logStreams ?? []).map((s) => s.logStreamName!));
      assert.deepEqual(
        seen,
        Array.from({ length: 12 }, (_, i) => `s${String(i).padStart(2, "0")}`),
      );
    });
  });

  describe("PutLogEvents", () => {
    test("missing group or stream", async () => {
      const group = await groupWithStream("put-missing");
      const event = [{ timestamp: Date.now(), message: "m" }];
      await refuses(put(`${group}-none`, "s1", event), "ResourceNotFoundException", "The specified log group does not exist.");
      await refuses(put(group, "none", event), "ResourceNotFoundException", "The specified log stream does not exist.");
    });

    test("a batch breaking a limit is refused whole and stores nothing", async () => {
      const group = await groupWithStream("put-limits");
      const now = Date.now();
      await refuses(
        put(group, "s1", [
          { timestamp: now, message: "b" },
          { timestamp: now - 1, message: "a" },
        ]),
        "InvalidParameterException",
        "Log events in a single PutLogEvents request must be in chronological order.",
      );
      await refuses(
        put(group, "s1", [
          { timestamp: now - 25 * HOUR, message: "a" },
          { timestamp: now, message: "b" },
        ]),
        "InvalidParameterException",
        /cannot span more than 24 hours/,
      );
      await refuses(
        put(group, "s1", [{ timestamp: now, message: "x".repeat(262_144 - 25) }]),
        "InvalidParameterException",
        /Log event too large/,
      );
      const big = "y".repeat(200_000);
      await refuses(
        put(
          group,
          "s1",
          Array.from({ length: 6 }, () => ({ timestamp: now, message: big })),
        ),
        "InvalidParameterException",
        /Upload too large: 1200156 bytes exceeds limit of 1048576/,
      );
      await refuses(
        put(
          group,
          "s1",
          Array.from({ length: 10_001 }, () => ({ timestamp: now, message: "m" })),
        ),
        "InvalidParameterException",
        /logEvents/,
      );
      assert.deepEqual(await messagesOf(group), []);
      // At the limits exactly: accepted.
      const exactly = 1_048_576 - 26;
      await put(group, "s1", [{ timestamp: now, message: "z".repeat(262_144 - 26) }]);
      await put(
        group,
        "s1",
        Array.from({ length: 4 }, (_, i) => ({ timestamp: now, message: "w".repeat(i < 3 ? 262_118 : exactly - 3 * 262_144) })),
      );
      const [stream] = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }))).logStreams ?? [];
      assert.equal(stream?.storedBytes, 5 * 262_118);
    });

    test("too new, too old and expired events are reported by index and not stored", async () => {
      const group = await groupWithStream("put-rejected");
      const now = Date.now();
      const old = await put(group, "s1", [
        { timestamp: now - 15 * DAY + 2 * HOUR, message: "too old" },
        { timestamp: now - 15 * DAY + 3 * HOUR, message: "too old" },
        { timestamp: now - 14 * DAY + HOUR, message: "kept 1" },
      ]);
      assert.deepEqual(old.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 2 });
      const out = await put(group, "s1", [
        { timestamp: now, message: "kept 2" },
        { timestamp: now + 3 * HOUR, message: "too new" },
      ]);
      assert.deepEqual(out.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 1 });
      assert.deepEqual(await messagesOf(group), ["kept 1", "kept 2"]);

      await logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 3 }));
      const expired = await put(group, "s1", [
        { timestamp: now - 3 * DAY - 60_000, message: "expired" },
        { timestamp: now - 2 * DAY - 3 * HOUR, message: "kept 3" },
      ]);
      assert.deepEqual(expired.rejectedLogEventsInfo, { expiredLogEventEndIndex: 1 });
      // "kept 1" is now past the retention too.
      assert.deepEqual(await messagesOf(group), ["kept 3", "kept 2"]);
    });

    test("the same batch again after the token that preceded it is DataAlreadyAccepted and stores nothing", async () => {
      const group = await groupWithStream("put-dup");
      const now = Date.now();
      const first = [{ timestamp: now, message: "one" }];
      const [stream] = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }))).logStreams ?? [];
      const t0 = stream!.uploadSequenceToken!;
      const t1 = (await put(group, "s1", first, t0)).nextSequenceToken!;
      assert.notEqual(t1, t0);
      const err = await refuses(
        put(group, "s1", first, t0),
        "DataAlreadyAcceptedException",
        `The given batch of log events has already been accepted. The next batch can be sent with sequenceToken: ${t1}`,
      );
      assert.equal(err.expectedSequenceToken, t1);
      assert.deepEqual(await messagesOf(group), ["one"]);
      // A different batch with that token, or the same one without a token, is a new batch (AWS ignores tokens).
      const t2 = (await put(group, "s1", [{ timestamp: now, message: "two" }], t0)).nextSequenceToken!;
      assert.notEqual(t2, t1);
      await put(group, "s1", [{ timestamp: now, message: "two" }]);
      assert.deepEqual(await messagesOf(group), ["one", "two", "two"]);
      const [described] = (await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }))).logStreams ?? [];
      assert.notEqual(described?.uploadSequenceToken, t2);
    });
  });

  describe("GetLogEvents", () => {
    test("pages forward and backward with f/ and b/ tokens; the end returns the same token", async () => {
      const group = await groupWithStream("get");
      const now = Date.now();
      await put(
        group,
        "s1",
        Array.from({ length: 10 }, (_, i) => ({ timestamp: now - 10_000 + i * 1000, message: `e${i}` })),
      );
      const head = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "s1", startFromHead: true, limit: 4 }));
      assert.deepEqual(
        head.events?.map((e) => e.message),
        ["e0", "e1", "e2", "e3"],
      );
      assert.match(head.nextForwardToken!, /^f\/\d{56}$/);
      assert.match(head.nextBackwardToken!, /^b\/\d{56}$/);
      assert.ok(head.events.every((e) => typeof e.ingestionTime === "number"));
      const next = await logs.send(
        new GetLogEventsCommand({ logGroupName: group, logStreamName: "s1", nextToken: head.nextForwardToken, limit: 4 }),
      );
      assert.deepEqual(
        next.events?.map((e) => e.message),
        ["e4", "e5", "e6", "e7"],
      );
      const back = await logs.send(
        new GetLogEventsCommand({ logGroupName: group, logStreamName: "s1", nextToken: next.nextBackwardToken, limit: 3 }),
      );
      assert.deepEqual(
        back.events?.map((e) => e.message),
        ["e1", "e2", "e3"],
      );
      const last = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "s1", nextToken: next.nextForwardToken }));
      assert.deepEqual(
        last.events?.map((e) => e.message),
        ["e8", "e9"],
      );
      const end = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "s1", nextToken: last.nextForwardToken }));
      assert.deepEqual(end.events, []);
      assert.equal(end.nextForwardToken, last.nextForwardToken);
      // Polling with the end's token sees what arrives later.
      await put(group, "s1", [{ timestamp: now, message: "late" }]);
      const polled = await logs.send(
        new GetLogEventsCommand({ logGroupName: group, logStreamName: "s1", nextToken: end.nextForwardToken }),
      );
      assert.deepEqual(
        polled.events?.map((e) => e.message),
        ["late"],
      );

      const tail = await logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "s1", limit: 2 }));
      assert.deepEqual(
        tail.events?.map((e) => e.message),
        ["e9", "late"],
      );
      const window = await logs.send(
        new GetLogEventsCommand({
          logGroupName: group,
          logStreamName: "s1",
          startFromHead: true,
          startTime: now - 8000,
          endTime: now - 6000,
        }),
      );
      assert.deepEqual(
        window.events?.map((e) => e.message),
        ["e2", "e3"],
      );
      const all: string[] = [];
      for await (const page of paginateGetLogEvents(
        { client: logs, pageSize: 3, stopOnSameToken: true },
        { logGroupName: group, logStreamName: "s1", startFromHead: true },
      ))
        all.push(...(page.events ?? []).map((e) => e.message!));
      assert.deepEqual(all, [...Array.from({ length: 10 }, (_, i) => `e${i}`), "late"]);
      await refuses(
        logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "s1", nextToken: "f/123" })),
        "InvalidParameterException",
        /nextToken/,
      );
      await refuses(logs.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: "none" })), "ResourceNotFoundException");
    });
  });

  describe("FilterLogEvents", () => {
    test("interleaves streams by time, with patterns, stream choice and pages", async () => {
      const group = await groupWithStream("filter", "web-1");
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "web-2" }));
      await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: "db" }));
      const now = Date.now();
      await put(group, "web-1", [
        { timestamp: now - 5000, message: "ERROR disk full" },
        { timestamp: now - 3000, message: '{"level":"error","latency":250}' },
      ]);
      await put(group, "web-2", [
        { timestamp: now - 4000, message: "INFO ok" },
        { timestamp: now - 2000, message: "ERROR timeout" },
      ]);
      await put(group, "db", [{ timestamp: now - 1000, message: '{"level":"info","latency":20}' }]);

      const all = await logs.send(new FilterLogEventsCommand({ logGroupName: group }));
      assert.deepEqual(
        all.events?.map((e) => [e.logStreamName, e.message]),
        [
          ["web-1", "ERROR disk full"],
          ["web-2", "INFO ok"],
          ["web-1", '{"level":"error","latency":250}'],
          ["web-2", "ERROR timeout"],
          ["db", '{"level":"info","latency":20}'],
        ],
      );
      assert.equal(new Set(all.events?.map((e) => e.eventId)).size, 5);
      assert.deepEqual(
        all.searchedLogStreams?.map((s) => [s.logStreamName, s.searchedCompletely]),
        [
          ["db", true],
          ["web-1", true],
          ["web-2", true],
        ],
      );
      assert.equal(all.nextToken, undefined);
      const msgs = async (input: Partial<ConstructorParameters<typeof FilterLogEventsCommand>[0]>) =>
        ((await logs.send(new FilterLogEventsCommand({ logGroupName: group, ...input }))).events ?? []).map((e) => e.message);
      assert.deepEqual(await msgs({ filterPattern: "ERROR" }), ["ERROR disk full", "ERROR timeout"]);
      assert.deepEqual(await msgs({ filterPattern: "ERROR -disk" }), ["ERROR timeout"]);
      assert.deepEqual(await msgs({ filterPattern: "{ $.latency > 100 }" }), ['{"level":"error","latency":250}']);
      assert.deepEqual(await msgs({ filterPattern: "ERROR", logStreamNames: ["web-2"] }), ["ERROR timeout"]);
      assert.deepEqual(await msgs({ logStreamNamePrefix: "web-", startTime: now - 4000, endTime: now - 2000 }), [
        "INFO ok",
        '{"level":"error","latency":250}',
      ]);
      assert.deepEqual(
        await msgs({
          logGroupIdentifier: `arn:aws:logs:us-east-1:${TEST_ACCOUNT}:log-group:${group}`,
          logGroupName: undefined,
          filterPattern: "INFO",
        }),
        ["INFO ok"],
      );

      const paged: string[] = [];
      let pages = 0;
      for await (const page of paginateFilterLogEvents({ client: logs, pageSize: 2 }, { logGroupName: group })) {
        pages++;
        paged.push(...(page.events ?? []).map((e) => e.message!));
      }
      assert.deepEqual(
        paged,
        all.events?.map((e) => e.message),
      );
      assert.ok(pages >= 3);

      await refuses(
        logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: '{ $.a = "x" ' })),
        "InvalidParameterException",
        "Invalid filter pattern",
      );
      await refuses(
        logs.send(new FilterLogEventsCommand({ logGroupName: group, nextToken: "nope" })),
        "InvalidParameterException",
        /nextToken/,
      );
      await refuses(
        logs.send(new FilterLogEventsCommand({ logGroupName: group, logStreamNames: ["db"], logStreamNamePrefix: "w" })),
        "InvalidParameterException",
        /mutually exclusive/,
      );
      await refuses(
        logs.send(new FilterLogEventsCommand({ logGroupName: group, logGroupIdentifier: group })),
        "InvalidParameterException",
        /mutually exclusive/,
      );
      await refuses(logs.send(new FilterLogEventsCommand({ logGroupName: `${group}-none` })), "ResourceNotFoundException");
    });
  });

  describe("retention", () => {
    test("only AWS's day values; events past retention are never returned", async () => {
      const group = await groupWithStream("retention");
      const now = Date.now();
      await put(
        group,
        "s1",
        [
          { timestamp: now - 4 * DAY, message: "old" },
          { timestamp: now - 1000, message: "new" },
        ].slice(0, 1),
      );
      await put(group, "s1", [{ timestamp: now - 1000, message: "new" }]);
      await refuses(
        logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 2 })),
        "InvalidParameterException",
        /Member must satisfy enum value set: \[1, 3, 5, 7, 14, 30/,
      );
      await refuses(
        logs.send(new PutRetentionPolicyCommand({ logGroupName: `${group}-none`, retentionInDays: 3 })),
        "ResourceNotFoundException",
      );
      const [unchanged] = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups ?? [];
      assert.equal(unchanged?.retentionInDays, undefined);

      await logs.send(new PutRetentionPolicyCommand({ logGroupName: group, retentionInDays: 3 }));
      const [described] = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups ?? [];
      assert.equal(described?.retentionInDays, 3);
      assert.deepEqual(await messagesOf(group), ["new"]);
      const filtered = await logs.send(new FilterLogEventsCommand({ logGroupName: group }));
      assert.deepEqual(
        filtered.events?.map((e) => e.message),
        ["new"],
      );
      await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: group }));
      const [cleared] = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }))).logGroups ?? [];
      assert.equal(cleared?.retentionInDays, undefined);
    });
  });

  describe("tags", () => {
    test("by ARN and by group name", async () => {
      const group = name("tags");
      await logs.send(new CreateLogGroupCommand({ logGroupName: group, tags: { a: "1" } }));
      const arn = `arn:aws:logs:us-east-1:${TEST_ACCOUNT}:log-group:${group}`;
      await logs.send(new TagResourceCommand({ resourceArn: arn, tags: { b: "2" } }));
      await logs.send(new TagLogGroupCommand({ logGroupName: group, tags: { c: "3" } }));
      assert.deepEqual((await logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { a: "1", b: "2", c: "3" });
      await logs.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ["a"] }));
      await logs.send(new UntagLogGroupCommand({ logGroupName: group, tags: ["b"] }));
      assert.deepEqual((await logs.send(new ListTagsLogGroupCommand({ logGroupName: group }))).tags, { c: "3" });
      await refuses(logs.send(new ListTagsForResourceCommand({ resourceArn: `${arn}-none` })), "ResourceNotFoundException");
      const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));
      await refuses(logs.send(new TagResourceCommand({ resourceArn: arn, tags: many })), "TooManyTagsException");
      assert.deepEqual((await logs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { c: "3" });
    });
  });
});
