// Finding the group or stream a request names, and the ARNs CloudWatch Logs gives them.
import type { Scope } from "../../domain/scope.js";
import type { LogGroupRow, LogStreamRow } from "../../state/log-events.js";
import type { LogsContext } from "./context.js";
import { groupNotFound, invalidParameter, streamNotFound } from "./errors.js";

/** The ARN DescribeLogGroups' `logGroupArn` and tagging use (no trailing ":*"). */
export const logGroupArn = (scope: Scope, name: string) => `arn:aws:logs:${scope.region}:${scope.accountId}:log-group:${name}`;

export const logStreamArn = (scope: Scope, group: string, stream: string) => `${logGroupArn(scope, group)}:log-stream:${stream}`;

/** A log group's name from its ARN (with or without ":*") in `scope`, or undefined when `arn` is not one. */
export function groupNameFromArn(scope: Scope, arn: string): string | undefined {
  const prefix = `arn:aws:logs:${scope.region}:${scope.accountId}:log-group:`;
  if (!arn.startsWith(prefix)) return undefined;
  const name = arn.slice(prefix.length).replace(/:\*$/, "");
  return name === "" || name.includes(":") ? undefined : name;
}

export function requireGroup(ctx: LogsContext, name: string): LogGroupRow {
  const group = ctx.db.group(ctx.scope, name);
  if (!group) throw groupNotFound();
  return group;
}

/** The group named by `logGroupName` or `logGroupIdentifier` (a name or an ARN): one of them, not both. */
export function groupNamed(ctx: LogsContext, input: { logGroupName?: string; logGroupIdentifier?: string }): LogGroupRow {
  const { logGroupName, logGroupIdentifier } = input;
  if (logGroupName !== undefined && logGroupIdentifier !== undefined)
    throw invalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.");
  if (logGroupName !== undefined) return requireGroup(ctx, logGroupName);
  if (logGroupIdentifier === undefined) throw invalidParameter("Should provide either name or ARN of LogGroup.");
  const name = logGroupIdentifier.startsWith("arn:") ? groupNameFromArn(ctx.scope, logGroupIdentifier) : logGroupIdentifier;
  if (name === undefined) throw groupNotFound();
  return requireGroup(ctx, name);
}

export function requireStream(ctx: LogsContext, group: LogGroupRow, name: string): LogStreamRow {
  const stream = ctx.db.stream(group.id, name);
  if (!stream) throw streamNotFound();
  return stream;
}

/** The model's name patterns (the front door's validation checks lengths, not patterns): as AWS words the violation. */
const NAME_PATTERNS = { logGroupName: /^[.\-_/#A-Za-z0-9]+$/, logStreamName: /^[^:*]*$/ } as const;
const PATTERN_TEXT = { logGroupName: "[\\.\\-_/#A-Za-z0-9]+", logStreamName: "[^:*]*" } as const;

export function checkName(member: keyof typeof NAME_PATTERNS, value: string): void {
  if (!NAME_PATTERNS[member].test(value))
    throw invalidParameter(
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ` +
        `Member must satisfy regular expression pattern: ${PATTERN_TEXT[member]}`,
    );
}
