// Tags on log groups: TagResource/UntagResource/ListTagsForResource by ARN, and the older
// TagLogGroup/UntagLogGroup/ListTagsLogGroup by name. A group holds at most 50 tags.
import type * as Logs from "@aws-sdk/client-cloudwatch-logs";
import type { LogGroupRow } from "../../state/log-events.js";
import type { LogsContext, LogsHandlers } from "./context.js";
import { LogsError } from "./errors.js";
import { groupNameFromArn, requireGroup } from "./lookup.js";

const MAX_TAGS = 50;

/** Refuses a tag set over the limit (the model checks each key and value). */
export function checkTags(tags: Record<string, string>, arn?: string): void {
  if (Object.keys(tags).length > MAX_TAGS)
    throw new LogsError(
      "TooManyTagsException",
      arn === undefined ? `A resource can have no more than ${MAX_TAGS} tags.` : `Resource ${arn} has too many tags.`,
      arn === undefined ? undefined : { resourceName: arn },
    );
}

function groupByArn(ctx: LogsContext, arn: string): LogGroupRow {
  const name = groupNameFromArn(ctx.scope, arn);
  const group = name === undefined ? undefined : ctx.db.group(ctx.scope, name);
  if (!group) throw new LogsError("ResourceNotFoundException", `The specified resource does not exist: ${arn}`);
  return group;
}

function tag(ctx: LogsContext, group: LogGroupRow, tags: Record<string, string>, arn?: string): void {
  const merged = { ...group.tags, ...tags };
  checkTags(merged, arn);
  ctx.db.updateGroup(group.id, { tags: merged });
}

function untag(ctx: LogsContext, group: LogGroupRow, keys: readonly string[]): void {
  const kept = Object.fromEntries(Object.entries(group.tags).filter(([k]) => !keys.includes(k)));
  ctx.db.updateGroup(group.id, { tags: kept });
}

export const tagsOperations = {
  async TagResource(ctx, input) {
    tag(ctx, groupByArn(ctx, input.resourceArn!), input.tags ?? {}, input.resourceArn);
    return {};
  },
  async UntagResource(ctx, input) {
    untag(ctx, groupByArn(ctx, input.resourceArn!), input.tagKeys ?? []);
    return {};
  },
  async ListTagsForResource(ctx, input): Promise<Logs.ListTagsForResourceResponse> {
    return { tags: groupByArn(ctx, input.resourceArn!).tags };
  },
  async TagLogGroup(ctx, input) {
    tag(ctx, requireGroup(ctx, input.logGroupName!), input.tags ?? {});
    return {};
  },
  async UntagLogGroup(ctx, input) {
    untag(ctx, requireGroup(ctx, input.logGroupName!), input.tags ?? []);
    return {};
  },
  async ListTagsLogGroup(ctx, input): Promise<Logs.ListTagsLogGroupResponse> {
    return { tags: requireGroup(ctx, input.logGroupName!).tags };
  },
} satisfies LogsHandlers;
