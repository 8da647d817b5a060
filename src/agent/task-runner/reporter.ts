// State changes to the control plane, in order: each is retried with backoff until accepted,
// so a RUNNING never overtakes its PENDING and a stop is never lost to a brief outage.
import type { TaskReport } from "../../domain/task/lifecycle.js";
import type { Logger } from "../../log/logger.js";

export class Reporter {
  private readonly queue: TaskReport[] = [];
  private sending: Promise<void> | undefined;
  private disposed = false;
  private wakeUp: (() => void) | undefined;

  constructor(
    private readonly send: (change: TaskReport) => Promise<void>,
    private readonly log: Logger,
    private readonly backoff = { firstMs: 200, maxMs: 15_000 },
  ) {}

  push(change: TaskReport): void {
    if (this.disposed) return;
    this.queue.push(change);
    this.sending ??= this.deliver();
  }

  /** Resolves once everything pushed so far was accepted (or the reporter was disposed). */
  async drain(): Promise<void> {
    while (this.sending) await this.sending;
  }

  /** Gives up on what is still queued. */
  dispose(): void {
    this.disposed = true;
    this.queue.length = 0;
    this.wakeUp?.();
  }

  private async deliver(): Promise<void> {
    let delay = this.backoff.firstMs;
    try {
      while (this.queue.length > 0 && !this.disposed) {
        try {
          await this.send(this.queue[0]!);
          this.queue.shift();
          delay = this.backoff.firstMs;
        } catch (err) {
          this.log.warn("state change not accepted yet", { retryInMs: delay, err });
          await this.pause(delay);
          delay = Math.min(this.backoff.maxMs, delay * 2);
        }
      }
    } finally {
      // In the same tick as the loop's last check, so a push() from now on starts a new round.
      this.sending = undefined;
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
