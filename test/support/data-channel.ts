// A test's own Session Manager client (the plugin's part, written from its protocol, not
// berth's client): opens a data channel, sends OpenDataChannel with the token, answers the
// handshake, acknowledges each output message (checking they come numbered in order) and
// collects the output until channel_closed.
import { randomUUID } from "node:crypto";
import { WebSocket, type RawData } from "ws";
import {
  decodeMessage,
  encodeMessage,
  FLAG_FIN,
  MessageType,
  PayloadType,
  type ChannelClosed,
  type SessionMessage,
} from "../../src/wire/session-message.js";

export class TestDataChannel {
  stdout = "";
  stderr = "";
  /** Payload types of the output messages, in order of sequence number. */
  readonly payloadTypes: number[] = [];
  /** Sequence numbers of our input the other side acknowledged. */
  readonly acknowledged = new Set<number>();
  handshake?: { sessionType: string };
  /** Why the socket failed, if it did (a refused upgrade). */
  error?: Error;
  readonly closed: Promise<ChannelClosed>;
  /** Resolves with the close code of the WebSocket. */
  readonly ended: Promise<number>;
  private seq = 0n;
  private expected = 0n;
  private readonly socket: WebSocket;
  private readonly ready: Promise<void>;

  constructor(streamUrl: string, token: string, opts: { terminal?: boolean } = {}) {
    this.socket = new WebSocket(streamUrl);
    let readyResolve!: () => void;
    this.ready = new Promise((r) => (readyResolve = r));
    let closedResolve!: (c: ChannelClosed) => void;
    this.closed = new Promise((r) => (closedResolve = r));
    this.ended = new Promise((r) => this.socket.once("close", (code) => r(code)));
    this.socket.on("error", (err) => (this.error = err));
    this.socket.once("open", () => {
      const open: Record<string, unknown> = {
        MessageSchemaVersion: "1.0",
        RequestId: randomUUID(),
        TokenValue: token,
        ClientId: randomUUID(),
      };
      if (opts.terminal === false) open.Terminal = false;
      this.socket.send(JSON.stringify(open));
    });
    this.socket.on("message", (data: RawData, isBinary: boolean) => {
      if (!isBinary) throw new Error("the data channel sent a text message");
      const m = decodeMessage(data as Buffer);
      if (m.messageType === MessageType.ChannelClosed) return closedResolve(JSON.parse(m.payload.toString()) as ChannelClosed);
      if (m.messageType === MessageType.Acknowledge) {
        this.acknowledged.add(JSON.parse(m.payload.toString()).AcknowledgedMessageSequenceNumber as number);
        return;
      }
      if (m.messageType !== MessageType.OutputStreamData) return;
      this.ack(m);
      if (m.sequenceNumber !== this.expected) return; // a resend of one already taken
      this.expected++;
      this.payloadTypes.push(m.payloadType);
      if (m.payloadType === PayloadType.HandshakeRequest) {
        const request = JSON.parse(m.payload.toString()) as { RequestedClientActions: { ActionParameters: { SessionType: string } }[] };
        this.handshake = { sessionType: request.RequestedClientActions[0]!.ActionParameters.SessionType };
        this.input(PayloadType.HandshakeResponse, JSON.stringify({ ClientVersion: "test", ProcessedClientActions: [], Errors: [] }));
      } else if (m.payloadType === PayloadType.HandshakeComplete) readyResolve();
      else if (m.payloadType === PayloadType.StdErr) this.stderr += m.payload.toString();
      else this.stdout += m.payload.toString();
    });
  }

  private ack(m: SessionMessage): void {
    const content = {
      AcknowledgedMessageType: m.messageType,
      AcknowledgedMessageId: m.messageId,
      AcknowledgedMessageSequenceNumber: Number(m.sequenceNumber),
      IsSequentialMessage: true,
    };
    this.socket.send(encodeMessage({ messageType: MessageType.Acknowledge, flags: 3n, payload: Buffer.from(JSON.stringify(content)) }));
  }

  private input(payloadType: number, payload: string | Buffer, flags = 0n): void {
    this.socket.send(
      encodeMessage({
        messageType: MessageType.InputStreamData,
        sequenceNumber: this.seq++,
        flags,
        payloadType,
        payload: Buffer.from(payload),
      }),
    );
  }

  /** Keystrokes (or bytes), once the handshake is complete. */
  async type(text: string): Promise<void> {
    await this.ready;
    this.input(PayloadType.Output, text);
  }

  async resize(cols: number, rows: number): Promise<void> {
    await this.ready;
    this.input(PayloadType.Size, JSON.stringify({ cols, rows }));
  }

  /** The end of input (berth's: FIN on an empty input message). */
  async endInput(): Promise<void> {
    await this.ready;
    this.input(PayloadType.Output, Buffer.alloc(0), FLAG_FIN);
  }

  close(): void {
    this.socket.close();
  }
}
