// Moves WAL checkpoints off the request path. SQLite's automatic checkpoint runs inside
// whichever commit crosses the threshold, so every thousandth write paid for copying the
// log back into the database (and its fsync): half of all commit time under load. A worker
// thread with its own connection checkpoints instead; in WAL mode that runs beside the
// writer without blocking it. The main connection keeps a far higher automatic threshold
// as a backstop, should the worker ever fall behind.
import { Worker } from "node:worker_threads";

/** How often the worker folds the log back into the database. */
const CHECKPOINT_INTERVAL_MS = 200;
/** Pages (4 KiB) the log may reach before a commit checkpoints by itself after all. */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 20_000;

export interface Checkpointer {
  close(): Promise<void>;
}

/** What the worker posts when a checkpoint fails (an Error loses its code on the way). */
export interface CheckpointFailure {
  message: string;
  code?: string;
}

/** `onError` hears a failing checkpoint (once while the same failure lasts) and the thread's death; the writer's backstop remains. */
export function startCheckpointer(path: string, onError: (err: unknown) => void): Checkpointer {
  const worker = new Worker(new URL("./checkpointer-worker.js", import.meta.url), {
    workerData: { path, intervalMs: CHECKPOINT_INTERVAL_MS },
    // It holds one connection and a timer; the limit bounds its heap (the isolate itself
    // still costs some RSS: bench/RESULTS.md).
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 1 },
  });
  worker.on("error", onError);
  worker.on("message", (failure: CheckpointFailure) => onError(Object.assign(new Error(failure.message), { code: failure.code })));
  // Never what keeps berth (or a test) running. After the listeners: adding the first
  // "message" listener refs the worker's port again.
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  return {
    async close() {
      // Held open until the worker has let go of the file.
      worker.ref();
      worker.postMessage("close");
      await exited;
    },
  };
}
