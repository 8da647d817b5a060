// An in-memory CloudWatch Logs API for the agent's shipper (the unit outside the agent): groups,
// streams and sequence tokens as CloudWatch Logs keeps them, DataAlreadyAccepted for a batch
// sent again with the token it was stored under (a batch without one cannot be recognised);
// `down` refuses connections, `loseAnswers` stores a batch and loses the answer.
import { strict as assert } from "node:assert";
import type { LogsApi } from "../../src/agent/awslogs/shipper.js";

export class AwsError extends Error {
  constructor(
    name: string,
    message: string,
    readonly expectedSequenceToken?: string,
  ) {
    super(message);
    this.name = name;
  }
}

interface Stream {
  events: { timestamp: number; message: string }[];
  token: string;
  previous: { token: string | undefined; first: string } | undefined;
  serial: number;
}

export class FakeLogsApi implements LogsApi {
  readonly groups = new Map<string, Map<string, Stream>>();
  calls: { stream: string; sequenceToken: string | undefined; count: number }[] = [];
  down = false;
  loseAnswers = 0;

  async createLogGroup(group: string): Promise<void> {
    this.reachable();
    if (this.groups.has(group)) throw new AwsError("ResourceAlreadyExistsException", "The specified log group already exists");
    this.groups.set(group, new Map());
  }

  async createLogStream(group: string, stream: string): Promise<void> {
    this.reachable();
    const streams = this.groups.get(group);
    if (!streams) throw new AwsError("ResourceNotFoundException", "The specified log group does not exist.");
    if (streams.has(stream)) throw new AwsError("ResourceAlreadyExistsException", "The specified log stream already exists");
    streams.set(stream, { events: [], token: "0".padStart(56, "0"), previous: undefined, serial: 0 });
  }

  async uploadSequenceToken(group: string, stream: string): Promise<string | undefined> {
    this.reachable();
    return this.groups.get(group)?.get(stream)?.token;
  }

  /** The messages of a stream, in order. */
  messages(group: string, stream: string): string[] {
    return (this.groups.get(group)?.get(stream)?.events ?? []).map((e) => e.message);
  }

  streamNames(group: string): string[] {
    return [...(this.groups.get(group)?.keys() ?? [])];
  }

  async putLogEvents(input: Parameters<LogsApi["putLogEvents"]>[0]): Promise<{ nextSequenceToken?: string }> {
    this.reachable();
    const s = this.groups.get(input.logGroupName)?.get(input.logStreamName);
    if (!s) throw new AwsError("ResourceNotFoundException", "The specified log stream does not exist.");
    this.calls.push({ stream: input.logStreamName, sequenceToken: input.sequenceToken, count: input.logEvents.length });
    assert.ok(input.logEvents.length <= 10_000);
    for (let i = 1; i < input.logEvents.length; i++) assert.ok(input.logEvents[i]!.timestamp >= input.logEvents[i - 1]!.timestamp);
    // A missing token is taken, as AWS takes it; a wrong one is refused, as AWS did before 2023.
    if (input.sequenceToken !== undefined && input.sequenceToken !== s.token) {
      if (s.previous && s.previous.token === input.sequenceToken && s.previous.first === input.logEvents[0]?.message) {
        throw new AwsError("DataAlreadyAcceptedException", "The given batch of log events has already been accepted.", s.token);
      }
      throw new AwsError("InvalidSequenceTokenException", "The given sequenceToken is invalid.", s.token);
    }
    s.events.push(...input.logEvents);
    s.previous = { token: input.sequenceToken, first: input.logEvents[0]!.message };
    s.token = String(++s.serial).padStart(56, "0");
    if (this.loseAnswers > 0) {
      this.loseAnswers--;
      throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    }
    return { nextSequenceToken: s.token };
  }

  private reachable(): void {
    if (this.down) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" });
  }
}
