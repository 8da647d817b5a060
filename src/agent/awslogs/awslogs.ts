// The awslogs log driver, done by the agent: the container logs to Docker's json-file and the
// agent follows that log and ships it to the control plane's CloudWatch Logs API, signed with the
// task's execution role, else the agent's own (../execution-credentials.ts). The agent, not
// Docker's driver, ships so that nothing is lost while the control plane restarts: the json-file
// keeps what is not yet shipped, and the shipped position is kept on disk.
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogStreamsCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import { join } from "node:path";
import type { Logger } from "../../log/logger.js";
import type { RuntimeDriver } from "../../runtime/driver.js";
import type { CredentialsProvider } from "../execution-credentials.js";
import { awslogsOptions, awslogsProblem, streamName, type AwslogsOptions } from "../../domain/awslogs/options.js";
import { MultilineJoiner, splitMessage, type LogEvent } from "../../domain/awslogs/events.js";
import { ShippedPositions } from "./positions.js";
import { StreamShipper, type LogsApi } from "./shipper.js";

export interface AwsLogsOptions {
  /** The control plane's endpoint, where its CloudWatch Logs API answers. */
  endpoint: string;
  /** The region when the log configuration names none. */
  region: string;
  /** What a task's logs are signed with: its execution role's credentials, else the agent's own. */
  credentials(taskArn: string): CredentialsProvider;
  driver: RuntimeDriver;
  /** Where shipped positions are kept. */
  stateDir: string;
  log: Logger;
  flushMs?: number;
  /** The Logs API to use instead of the SDK client of `endpoint` (tests). */
  api?(taskArn: string, region: string): LogsApi;
}

/** A container whose output goes to CloudWatch Logs. */
export interface LoggedContainer {
  taskArn: string;
  taskId: string;
  containerName: string;
  dockerId: string;
  options: Record<string, string>;
}

/** A container as the shipper needs it, when it logs with awslogs. */
export function loggedContainer(
  task: { taskArn: string; taskId: string },
  def: ContainerDefinition,
  dockerId: string,
): LoggedContainer | undefined {
  const config = def.logConfiguration;
  if (config?.logDriver !== "awslogs") return undefined;
  return { taskArn: task.taskArn, taskId: task.taskId, containerName: def.name!, dockerId, options: { ...(config.options ?? {}) } };
}

/** How long a pending multi-line event waits for more lines before it is shipped alone. */
const MULTILINE_IDLE_MS = 1_000;
const errorName = (err: unknown): string => (err as { name?: string })?.name ?? "Error";
const errorText = (err: unknown): string => `${errorName(err)}: ${(err as Error)?.message ?? String(err)}`;

export class AwsLogs {
  private readonly positions: ShippedPositions;
  private readonly following = new Map<string, { shipper?: StreamShipper; done: Promise<void>; stop(): void }>();

  constructor(private readonly opts: AwsLogsOptions) {
    this.positions = new ShippedPositions(join(opts.stateDir, "awslogs"));
  }

  /**
   * Before the container starts, as Docker's driver does: the options are checked, the group
   * created when asked (one that exists is fine), and the stream created. Rejects with what
   * ECS shows after "CannotStartContainerError: Error response from daemon: ".
   */
  async prepare(c: LoggedContainer): Promise<void> {
    const problem = awslogsProblem(c.options);
    if (problem) throw new Error(`failed to initialize logging driver: ${problem}`);
    const options = awslogsOptions(c.options);
    const api = this.api(c.taskArn, options);
    if (options.createGroup) {
      try {
        await api.createLogGroup(options.group);
      } catch (err) {
        if (errorName(err) !== "ResourceAlreadyExistsException") {
          throw new Error(`failed to initialize logging driver: failed to create Cloudwatch log group: ${errorText(err)}`, { cause: err });
        }
      }
    }
    try {
      await api.createLogStream(options.group, streamName(options, c.containerName, c.taskId, c.dockerId));
    } catch (err) {
      if (errorName(err) !== "ResourceAlreadyExistsException") {
        throw new Error(`failed to initialize logging driver: failed to create Cloudwatch log stream: ${errorText(err)}`, { cause: err });
      }
    }
  }

  /**
   * Follows the container's output from where shipping stopped (the start of its log the first
   * time) until it stops and all is shipped. Idempotent per container.
   */
  follow(c: LoggedContainer): Promise<void> {
    const existing = this.following.get(c.dockerId);
    if (existing) return existing.done;
    if (awslogsProblem(c.options)) return Promise.resolve();
    const options = awslogsOptions(c.options);
    const log = this.opts.log.child({ taskArn: c.taskArn, container: c.containerName });
    const shipper = new StreamShipper(this.api(c.taskArn, options), {
      group: options.group,
      stream: streamName(options, c.containerName, c.taskId, c.dockerId),
      mode: options.mode,
      maxBufferBytes: options.maxBufferBytes,
      onShipped: (position) => this.positions.set(c.dockerId, position),
      log,
      ...(this.opts.flushMs !== undefined ? { flushMs: this.opts.flushMs } : {}),
    });
    let stopped = false;
    let iterator: AsyncIterator<unknown> | undefined;
    const entry = {
      shipper,
      done: Promise.resolve(),
      stop: () => {
        stopped = true;
        void iterator?.return?.();
        void shipper.abort();
      },
    };
    entry.done = this.read(
      c,
      options,
      shipper,
      (it) => (iterator = it),
      () => stopped,
    )
      .catch((err: unknown) => log.warn("awslogs: stopped following the container's output", { err }))
      .finally(() => this.following.delete(c.dockerId));
    this.following.set(c.dockerId, entry);
    return entry.done;
  }

  /** The agent stops: shipping stops where it is (the positions on disk say where to resume). */
  stopAll(): void {
    for (const entry of this.following.values()) entry.stop();
  }

  /** The container was removed: its position is no longer needed. */
  forget(dockerId: string): void {
    this.positions.forget(dockerId);
  }

  private async read(
    c: LoggedContainer,
    options: AwslogsOptions,
    shipper: StreamShipper,
    expose: (it: AsyncIterator<unknown>) => void,
    stopped: () => boolean,
  ): Promise<void> {
    const since = this.positions.get(c.dockerId);
    const joiner = options.multiline ? new MultilineJoiner(options.multiline) : undefined;
    const idle = joiner
      ? setInterval(() => void shipper.add(joiner.flushIdle(Date.now(), MULTILINE_IDLE_MS)), MULTILINE_IDLE_MS / 2)
      : undefined;
    try {
      const lines = this.opts.driver.logs(c.dockerId, { ...(since !== undefined ? { sinceNs: since } : {}), follow: true });
      const it = lines[Symbol.asyncIterator]();
      expose(it);
      for (;;) {
        const next = await it.next();
        if (next.done || stopped()) break;
        const line = next.value;
        if (since !== undefined && line.timeNs <= since) continue;
        const time = Number(line.timeNs / 1_000_000n);
        const source = { time, position: line.timeNs, text: line.text };
        const events: LogEvent[] = joiner ? joiner.push(source, Date.now()) : splitMessage(line.text, time, line.timeNs);
        if (events.length) await shipper.add(events);
      }
    } finally {
      clearInterval(idle);
    }
    if (stopped()) return;
    if (joiner) await shipper.add(joiner.flush());
    await shipper.close();
  }

  private api(taskArn: string, options: AwslogsOptions): LogsApi {
    if (this.opts.api) return this.opts.api(taskArn, options.region ?? this.opts.region);
    const client = new CloudWatchLogsClient({
      endpoint: this.opts.endpoint,
      region: options.region ?? this.opts.region,
      // The shipper retries, keeping its sequence token; the SDK's own retries would hide the outage.
      maxAttempts: 1,
      credentials: this.opts.credentials(taskArn),
    });
    return {
      createLogGroup: async (group) => void (await client.send(new CreateLogGroupCommand({ logGroupName: group }))),
      createLogStream: async (group, stream) =>
        void (await client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }))),
      uploadSequenceToken: async (group, stream) => {
        const out = await client.send(new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: stream }));
        return out.logStreams?.find((s) => s.logStreamName === stream)?.uploadSequenceToken;
      },
      putLogEvents: async (input) => {
        const out = await client.send(new PutLogEventsCommand(input));
        return out.nextSequenceToken !== undefined ? { nextSequenceToken: out.nextSequenceToken } : {};
      },
    };
  }
}
