// The berth agent: registers its host, long-polls the control plane for the tasks it
// should run, runs each through a TaskRunner on the container runtime, and reports back.
// It talks to the control plane only through the ECS API and the signed poll channel.
import type { Attribute } from "@aws-sdk/client-ecs";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TaskAssignment } from "../api/agent-channel/protocol.js";
import type { HostVersion } from "../api/agent-channel/notifier.js";
import { FARGATE_HOST_ATTRIBUTE } from "../domain/container-instance.js";
import type { TaskReport } from "../domain/task/lifecycle.js";
import type { RuntimeDriver } from "../runtime/driver.js";
import { TaskRunner } from "./task-runner/index.js";
import { capabilityAttributes } from "./capabilities.js";
import type { ControlPlaneClient } from "./control-plane-client.js";
import { HostPortAllocator } from "./host-ports.js";
import { authFor, type RegistryAuthTable } from "./registry-auth.js";

export const AGENT_VERSION = "1.0.0";

export interface AgentOptions {
  client: ControlPlaneClient;
  driver: RuntimeDriver;
  /** The cluster of this container instance; ignored for FARGATE capacity. */
  cluster: string;
  /** Register as berth's FARGATE capacity instead of as a container instance. */
  fargate: boolean;
  /** Where the agent remembers its registration across restarts. */
  stateDir: string;
  availabilityZone: string;
  instanceType: string;
  attributes: Attribute[];
  /** Offered resources; default: what the engine reports. */
  cpu?: number;
  memoryMiB?: number;
  pauseImage: string;
  /** Private registry credentials (ECS_ENGINE_AUTH_DATA). */
  registryAuth?: RegistryAuthTable;
  log(message: string): void;
}

const HEALTH_CHECK_MS = 1_000;
const RETRY_MS = 1_000;

export class Agent {
  private arn?: string;
  private seen?: HostVersion;
  private readonly runners = new Map<string, TaskRunner>();
  /** Tasks whose runner has finished: never started again, even while still listed. */
  private readonly finished = new Set<string>();
  private readonly ports = new HostPortAllocator();
  private stopped = false;
  private poll?: AbortController;
  private lastHealth = "";
  private healthTimer?: NodeJS.Timeout;

  constructor(private readonly opts: AgentOptions) {}

  get containerInstanceArn(): string | undefined {
    return this.arn;
  }

  private get stateFile(): string {
    return join(this.opts.stateDir, this.opts.fargate ? "agent-fargate.json" : `agent-${this.opts.cluster}.json`);
  }

  async start(): Promise<void> {
    await this.register();
    this.healthTimer = setInterval(() => this.checkHealth(), HEALTH_CHECK_MS);
    void this.loop();
  }

  /** Registers the host, as the instance it was before when the state file remembers one. */
  private async register(): Promise<void> {
    const info = await this.opts.driver.info();
    const previous = existsSync(this.stateFile) ? (JSON.parse(readFileSync(this.stateFile, "utf8")) as { arn?: string }).arn : undefined;
    const instance = await this.opts.client.register({
      cluster: this.opts.fargate ? undefined : this.opts.cluster,
      ...(previous ? { containerInstanceArn: previous } : {}),
      instanceIdentityDocument: JSON.stringify({
        availabilityZone: this.opts.availabilityZone,
        instanceType: this.opts.instanceType,
        region: undefined,
      }),
      totalResources: [
        { name: "CPU", type: "INTEGER", integerValue: this.opts.cpu ?? info.cpus * 1024 },
        { name: "MEMORY", type: "INTEGER", integerValue: this.opts.memoryMiB ?? info.memoryMiB },
      ],
      versionInfo: { agentVersion: AGENT_VERSION, agentHash: "berth", dockerVersion: `DockerVersion: ${info.serverVersion}` },
      attributes: [
        ...capabilityAttributes(),
        { name: "ecs.cpu-architecture", value: info.architecture === "aarch64" ? "arm64" : "x86_64" },
        ...(this.opts.fargate ? [{ name: FARGATE_HOST_ATTRIBUTE, value: "fargate" }] : []),
        ...this.opts.attributes,
      ],
    });
    this.arn = instance.containerInstanceArn!;
    mkdirSync(this.opts.stateDir, { recursive: true });
    writeFileSync(this.stateFile, JSON.stringify({ arn: this.arn }) + "\n");
    await this.opts.client.discover(this.opts.cluster, this.arn);
    this.opts.log(`${this.opts.fargate ? "FARGATE capacity" : `container instance of cluster ${this.opts.cluster}`} registered: ${this.arn}`);
  }

  /** Stops polling; running containers keep running (a restarted agent adopts them). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.healthTimer);
    this.poll?.abort();
  }

  private health() {
    return [...this.runners.entries()].flatMap(([taskArn, r]) => r.health().map((h) => ({ taskArn, ...h })));
  }

  /** A health change cuts the current poll short so the control plane hears of it at once. */
  private checkHealth(): void {
    const now = JSON.stringify(this.health());
    if (now !== this.lastHealth) this.poll?.abort();
  }

  private async loop(): Promise<void> {
    let first = true;
    while (!this.stopped) {
      this.poll = new AbortController();
      const health = this.health();
      try {
        const res = await this.opts.client.poll(
          { containerInstanceArn: this.arn!, seen: this.seen, health, waitMs: 20_000 },
          this.poll.signal,
        );
        this.lastHealth = JSON.stringify(health);
        await this.reconcile(res.tasks, res.assigned, first);
        // Only once acted on: a poll after a failure is answered with the same changes again.
        this.seen = res.version;
        first = false;
      } catch (err) {
        if (this.stopped) return;
        if ((err as Error).name !== "AbortError") {
          this.opts.log(`poll: ${(err as Error).message}`);
          await new Promise((r) => setTimeout(r, RETRY_MS));
          // Silent too long, the host was taken for terminated and deregistered: join again.
          if (/is not registered/.test((err as Error).message)) await this.register().catch((e: unknown) => this.opts.log(`register: ${(e as Error).message}`));
        } else {
          this.lastHealth = JSON.stringify(health);
        }
      }
    }
  }

  private deps() {
    return {
      driver: this.opts.driver,
      log: (m: string) => this.opts.log(m),
      pauseImage: this.opts.pauseImage,
      allocateHostPort: (ip: string, protocol: "tcp" | "udp") => this.ports.allocate(ip, protocol),
      releaseHostPort: (ip: string, protocol: "tcp" | "udp", port: number) => this.ports.release(ip, protocol, port),
      registryAuth: (image: string) => (this.opts.registryAuth ? authFor(this.opts.registryAuth, image) : undefined),
      now: () => new Date(),
    };
  }

  /** `changed`: the assignments that changed since the last poll; `assignedArns`: every task assigned here. */
  private async reconcile(changed: readonly TaskAssignment[], assignedArns: readonly string[], afterStart: boolean): Promise<void> {
    // After a restart, the containers of this host's tasks are adopted, not started again.
    const existing = afterStart ? await this.opts.driver.list({}).catch(() => []) : [];
    // A task the control plane no longer assigns here was stopped without us (the host was
    // taken for lost): its containers must not run on unaccounted for.
    const assigned = new Set(assignedArns);
    for (const [taskArn, runner] of this.runners) if (!assigned.has(taskArn)) runner.stop();
    // Finished tasks are remembered only while still assigned.
    for (const taskArn of this.finished) if (!assigned.has(taskArn)) this.finished.delete(taskArn);
    for (const a of changed) {
      const runner = this.runners.get(a.taskArn);
      if (runner) {
        if (a.desiredStatus === "STOPPED") runner.stop();
        continue;
      }
      if (this.finished.has(a.taskArn)) continue;
      const report = (change: TaskReport) => this.opts.client.submitTaskStateChange(a.clusterArn, a.taskArn, change);
      const adopted = existing.filter((c) => c.labels["com.amazonaws.ecs.task-arn"] === a.taskArn);
      if (a.desiredStatus === "STOPPED" && adopted.length === 0) {
        // Stopped before it ever ran here: nothing to tear down, only to confirm.
        this.finished.add(a.taskArn);
        void report({ status: "STOPPED", executionStoppedAt: new Date() }).catch((err) => this.opts.log(`report ${a.taskArn}: ${(err as Error).message}`));
        continue;
      }
      const deps = { ...this.deps(), report };
      const next = adopted.length ? TaskRunner.recover(a, deps, adopted) : new TaskRunner(a, deps);
      this.runners.set(a.taskArn, next);
      if (a.desiredStatus === "STOPPED") next.stop();
      next
        .run()
        .catch((err: unknown) => this.opts.log(`task ${a.taskArn}: ${(err as Error).message}`))
        .finally(() => {
          this.runners.delete(a.taskArn);
          this.finished.add(a.taskArn);
        });
    }
  }
}
