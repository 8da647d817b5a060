// CloudWatch Logs' page tokens. GetLogEvents' tokens look like AWS's: "f/" (forward) or
// "b/" (backward) and 56 digits, here a position in the stream's time order (the timestamp
// and the event's insertion sequence, 28 digits each). A forward token means "after this
// event", a backward one "before it". FilterLogEvents and the Describe calls take opaque
// tokens: base64 of what the next page resumes from.

export interface Position {
  timestamp: number;
  seq: number;
}

export interface StreamToken {
  direction: "forward" | "backward";
  position: Position;
}

/** Before every event: where a forward read starts. */
export const HEAD: Position = { timestamp: 0, seq: 0 };

const DIGITS = 28;

export function formatStreamToken(token: StreamToken): string {
  const { timestamp, seq } = token.position;
  return `${token.direction === "forward" ? "f" : "b"}/${String(timestamp).padStart(DIGITS, "0")}${String(seq).padStart(DIGITS, "0")}`;
}

/** undefined when `text` is not a token berth gave out. */
export function parseStreamToken(text: string): StreamToken | undefined {
  const m = /^([fb])\/(\d{28})(\d{28})$/.exec(text);
  if (!m) return undefined;
  const position = { timestamp: Number(m[2]), seq: Number(m[3]) };
  if (!Number.isSafeInteger(position.timestamp) || !Number.isSafeInteger(position.seq)) return undefined;
  return { direction: m[1] === "f" ? "forward" : "backward", position };
}

/** An event's id in FilterLogEvents: its place in time order, as digits (unique: seq is). */
export function eventIdOf(position: Position): string {
  return `${String(position.timestamp).padStart(DIGITS, "0")}${String(position.seq).padStart(DIGITS, "0")}`;
}

/** An opaque page token carrying `value` (JSON); `kind` keeps one operation's tokens out of another's. */
export function formatPageToken(kind: string, value: unknown): string {
  return Buffer.from(JSON.stringify({ k: kind, v: value })).toString("base64url");
}

/** The value formatPageToken put in a `kind` token, or undefined when `text` is not one. */
export function parsePageToken(kind: string, text: string): unknown {
  try {
    const parsed = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as { k?: unknown; v?: unknown };
    return parsed.k === kind ? parsed.v : undefined;
  } catch {
    return undefined;
  }
}
