// Ships one log stream's events with PutLogEvents: a batch at least every second (or as soon as
// one is full), in order, each stored exactly once. While the Logs API cannot be reached the
// batch waits and is sent again with backoff, with the same sequenceToken: if the lost answer
// had stored it, the API says DataAlreadyAccepted and the shipper moves on. Blocking mode holds
// the reader back while much is queued; non-blocking drops the oldest queued events instead.
import type { Logger } from "../../log/logger.js";
import { batchSize, eventBytes, inTimeOrder, MAX_BATCH_BYTES, shippedPosition, type LogEvent } from "../../domain/awslogs/events.js";

/** The calls of the CloudWatch Logs API the shipper makes; errors carry the API's name (and expectedSequenceToken). */
export interface LogsApi {
  createLogGroup(group: string): Promise<void>;
  createLogStream(group: string, stream: string): Promise<void>;
  /** The stream's uploadSequenceToken (DescribeLogStreams), when the API gives one. */
  uploadSequenceToken(group: string, stream: string): Promise<string | undefined>;
  putLogEvents(input: {
    logGroupName: string;
    logStreamName: string;
    logEvents: { timestamp: number; message: string }[];
    sequenceToken?: string;
  }): Promise<{ nextSequenceToken?: string }>;
}

export interface ShipperOptions {
  group: string;
  stream: string;
  mode: "blocking" | "non-blocking";
  /** Non-blocking: the most bytes queued before the oldest go. */
  maxBufferBytes: number;
  /** A batch has been stored: the container's log is shipped up to `position`. */
  onShipped(position: bigint): void;
  log: Logger;
  flushMs?: number;
  /** Backoff between attempts: from minRetryMs, doubling, up to maxRetryMs. */
  minRetryMs?: number;
  maxRetryMs?: number;
}

/**
 * A queue that got no new line for this long is shipped without waiting for the rest of the
 * flush interval: a container that has paused has its last lines stored at once, while one
 * writing steadily still fills whole batches. It bounds a trickling stream to about 5 calls
 * a second (CloudWatch Logs' old per-stream quota).
 */
const QUIET_MS = 200;

/** Blocking mode stops reading once this much waits to be shipped: two full batches. */
const BLOCKING_HIGH_WATER_BYTES = 2 * MAX_BATCH_BYTES;

const errorName = (err: unknown): string => (err as { name?: string })?.name ?? "";

export class StreamShipper {
  private queue: LogEvent[] = [];
  private queuedBytes = 0;
  /** The nextSequenceToken of the last answer; none for the first batch of a new stream. */
  private token: string | undefined;
  /** Whether the stream's token was looked up (once, before the first batch). */
  private tokenKnown = false;
  private firstQueuedAt: number | undefined;
  private lastQueuedAt = 0;
  private closing = false;
  private aborted = false;
  private dropped = 0;
  private wake: (() => void) | undefined;
  private abortWake: (() => void) | undefined;
  private roomWaiters: (() => void)[] = [];
  private readonly done: Promise<void>;

  constructor(
    private readonly api: LogsApi,
    private readonly opts: ShipperOptions,
  ) {
    this.done = this.pump();
  }

  /** Queues events; in blocking mode the promise holds the caller back until there is room. */
  add(events: readonly LogEvent[]): Promise<void> {
    for (const event of events) {
      this.queue.push(event);
      this.queuedBytes += eventBytes(event);
    }
    if (events.length > 0) {
      this.lastQueuedAt = Date.now();
      this.firstQueuedAt ??= this.lastQueuedAt;
    }
    if (this.opts.mode === "non-blocking") this.dropOldest();
    if (this.queuedBytes >= MAX_BATCH_BYTES || this.queue.length >= 10_000) this.wake?.();
    if (this.opts.mode === "blocking" && this.queuedBytes >= BLOCKING_HIGH_WATER_BYTES && !this.aborted) {
      return new Promise((resolve) => this.roomWaiters.push(resolve));
    }
    return Promise.resolve();
  }

  /** Ships what is queued, then stops; resolves once all is stored (or abort() gave up on it). */
  close(): Promise<void> {
    this.closing = true;
    this.wake?.();
    return this.done;
  }

  /** Stops at once; what is queued is left (the saved position says where to resume). */
  abort(): Promise<void> {
    this.aborted = true;
    this.closing = true;
    this.wake?.();
    this.abortWake?.();
    this.releaseRoom();
    return this.done;
  }

  get pendingEvents(): number {
    return this.queue.length;
  }

  private dropOldest(): void {
    while (this.queuedBytes > this.opts.maxBufferBytes && this.queue.length > 1) {
      this.queuedBytes -= eventBytes(this.queue.shift()!);
      this.dropped++;
    }
    if (this.dropped > 0 && this.dropped % 1000 === 1) {
      this.opts.log.warn("awslogs buffer full: dropping the oldest lines (mode non-blocking)", { dropped: this.dropped });
    }
  }

  private async pump(): Promise<void> {
    const flushMs = this.opts.flushMs ?? 1_000;
    while (!this.aborted) {
      if (this.queue.length === 0) {
        if (this.closing) return;
        await this.sleep(flushMs);
        continue;
      }
      const full = this.queuedBytes >= MAX_BATCH_BYTES || this.queue.length >= 10_000;
      const now = Date.now();
      const age = now - (this.firstQueuedAt ?? now);
      const quiet = now - this.lastQueuedAt;
      if (!full && !this.closing && age < flushMs && quiet < QUIET_MS) {
        await this.sleep(Math.min(flushMs - age, QUIET_MS - quiet));
        continue;
      }
      const batch = this.queue.splice(0, batchSize(this.queue));
      for (const event of batch) this.queuedBytes -= eventBytes(event);
      this.firstQueuedAt = this.queue.length > 0 ? Date.now() : undefined;
      this.releaseRoom();
      if (!(await this.send(inTimeOrder(batch)))) return;
      const position = shippedPosition(batch);
      if (position !== undefined) this.opts.onShipped(position);
    }
  }

  /** Sends one batch until it is stored; false when aborted first. */
  private async send(batch: LogEvent[]): Promise<boolean> {
    const logEvents = batch.map((e) => ({ timestamp: e.timestamp, message: e.message }));
    let delay = this.opts.minRetryMs ?? 100;
    for (let attempt = 0; !this.aborted; attempt++) {
      try {
        // Without a token a batch sent again after a lost answer cannot be recognised as the same
        // one: a new stream, or one a restarted agent goes on with, starts from the stream's own.
        if (!this.tokenKnown) {
          this.token ??= await this.api.uploadSequenceToken(this.opts.group, this.opts.stream);
          this.tokenKnown = true;
        }
        const answer = await this.api.putLogEvents({
          logGroupName: this.opts.group,
          logStreamName: this.opts.stream,
          logEvents,
          ...(this.token !== undefined ? { sequenceToken: this.token } : {}),
        });
        this.token = answer.nextSequenceToken;
        return true;
      } catch (err) {
        const name = errorName(err);
        const expected = (err as { expectedSequenceToken?: string }).expectedSequenceToken;
        if (name === "DataAlreadyAcceptedException") {
          // The answer to an earlier attempt was lost, but the batch was stored.
          this.token = expected;
          return true;
        }
        if (name === "InvalidSequenceTokenException") {
          // Not stored: the stream is elsewhere (e.g. the agent restarted); send it again with its token.
          this.token = expected;
          if (attempt < 3) continue;
        } else if (name === "ResourceNotFoundException") {
          await this.api.createLogStream(this.opts.group, this.opts.stream).catch(() => undefined);
          this.token = undefined;
        } else if (name === "InvalidParameterException" || name === "SerializationException") {
          // The API will never take this batch (e.g. events too old): as Docker's driver, drop it and go on.
          this.opts.log.error("awslogs: the Logs API refused a batch; dropping it", { err, events: batch.length });
          return true;
        } else if (attempt === 0 || attempt % 20 === 0) {
          this.opts.log.warn("awslogs: could not ship a batch; trying again", { err, stream: this.opts.stream });
        }
        // Only abort cuts a backoff short: new lines arriving must not hurry an unreachable API.
        await this.sleep(delay, false);
        delay = Math.min(delay * 2, this.opts.maxRetryMs ?? 5_000);
      }
    }
    return false;
  }

  private releaseRoom(): void {
    if (this.queuedBytes >= BLOCKING_HIGH_WATER_BYTES && !this.aborted) return;
    for (const resolve of this.roomWaiters.splice(0)) resolve();
  }

  private sleep(ms: number, wakeable = true): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        if (this.wake === wake) this.wake = undefined;
        if (this.abortWake === wake) this.abortWake = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      if (wakeable) this.wake = wake;
      else this.abortWake = wake;
    });
  }
}
