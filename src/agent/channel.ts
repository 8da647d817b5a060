// The agent's end of its channel to the control plane (src/wire/agent-channel.ts):
// keeps a WebSocket open, opening it again after any loss, acts on the assignments pushed
// over it one push at a time, and sends calls and health. A call made while the channel is
// down, or cut off by its loss, goes over HTTP instead: state reports are idempotent.
import type { TaskDefinition } from "@aws-sdk/client-ecs";
import type { WebSocket } from "ws";
import {
  CLOSE_NOT_REGISTERED,
  type AgentMessage,
  type Assignments,
  type ContainerHealth,
  type ControlPlaneMessage,
  withDefinitions,
  type HostVersion,
} from "../wire/agent-channel.js";
import type { Logger } from "../log/logger.js";
import { toAwsJson } from "../wire/aws-json.js";
import type { ExecRequest } from "../wire/agent-exec.js";
import type { TaskCredentials } from "../wire/task-credentials.js";
import type { FirewallPolicy } from "../wire/firewall.js";

export interface ChannelHandlers {
  /** Resolves once the push is acted on; a rejection asks the control plane for the same changes again. */
  assignments(message: Assignments): Promise<void>;
  /** The control plane no longer knows the host (deregistered, or taken for lost). */
  unregistered(): Promise<void>;
  /** An ECS Exec session to start; absent, the request is ignored and the session's client sees it never start. */
  exec?(request: ExecRequest): void;
  /**
   * The host's security-group policy: acted on in turn with assignments, so the rules of a
   * task's interface are in force before a later push starts the task. Absent, it is ignored.
   */
  firewall?(policy: FirewallPolicy): Promise<void>;
  /** Tasks' role credentials, new or refreshed: held before the next message is read. */
  credentials?(credentials: TaskCredentials[]): void;
  log: Logger;
}

export interface ChannelTransport {
  /** Opens a signed connection; rejects with an Error named after the AWS error when refused. */
  open(): Promise<WebSocket>;
  /** The same call over HTTP. */
  call(operation: string, input: object): Promise<unknown>;
}

interface PendingCall {
  operation: string;
  input: object;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

const RETRY_MS = 1_000;

export class AgentChannel {
  private socket?: WebSocket;
  private seen?: HostVersion;
  private health: ContainerHealth[] = [];
  private pools?: string[];
  private nextId = 1;
  private readonly calls = new Map<number, PendingCall>();
  /** Pushes are acted on in order, each after the one before. */
  private acting: Promise<void> = Promise.resolve();
  private stopped = false;
  private running?: Promise<void>;
  private wake?: () => void;

  constructor(
    private readonly transport: ChannelTransport,
    private readonly handlers: ChannelHandlers,
    private readonly retryMs = RETRY_MS,
  ) {}

  start(): void {
    this.running ??= this.run();
  }

  /** Closes the channel for good; calls still waiting go over HTTP. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.socket?.close(1000);
    this.wake?.();
    await this.running;
  }

  call(operation: string, input: object): Promise<unknown> {
    const socket = this.socket;
    if (!socket || socket.readyState !== socket.OPEN) return this.transport.call(operation, input);
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      this.calls.set(id, { operation, input, resolve, reject });
      this.send(socket, { type: "call", id, operation, input });
    });
  }

  /** The health of containers with health checks; sent now if it changed, and on every reconnection. */
  setHealth(health: ContainerHealth[]): void {
    this.health = health;
    if (this.socket) this.send(this.socket, { type: "health", health });
  }

  /** The host's occupied address pools; sent now, and on every reconnection. */
  setPools(pools: string[]): void {
    this.pools = pools;
    if (this.socket) this.send(this.socket, { type: "pools", pools });
  }

  private send(socket: WebSocket, message: AgentMessage): void {
    if (socket.readyState === socket.OPEN) socket.send(toAwsJson(message));
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const socket = await this.transport.open();
        if (this.stopped) {
          socket.close(1000);
          return;
        }
        const code = await this.serve(socket);
        if (code === CLOSE_NOT_REGISTERED && !this.stopped) await this.handlers.unregistered();
      } catch (err) {
        if (this.stopped) return;
        this.handlers.log.warn("channel to the control plane failed", { err });
        if (/is not registered/.test((err as Error).message))
          await this.handlers.unregistered().catch((e: unknown) => this.handlers.log.error("could not register again", { err: e }));
      }
      if (!this.stopped) await this.pause();
    }
  }

  /** Waits before connecting again; stop() cuts it short. */
  private pause(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.retryMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Uses an open connection until it closes; resolves with the close code. */
  private serve(socket: WebSocket): Promise<number> {
    this.socket = socket;
    this.send(socket, { type: "sync", seen: this.seen, health: this.health, pools: this.pools });
    // The task definitions this connection has carried, by ARN (see PushedAssignments).
    const definitions = new Map<string, TaskDefinition>();
    socket.on("message", (data: Buffer) => this.receive(socket, data, definitions));
    return new Promise((resolve) => {
      socket.on("error", (err) => this.handlers.log.warn("channel to the control plane failed", { err }));
      socket.on("close", (code) => {
        this.socket = undefined;
        // Cut off: each call still waiting is made again over HTTP.
        for (const [id, call] of this.calls) {
          this.calls.delete(id);
          this.transport.call(call.operation, call.input).then(
            (output) => call.resolve(output),
            (err: unknown) => call.reject(err),
          );
        }
        resolve(code);
      });
    });
  }

  private receive(socket: WebSocket, data: Buffer, definitions: Map<string, TaskDefinition>): void {
    let message: ControlPlaneMessage;
    try {
      message = JSON.parse(data.toString("utf8")) as ControlPlaneMessage;
      if (message === null || typeof message !== "object") throw new TypeError("not an object");
    } catch {
      socket.close(1007, "messages must be JSON objects");
      return;
    }
    if (message.type === "assignments") {
      const assignments = withDefinitions(message, definitions);
      if (!assignments) {
        socket.close(1008, "an assignment names a task definition this connection has not carried");
        return;
      }
      this.acting = this.acting
        .then(() => this.handlers.assignments(assignments))
        .then(
          () => {
            this.seen = message.version;
          },
          (err: unknown) => {
            this.handlers.log.error("could not act on assignments", { err });
            // Only once acted on is a version seen: ask again for what changed since the last one.
            this.send(socket, { type: "sync", seen: this.seen, health: this.health });
          },
        );
      return;
    }
    if (message.type === "firewall") {
      const { policy } = message;
      this.acting = this.acting
        .then(() => this.handlers.firewall?.(policy))
        .catch((err: unknown) => this.handlers.log.error("could not apply the security groups", { err }));
      return;
    }
    if (message.type === "credentials") {
      // At once, not behind `acting`: a task's credentials must be held before its assignment is acted on.
      this.handlers.credentials?.(message.credentials);
      return;
    }
    if (message.type === "exec") {
      const { type: _type, ...request } = message;
      this.handlers.exec?.(request);
      return;
    }
    const call = this.calls.get(message.id);
    if (!call) return;
    this.calls.delete(message.id);
    if (message.type === "result") call.resolve(message.output);
    else call.reject(Object.assign(new Error(message.error.message), { name: message.error.__type }));
  }
}
