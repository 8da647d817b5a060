// Log streams: CreateLogStream, DescribeLogStreams, DeleteLogStream.
import type * as Logs from "@aws-sdk/client-cloudwatch-logs";
import { formatSequenceToken } from "../../domain/logs/put-batch.js";
import { formatPageToken, parsePageToken } from "../../domain/logs/tokens.js";
import type { LogsContext, LogsHandlers } from "./context.js";
import { LogsError, invalidParameter } from "./errors.js";
import { checkName, groupNamed, logStreamArn, requireGroup, requireStream } from "./lookup.js";

const DESCRIBE_LIMIT = 50;

async function createLogStream(ctx: LogsContext, input: Logs.CreateLogStreamRequest): Promise<Record<string, never>> {
  checkName("logStreamName", input.logStreamName!);
  const group = requireGroup(ctx, input.logGroupName!);
  if (!ctx.db.createStream(group.id, input.logStreamName!, ctx.now.getTime()))
    throw new LogsError("ResourceAlreadyExistsException", "The specified log stream already exists");
  return {};
}

async function describeLogStreams(ctx: LogsContext, input: Logs.DescribeLogStreamsRequest): Promise<Logs.DescribeLogStreamsResponse> {
  const group = groupNamed(ctx, input);
  const orderBy = input.orderBy ?? "LogStreamName";
  if (orderBy === "LastEventTime" && input.logStreamNamePrefix !== undefined)
    throw invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
  const offset = input.nextToken === undefined ? 0 : parsePageToken("streams", input.nextToken);
  if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0)
    throw invalidParameter("The specified nextToken is invalid.");
  const limit = input.limit ?? DESCRIBE_LIMIT;
  const rows = ctx.db.streams(group.id, {
    ...(input.logStreamNamePrefix !== undefined ? { prefix: input.logStreamNamePrefix } : {}),
    orderBy,
    descending: input.descending ?? false,
    offset,
    limit: limit + 1,
  });
  return {
    logStreams: rows.slice(0, limit).map((s) => ({
      logStreamName: s.name,
      creationTime: s.creationTime,
      ...(s.firstEventTimestamp !== undefined ? { firstEventTimestamp: s.firstEventTimestamp } : {}),
      ...(s.lastEventTimestamp !== undefined ? { lastEventTimestamp: s.lastEventTimestamp } : {}),
      ...(s.lastIngestionTime !== undefined ? { lastIngestionTime: s.lastIngestionTime } : {}),
      uploadSequenceToken: formatSequenceToken(s.sequence),
      arn: logStreamArn(ctx.scope, group.name, s.name),
      storedBytes: s.storedBytes,
    })),
    ...(rows.length > limit ? { nextToken: formatPageToken("streams", offset + limit) } : {}),
  };
}

async function deleteLogStream(ctx: LogsContext, input: Logs.DeleteLogStreamRequest): Promise<Record<string, never>> {
  const group = requireGroup(ctx, input.logGroupName!);
  ctx.db.deleteStream(requireStream(ctx, group, input.logStreamName!).id);
  return {};
}

export const logStreamsOperations = {
  CreateLogStream: createLogStream,
  DescribeLogStreams: describeLogStreams,
  DeleteLogStream: deleteLogStream,
} satisfies LogsHandlers;
