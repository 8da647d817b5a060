// `berth logs <task | service>`: what a task's containers (or a service's running tasks'
// containers) logged with awslogs, read back from berth's CloudWatch Logs API: GetLogEvents
// for one stream, FilterLogEvents over several, interleaved in time; --follow keeps polling.
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  type FilteredLogEvent,
  type OutputLogEvent,
} from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, type Task } from "@aws-sdk/client-ecs";
import { taskLogStreams, type TaskLogStream } from "../domain/awslogs/streams.js";
import { COMMANDS, parseCommandLine, UsageError } from "./config.js";
import { findCredentials } from "./events-command.js";

const POLL_MS = 1_000;
/** FilterLogEvents takes at most 100 stream names. */
const STREAMS_PER_FILTER = 100;

/** The task or service (the one word that is not a flag or a flag's value) and the flags. */
export function splitLogsArgs(args: readonly string[]): { target: string; flags: string[] } {
  const takesValue = new Set(
    Object.values(COMMANDS.logs.options)
      .filter((o) => !("switch" in o && o.switch))
      .map((o) => `--${o.flag}`),
  );
  const flags: string[] = [];
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (takesValue.has(arg) && i + 1 < args.length) flags.push(arg, args[++i]!);
    else if (arg.startsWith("-")) flags.push(arg);
    else positional.push(arg);
  }
  if (positional.length !== 1) throw new UsageError("give one task (its id or ARN) or service name");
  return { target: positional[0]!, flags };
}

export async function runLogsCommand(args: string[]): Promise<void> {
  const { target, flags } = splitLogsArgs(args);
  const values = parseCommandLine("logs", flags);
  const { endpoint, region } = values;
  const credentials = await findCredentials(values.accessKeyId, values.secretAccessKey, values.dataDir, region);
  const ecs = new ECSClient({ endpoint, region, credentials });
  const cluster = values.cluster ?? "default";
  let streams: TaskLogStream[];
  try {
    streams = await findStreams(ecs, cluster, target, region);
  } finally {
    ecs.destroy();
  }
  let stopped = false;
  const stop = () => (stopped = true);
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const print = (prefix: string | undefined, message: string) =>
    process.stdout.write(`${prefix ? `${prefix} ` : ""}${message}${message.endsWith("\n") ? "" : "\n"}`);
  const clients = new Map<string, CloudWatchLogsClient>();
  const client = (r: string) => {
    if (!clients.has(r)) clients.set(r, new CloudWatchLogsClient({ endpoint, region: r, credentials }));
    return clients.get(r)!;
  };
  try {
    if (streams.length === 1) await printStream(client(streams[0]!.region), streams[0]!, values.follow, () => stopped, print);
    else await printInterleaved(client, streams, values.follow, () => stopped, print);
  } finally {
    for (const c of clients.values()) c.destroy();
  }
}

/** The awslogs streams of the task, or of the service's running tasks; an Error says why there are none. */
async function findStreams(ecs: ECSClient, cluster: string, target: string, region: string): Promise<TaskLogStream[]> {
  let tasks: Task[] = [];
  const looksLikeTask = target.startsWith("arn:") || /^[0-9a-f]{32}$/.test(target);
  if (looksLikeTask) tasks = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [target] }))).tasks ?? [];
  let what = `task ${target}`;
  const taskArn = /^arn:[^:]+:ecs:[^:]*:[^:]*:task\//.test(target);
  if (tasks.length === 0 && !taskArn) {
    what = `service ${target}`;
    const arns = (await ecs.send(new ListTasksCommand({ cluster, serviceName: target, desiredStatus: "RUNNING" }))).taskArns ?? [];
    if (arns.length === 0) throw new Error(`service ${target} of cluster ${cluster} has no running task`);
    for (let i = 0; i < arns.length; i += 100) {
      tasks.push(...((await ecs.send(new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }))).tasks ?? []));
    }
  }
  if (tasks.length === 0) throw new Error(`no task ${target} in cluster ${cluster}`);
  const definitions = new Map<string, Parameters<typeof taskLogStreams>[1]>();
  const streams: TaskLogStream[] = [];
  for (const task of tasks) {
    const arn = task.taskDefinitionArn!;
    if (!definitions.has(arn)) {
      const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
      definitions.set(arn, out.taskDefinition!);
    }
    streams.push(...taskLogStreams(task, definitions.get(arn)!, region));
  }
  if (streams.length === 0) {
    throw new Error(
      `${what} has no container logging with awslogs (logConfiguration.logDriver "awslogs" with an awslogs-group): its output is only in docker logs on its host`,
    );
  }
  return streams;
}

async function printStream(
  logs: CloudWatchLogsClient,
  s: TaskLogStream,
  follow: boolean,
  stopped: () => boolean,
  print: (prefix: string | undefined, message: string) => void,
): Promise<void> {
  let token: string | undefined;
  for (;;) {
    const out = await logs.send(
      new GetLogEventsCommand({
        logGroupName: s.group,
        logStreamName: s.stream,
        startFromHead: true,
        ...(token ? { nextToken: token } : {}),
      }),
    );
    for (const e of out.events ?? ([] as OutputLogEvent[])) print(undefined, e.message ?? "");
    // The same token back means the end of the stream for now.
    const atEnd = out.nextForwardToken === token || (out.events ?? []).length === 0;
    token = out.nextForwardToken ?? token;
    if (atEnd) {
      if (!follow || stopped()) return;
      await new Promise((r) => setTimeout(r, POLL_MS));
      if (stopped()) return;
    }
  }
}

async function printInterleaved(
  client: (region: string) => CloudWatchLogsClient,
  streams: TaskLogStream[],
  follow: boolean,
  stopped: () => boolean,
  print: (prefix: string | undefined, message: string) => void,
): Promise<void> {
  // One FilterLogEvents query per region, group and hundred streams; their events merged by time.
  const queries = new Map<string, { region: string; group: string; streams: string[] }>();
  for (const s of streams) {
    const key = `${s.region}\u0000${s.group}`;
    const q = queries.get(key) ?? { region: s.region, group: s.group, streams: [] };
    q.streams.push(s.stream);
    queries.set(key, q);
  }
  let since: number | undefined;
  const seen = new Set<string>();
  for (;;) {
    const found: (FilteredLogEvent & { group: string })[] = [];
    for (const q of queries.values()) {
      for (let i = 0; i < q.streams.length; i += STREAMS_PER_FILTER) {
        let token: string | undefined;
        do {
          const out = await client(q.region).send(
            new FilterLogEventsCommand({
              logGroupName: q.group,
              logStreamNames: q.streams.slice(i, i + STREAMS_PER_FILTER),
              ...(since !== undefined ? { startTime: since } : {}),
              ...(token ? { nextToken: token } : {}),
            }),
          );
          for (const e of out.events ?? []) found.push({ ...e, group: q.group });
          token = out.nextToken;
        } while (token);
      }
    }
    found.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0));
    for (const e of found) {
      const id = e.eventId ?? `${e.group}/${e.logStreamName}/${e.timestamp}/${e.message}`;
      if (seen.has(id)) continue;
      seen.add(id);
      print(e.logStreamName, e.message ?? "");
      since = Math.max(since ?? 0, e.timestamp ?? 0);
    }
    if (!follow || stopped()) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
    if (stopped()) return;
  }
}
