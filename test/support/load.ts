// A bounded load generator of the tests' own: a few keep-alive clients on loopback, each sending
// one request after another (with a pause between them), counting every answer and failure, so a
// test can tell that a deployment under way dropped nothing.
import { Agent, request } from "node:http";

export interface LoadResult {
  requests: number;
  /** Answers by HTTP status. */
  statuses: Map<number, number>;
  /** Answer bodies (trimmed) by count: which revision served. */
  bodies: Map<string, number>;
  /** Requests that got no answer at all (reset, refused, timed out), with their errors. */
  failures: string[];
}

export interface Load {
  /** Stops sending, waits for the requests in flight, and tells what happened. */
  stop(): Promise<LoadResult>;
  /** What happened so far. */
  sample(): LoadResult;
}

export function steadyLoad(url: string, opts: { clients?: number; pauseMs?: number; timeoutMs?: number } = {}): Load {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.clients ?? 4 });
  const result: LoadResult = { requests: 0, statuses: new Map(), bodies: new Map(), failures: [] };
  let running = true;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = request(url, { agent, timeout: opts.timeoutMs ?? 5_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          result.requests++;
          const status = res.statusCode ?? 0;
          result.statuses.set(status, (result.statuses.get(status) ?? 0) + 1);
          const body = Buffer.concat(chunks).toString().trim();
          result.bodies.set(body, (result.bodies.get(body) ?? 0) + 1);
          resolve();
        });
        res.on("error", (err) => {
          result.requests++;
          result.failures.push(err.message);
          resolve();
        });
      });
      req.on("timeout", () => req.destroy(new Error("timed out")));
      req.on("error", (err) => {
        result.requests++;
        result.failures.push(err.message);
        resolve();
      });
      req.end();
    });
  const loops = Array.from({ length: opts.clients ?? 4 }, async () => {
    while (running) {
      await one();
      await new Promise((r) => setTimeout(r, opts.pauseMs ?? 10));
    }
  });
  return {
    sample: () => result,
    async stop() {
      running = false;
      await Promise.all(loops);
      agent.destroy();
      return result;
    },
  };
}

/** Statuses other than 2xx, for an assertion message. */
export function badStatuses(result: LoadResult): [number, number][] {
  return [...result.statuses].filter(([s]) => s < 200 || s >= 300);
}
