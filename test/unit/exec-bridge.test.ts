// The control plane's end of an exec data channel, between a client socket and an agent socket
// (both real WebSockets on 127.0.0.1, no Docker): output kept and sent again until the client
// acknowledges it (the plugin drops output that comes before its shell is ready), input taken
// in sequence order whatever order it arrives in, nothing sent to the agent before it says
// "started", and the exit code in channel_closed.
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { ExecBridge } from "../../src/services/ecs/exec/bridge.js";
import type { ExecRequest } from "../../src/wire/agent-exec.js";
import {
  acknowledgeOf,
  decodeMessage,
  encodeMessage,
  MessageType,
  PayloadType,
  type ChannelClosed,
  type SessionMessage,
} from "../../src/wire/session-message.js";
import { silentLog } from "../support/log.js";
import { waitFor } from "../support/wait.js";

const servers: WebSocketServer[] = [];
after(() => servers.forEach((s) => s.close()));

/** A connected pair of sockets: [the server's end, the client's end]. */
async function socketPair(): Promise<[WebSocket, WebSocket]> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  servers.push(server);
  await new Promise((r) => server.once("listening", r));
  const accepted = new Promise<WebSocket>((r) => server.once("connection", r));
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  await new Promise((r) => client.once("open", r));
  return [await accepted, client];
}

/** Everything a socket receives, decoded when binary. */
function record(socket: WebSocket) {
  const messages: (SessionMessage | string | Buffer)[] = [];
  socket.on("message", (data: RawData, isBinary: boolean) => {
    const bytes = data as Buffer;
    messages.push(!isBinary ? bytes.toString() : bytes[0] === 0 ? decodeMessage(bytes) : Buffer.from(bytes));
  });
  return messages;
}

const input = (seq: bigint, payloadType: number, payload: string) =>
  encodeMessage({ messageType: MessageType.InputStreamData, sequenceNumber: seq, payloadType, payload: Buffer.from(payload) });

test("output waits for its acknowledge, input goes in sequence order, the exit code closes the channel", async () => {
  const [clientEnd, client] = await socketPair();
  const fromBridge = record(client);
  const requests: ExecRequest[] = [];
  let attach!: (socket: WebSocket) => void;
  const session = {
    id: "ecs-execute-command-0123456789abcdef0",
    scope: { accountId: "123456789012", region: "us-east-1" },
    taskArn: "arn:aws:ecs:us-east-1:123456789012:task/c/0123456789abcdef0123456789abcdef",
    containerName: "app",
    hostId: "h1",
    command: "sh -c 'echo hi'",
    agentToken: "t",
  };
  new ExecBridge(session, clientEnd, true, {
    requestAgent: (r) => requests.push(r) > 0,
    awaitAgent: (_s, a) => ((attach = a), () => undefined),
    log: silentLog,
  });
  const outputs = () => fromBridge.filter((m): m is SessionMessage => typeof m === "object" && "messageType" in m);
  // Not acknowledged: the handshake request comes again.
  await waitFor(() => outputs().filter((m) => m.sequenceNumber === 0n).length, { until: (n) => n >= 2, message: "a resend" });
  const [request] = outputs();
  assert.equal(request!.payloadType, PayloadType.HandshakeRequest);
  client.send(acknowledgeOf(request!));
  client.send(input(0n, PayloadType.HandshakeResponse, JSON.stringify({ ClientVersion: "t", ProcessedClientActions: [], Errors: [] })));
  await waitFor(() => requests.length, { until: (n) => n === 1, message: "the agent asked" });
  assert.deepEqual(requests[0], {
    sessionId: session.id,
    token: "t",
    taskArn: session.taskArn,
    containerName: "app",
    command: ["sh", "-c", "echo hi"],
    tty: true,
  });
  const complete = outputs().find((m) => m.payloadType === PayloadType.HandshakeComplete)!;
  assert.equal(complete.sequenceNumber, 1n);
  client.send(acknowledgeOf(complete));

  const [agentEnd, agent] = await socketPair();
  const toAgent = record(agent);
  attach(agentEnd);
  // Input 2 before 1, both before the agent started: held, then sent in order.
  client.send(input(2n, PayloadType.Output, "b"));
  client.send(input(1n, PayloadType.Output, "a"));
  const acks = () => outputs().filter((m) => m.messageType === MessageType.Acknowledge).length;
  await waitFor(acks, { until: (n) => n >= 3, message: "the input acknowledged" });
  assert.deepEqual(toAgent, []);
  agent.send(JSON.stringify({ type: "started" }));
  await waitFor(() => toAgent.length, { until: (n) => n === 2, message: "the input at the agent" });
  assert.deepEqual(toAgent.map(String), ["a", "b"]);

  agent.send(Buffer.concat([Buffer.of(1), Buffer.from("out")]));
  const out = await waitFor(() => outputs().find((m) => m.payloadType === PayloadType.Output), { message: "the output" });
  assert.equal(out.sequenceNumber, 2n);
  assert.equal(out.payload.toString(), "out");
  agent.send(JSON.stringify({ type: "exit", exitCode: 3 }));
  client.send(acknowledgeOf(out));
  const closed = await waitFor(() => outputs().find((m) => m.messageType === MessageType.ChannelClosed), { message: "channel_closed" });
  const payload = JSON.parse(closed.payload.toString()) as ChannelClosed;
  assert.equal(payload.ExitCode, 3);
  assert.equal(payload.Output, "");
  assert.equal(payload.SessionId, session.id);
});
