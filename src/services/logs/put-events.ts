// PutLogEvents: a batch of events into one stream, with CloudWatch Logs' limits
// (src/domain/logs/put-batch.ts) and its sequence tokens.
//
// Sequence tokens and exactly-once delivery. AWS no longer requires `sequenceToken` (since
// 2023 it is ignored and every batch is accepted), but still answers each PutLogEvents with
// `nextSequenceToken`. berth keeps, per stream, its upload sequence counter (the token the
// next batch would carry) and, for the last accepted batch, the counter that preceded it and
// a digest of its events. A request whose `sequenceToken` is that preceding token AND whose
// events are identical to that batch is the same batch sent again (its response was lost,
// e.g. the control plane crashed after committing it): it is answered with
// DataAlreadyAcceptedException, expectedSequenceToken = the stream's current token, and
// nothing is stored. berth's own log shipper (the agent's awslogs driver) relies on this to
// retry a batch without duplicating it. Any other `sequenceToken` is ignored, as AWS does.
import type * as Logs from "@aws-sdk/client-cloudwatch-logs";
import { BatchRuleError, batchDigest, checkBatch, formatSequenceToken, type InputEvent } from "../../domain/logs/put-batch.js";
import type { LogsContext, LogsHandlers } from "./context.js";
import { LogsError, invalidParameter } from "./errors.js";
import { requireGroup, requireStream } from "./lookup.js";

async function putLogEvents(ctx: LogsContext, input: Logs.PutLogEventsRequest): Promise<Logs.PutLogEventsResponse> {
  const group = requireGroup(ctx, input.logGroupName!);
  const stream = requireStream(ctx, group, input.logStreamName!);
  const events: InputEvent[] = input.logEvents!.map((e) => ({ timestamp: e.timestamp!, message: e.message! }));
  const digest = batchDigest(events);
  const last = stream.lastBatch;
  if (input.sequenceToken !== undefined && last && input.sequenceToken === formatSequenceToken(last.sequence) && digest === last.digest) {
    const expected = formatSequenceToken(stream.sequence);
    throw new LogsError(
      "DataAlreadyAcceptedException",
      `The given batch of log events has already been accepted. The next batch can be sent with sequenceToken: ${expected}`,
      { expectedSequenceToken: expected },
    );
  }
  let batch;
  try {
    batch = checkBatch(events, ctx.now.getTime(), group.retentionInDays);
  } catch (err) {
    if (err instanceof BatchRuleError) throw invalidParameter(err.message);
    throw err;
  }
  const sequence = stream.sequence + 1;
  ctx.db.append(stream.id, {
    events: batch.accepted,
    ingestionTime: ctx.now.getTime(),
    sequence,
    lastBatch: { sequence: stream.sequence, digest },
  });
  return { nextSequenceToken: formatSequenceToken(sequence), ...(batch.rejected ? { rejectedLogEventsInfo: batch.rejected } : {}) };
}

export const putEventsOperations = {
  PutLogEvents: putLogEvents,
} satisfies LogsHandlers;
