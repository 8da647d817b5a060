// A TEST DOUBLE of the berth agent: registers a host through the real agent client and
// acknowledges its assignments at once (RUNNING when wanted, STOPPED when told), without
// containers. For scheduler tests and benchmarks that need many hosts.
import type { NetworkBinding } from "@aws-sdk/client-ecs";
import type { AgentChannel } from "../../src/agent/channel.js";
import { ControlPlaneClient, taskStateChangeRequest } from "../../src/agent/control-plane-client.js";
import type { TaskAssignment } from "../../src/wire/agent-channel.js";
import type { TaskCredentials } from "../../src/wire/task-credentials.js";
import { createLogger } from "../../src/log/logger.js";
import { TEST_ACCESS_KEY, TEST_SECRET_KEY } from "./berth-process.js";

export interface SimulatedAgentOptions {
  cluster?: string;
  cpu?: number;
  memory?: number;
  az?: string;
  fargate?: boolean;
  attributes?: { name: string; value?: string }[];
  /** Decide how a task ends up: "run" (default), "fail" (fails to start), or "exit" (runs, then its essential container exits 1). */
  outcome?: (a: TaskAssignment) => "run" | "fail" | "exit";
  /** The ports a running container publishes, as the agent would report them (bridge and host tasks). */
  networkBindings?: (a: TaskAssignment, containerName: string) => NetworkBinding[];
  /** Hears the tasks' role credentials the control plane pushes, as the agent's credentials store would. */
  credentials?: (credentials: TaskCredentials[]) => void;
}

export class SimulatedAgent {
  readonly client: ControlPlaneClient;
  arn = "";
  private channel?: AgentChannel;
  private readonly handled = new Map<string, string>();

  constructor(
    endpoint: string,
    private readonly opts: SimulatedAgentOptions = {},
  ) {
    this.client = new ControlPlaneClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
    });
  }

  async start(): Promise<this> {
    const instance = await this.client.register({
      cluster: this.opts.fargate ? undefined : this.opts.cluster,
      totalResources: [
        { name: "CPU", type: "INTEGER", integerValue: this.opts.cpu ?? 4096 },
        { name: "MEMORY", type: "INTEGER", integerValue: this.opts.memory ?? 8192 },
      ],
      instanceIdentityDocument: JSON.stringify({ availabilityZone: this.opts.az ?? "us-east-1a", instanceType: "sim.large" }),
      attributes: [
        { name: "ecs.capability.task-eni" },
        { name: "ecs.capability.container-health-check" },
        ...(this.opts.fargate ? [{ name: "berth.capacity", value: "fargate" }] : []),
        ...(this.opts.attributes ?? []),
      ],
    });
    this.arn = instance.containerInstanceArn!;
    await this.client.discover(this.opts.cluster ?? "default", this.arn);
    const log = createLogger({ level: process.env.BERTH_SIM_DEBUG ? "debug" : "silent" }).child({ simulatedAgent: this.arn.slice(-8) });
    this.channel = this.client.channel(() => this.arn, {
      assignments: async (pushed) => {
        try {
          await Promise.all(pushed.tasks.map((a) => this.act(a)));
        } catch (err) {
          // A moment before the control plane is asked for the same changes again.
          await new Promise((r) => setTimeout(r, 200));
          throw err;
        }
      },
      unregistered: async () => log.debug("not registered any more"),
      ...(this.opts.credentials ? { credentials: this.opts.credentials } : {}),
      log,
    });
    this.channel.start();
    return this;
  }

  /** Closes the channel: to the control plane the agent vanished. */
  async stop(): Promise<void> {
    await this.channel?.stop();
    this.client.close();
  }

  /** A report that failed (the control plane was busy) is retried when the changes are pushed again, as the real agent retries. */
  private async act(a: TaskAssignment): Promise<void> {
    const before = this.handled.get(a.taskArn);
    try {
      await this.actOnce(a);
    } catch (err) {
      if (before === undefined) this.handled.delete(a.taskArn);
      else this.handled.set(a.taskArn, before);
      throw err;
    }
  }

  private async actOnce(a: TaskAssignment): Promise<void> {
    const done = this.handled.get(a.taskArn);
    // Signed and sent without the SDK: a fleet of these shares the machine with what it measures.
    const report = (change: Parameters<ControlPlaneClient["submitTaskStateChange"]>[2]) =>
      this.channel!.call("SubmitTaskStateChange", taskStateChangeRequest(a.clusterArn, a.taskArn, change));
    const containers = (status: "RUNNING" | "STOPPED", exitCode?: number) =>
      a.containers.map((c) => ({
        containerName: c.name,
        status,
        runtimeId: `sim-${a.taskArn.slice(-8)}-${c.name}`,
        ...(exitCode !== undefined ? { exitCode } : {}),
        ...(status === "RUNNING" && this.opts.networkBindings ? { networkBindings: this.opts.networkBindings(a, c.name) } : {}),
      }));
    if (a.desiredStatus === "STOPPED") {
      if (done === "stopped") return;
      this.handled.set(a.taskArn, "stopped");
      await report({ status: "STOPPED", containers: containers("STOPPED", 0), executionStoppedAt: new Date() });
      return;
    }
    if (done) return;
    const outcome = this.opts.outcome?.(a) ?? "run";
    this.handled.set(a.taskArn, outcome);
    if (outcome === "fail") {
      const reason = "CannotPullContainerError: simulated pull failure";
      await report({
        status: "STOPPED",
        reason,
        containers: a.containers.map((c) => ({ containerName: c.name, status: "STOPPED" as const, reason })),
      });
      return;
    }
    const now = new Date();
    await report({ status: "RUNNING", pullStartedAt: now, pullStoppedAt: now, containers: containers("RUNNING") });
    if (outcome === "exit") {
      await report({ containers: containers("STOPPED", 1) });
      await report({ status: "STOPPED", containers: containers("STOPPED", 1) });
      this.handled.set(a.taskArn, "stopped");
    }
  }
}
