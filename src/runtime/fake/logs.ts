// The fake engine's per-container output log: lines stamped from its clock (nanoseconds, each
// later than the one before, as json-file's are), read the way Docker's logs API serves them.
import type { LogLine } from "../driver.js";

export class FakeLog {
  private readonly lines: LogLine[] = [];
  private lastNs = 0n;
  /** Docker's follow of a container that is not running ends at once. */
  private ended = true;
  private wake: (() => void)[] = [];

  append(nowMs: number, text: string, stream: LogLine["stream"] = "stdout"): void {
    let timeNs = BigInt(Math.floor(nowMs)) * 1_000_000n;
    if (timeNs <= this.lastNs) timeNs = this.lastNs + 1n;
    this.lastNs = timeNs;
    for (const part of text.split("\n")) this.lines.push({ timeNs, stream, text: part });
    this.notify();
  }

  /** The container stopped: followers end once they have read everything. */
  end(): void {
    this.ended = true;
    this.notify();
  }

  /** Started again: followers wait for new lines. */
  reopen(): void {
    this.ended = false;
  }

  async *read(opts: { sinceNs?: bigint; follow: boolean }): AsyncGenerator<LogLine> {
    let i = 0;
    for (;;) {
      while (i < this.lines.length) {
        const line = this.lines[i++]!;
        if (opts.sinceNs === undefined || line.timeNs >= opts.sinceNs) yield { ...line };
      }
      if (!opts.follow || this.ended) return;
      await new Promise<void>((resolve) => this.wake.push(resolve));
    }
  }

  private notify(): void {
    for (const resolve of this.wake.splice(0)) resolve();
  }
}
