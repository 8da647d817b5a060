// The task endpoint at 169.254.170.2, as the ECS agent serves it to its tasks: credentials
// (/v2/credentials/<id>) and task metadata v3/v4 with stats. One per agent process, shared by
// its agents (berth up runs a container instance and the FARGATE capacity in one process).
import type { Logger } from "../../log/logger.js";
import type { RuntimeDriver } from "../../runtime/driver.js";
import type { TaskCredentialsStore } from "../task-credentials.js";
import { TaskEndpointState, type TrackedTask } from "./endpoint.js";
import { Redirect, type RedirectOptions } from "./redirect.js";
import { DEFAULT_TASK_ENDPOINT_PORT, TaskEndpointServer } from "./server.js";
import { EndpointKey } from "./tokens.js";
import { LABEL } from "../task-runner/identity.js";

/** Docker's default network, where bridge-mode tasks' containers are. */
const DOCKER_BRIDGE_NETWORK = "bridge";

export { DEFAULT_TASK_ENDPOINT_PORT } from "./server.js";
export { ENDPOINT_ADDRESS, redirectTable, renderRedirect } from "./redirect.js";
export type { TrackedTask } from "./endpoint.js";

export interface TaskEndpointOptions {
  /** 127.0.0.1:<port>; 0: any free port. */
  port: number;
  /** Where the token key is kept; the redirect's table is named after it. */
  stateDir: string;
  credentials: TaskCredentialsStore;
  driver: RuntimeDriver;
  /** Make the nftables redirect from 169.254.170.2:80 (default true); tests give the nft and route_localnet it uses. */
  redirect?: boolean | Pick<RedirectOptions, "nft" | "routeLocalnet">;
  /** A resource's tags, for taskWithTags (see TaskEndpointStateOptions). */
  tags?: (resourceArn: string) => Promise<Record<string, string>>;
  log: Logger;
}

export class TaskEndpoint {
  /** Bridge containers whose address is (or is being) routed here, by Docker id. */
  private readonly bridgeSources = new Map<string, { taskArn?: string; address?: string }>();

  private constructor(
    private readonly state: TaskEndpointState,
    private readonly server: TaskEndpointServer,
    private readonly redirect: Redirect | undefined,
    private readonly driver: RuntimeDriver,
    private readonly log: Logger,
    /** The port it listens on. */
    readonly port: number,
  ) {}

  static async start(opts: TaskEndpointOptions): Promise<TaskEndpoint> {
    const log = opts.log.child({ component: "task-endpoint" });
    const state = new TaskEndpointState({
      key: EndpointKey.inDirectory(opts.stateDir),
      credentials: opts.credentials,
      driver: opts.driver,
      ...(opts.tags ? { tags: opts.tags } : {}),
      log,
    });
    const server = new TaskEndpointServer(state, log);
    const port = await server.listen(opts.port).catch((err: NodeJS.ErrnoException) => {
      // Another berth on this host has the ECS agent's port: this one's tasks reach it through the redirect anyway.
      if (err.code !== "EADDRINUSE" || opts.port !== DEFAULT_TASK_ENDPOINT_PORT) throw err;
      log.warn(`port ${opts.port} is taken: the task endpoint listens on another`, {});
      return server.listen(0);
    });
    const redirect =
      opts.redirect === false
        ? undefined
        : new Redirect({ dataDir: opts.stateDir, log, ...(typeof opts.redirect === "object" ? opts.redirect : {}) });
    await redirect?.start(port);
    log.info("task endpoint listening", { address: `127.0.0.1:${port}`, redirect: redirect?.tableName });
    return new TaskEndpoint(state, server, redirect, opts.driver, log, port);
  }

  token(containerArn: string): string {
    return this.state.token(containerArn);
  }

  track(task: TrackedTask): void {
    this.state.track(task);
  }

  untrack(taskArn: string): void {
    this.state.untrack(taskArn);
    for (const [dockerId, source] of this.bridgeSources) if (source.taskArn === taskArn) void this.bridgeContainerDown(dockerId);
  }

  /**
   * A bridge container of a tracked task runs: once Docker has given it its address, that
   * address reaches this endpoint ahead of any other berth's catch-all (see redirect.ts). Until
   * then (its first moments) it is the catch-all's. Never fails: a container left out keeps the catch-all.
   */
  async bridgeContainerUp(dockerId: string): Promise<void> {
    if (!this.redirect || this.bridgeSources.has(dockerId)) return;
    const source: { taskArn?: string; address?: string } = {};
    this.bridgeSources.set(dockerId, source);
    const state = await this.driver.inspect(dockerId).catch(() => undefined);
    const taskArn = state?.labels[LABEL.taskArn];
    const address = state?.networks[DOCKER_BRIDGE_NETWORK]?.ipv4Address;
    // Gone meanwhile (it exited, or its task was released): nothing to route.
    if (this.bridgeSources.get(dockerId) !== source) return;
    if (!taskArn || !address || !this.state.tracks(taskArn)) {
      this.bridgeSources.delete(dockerId);
      return;
    }
    Object.assign(source, { taskArn, address });
    await this.redirect
      .addSource(address)
      .catch((err: unknown) => this.log.warn("could not route a bridge container's address", { dockerId, err }));
  }

  /** The container exited: its address (Docker may give it to any container next) is no longer this endpoint's. */
  async bridgeContainerDown(dockerId: string): Promise<void> {
    const source = this.bridgeSources.get(dockerId);
    if (!source) return;
    this.bridgeSources.delete(dockerId);
    if (source.address)
      await this.redirect
        ?.removeSource(source.address)
        .catch((err: unknown) => this.log.warn("could not stop routing a bridge container's address", { dockerId, err }));
  }

  /** An awsvpc task's interface is up: its address reaches this endpoint (see redirect.ts). */
  async interfaceUp(address: string, bridge: string | undefined): Promise<void> {
    await this.redirect?.addSource(address, bridge);
  }

  async interfaceDown(address: string): Promise<void> {
    await this.redirect?.removeSource(address);
  }

  private users = 0;

  /** An agent uses the endpoint from now on (until it releases it). */
  acquire(): void {
    this.users++;
  }

  /** Closes the endpoint once the last agent using it has stopped. */
  async release(): Promise<void> {
    if (--this.users <= 0) await this.close();
  }

  /** Stops serving and removes the redirect (a clean stop). */
  async close(): Promise<void> {
    await this.server.close();
    await this.redirect?.stop();
  }
}
