// Time from spawning the control plane to its first answered ECS request, against the
// same measurement for a bare Node `http` hello-world (the floor for any Node server).
// Run: node dist/bench/startup.js [--runs N]
import { ListClustersCommand } from "@aws-sdk/client-ecs";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sdkClient } from "../test/support/clients.js";
import { freePort } from "../test/support/ports.js";
import { berthServerArgs } from "./client.js";
import { fmt, summary } from "./stats.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const runs = process.argv.includes("--quick") ? 2 : Number(process.argv[process.argv.indexOf("--runs") + 1]) || 7;

async function timeToFirstAnswer(args: string[], port: number, ask: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: "ignore" });
  try {
    for (;;) {
      try {
        await ask();
        return performance.now() - started;
      } catch {
        if (performance.now() - started > 10_000) throw new Error(`no answer on port ${port} within 10 s`);
        await new Promise((r) => setTimeout(r, 2));
      }
    }
  } finally {
    // A child that already died (say its port was taken meanwhile) has no exit left to wait for.
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
    }
  }
}

const hello = join(mkdtempSync(join(tmpdir(), "berth-bench-")), "hello.cjs");
writeFileSync(hello, `require("http").createServer((q, s) => s.end("hi")).listen(+process.argv[2], "127.0.0.1");`);

const berthTimes: number[] = [];
const helloTimes: number[] = [];
for (let i = 0; i < runs; i++) {
  const port = await freePort();
  const helloPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "berth-bench-"));
  const ecs = sdkClient(`http://127.0.0.1:${port}`);
  berthTimes.push(await timeToFirstAnswer(berthServerArgs(port, dataDir), port, () => ecs.send(new ListClustersCommand({}))));
  helloTimes.push(await timeToFirstAnswer([hello, String(helloPort)], helloPort, () => fetch(`http://127.0.0.1:${helloPort}/`)));
}
const b = summary(berthTimes);
const h = summary(helloTimes);
console.log(`startup: spawn → first answered request, ${runs} runs each`);
console.log(`  berth control plane  median ${fmt(b.median)} ms  (p10 ${fmt(b.p10)}, p90 ${fmt(b.p90)})`);
console.log(`  node http hello      median ${fmt(h.median)} ms  (p10 ${fmt(h.p10)}, p90 ${fmt(h.p90)})`);
console.log(`  ratio berth/hello    ${fmt(b.median / h.median, 2)}×   target: berth ≤ 1000 ms → ${b.median <= 1000 ? "met" : "MISSED"}`);
console.log(JSON.stringify({ bench: "startup", berthMs: b, helloMs: h, ratio: b.median / h.median }));
