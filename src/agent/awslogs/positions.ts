// How far each container's log has been shipped (the engine's timestamp of the last stored
// line), kept in the agent's state dir so that a restarted agent resumes from there: Docker's
// logs `since` is inclusive, so lines at or before the position are skipped.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export class ShippedPositions {
  constructor(private readonly dir: string) {}

  get(containerId: string): bigint | undefined {
    try {
      const saved = JSON.parse(readFileSync(this.file(containerId), "utf8")) as { position?: string };
      return saved.position !== undefined ? BigInt(saved.position) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Written whole, then renamed over the old one: a crash leaves one or the other. */
  set(containerId: string, position: bigint): void {
    mkdirSync(this.dir, { recursive: true });
    const file = this.file(containerId);
    writeFileSync(`${file}.tmp`, JSON.stringify({ position: position.toString() }) + "\n");
    renameSync(`${file}.tmp`, file);
  }

  forget(containerId: string): void {
    rmSync(this.file(containerId), { force: true });
  }

  private file(containerId: string): string {
    return join(this.dir, `${containerId.replace(/[^A-Za-z0-9_.-]/g, "_")}.json`);
  }
}
