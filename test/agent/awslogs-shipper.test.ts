// The awslogs shipper's state machine against an in-memory Logs API that keeps sequence tokens
// as CloudWatch Logs does: batches within limits, in order, each stored once through outages,
// lost answers and stale tokens; blocking and non-blocking modes.
import { strict as assert } from "node:assert";
import { describe, test } from "node:test";
import { StreamShipper, type LogsApi } from "../../src/agent/awslogs/shipper.js";
import type { LogEvent } from "../../src/domain/awslogs/events.js";
import { silentLog } from "../support/log.js";
import { waitFor } from "../support/wait.js";
import { FakeLogsApi as StreamsApi } from "../support/fake-logs-api.js";

/** The one stream "g"/"s" of the fake Logs API. */
class FakeLogsApi extends StreamsApi {
  constructor() {
    super();
    this.groups.set("g", new Map());
    void this.createLogStream("g", "s");
  }

  get stored() {
    return this.groups.get("g")!.get("s")!.events;
  }
}

const events = (from: number, count: number, text = "line"): LogEvent[] =>
  Array.from({ length: count }, (_, i) => ({ timestamp: 1_000 + from + i, message: `${text} ${from + i}`, position: BigInt(from + i) }));

function shipper(api: LogsApi, extra: Partial<ConstructorParameters<typeof StreamShipper>[1]> = {}) {
  const shipped: bigint[] = [];
  const s = new StreamShipper(api, {
    group: "g",
    stream: "s",
    mode: "blocking",
    maxBufferBytes: 1024 * 1024,
    onShipped: (p) => shipped.push(p),
    log: silentLog,
    flushMs: 50,
    minRetryMs: 10,
    maxRetryMs: 40,
    ...extra,
  });
  return { s, shipped };
}

describe("awslogs shipper", () => {
  test("ships within the flush interval, in order, and reports the shipped position", async () => {
    const api = new FakeLogsApi();
    const { s, shipped } = shipper(api);
    await s.add(events(0, 3));
    await waitFor(() => api.stored.length === 3, { message: "three events stored" });
    assert.deepEqual(
      api.stored.map((e) => e.message),
      ["line 0", "line 1", "line 2"],
    );
    assert.equal(api.calls[0]!.sequenceToken, "0".padStart(56, "0"), "the new stream's own token for the first batch");
    await waitFor(() => shipped.at(-1) === 2n, { message: "position 2 shipped" });
    await s.add(events(3, 1));
    await s.close();
    assert.equal(api.calls[1]!.sequenceToken, "1".padStart(56, "0"), "then the last nextSequenceToken");
  });

  test("big bursts go in batches within the limits", async () => {
    const api = new FakeLogsApi();
    const { s } = shipper(api);
    await s.add(events(0, 25_000));
    await s.close();
    assert.equal(api.stored.length, 25_000);
    assert.deepEqual(
      api.calls.map((c) => c.count),
      [10_000, 10_000, 5_000],
    );
  });

  test("a batch whose answer was lost is sent again with the same token and stored once", async () => {
    const api = new FakeLogsApi();
    const { s, shipped } = shipper(api);
    await s.add(events(0, 2));
    await waitFor(() => api.stored.length === 2);
    api.loseAnswers = 1;
    await s.add(events(2, 2));
    await waitFor(() => api.calls.length >= 3, { message: "the resend" });
    assert.equal(api.calls[1]!.sequenceToken, api.calls[2]!.sequenceToken, "the resend carries the token of the lost attempt");
    await s.add(events(4, 1));
    await s.close();
    assert.deepEqual(
      api.stored.map((e) => e.message),
      ["line 0", "line 1", "line 2", "line 3", "line 4"],
    );
    assert.equal(shipped.at(-1), 4n);
  });

  test("the first batch's lost answer is recognised too: the stream's token is asked for first", async () => {
    const api = new FakeLogsApi();
    api.loseAnswers = 1;
    const { s } = shipper(api);
    await s.add(events(0, 2));
    await s.close();
    assert.deepEqual(
      api.stored.map((e) => e.message),
      ["line 0", "line 1"],
    );
    assert.equal(api.calls.length, 2, "sent twice, stored once");
  });

  test("through an outage the lines wait and then arrive, once each, in order", async () => {
    const api = new FakeLogsApi();
    const { s } = shipper(api);
    api.down = true;
    for (let i = 0; i < 5; i++) await s.add(events(i * 10, 10));
    // A window in which nothing can be stored: the API is down.
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(api.stored.length, 0);
    api.down = false;
    await s.close();
    assert.deepEqual(
      api.stored.map((e) => e.message),
      events(0, 50).map((e) => e.message),
    );
  });

  test("a stale token (another writer, a restarted agent) is corrected from the API's answer", async () => {
    const api = new FakeLogsApi();
    const first = shipper(api);
    await first.s.add(events(0, 1));
    await first.s.close();
    const second = shipper(api);
    await second.s.add(events(1, 1));
    await second.s.close();
    assert.deepEqual(
      api.stored.map((e) => e.message),
      ["line 0", "line 1"],
    );
  });

  test("non-blocking: a full buffer drops the oldest lines and never holds the reader", async () => {
    const api = new FakeLogsApi();
    api.down = true;
    const { s } = shipper(api, { mode: "non-blocking", maxBufferBytes: 10 * 40 });
    for (let i = 0; i < 100; i++) await s.add(events(i, 1, "x".repeat(10)));
    api.down = false;
    await s.close();
    const kept = api.stored.map((e) => Number(e.message.split(" ")[1]));
    assert.ok(kept.length < 100 && kept.length >= 5, `kept ${kept.length}`);
    assert.equal(kept.at(-1), 99, "the newest are kept");
    assert.deepEqual(
      kept,
      [...kept].sort((a, b) => a - b),
    );
  });

  test("blocking: the reader is held while much waits, and let go as it ships", async () => {
    const api = new FakeLogsApi();
    api.down = true;
    const { s } = shipper(api);
    const big = (i: number): LogEvent[] => [{ timestamp: i, message: "b".repeat(200_000), position: BigInt(i) }];
    let held: Promise<void> | undefined;
    for (let i = 0; i < 20 && !held; i++) {
      let settled = false;
      const p = s.add(big(i)).then(() => void (settled = true));
      await Promise.resolve();
      if (!settled) held = p;
    }
    assert.ok(held, "add held the reader back");
    let released = false;
    void held.then(() => (released = true));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(released, false, "still held while the API is down");
    api.down = false;
    await waitFor(() => released, { message: "released once shipped" });
    await s.close();
    assert.ok(api.stored.length >= 10);
  });
});
