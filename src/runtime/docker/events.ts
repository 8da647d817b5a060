// Docker's container event stream → RuntimeEvents, reconnecting until closed.
import type { Readable } from "node:stream";
import type Docker from "dockerode";
import { RuntimeError, type EventSubscription, type RuntimeEvent, type RuntimeEventAction } from "../driver.js";
import { toRuntimeError } from "./client.js";
import { onJsonLines } from "./ndjson.js";
import { toHealth } from "./state.js";

const ACTIONS: RuntimeEventAction[] = ["start", "die", "oom", "health_status"];
const MAX_BACKOFF_MS = 5_000;

export function subscribeEvents(docker: Docker, onEvent: (e: RuntimeEvent) => void, onError?: (err: Error) => void): EventSubscription {
  let closed = false;
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  /** Seconds; on reconnect Docker replays from here, so an event can repeat but is not lost. */
  let since: number | undefined;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const retry = (err: Error) => {
    if (closed) return;
    onError?.(err);
    since ??= Math.floor(Date.now() / 1000);
    timer = setTimeout(() => void connect(), Math.min(MAX_BACKOFF_MS, 100 * 2 ** failures++));
  };

  async function connect(): Promise<void> {
    if (closed) return;
    controller = new AbortController();
    const filters = { type: ["container" as const], event: ACTIONS };
    let stream: Readable;
    try {
      stream = (await docker.getEvents({ filters, abortSignal: controller.signal, ...(since ? { since } : {}) })) as unknown as Readable;
    } catch (err) {
      retry(toRuntimeError(err, "container events"));
      return;
    }
    if (closed) {
      stream.destroy();
      return;
    }
    failures = 0;
    markReady();
    let ended = false;
    const end = (err: Error) => {
      if (ended) return;
      ended = true;
      retry(err);
    };
    onJsonLines(stream, (raw) => {
      const event = toRuntimeEvent(raw);
      if (!event) return;
      since = Math.floor(event.time.getTime() / 1000);
      onEvent(event);
    });
    stream.on("error", (err) => end(new RuntimeError("unavailable", `container events: ${err.message}`, { cause: err })));
    stream.on("close", () => end(new RuntimeError("unavailable", "container events: the stream ended")));
  }

  void connect();
  return {
    ready,
    close() {
      closed = true;
      clearTimeout(timer);
      controller?.abort();
    },
  };
}

export function toRuntimeEvent(raw: Record<string, unknown>): RuntimeEvent | undefined {
  const actor = (raw.Actor ?? {}) as { ID?: string; Attributes?: Record<string, string> };
  const fullAction = typeof raw.Action === "string" ? raw.Action : typeof raw.status === "string" ? raw.status : "";
  // Health changes arrive as "health_status: healthy".
  const [action, detail] = fullAction.split(/:\s*/, 2) as [string, string | undefined];
  if (!ACTIONS.includes(action as RuntimeEventAction)) return undefined;
  const attributes = { ...(actor.Attributes ?? {}) };
  const nanos = typeof raw.timeNano === "number" ? raw.timeNano : undefined;
  const seconds = typeof raw.time === "number" ? raw.time : Date.now() / 1000;
  const event: RuntimeEvent = {
    id: actor.ID ?? (typeof raw.id === "string" ? raw.id : ""),
    action: action as RuntimeEventAction,
    time: new Date(nanos !== undefined ? nanos / 1e6 : seconds * 1000),
    attributes,
  };
  if (action === "die" && attributes.exitCode !== undefined) event.exitCode = Number(attributes.exitCode);
  if (action === "health_status") {
    const health = toHealth(detail?.trim());
    if (health) event.health = health;
  }
  return event;
}
