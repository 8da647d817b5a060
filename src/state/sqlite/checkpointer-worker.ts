// The checkpointer's thread (see checkpointer.ts): a second connection to the same file
// that folds the WAL back into the database every few hundred milliseconds. PASSIVE never
// waits for the writer; what it cannot copy yet it copies next time.
import Database from "better-sqlite3";
import { parentPort, workerData } from "node:worker_threads";

const { path, intervalMs } = workerData as { path: string; intervalMs: number };
const db = new Database(path);
db.pragma("busy_timeout = 5000");

const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // Busy or closing: the next round tries again, and the writer's backstop remains.
  }
}, intervalMs);

parentPort!.on("message", (message) => {
  if (message !== "close") return;
  clearInterval(timer);
  db.close();
  parentPort!.close();
});
