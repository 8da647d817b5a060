// Task state changes as they happen, as a Server-Sent Events stream: each committed change
// of a task is one "ECS Task State Change" event, shaped as ECS sends it to EventBridge.
// Watchers (a console, a test, a benchmark, `curl`) follow tasks without polling
// DescribeTasks, which costs the control plane a request, and the host the CPU, per look.
// A subscriber reads the current state after it subscribed, then follows the events; every
// event carries the task's version, so one already seen is recognised.
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { Scope } from "../../../domain/scope.js";
import { taskStateChangeEvent } from "../../../domain/task/state-change-event.js";
import type { StoredTask } from "../../../state/ecs-state.js";
import type { Collection } from "../../../state/store.js";

export const EVENTS_PATH = "/berth/v1/events";

/** A comment line now and then keeps idle streams open through proxies and shows the reader the server is there. */
const KEEPALIVE_MS = 15_000;
/** A reader this far behind is cut off (it reconnects and reads again): one slow reader must not hold the control plane's memory. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

interface Subscriber {
  scope: Scope;
  /** Only this cluster's tasks; every cluster of the scope when undefined. */
  cluster?: string;
  res: ServerResponse;
}

export class TaskEventHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly keepalive: NodeJS.Timeout;
  private readonly unwatch: () => void;

  constructor(
    tasks: Collection<StoredTask>,
    private readonly now: () => Date,
  ) {
    this.unwatch = tasks.watch((scope, _id, doc) => {
      if (doc && this.subscribers.size > 0) this.publish(scope, doc);
    });
    this.keepalive = setInterval(() => {
      for (const s of this.subscribers) s.res.write(": keep-alive\n\n");
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }

  /** Answers `res` with the event stream of `scope` (and `cluster`); subscribed before the headers leave. */
  open(scope: Scope, cluster: string | undefined, res: ServerResponse, requestId: string): void {
    const subscriber: Subscriber = { scope, cluster, res };
    this.subscribers.add(subscriber);
    res.once("close", () => this.subscribers.delete(subscriber));
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-amzn-requestid": requestId,
    });
    res.write(": subscribed\n\n");
  }

  close(): void {
    clearInterval(this.keepalive);
    this.unwatch();
    for (const s of this.subscribers) s.res.end();
    this.subscribers.clear();
  }

  private publish(scope: Scope, doc: StoredTask): void {
    let payload: string | undefined;
    for (const s of this.subscribers) {
      if (s.scope.accountId !== scope.accountId || s.scope.region !== scope.region) continue;
      if (s.cluster !== undefined && s.cluster !== doc.cluster) continue;
      if (s.res.writableLength > MAX_BUFFERED_BYTES) {
        s.res.destroy();
        continue;
      }
      payload ??= `data: ${JSON.stringify(taskStateChangeEvent(scope, doc.task, randomUUID(), this.now()))}\n\n`;
      s.res.write(payload);
    }
  }
}
