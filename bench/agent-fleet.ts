// Simulated agents (test/support/simulated-agent.ts, a test double that acknowledges its
// assignments at once) in a worker thread of their own, so a benchmark's observer — its
// DescribeServices polling — is not queued behind a thousand agents' channels and reports.
import { Worker } from "node:worker_threads";

export interface FleetSetup {
  endpoint: string;
  cluster: string;
  count: number;
  zones: string[];
  cpu: number;
  memory: number;
}
export type FleetCommand = { type: "vanish"; count: number } | { type: "stopAll" };
export type FleetMessage = { type: "ready"; arns: string[] } | { type: "vanished"; arns: string[] };

export class AgentFleet {
  private constructor(
    private readonly worker: Worker,
    /** Container instance ARNs of the agents still running, oldest first. */
    readonly arns: string[],
  ) {}

  static async start(setup: FleetSetup): Promise<AgentFleet> {
    const worker = new Worker(new URL("./agent-fleet-worker.js", import.meta.url), { workerData: setup });
    const arns = await AgentFleet.next(worker, "ready");
    return new AgentFleet(worker, arns);
  }

  /** The first `count` agents close their channels and stop reporting: to the control plane they vanish. */
  async vanish(count: number): Promise<string[]> {
    this.worker.postMessage({ type: "vanish", count } satisfies FleetCommand);
    const gone = await AgentFleet.next(this.worker, "vanished");
    this.arns.splice(0, gone.length);
    return gone;
  }

  async close(): Promise<void> {
    this.worker.postMessage({ type: "stopAll" } satisfies FleetCommand);
    await AgentFleet.next(this.worker, "vanished").catch(() => undefined);
    await this.worker.terminate();
  }

  private static next(worker: Worker, type: FleetMessage["type"]): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: FleetMessage) => {
        if (m.type !== type) return;
        worker.off("message", onMessage);
        worker.off("error", reject);
        resolve(m.arns);
      };
      worker.on("message", onMessage);
      worker.once("error", reject);
    });
  }
}
