// The berth agent: registers its host, keeps a channel open to the control plane, which
// pushes the tasks it should run, runs each through a TaskRunner on the container runtime,
// and reports back. It talks to the control plane only through the ECS API and that signed channel.
import type { Attribute } from "@aws-sdk/client-ecs";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Assignments, TaskAssignment } from "../wire/agent-channel.js";
import type { TaskNetwork } from "../domain/task/lifecycle.js";
import { FARGATE_HOST_ATTRIBUTE } from "../domain/container-instance.js";
import type { TaskReport } from "../domain/task/lifecycle.js";
import type { Logger } from "../log/logger.js";
import type { RuntimeDriver } from "../runtime/driver.js";
import { occupiedCidrs, TaskRunner } from "./task-runner/index.js";
import { capabilityAttributes } from "./capabilities.js";
import type { AgentChannel } from "./channel.js";
import { taskStateChangeRequest, type ControlPlaneClient } from "./control-plane-client.js";
import { HostPortAllocator } from "./host-ports.js";
import { leftoverContainers, removeLeftovers } from "./leftovers.js";
import { authFor, type RegistryAuthTable } from "./registry-auth.js";
import type { ContainerExec } from "../runtime/exec.js";
import { runExecSession } from "./exec-session.js";
import type { Firewall } from "./firewall/firewall.js";
import type { FirewallPolicy } from "../wire/firewall.js";
import { vpcBridgeName } from "../domain/ec2/vpc-network.js";
import { TaskCredentialsStore } from "./task-credentials.js";
import type { TaskEndpoint } from "./task-endpoint/index.js";
import type { ExecutionResources } from "./task-runner/secrets.js";
import type { AwsLogs } from "./awslogs/awslogs.js";

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
  /** Runs ECS Exec sessions' commands; absent, sessions end with an error. */
  exec?: ContainerExec;
  /** Enforces the security groups of the host's awsvpc tasks; absent (--security-groups off), nothing is. */
  firewall?: Firewall;
  /** The tasks' role credentials, as the control plane pushes them; default: the agent's own. */
  credentials?: TaskCredentialsStore;
  /** Serves the tasks' metadata and credentials at 169.254.170.2; absent, containers get its URIs but nothing answers. */
  taskEndpoint?: TaskEndpoint;
  /** Secrets Manager and SSM as a task's execution role reads them (see execution-resources.ts); absent, tasks with secrets fail. */
  executionResources?: (taskArn: string) => ExecutionResources;
  /** Ships the output of containers that log with awslogs to the control plane's CloudWatch Logs. */
  awslogs?: AwsLogs;
  log: Logger;
}

const HEALTH_CHECK_MS = 1_000;
/** How often the agent looks for changes in the address pools its host's networks occupy. */
const NETWORK_CHECK_MS = 5_000;
/** How soon a policy nft refused is tried again (a newer one replaces it). */
const FIREWALL_RETRY_MS = 1_000;

export class Agent {
  private arn?: string;
  /** The ARN the state file remembered, if registering gave another: its containers are ours too. */
  private previousArn?: string;
  private channel?: AgentChannel;
  /** The first push after a start: this host's containers are adopted, not started again. */
  private first = true;
  private readonly runners = new Map<string, TaskRunner>();
  /** Tasks whose runner has finished: never started again, even while still listed. */
  private readonly finished = new Set<string>();
  private readonly ports = new HostPortAllocator();
  private lastHealth = "";
  private healthTimer?: NodeJS.Timeout;
  private lastPools = "";
  private lastNetworkError = "";
  private networkTimer?: NodeJS.Timeout;
  /** The tasks with an awsvpc interface whose runners run: while any does, stopping keeps the rules. */
  private readonly interfaced = new Set<string>();
  private firewallRetry?: NodeJS.Timeout;
  /** Once registered, every line names the container instance. */
  private log: Logger;
  readonly credentials: TaskCredentialsStore;

  constructor(private readonly opts: AgentOptions) {
    this.log = opts.log;
    this.credentials = opts.credentials ?? new TaskCredentialsStore();
  }

  get containerInstanceArn(): string | undefined {
    return this.arn;
  }

  /** What this agent registers as, for people. */
  get role(): string {
    return this.opts.fargate ? "FARGATE capacity" : `container instance of cluster ${this.opts.cluster}`;
  }

  private get stateFile(): string {
    return join(this.opts.stateDir, this.opts.fargate ? "agent-fargate.json" : `agent-${this.opts.cluster}.json`);
  }

  async start(): Promise<void> {
    this.opts.taskEndpoint?.acquire();
    await this.register();
    this.channel = this.opts.client.channel(() => this.arn!, {
      assignments: (message) => this.reconcile(message),
      // Silent too long, the host was taken for terminated and deregistered: join again.
      unregistered: () => this.register(),
      firewall: (policy) => this.enforce(policy),
      credentials: (credentials) => this.credentials.put(credentials),
      exec: (request) =>
        void runExecSession(request, {
          driver: this.opts.driver,
          exec: this.opts.exec,
          open: (query) => this.opts.client.openExecSocket(query),
          containerInstanceArn: this.arn!,
          log: this.log,
        }).catch((err: unknown) => this.log.warn("exec session failed", { sessionId: request.sessionId, err })),
      log: this.log,
    });
    this.channel.setHealth(this.health());
    // Before the first sync: the control plane must not plan a subnet into a pool in use here.
    await this.checkNetworks();
    this.channel.start();
    this.healthTimer = setInterval(() => this.checkHealth(), HEALTH_CHECK_MS);
    let checking = false;
    this.networkTimer = setInterval(() => {
      if (checking) return;
      checking = true;
      void this.checkNetworks().finally(() => (checking = false));
    }, NETWORK_CHECK_MS);
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
    await this.opts.firewall?.start(this.arn);
    if (previous && previous !== this.arn) this.previousArn = previous;
    mkdirSync(this.opts.stateDir, { recursive: true });
    writeFileSync(this.stateFile, JSON.stringify({ arn: this.arn }) + "\n");
    await this.opts.client.discover(this.opts.cluster, this.arn);
    this.log = this.opts.log.child({ containerInstance: this.arn });
    this.log.info(`${this.role} registered`);
  }

  /** Closes the channel; running containers keep running (a restarted agent adopts them). */
  async stop(): Promise<void> {
    clearInterval(this.healthTimer);
    clearInterval(this.networkTimer);
    clearTimeout(this.firewallRetry);
    this.opts.awslogs?.stopAll();
    await this.channel?.stop();
    // Tasks left running keep their rules (a restarted agent takes the table over): never open.
    await this.opts.firewall?.stop(this.interfaced.size > 0);
    await this.opts.taskEndpoint?.release();
  }

  /** Applies the host's security groups; a policy nft refuses is tried again until a newer one comes. */
  private async enforce(policy: FirewallPolicy): Promise<void> {
    const firewall = this.opts.firewall;
    if (!firewall) return;
    clearTimeout(this.firewallRetry);
    try {
      await firewall.apply(policy);
    } catch (err) {
      this.log.error("could not apply the security groups; trying again", { err });
      this.firewallRetry = setTimeout(() => void this.enforce(policy), FIREWALL_RETRY_MS);
    }
  }

  private health() {
    return [...this.runners.entries()].flatMap(([taskArn, r]) => r.health().map((h) => ({ taskArn, ...h })));
  }

  /** A health change is sent at once. */
  private checkHealth(): void {
    const health = this.health();
    const now = JSON.stringify(health);
    if (now === this.lastHealth) return;
    this.lastHealth = now;
    this.channel?.setHealth(health);
  }

  /** Sends the address space in use on the host (see occupiedCidrs) when it changes. */
  private async checkNetworks(): Promise<void> {
    try {
      const pools = await occupiedCidrs(this.opts.driver);
      this.lastNetworkError = "";
      const now = JSON.stringify(pools);
      if (now === this.lastPools) return;
      this.lastPools = now;
      this.channel?.setPools(pools);
    } catch (err) {
      // Once per distinct failure: an engine that is down would otherwise fill the log.
      const message = (err as Error).message;
      if (message !== this.lastNetworkError) this.log.warn("could not list the host's networks", { err });
      this.lastNetworkError = message;
    }
  }

  private deps() {
    return {
      driver: this.opts.driver,
      pauseImage: this.opts.pauseImage,
      allocateHostPort: (ip: string, protocol: "tcp" | "udp") => this.ports.allocate(ip, protocol),
      releaseHostPort: (ip: string, protocol: "tcp" | "udp", port: number) => this.ports.release(ip, protocol, port),
      registryAuth: (image: string) => (this.opts.registryAuth ? authFor(this.opts.registryAuth, image) : undefined),
      now: () => new Date(),
      owner: this.arn,
      ...(this.opts.taskEndpoint ? this.endpointDeps(this.opts.taskEndpoint) : {}),
      roleCredentialsId: (taskArn: string) => {
        const creds = this.credentials.ofTask(taskArn);
        return creds?.task ? creds.credentialsId : undefined;
      },
      ...(this.opts.awslogs ? { awslogs: this.opts.awslogs } : {}),
    };
  }

  private endpointDeps(endpoint: TaskEndpoint) {
    return {
      metadataToken: (containerArn: string) => endpoint.token(containerArn),
      interfaceUp: (net: TaskNetwork) => endpoint.interfaceUp(net.ipv4Address, net.vpcId ? vpcBridgeName(net.vpcId) : undefined),
      bridgeContainerUp: (dockerId: string) => void endpoint.bridgeContainerUp(dockerId),
      bridgeContainerDown: (dockerId: string) => void endpoint.bridgeContainerDown(dockerId),
    };
  }

  /** The task is gone from this host: its credentials and endpoint with it. */
  private released(a: TaskAssignment): void {
    this.credentials.forget(a.taskArn);
    const endpoint = this.opts.taskEndpoint;
    if (!endpoint) return;
    endpoint.untrack(a.taskArn);
    if (a.network)
      void endpoint
        .interfaceDown(a.network.ipv4Address)
        .catch((err: unknown) => this.log.warn("could not update the task endpoint's redirect", { taskArn: a.taskArn, err }));
  }

  /** `tasks`: the assignments that changed since the last push acted on; `assigned`: every task assigned here. */
  private async reconcile({ tasks: changed, assigned: assignedArns }: Assignments): Promise<void> {
    // After a restart, the containers of this host's tasks are adopted, not started again.
    const existing = this.first ? await this.opts.driver.list({}).catch(() => []) : [];
    // A task the control plane no longer assigns here was stopped without us (the host was
    // taken for lost): its containers must not run on unaccounted for.
    const assigned = new Set(assignedArns);
    if (this.first) {
      const owners = new Set([this.arn, this.previousArn].filter((arn): arn is string => arn !== undefined));
      void removeLeftovers(this.opts.driver, leftoverContainers(existing, owners, assigned), this.log);
    }
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
      const report = async (change: TaskReport) => {
        await this.channel!.call("SubmitTaskStateChange", taskStateChangeRequest(a.clusterArn, a.taskArn, change));
      };
      const adopted = existing.filter((c) => c.labels["com.amazonaws.ecs.task-arn"] === a.taskArn);
      if (a.desiredStatus === "STOPPED" && adopted.length === 0) {
        // Stopped before it ever ran here: nothing to tear down, only to confirm.
        this.finished.add(a.taskArn);
        this.credentials.forget(a.taskArn);
        void report({ status: "STOPPED", executionStoppedAt: new Date() }).catch((err: unknown) =>
          this.log.warn("could not report the task stopped", { taskArn: a.taskArn, err }),
        );
        continue;
      }
      const deps = {
        ...this.deps(),
        log: this.log.child({ taskArn: a.taskArn }),
        report,
        ...(this.opts.executionResources ? { executionResources: this.opts.executionResources(a.taskArn) } : {}),
      };
      const next = adopted.length ? TaskRunner.recover(a, deps, adopted) : new TaskRunner(a, deps);
      this.runners.set(a.taskArn, next);
      if (a.network) this.interfaced.add(a.taskArn);
      this.opts.taskEndpoint?.track({
        assignment: a,
        availabilityZone: this.opts.availabilityZone,
        containerInstanceArn: this.arn,
        snapshot: () => next.snapshot(),
      });
      if (a.desiredStatus === "STOPPED") next.stop();
      next
        .run()
        .catch((err: unknown) => deps.log.error("task failed", { err }))
        .finally(() => {
          this.released(a);
          this.runners.delete(a.taskArn);
          this.interfaced.delete(a.taskArn);
          this.finished.add(a.taskArn);
        });
    }
    // The control plane has heard the first sync, and with it the host's occupied pools.
    if (this.first) this.log.info(`${this.role} connected`, { tasksAssigned: assigned.size });
    this.first = false;
  }
}
