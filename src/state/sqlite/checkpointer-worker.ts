// The checkpointer's thread (see checkpointer.ts): a second connection to the same file
// that folds the WAL back into the database every few hundred milliseconds. PASSIVE never
// waits for the writer; what it cannot copy yet it copies next time.
import Database from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";
import type { CheckpointFailure } from "./checkpointer.js";

const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new Database(path);
db.pragma("busy_timeout = 5000");

/** The failure last reported, so one that persists is reported once, not every round. */
let failing: string | undefined;

const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
    failing = undefined;
  } catch (error) {
    // The next round tries again, and the writer's backstop remains. (A checkpoint that
    // finds the log busy is no error: PASSIVE says so in its result and copies what it can.)
    const failure: CheckpointFailure = { message: (error as Error).message, code: (error as { code?: string }).code };
    if (failure.message === failing) return;
    failing = failure.message;
    parentPort!.postMessage(failure);
  }
}, intervalMs);

parentPort!.on("message", (message) => {
  if (message !== "close") return;
  clearInterval(timer);
  db.close();
  parentPort!.close();
});
