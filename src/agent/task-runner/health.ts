// Container health as the engine sees it: prompt through its event stream, reconciled by a
// periodic inspect because events can be missed across reconnects. Only tasks with health
// checks subscribe.
import type { ContainerHealth, EventSubscription, RuntimeDriver } from "../../runtime/driver.js";

export class HealthWatch {
  private readonly ids = new Set<string>();
  private subscription: EventSubscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly driver: RuntimeDriver,
    private readonly pollMs: number,
    private readonly onHealth: (id: string, health: ContainerHealth) => void,
  ) {}

  watch(id: string): void {
    if (this.closed) return;
    this.ids.add(id);
    if (!this.subscription) {
      this.subscription = this.driver.events((e) => {
        if (e.action === "health_status" && e.health && this.ids.has(e.id)) this.onHealth(e.id, e.health);
      });
      // Whatever changed before the stream was up is picked up by one look right after.
      void this.subscription.ready.then(() => this.poll());
      this.timer = setInterval(() => void this.poll(), this.pollMs);
      this.timer.unref();
    }
  }

  unwatch(id: string): void {
    this.ids.delete(id);
  }

  close(): void {
    this.closed = true;
    this.subscription?.close();
    clearInterval(this.timer);
    this.ids.clear();
  }

  private async poll(): Promise<void> {
    for (const id of this.ids) {
      const state = await this.driver.inspect(id).catch(() => undefined);
      if (state?.health && this.ids.has(id)) this.onHealth(id, state.health);
    }
  }
}
