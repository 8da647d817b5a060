// One ECS Exec session's data channel, from the control plane's side: it plays the part the
// SSM agent (with Session Manager's service between) plays for the Session Manager plugin,
// and bridges to the agent on the task's host, which runs the command (see wire/agent-exec.ts).
//
// What the client sees, as from ECS: a handshake (HandshakeRequest naming the session type,
// the client's HandshakeResponse, HandshakeComplete); then the command's output as
// output_stream_data, each numbered and kept until acknowledged (the oldest resent while it is
// not: the plugin drops output that reaches it before its shell session is ready); its input,
// resizes and flags as input_stream_data, acknowledged and taken in sequence order; and
// channel_closed at the end, carrying the command's exit code (ChannelClosed.ExitCode).
import { randomUUID } from "node:crypto";
import type { RawData, WebSocket } from "ws";
import { splitCommand, TARGET_NOT_CONNECTED_MESSAGE } from "../../../domain/exec.js";
import type { Logger } from "../../../log/logger.js";
import type { ExecControl, ExecEvent, ExecRequest } from "../../../wire/agent-exec.js";
import {
  decodeMessage,
  encodeMessage,
  acknowledgeOf,
  FLAG_FIN,
  FLAG_SYN,
  MessageType,
  PayloadFlag,
  PayloadType,
  type AcknowledgeContent,
  type ChannelClosed,
  type SessionMessage,
} from "../../../wire/session-message.js";
import type { ExecSession } from "./sessions.js";

/** The SSM agent's output chunk (StreamDataPayloadSize). */
const CHUNK_BYTES = 1024;
const RESEND_AFTER_MS = 300;
/** Unacknowledged output beyond this pauses the agent's socket until the client catches up. */
const WINDOW = 256;
const AGENT_WAIT_MS = 30_000;
/** How long the end waits for the client to acknowledge the last output (the SSM agent waits 2 s). */
const DRAIN_WAIT_MS = 2_000;
const AGENT_VERSION = "3.3.0.0";

export interface BridgeDeps {
  /** Asks the host's agent, over its channel, to run the session; false when the channel is not open. */
  requestAgent(request: ExecRequest): boolean;
  /** Calls `attach` with the socket the agent opens for the session; the returned function stops waiting. */
  awaitAgent(session: ExecSession, attach: (socket: WebSocket) => void): () => void;
  log: Logger;
}

export class ExecBridge {
  private outSeq = 0n;
  private expectedIn = 0n;
  private readonly early = new Map<bigint, SessionMessage>();
  private readonly unacked = new Map<bigint, { frame: Buffer; sentAt: number }>();
  private readonly resender: NodeJS.Timeout;
  private agent?: WebSocket;
  private agentStarted = false;
  private readonly toAgent: (Buffer | ExecControl)[] = [];
  private readonly handshakeStartedAt = Date.now();
  private handshaken = false;
  private ending = false;
  private ended = false;
  private stopWaiting?: () => void;
  private agentTimer?: NodeJS.Timeout;

  constructor(
    private readonly session: ExecSession,
    private readonly client: WebSocket,
    /** On a terminal (as ECS always runs it), or stdout and stderr apart (berth exec with input that is not a terminal). */
    private readonly tty: boolean,
    private readonly deps: BridgeDeps,
  ) {
    client.on("message", (data: RawData, isBinary: boolean) => {
      if (isBinary) this.fromClient(data as Buffer);
    });
    client.on("close", () => this.end());
    client.on("error", () => client.terminate());
    this.resender = setInterval(() => this.resend(), RESEND_AFTER_MS / 3);
    const sessionType = tty ? "InteractiveCommands" : "NonInteractiveCommands";
    this.output(
      PayloadType.HandshakeRequest,
      Buffer.from(
        JSON.stringify({
          AgentVersion: AGENT_VERSION,
          RequestedClientActions: [{ ActionType: "SessionType", ActionParameters: { SessionType: sessionType, Properties: null } }],
        }),
      ),
    );
  }

  private fromClient(frame: Buffer): void {
    let m: SessionMessage;
    try {
      m = decodeMessage(frame);
    } catch (err) {
      this.deps.log.debug("an exec client sent a message that is not one", { sessionId: this.session.id, err });
      return;
    }
    if (m.messageType === MessageType.Acknowledge) return this.acknowledged(m);
    if (m.messageType !== MessageType.InputStreamData) return;
    // In sequence order: a repeat is acknowledged again, one ahead of its turn kept until then.
    if (this.client.readyState === this.client.OPEN) this.client.send(acknowledgeOf(m));
    if (m.sequenceNumber < this.expectedIn) return;
    this.early.set(m.sequenceNumber, m);
    for (let next = this.early.get(this.expectedIn); next; next = this.early.get(this.expectedIn)) {
      this.early.delete(this.expectedIn);
      this.expectedIn++;
      this.input(next);
    }
  }

  private acknowledged(m: SessionMessage): void {
    let ack: AcknowledgeContent;
    try {
      ack = JSON.parse(m.payload.toString("utf8")) as AcknowledgeContent;
    } catch {
      return;
    }
    this.unacked.delete(BigInt(ack.AcknowledgedMessageSequenceNumber));
    if (this.unacked.size < WINDOW / 2) this.agent?.resume();
  }

  private input(m: SessionMessage): void {
    switch (m.payloadType) {
      case PayloadType.HandshakeResponse:
        if (!this.handshaken) {
          this.handshaken = true;
          const took = (Date.now() - this.handshakeStartedAt) * 1_000_000;
          this.output(PayloadType.HandshakeComplete, Buffer.from(JSON.stringify({ HandshakeTimeToComplete: took, CustomerMessage: "" })));
          this.start();
        }
        return;
      case PayloadType.Output:
        if (m.payload.length > 0) this.sendAgent(m.payload);
        if (m.flags & FLAG_FIN) this.sendAgent({ type: "eof" });
        return;
      case PayloadType.Size: {
        const size = parseSize(m.payload);
        if (size) this.sendAgent({ type: "resize", ...size });
        return;
      }
      case PayloadType.Flag:
        if (m.payload.length >= 4 && m.payload.readUInt32BE(0) === PayloadFlag.TerminateSession) void this.finish({});
        return;
    }
  }

  /** The handshake is done: the agent is asked to run the command, and its socket awaited. */
  private start(): void {
    let command: string[];
    try {
      command = splitCommand(this.session.command);
    } catch (err) {
      void this.finish({ output: `Failed to parse commands input: ${(err as Error).message}` });
      return;
    }
    const { id, agentToken, taskArn, containerName } = this.session;
    this.stopWaiting = this.deps.awaitAgent(this.session, (socket) => this.attach(socket));
    const asked = this.deps.requestAgent({
      sessionId: id,
      token: agentToken,
      taskArn,
      containerName,
      // As the SSM agent does with an empty command: a shell.
      command: command.length ? command : ["sh"],
      tty: this.tty,
    });
    if (!asked) return void this.finish({ output: TARGET_NOT_CONNECTED_MESSAGE });
    this.agentTimer = setTimeout(() => void this.finish({ output: TARGET_NOT_CONNECTED_MESSAGE }), AGENT_WAIT_MS);
  }

  private attach(socket: WebSocket): void {
    clearTimeout(this.agentTimer);
    if (this.ending) return socket.close(1000);
    this.agent = socket;
    socket.on("message", (data: RawData, isBinary: boolean) => {
      const bytes = data as Buffer;
      if (isBinary) return this.fromAgent(bytes);
      let event: ExecEvent;
      try {
        event = JSON.parse(bytes.toString("utf8")) as ExecEvent;
      } catch {
        return;
      }
      if (event.type === "started") {
        // Only now: the agent listens from "started" on, and what came before it would be lost.
        this.agentStarted = true;
        for (const queued of this.toAgent.splice(0)) this.sendAgent(queued);
      } else if (event.type === "exit") void this.finish({ exitCode: event.exitCode });
      else if (event.type === "error") void this.finish({ output: event.message });
    });
    socket.on("close", () => void this.finish({ output: "The session's connection to its agent was lost." }));
    socket.on("error", () => socket.terminate());
  }

  private fromAgent(frame: Buffer): void {
    if (frame.length < 2) return;
    const payloadType = frame[0] === 2 && !this.tty ? PayloadType.StdErr : PayloadType.Output;
    for (let at = 1; at < frame.length; at += CHUNK_BYTES) this.output(payloadType, frame.subarray(at, at + CHUNK_BYTES));
    if (this.unacked.size >= WINDOW) this.agent?.pause();
  }

  private sendAgent(item: Buffer | ExecControl): void {
    const agent = this.agent;
    if (!agent || !this.agentStarted) {
      this.toAgent.push(item);
      return;
    }
    if (agent.readyState !== agent.OPEN) return;
    agent.send(Buffer.isBuffer(item) ? item : JSON.stringify(item), { binary: Buffer.isBuffer(item) });
  }

  private output(payloadType: number, payload: Buffer): void {
    const sequenceNumber = this.outSeq++;
    const frame = encodeMessage({
      messageType: MessageType.OutputStreamData,
      sequenceNumber,
      flags: sequenceNumber === 0n ? FLAG_SYN : 0n,
      payloadType,
      payload: Buffer.from(payload),
    });
    this.unacked.set(sequenceNumber, { frame, sentAt: Date.now() });
    if (this.client.readyState === this.client.OPEN) this.client.send(frame);
  }

  /** The oldest output not acknowledged in time goes again, as the SSM agent resends it. */
  private resend(): void {
    const [oldest] = this.unacked.values();
    if (!oldest || Date.now() - oldest.sentAt < RESEND_AFTER_MS || this.client.readyState !== this.client.OPEN) return;
    oldest.sentAt = Date.now();
    this.client.send(oldest.frame);
  }

  /** Ends the session: the command's side closed, its output acknowledged (or given up on), then channel_closed. */
  private async finish(end: { exitCode?: number; output?: string }): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    clearTimeout(this.agentTimer);
    this.stopWaiting?.();
    if (this.agent && this.agent.readyState === this.agent.OPEN) this.agent.close(1000);
    const until = Date.now() + DRAIN_WAIT_MS;
    while (this.unacked.size > 0 && Date.now() < until && !this.ended) await new Promise((r) => setTimeout(r, 20));
    const closed: ChannelClosed = {
      MessageId: randomUUID(),
      CreatedDate: new Date().toISOString(),
      DestinationId: this.session.taskArn,
      SessionId: this.session.id,
      MessageType: "channel_closed",
      SchemaVersion: 1,
      Output: end.output ?? "",
      ...(end.exitCode !== undefined ? { ExitCode: end.exitCode } : {}),
    };
    if (this.client.readyState === this.client.OPEN) {
      this.client.send(
        encodeMessage({
          messageType: MessageType.ChannelClosed,
          payloadType: PayloadType.Output,
          payload: Buffer.from(JSON.stringify(closed)),
        }),
      );
      this.client.close(1000);
    }
    this.end();
  }

  /** Either side is gone: nothing more is sent, and the command's side is closed too. */
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.ending = true;
    clearInterval(this.resender);
    clearTimeout(this.agentTimer);
    this.stopWaiting?.();
    if (this.agent && this.agent.readyState === this.agent.OPEN) this.agent.close(1000);
  }
}

function parseSize(payload: Buffer): { cols: number; rows: number } | undefined {
  try {
    const { cols, rows } = JSON.parse(payload.toString("utf8")) as { cols?: unknown; rows?: unknown };
    if (Number.isInteger(cols) && Number.isInteger(rows) && (cols as number) > 0 && (rows as number) > 0)
      return { cols: cols as number, rows: rows as number };
  } catch {
    // not JSON: ignored, as the SSM agent logs and ignores it
  }
  return undefined;
}
