// Log groups: CreateLogGroup, DescribeLogGroups, DeleteLogGroup and their retention policy.
import type * as Logs from "@aws-sdk/client-cloudwatch-logs";
import { RETENTION_DAYS } from "../../domain/logs/put-batch.js";
import { formatPageToken, parsePageToken } from "../../domain/logs/tokens.js";
import type { LogGroupRow } from "../../state/log-events.js";
import type { LogsContext, LogsHandlers } from "./context.js";
import { LogsError, groupNotFound, invalidParameter } from "./errors.js";
import { checkName, groupNameFromArn, logGroupArn, requireGroup } from "./lookup.js";
import { checkTags } from "./tags.js";

const DESCRIBE_LIMIT = 50;

async function createLogGroup(ctx: LogsContext, input: Logs.CreateLogGroupRequest): Promise<Record<string, never>> {
  checkName("logGroupName", input.logGroupName!);
  const tags = input.tags ?? {};
  checkTags(tags);
  const created = ctx.db.createGroup(ctx.scope, {
    name: input.logGroupName!,
    creationTime: ctx.now.getTime(),
    logGroupClass: input.logGroupClass ?? "STANDARD",
    ...(input.kmsKeyId !== undefined ? { kmsKeyId: input.kmsKeyId } : {}),
    tags,
  });
  if (!created) throw new LogsError("ResourceAlreadyExistsException", "The specified log group already exists");
  return {};
}

function describeGroup(ctx: LogsContext, g: LogGroupRow): Logs.LogGroup {
  const arn = logGroupArn(ctx.scope, g.name);
  return {
    logGroupName: g.name,
    creationTime: g.creationTime,
    ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
    metricFilterCount: 0,
    arn: `${arn}:*`,
    storedBytes: g.storedBytes,
    ...(g.kmsKeyId !== undefined ? { kmsKeyId: g.kmsKeyId } : {}),
    logGroupClass: g.logGroupClass as Logs.LogGroupClass,
    logGroupArn: arn,
  };
}

async function describeLogGroups(ctx: LogsContext, input: Logs.DescribeLogGroupsRequest): Promise<Logs.DescribeLogGroupsResponse> {
  if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined)
    throw invalidParameter("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
  const afterName = input.nextToken === undefined ? undefined : parsePageToken("groups", input.nextToken);
  if (input.nextToken !== undefined && typeof afterName !== "string") throw invalidParameter("The specified nextToken is invalid.");
  const names = input.logGroupIdentifiers?.map((id) => (id.startsWith("arn:") ? (groupNameFromArn(ctx.scope, id) ?? "") : id));
  const limit = input.limit ?? DESCRIBE_LIMIT;
  // One more than the page: whether another page follows.
  const rows = ctx.db.groups(ctx.scope, {
    ...(input.logGroupNamePrefix !== undefined ? { prefix: input.logGroupNamePrefix } : {}),
    ...(input.logGroupNamePattern ? { pattern: input.logGroupNamePattern } : {}),
    ...(names ? { names } : {}),
    ...(typeof afterName === "string" ? { afterName } : {}),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit).filter((g) => input.logGroupClass === undefined || g.logGroupClass === input.logGroupClass);
  return {
    logGroups: page.map((g) => describeGroup(ctx, g)),
    ...(rows.length > limit ? { nextToken: formatPageToken("groups", rows[limit - 1]!.name) } : {}),
  };
}

async function deleteLogGroup(ctx: LogsContext, input: Logs.DeleteLogGroupRequest): Promise<Record<string, never>> {
  if (!ctx.db.deleteGroup(ctx.scope, input.logGroupName!)) throw groupNotFound();
  return {};
}

async function putRetentionPolicy(ctx: LogsContext, input: Logs.PutRetentionPolicyRequest): Promise<Record<string, never>> {
  const days = input.retentionInDays!;
  if (!(RETENTION_DAYS as readonly number[]).includes(days))
    throw invalidParameter(
      `1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: ` +
        `Member must satisfy enum value set: [${RETENTION_DAYS.join(", ")}]`,
    );
  const group = requireGroup(ctx, input.logGroupName!);
  ctx.db.updateGroup(group.id, { retentionInDays: days });
  return {};
}

async function deleteRetentionPolicy(ctx: LogsContext, input: Logs.DeleteRetentionPolicyRequest): Promise<Record<string, never>> {
  const group = requireGroup(ctx, input.logGroupName!);
  ctx.db.updateGroup(group.id, { retentionInDays: null });
  return {};
}

export const logGroupsOperations = {
  CreateLogGroup: createLogGroup,
  DescribeLogGroups: describeLogGroups,
  DeleteLogGroup: deleteLogGroup,
  PutRetentionPolicy: putRetentionPolicy,
  DeleteRetentionPolicy: deleteRetentionPolicy,
} satisfies LogsHandlers;
