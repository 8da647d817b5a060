// The agent's end of its channel, against a stand-in control plane (a WebSocket server on
// 127.0.0.1 that speaks the channel's messages): versions acknowledged only once acted on,
// calls answered or cut off, reconnection, a host the control plane no longer knows, task
// definitions carried once per connection (both ends), and the host's occupied address pools.
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { WebSocket, WebSocketServer } from "ws";
import { AgentChannel } from "../../src/agent/channel.js";
import { createLogger } from "../../src/log/logger.js";
import {
  asPushed,
  CLOSE_NOT_REGISTERED,
  type AgentMessage,
  type Assignments,
  type ControlPlaneMessage,
} from "../../src/wire/agent-channel.js";
import { waitFor } from "../support/wait.js";

interface StandIn {
  server: WebSocketServer;
  /** Every message received, with the connection it came on (1, 2, …). */
  received: { connection: number; message: AgentMessage }[];
  sockets: WebSocket[];
  url: string;
}

async function standIn(): Promise<StandIn> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((r) => server.once("listening", r));
  const out: StandIn = { server, received: [], sockets: [], url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` };
  server.on("connection", (ws) => {
    out.sockets.push(ws);
    const connection = out.sockets.length;
    ws.on("message", (data: Buffer) => out.received.push({ connection, message: JSON.parse(data.toString()) as AgentMessage }));
  });
  return out;
}

const send = (ws: WebSocket, m: ControlPlaneMessage) => ws.send(JSON.stringify(m));
const push = (n: number, taskArns: string[]): ControlPlaneMessage => ({
  type: "assignments",
  version: { epoch: "e", n },
  tasks: [],
  assigned: taskArns,
});

/** What the stand-in and the handlers collect is in this process: look often. */
const until = (condition: () => boolean) => waitFor(condition, { timeoutMs: 5000, intervalMs: 5 });

function channelOn(
  cp: StandIn,
  handlers: Partial<ConstructorParameters<typeof AgentChannel>[1]> = {},
  overHttp: (op: string, input: object) => Promise<unknown> = async () => ({ overHttp: true }),
) {
  return new AgentChannel(
    {
      open: () =>
        new Promise((resolve, reject) => {
          const ws = new WebSocket(cp.url);
          ws.once("open", () => resolve(ws));
          ws.once("error", reject);
        }),
      call: overHttp,
    },
    { assignments: async () => undefined, unregistered: async () => undefined, log: createLogger({ level: "silent" }), ...handlers },
    20,
  );
}

test("a version is acknowledged only once acted on: a failed push asks for the changes again; a new connection starts from the last one", async () => {
  const cp = await standIn();
  let fail = true;
  const acted: Assignments[] = [];
  const channel = channelOn(cp, {
    assignments: async (m) => {
      if (m.version.n === 1 && fail) {
        fail = false;
        throw new Error("the runtime was busy");
      }
      acted.push(m);
    },
  });
  channel.setHealth([{ taskArn: "t", containerName: "app", healthStatus: "HEALTHY" }]);
  channel.start();
  try {
    await until(() => cp.received.length === 1);
    assert.deepEqual(cp.received[0], {
      connection: 1,
      message: { type: "sync", health: [{ taskArn: "t", containerName: "app", healthStatus: "HEALTHY" }] },
    });
    send(cp.sockets[0]!, push(1, ["a"]));
    // Not acted on: asked again from the version before (none).
    await until(() => cp.received.length === 2);
    assert.deepEqual(cp.received[1]!.message, { type: "sync", health: [{ taskArn: "t", containerName: "app", healthStatus: "HEALTHY" }] });
    send(cp.sockets[0]!, push(1, ["a"]));
    send(cp.sockets[0]!, push(2, ["a", "b"]));
    await until(() => acted.length === 2);
    assert.deepEqual(
      acted.map((m) => m.version.n),
      [1, 2],
    );
    // Health goes out as it changes.
    channel.setHealth([]);
    await until(() => cp.received.length === 3);
    assert.deepEqual(cp.received[2]!.message, { type: "health", health: [] });
    // The connection is lost: the next one says what was seen.
    cp.sockets[0]!.terminate();
    await until(() => cp.received.some((r) => r.connection === 2));
    assert.deepEqual(cp.received.find((r) => r.connection === 2)!.message, { type: "sync", seen: { epoch: "e", n: 2 }, health: [] });
  } finally {
    await channel.stop();
    cp.server.close();
  }
});

test("occupied pools: in every sync once known, and sent whenever they change", async () => {
  const cp = await standIn();
  const channel = channelOn(cp);
  channel.setPools(["10.211.0.0/24"]);
  channel.start();
  try {
    await until(() => cp.received.length === 1);
    assert.deepEqual(cp.received[0]!.message, { type: "sync", health: [], pools: ["10.211.0.0/24"] });
    channel.setPools(["10.211.0.0/24", "172.17.0.0/16"]);
    await until(() => cp.received.length === 2);
    assert.deepEqual(cp.received[1]!.message, { type: "pools", pools: ["10.211.0.0/24", "172.17.0.0/16"] });
    cp.sockets[0]!.terminate();
    await until(() => cp.received.some((r) => r.connection === 2));
    assert.deepEqual(cp.received.find((r) => r.connection === 2)!.message, {
      type: "sync",
      health: [],
      pools: ["10.211.0.0/24", "172.17.0.0/16"],
    });
  } finally {
    await channel.stop();
    cp.server.close();
  }
});

test("calls: answered by id, errors named by __type, cut-off ones made again over HTTP, and over HTTP while no connection is open", async () => {
  const cp = await standIn();
  const overHttp: { op: string; input: object }[] = [];
  const channel = channelOn(cp, {}, async (op, input) => {
    overHttp.push({ op, input });
    return { acknowledgment: "over HTTP" };
  });
  try {
    assert.deepEqual(await channel.call("SubmitTaskStateChange", { task: "before" }), { acknowledgment: "over HTTP" });
    channel.start();
    await until(() => cp.sockets.length === 1 && cp.received.length === 1);
    const answered = channel.call("SubmitTaskStateChange", { task: "x" });
    const refused = channel.call("SubmitTaskStateChange", { task: "y" });
    await until(() => cp.received.length === 3);
    const calls = cp.received.slice(1).map((r) => r.message as Extract<AgentMessage, { type: "call" }>);
    assert.deepEqual(
      calls.map((c) => [c.operation, c.input]),
      [
        ["SubmitTaskStateChange", { task: "x" }],
        ["SubmitTaskStateChange", { task: "y" }],
      ],
    );
    // Answered out of order: the ids pair them.
    send(cp.sockets[0]!, { type: "error", id: calls[1]!.id, error: { __type: "InvalidParameterException", message: "no such task" } });
    send(cp.sockets[0]!, { type: "result", id: calls[0]!.id, output: { acknowledgment: "ACK" } });
    assert.deepEqual(await answered, { acknowledgment: "ACK" });
    await assert.rejects(refused, (err: Error) => err.name === "InvalidParameterException" && err.message === "no such task");
    // A call the connection's loss leaves unanswered goes over HTTP.
    const cut = channel.call("SubmitTaskStateChange", { task: "z" });
    await until(() => cp.received.length === 4);
    cp.sockets[0]!.terminate();
    assert.deepEqual(await cut, { acknowledgment: "over HTTP" });
    assert.deepEqual(
      overHttp.map((c) => c.input),
      [{ task: "before" }, { task: "z" }],
    );
  } finally {
    await channel.stop();
    cp.server.close();
  }
});

test("a host the control plane no longer knows: the channel says so, then connects again", async () => {
  const cp = await standIn();
  let unregistered = 0;
  const channel = channelOn(cp, { unregistered: async () => void unregistered++ });
  channel.start();
  try {
    await until(() => cp.sockets.length === 1);
    cp.sockets[0]!.close(CLOSE_NOT_REGISTERED, "The container instance is not registered.");
    await until(() => unregistered === 1 && cp.sockets.length === 2);
  } finally {
    await channel.stop();
    cp.server.close();
  }
});

test("task definitions: carried once per connection and named by ARN after that; a new connection starts over", async () => {
  const cp = await standIn();
  const acted: Assignments[] = [];
  const channel = channelOn(cp, { assignments: async (m) => void acted.push(m) });
  const web = { taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1", family: "web", revision: 1 };
  const task = (n: number) => ({
    taskArn: `arn:aws:ecs:us-east-1:123456789012:task/c/${n}`,
    clusterArn: "arn:aws:ecs:us-east-1:123456789012:cluster/c",
    desiredStatus: "RUNNING" as const,
    lastStatus: "PENDING",
    launchType: "EC2",
    group: "family:web",
    overrides: {},
    containers: [],
    hostPortBindIp: "127.0.0.1",
    version: 1,
    taskDefinitionArn: web.taskDefinitionArn,
  });
  const pushOf = (n: number, withDefinition: boolean): ControlPlaneMessage => ({
    type: "assignments",
    version: { epoch: "e", n },
    tasks: [task(n)],
    assigned: [task(n).taskArn],
    ...(withDefinition ? { taskDefinitions: [web] } : {}),
  });
  channel.start();
  try {
    // Pushed once the agent's sync came, as the control plane does (it pushes only when synced):
    // a push sent at once could reach the channel before it listens, and be lost.
    await until(() => cp.sockets.length === 1 && cp.received.length === 1);
    send(cp.sockets[0]!, pushOf(1, true));
    send(cp.sockets[0]!, pushOf(2, false));
    await until(() => acted.length === 2);
    assert.deepEqual(
      acted.map((m) => m.tasks.map((t) => t.taskDefinition)),
      [[web], [web]],
    );
    assert.equal("taskDefinitionArn" in acted[1]!.tasks[0]!, false);
    // A new connection has carried nothing: a push naming a definition it never carried is refused.
    cp.sockets[0]!.terminate();
    await until(() => cp.sockets.length === 2 && cp.received.some((r) => r.connection === 2));
    const closed = new Promise<number>((resolve) => cp.sockets[1]!.once("close", resolve));
    send(cp.sockets[1]!, pushOf(3, false));
    assert.equal(await closed, 1008);
    assert.equal(acted.length, 2);
  } finally {
    await channel.stop();
    cp.server.close();
  }
});

test("the control plane's end: a push carries a definition in full only the first time its connection needs it", () => {
  const def = (family: string) => ({ taskDefinitionArn: `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:1`, family });
  const assignment = (n: number, family: string) => ({
    taskArn: `t${n}`,
    clusterArn: "c",
    desiredStatus: "RUNNING" as const,
    lastStatus: "PENDING",
    launchType: "EC2",
    group: `family:${family}`,
    overrides: {},
    containers: [],
    hostPortBindIp: "127.0.0.1",
    version: 1,
    taskDefinition: def(family),
  });
  const carried = new Set<string>();
  const first = asPushed(
    { version: { epoch: "e", n: 1 }, tasks: [assignment(1, "web"), assignment(2, "web")], assigned: ["t1", "t2"] },
    carried,
  );
  assert.deepEqual(first.taskDefinitions, [def("web")]);
  assert.deepEqual(
    first.tasks.map((t) => [t.taskArn, t.taskDefinitionArn, "taskDefinition" in t]),
    [
      ["t1", def("web").taskDefinitionArn, false],
      ["t2", def("web").taskDefinitionArn, false],
    ],
  );
  const second = asPushed(
    { version: { epoch: "e", n: 2 }, tasks: [assignment(3, "web"), assignment(4, "db")], assigned: ["t1", "t2", "t3", "t4"] },
    carried,
  );
  assert.deepEqual(second.taskDefinitions, [def("db")]);
  const third = asPushed({ version: { epoch: "e", n: 3 }, tasks: [assignment(5, "db")], assigned: [] }, carried);
  assert.equal("taskDefinitions" in third, false);
  assert.deepEqual(third.version, { epoch: "e", n: 3 });
});
