// The binary message of the Session Manager data channel, as the Session Manager plugin (the
// program `aws ecs execute-command` starts) and the SSM agent frame it over their WebSocket:
// a 116-byte header then a 4-byte payload length and the payload, every integer big-endian.
//
//   offset  size  field
//        0     4  HeaderLength (116: the offset of PayloadLength)
//        4    32  MessageType, UTF-8, padded with spaces ("output_stream_data", "acknowledge", …)
//       36     4  SchemaVersion (1)
//       40     8  CreatedDate, epoch milliseconds
//       48     8  SequenceNumber (signed)
//       56     8  Flags (bit 0 SYN: first of a stream; bit 1 FIN: last of it)
//       64    16  MessageId, a UUID stored as its low 8 bytes then its high 8 bytes
//       80    32  PayloadDigest, SHA-256 of the payload
//      112     4  PayloadType (see PayloadType)
//      116     4  PayloadLength
//      120     …  Payload
//
// Both ends of berth's exec sessions use it: the control plane (in the SSM agent's place) and
// `berth exec` (in the plugin's).
import { createHash, randomUUID } from "node:crypto";

export const MessageType = {
  InputStreamData: "input_stream_data",
  OutputStreamData: "output_stream_data",
  Acknowledge: "acknowledge",
  ChannelClosed: "channel_closed",
  StartPublication: "start_publication",
  PausePublication: "pause_publication",
} as const;

export const PayloadType = {
  Output: 1,
  Error: 2,
  /** Terminal size, JSON {"cols","rows"}. */
  Size: 3,
  Parameter: 4,
  HandshakeRequest: 5,
  HandshakeResponse: 6,
  HandshakeComplete: 7,
  EncChallengeRequest: 8,
  EncChallengeResponse: 9,
  /** A 4-byte big-endian flag (PayloadFlag). */
  Flag: 10,
  StdErr: 11,
  ExitCode: 12,
} as const;

export const PayloadFlag = { DisconnectToPort: 1, TerminateSession: 2, ConnectToPortError: 3 } as const;

export const FLAG_SYN = 1n;
export const FLAG_FIN = 2n;

export const HEADER_LENGTH = 116;
const TYPE_LENGTH = 32;
const PAYLOAD_OFFSET = HEADER_LENGTH + 4;

export interface SessionMessage {
  messageType: string;
  schemaVersion: number;
  createdDate: number;
  sequenceNumber: bigint;
  flags: bigint;
  /** Canonical lowercase UUID, with dashes. */
  messageId: string;
  payloadType: number;
  payload: Buffer;
}

/** What encode needs; the rest gets the values the plugin and the SSM agent use. */
export type SessionMessageInput = Pick<SessionMessage, "messageType"> & Partial<SessionMessage>;

export function encodeMessage(m: SessionMessageInput): Buffer {
  const payload = m.payload ?? Buffer.alloc(0);
  if (Buffer.byteLength(m.messageType) > TYPE_LENGTH) throw new RangeError(`message type ${m.messageType} is longer than 32 bytes`);
  const out = Buffer.alloc(PAYLOAD_OFFSET + payload.length);
  out.writeUInt32BE(HEADER_LENGTH, 0);
  out.fill(" ", 4, 4 + TYPE_LENGTH);
  out.write(m.messageType, 4, "utf8");
  out.writeUInt32BE(m.schemaVersion ?? 1, 36);
  out.writeBigUInt64BE(BigInt(m.createdDate ?? Date.now()), 40);
  out.writeBigInt64BE(m.sequenceNumber ?? 0n, 48);
  out.writeBigUInt64BE(m.flags ?? 0n, 56);
  uuidBytes(m.messageId ?? randomUUID()).copy(out, 64);
  createHash("sha256").update(payload).digest().copy(out, 80);
  out.writeUInt32BE(m.payloadType ?? 0, 112);
  out.writeUInt32BE(payload.length, 116);
  payload.copy(out, PAYLOAD_OFFSET);
  return out;
}

/** A message from its frame; throws on a frame too short, a payload length that lies, or a digest that does not match. */
export function decodeMessage(frame: Buffer): SessionMessage {
  if (frame.length < PAYLOAD_OFFSET) throw new SessionMessageError(`a message is at least ${PAYLOAD_OFFSET} bytes, not ${frame.length}`);
  const headerLength = frame.readUInt32BE(0);
  if (headerLength !== HEADER_LENGTH) throw new SessionMessageError(`header length ${headerLength}, not ${HEADER_LENGTH}`);
  const payloadLength = frame.readUInt32BE(116);
  const payload = frame.subarray(PAYLOAD_OFFSET);
  if (payload.length !== payloadLength)
    throw new SessionMessageError(`payload length ${payloadLength}, but ${payload.length} bytes follow`);
  const digest = frame.subarray(80, 112);
  if (payloadLength > 0 && !createHash("sha256").update(payload).digest().equals(digest))
    throw new SessionMessageError("payload digest does not match the payload");
  const messageType = frame
    .toString("utf8", 4, 4 + TYPE_LENGTH)
    .replace(/\0/g, "")
    .trim();
  if (!messageType) throw new SessionMessageError("message type is missing");
  return {
    messageType,
    schemaVersion: frame.readUInt32BE(36),
    createdDate: Number(frame.readBigUInt64BE(40)),
    sequenceNumber: frame.readBigInt64BE(48),
    flags: frame.readBigUInt64BE(56),
    messageId: uuidString(frame.subarray(64, 80)),
    payloadType: frame.readUInt32BE(112),
    payload: Buffer.from(payload),
  };
}

export class SessionMessageError extends Error {}

/** The plugin stores a UUID's least significant half first. */
function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`${uuid} is not a UUID`);
  const b = Buffer.from(hex, "hex");
  return Buffer.concat([b.subarray(8, 16), b.subarray(0, 8)]);
}

function uuidString(stored: Buffer): string {
  const hex = Buffer.concat([stored.subarray(8, 16), stored.subarray(0, 8)]).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The payload of an acknowledge message. */
export interface AcknowledgeContent {
  AcknowledgedMessageType: string;
  AcknowledgedMessageId: string;
  AcknowledgedMessageSequenceNumber: number;
  IsSequentialMessage: boolean;
}

/** An acknowledge of `m`, framed as the plugin and the SSM agent frame theirs (flags 3, sequence 0). */
export function acknowledgeOf(m: SessionMessage): Buffer {
  const content: AcknowledgeContent = {
    AcknowledgedMessageType: m.messageType,
    AcknowledgedMessageId: m.messageId,
    AcknowledgedMessageSequenceNumber: Number(m.sequenceNumber),
    IsSequentialMessage: true,
  };
  return encodeMessage({ messageType: MessageType.Acknowledge, flags: 3n, payload: Buffer.from(JSON.stringify(content)) });
}

/**
 * The payload of channel_closed. `ExitCode` is berth's: the exit status of the session's
 * command, for `berth exec` to exit with. The plugin reads the message with Go's JSON decoder,
 * which skips members it does not know, and prints only `Output` (nothing when empty).
 */
export interface ChannelClosed {
  MessageId: string;
  CreatedDate: string;
  DestinationId: string;
  SessionId: string;
  MessageType: "channel_closed";
  SchemaVersion: number;
  Output: string;
  ExitCode?: number;
}

/** The text message a client sends first on a data channel: its token, to be let in. */
export interface OpenDataChannelInput {
  MessageSchemaVersion: string;
  RequestId: string;
  TokenValue: string;
  ClientId: string;
  ClientVersion?: string;
  /**
   * berth's: false asks for the command without a terminal (stdout and stderr apart, input
   * passed as is, end of input closes the command's stdin). The plugin never sends it, and
   * gets a terminal, as from ECS.
   */
  Terminal?: boolean;
}
