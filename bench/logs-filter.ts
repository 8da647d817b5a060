// FilterLogEvents over a big log group: 1 M events (8 streams, application lines with a few
// rare ones, a fifth of them JSON) put into berth's CloudWatch Logs in-process (the whole
// control plane, its SQLite file on disk, the real SDK with no port), then a rare term, a
// term that matches nothing and a JSON pattern, each paged to the end, against a linear scan
// of the same lines held in memory (String.includes, JSON.parse) in the same run. The
// PutLogEvents rate of the loading is printed too. Target: a term query ≤ 1 s over 1 M events.
// Run: node dist/bench/logs-filter.js [--quick]
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  PutLogEventsCommand,
  type InputLogEvent,
} from "@aws-sdk/client-cloudwatch-logs";
import { TEST_ACCESS_KEY, TEST_SECRET_KEY } from "../test/support/berth-process.js";
import { inProcessBerth, inProcessHandler } from "../test/support/in-process.js";
import { mulberry32 } from "../test/support/random.js";
import { fmt, median } from "./stats.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const quick = process.argv.includes("--quick");
const EVENTS = quick ? 100_000 : 1_000_000;
const ROUNDS = 3;
const STREAMS = 8;
/** Events per PutLogEvents: ~150-byte lines, so well under the 1 MB batch limit. */
const BATCH = 5_000;
const GROUP = "/bench/logs-filter";
const RARE_EVERY = 50_000;
const FATAL_EVERY = 40_000;

const LEVELS = ["INFO", "INFO", "INFO", "DEBUG", "WARN"];
const PATHS = ["/api/orders", "/api/users", "/api/cart", "/healthz", "/api/payments"];

/** Deterministic, realistic lines: request logs, some JSON, a rare error and a rare FATAL. */
function lines(count: number): string[] {
  const rng = mulberry32(21);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)]!;
  return Array.from({ length: count }, (_, i) => {
    const id = Math.floor(rng() * 1_000_000);
    const ms = Math.floor(rng() * 400);
    if (i % RARE_EVERY === RARE_EVERY / 2)
      return `ERROR [worker-${i % 16}] c.e.jobs.ReportJob - java.lang.OutOfMemoryError: Java heap space (job ${id})`;
    if (i % FATAL_EVERY === FATAL_EVERY / 4)
      return JSON.stringify({ level: "FATAL", service: "checkout", msg: "database connection pool exhausted", requestId: id });
    if (i % 5 === 0) return JSON.stringify({ level: pick(LEVELS), service: "checkout", msg: "order placed", orderId: id, latencyMs: ms });
    return `${pick(LEVELS)} [http-nio-8080-exec-${i % 32}] c.e.api.Controller - GET ${pick(PATHS)}/${id} 200 ${ms}ms user=u-${id % 9973}`;
  });
}

interface Query {
  name: string;
  pattern: string;
  /** The same question asked of the lines in memory. */
  baseline: (line: string) => boolean;
}

const QUERIES: Query[] = [
  { name: "rare term", pattern: "OutOfMemoryError", baseline: (l) => l.includes("OutOfMemoryError") },
  { name: "term, no match", pattern: "NoSuchTermAnywhere", baseline: (l) => l.includes("NoSuchTermAnywhere") },
  {
    name: "JSON pattern",
    pattern: '{ $.level = "FATAL" }',
    baseline: (l) => {
      if (!l.startsWith("{")) return false;
      try {
        return (JSON.parse(l) as { level?: unknown }).level === "FATAL";
      } catch {
        return false;
      }
    },
  },
];

async function main(): Promise<void> {
  const berth = inProcessBerth();
  const logs = new CloudWatchLogsClient({
    endpoint: "http://berth.in-process",
    region: "us-east-1",
    credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
    maxAttempts: 1,
    requestHandler: inProcessHandler(berth.plane.handle),
  });
  try {
    const all = lines(EVENTS);
    const putMs = await load(logs, all);
    console.log(
      `${EVENTS} events in ${STREAMS} streams, PutLogEvents of ${BATCH}: ${fmt(putMs, 0)} ms, ${fmt(EVENTS / (putMs / 1000), 0)} events/s`,
    );
    const results = [];
    for (const query of QUERIES) {
      const viaApi: number[] = [];
      const viaScan: number[] = [];
      let found = 0;
      let expected = 0;
      for (let round = 0; round < ROUNDS; round++) {
        let t = performance.now();
        found = await filterAll(logs, query.pattern);
        viaApi.push(performance.now() - t);
        t = performance.now();
        expected = all.filter(query.baseline).length;
        viaScan.push(performance.now() - t);
      }
      if (found !== expected) throw new Error(`${query.name}: FilterLogEvents found ${found} events, the scan ${expected}`);
      const berthMs = median(viaApi);
      const baselineMs = median(viaScan);
      console.log(
        `  ${query.name.padEnd(15)} ${String(found).padStart(4)} matches: FilterLogEvents ${fmt(berthMs, 0)} ms, ` +
          `in-memory scan ${fmt(baselineMs, 0)} ms, ratio ${fmt(berthMs / baselineMs, 1)}×`,
      );
      results.push({
        query: query.name,
        pattern: query.pattern,
        matches: found,
        berthMs: Math.round(berthMs),
        baselineMs: Math.round(baselineMs),
      });
    }
    console.log(`  target: a term query ≤ 1000 ms over 1 M events (median of ${ROUNDS})`);
    console.log(
      JSON.stringify({
        bench: "logs-filter",
        events: EVENTS,
        streams: STREAMS,
        putMs: Math.round(putMs),
        putEventsPerSecond: Math.round(EVENTS / (putMs / 1000)),
        queries: results,
      }),
    );
  } finally {
    logs.destroy();
    await berth.close();
  }
}

/** Puts every line, event i into stream i % STREAMS, in time order within the last two hours; ms taken. */
async function load(logs: CloudWatchLogsClient, all: string[]): Promise<number> {
  await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  const streams = Array.from({ length: STREAMS }, (_, s) => `app/${s}`);
  for (const name of streams) await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: name }));
  const start = Date.now() - 2 * 3_600_000;
  const step = (3_600_000 + 1) / all.length;
  const pending: InputLogEvent[][] = streams.map(() => []);
  const t = performance.now();
  const flush = async (s: number) => {
    const logEvents = pending[s]!;
    pending[s] = [];
    if (logEvents.length) await logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: streams[s]!, logEvents }));
  };
  for (let i = 0; i < all.length; i++) {
    const s = i % STREAMS;
    pending[s]!.push({ timestamp: Math.floor(start + i * step), message: all[i]! });
    if (pending[s]!.length === BATCH) await flush(s);
  }
  for (let s = 0; s < STREAMS; s++) await flush(s);
  return performance.now() - t;
}

/** FilterLogEvents over the whole group, paged to the end; the number of events found. */
async function filterAll(logs: CloudWatchLogsClient, filterPattern: string): Promise<number> {
  let found = 0;
  let nextToken: string | undefined;
  do {
    const out = await logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern, ...(nextToken ? { nextToken } : {}) }));
    found += out.events?.length ?? 0;
    nextToken = out.nextToken;
  } while (nextToken);
  return found;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
