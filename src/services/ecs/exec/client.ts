// The client's end of an ECS Exec data channel, in the Session Manager plugin's place, for
// hosts without the plugin (`berth exec`): opens the stream ExecuteCommand named, lets itself
// in with the token, answers the handshake, acknowledges and prints the output, sends the
// input, and ends with the command's exit code that berth's channel_closed carries.
import { randomUUID } from "node:crypto";
import type { Readable, Writable } from "node:stream";
import { WebSocket, type RawData } from "ws";
import {
  acknowledgeOf,
  decodeMessage,
  encodeMessage,
  FLAG_FIN,
  MessageType,
  PayloadType,
  type ChannelClosed,
  type OpenDataChannelInput,
  type SessionMessage,
} from "../../../wire/session-message.js";

export interface ExecClientOptions {
  streamUrl: string;
  tokenValue: string;
  /** On a terminal: input goes as typed, one output stream, resizes follow `size`. */
  terminal: boolean;
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** The terminal's size now; `onResize` says when it changes. */
  size?: () => { cols: number; rows: number } | undefined;
  onResize?: (listener: () => void) => void;
}

export interface ExecOutcome {
  /** The command's exit status; undefined when the session ended without one (it could not start, or was cut). */
  exitCode?: number;
  /** What the session said when it closed, if anything (why it could not start). */
  output: string;
}

export function runExecClient(opts: ExecClientOptions): Promise<ExecOutcome> {
  const socket = new WebSocket(opts.streamUrl, { perMessageDeflate: false });
  let seq = 0n;
  let expected = 0n;
  const early = new Map<bigint, SessionMessage>();
  const send = (payloadType: number, payload: Buffer, flags = 0n) => {
    if (socket.readyState !== socket.OPEN) return;
    socket.send(encodeMessage({ messageType: MessageType.InputStreamData, sequenceNumber: seq++, flags, payloadType, payload }));
  };
  const sendSize = () => {
    const size = opts.size?.();
    if (size) send(PayloadType.Size, Buffer.from(JSON.stringify(size)));
  };
  const startInput = () => {
    if (opts.terminal) {
      sendSize();
      opts.onResize?.(sendSize);
    }
    opts.stdin.on("data", (chunk: Buffer) => send(PayloadType.Output, chunk));
    // Without a terminal, the end of input is the end of the command's input.
    opts.stdin.once("end", () => {
      if (!opts.terminal) send(PayloadType.Output, Buffer.alloc(0), FLAG_FIN);
    });
  };
  const handle = (m: SessionMessage): void => {
    switch (m.payloadType) {
      case PayloadType.HandshakeRequest:
        send(
          PayloadType.HandshakeResponse,
          Buffer.from(
            JSON.stringify({
              ClientVersion: "berth",
              ProcessedClientActions: [{ ActionType: "SessionType", ActionStatus: 1 }],
              Errors: [],
            }),
          ),
        );
        return;
      case PayloadType.HandshakeComplete:
        return startInput();
      case PayloadType.StdErr:
        opts.stderr.write(m.payload);
        return;
      case PayloadType.Output:
        opts.stdout.write(m.payload);
        return;
    }
  };
  return new Promise((resolve, reject) => {
    let outcome: ExecOutcome | undefined;
    socket.once("open", () => {
      const open: OpenDataChannelInput = {
        MessageSchemaVersion: "1.0",
        RequestId: randomUUID(),
        TokenValue: opts.tokenValue,
        ClientId: randomUUID(),
        ClientVersion: "berth",
        Terminal: opts.terminal,
      };
      socket.send(JSON.stringify(open));
    });
    socket.on("message", (data: RawData, isBinary: boolean) => {
      if (!isBinary) return;
      const m = decodeMessage(data as Buffer);
      if (m.messageType === MessageType.ChannelClosed) {
        const closed = JSON.parse(m.payload.toString("utf8")) as ChannelClosed;
        outcome = { exitCode: closed.ExitCode, output: closed.Output };
        socket.close(1000);
        return;
      }
      if (m.messageType !== MessageType.OutputStreamData) return;
      socket.send(acknowledgeOf(m));
      if (m.sequenceNumber < expected) return;
      early.set(m.sequenceNumber, m);
      for (let next = early.get(expected); next; next = early.get(expected)) {
        early.delete(expected);
        expected++;
        handle(next);
      }
    });
    socket.once("error", reject);
    socket.once("close", (code, reason) => {
      opts.stdin.pause();
      resolve(outcome ?? { output: `The session ended (${code}${reason.length ? `: ${reason.toString()}` : ""}).` });
    });
  });
}
