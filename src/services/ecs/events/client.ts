// Follows berth's task event stream (see task-events.ts) from Node: a SigV4-signed GET whose
// answer is Server-Sent Events, each one an "ECS Task State Change" event.
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { request, type IncomingMessage } from "node:http";
import type { EcsEvent, TaskEventDetail } from "../../../domain/task/state-change-event.js";
import { EVENTS_PATH } from "./task-events.js";

export interface EventStreamConnection {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Only this cluster's tasks (name or ARN); every cluster when absent. */
  cluster?: string;
}

/** The task detail as it arrives: dates are ISO strings in the event's JSON. */
export type TaskEvent = EcsEvent<
  Record<keyof TaskEventDetail, unknown> & { taskArn: string; lastStatus: string; desiredStatus: string; version: number }
>;

export interface EventSubscription {
  /** Resolves when the stream ends (closed by either side); rejects on a broken connection. */
  ended: Promise<void>;
  close(): void;
}

/** Resolves once subscribed: every change committed after that reaches `onEvent`, in order. */
export async function subscribeTaskEvents(conn: EventStreamConnection, onEvent: (event: TaskEvent) => void): Promise<EventSubscription> {
  const url = new URL(conn.endpoint);
  const query: Record<string, string> = conn.cluster ? { cluster: conn.cluster } : {};
  const signer = new SignatureV4({ service: "ecs", region: conn.region, credentials: conn.credentials, sha256: Hash.bind(null, "sha256") });
  const signed = await signer.sign(
    new HttpRequest({
      method: "GET",
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: EVENTS_PATH,
      query,
      headers: { host: url.host },
    }),
  );
  const search = new URLSearchParams(query).toString();
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method: "GET", path: EVENTS_PATH + (search ? `?${search}` : ""), headers: signed.headers },
      resolve,
    );
    req.on("error", reject);
    req.end();
  });
  if (res.statusCode !== 200) {
    const body = await new Promise<string>((resolve) => {
      let text = "";
      res.on("data", (d: Buffer) => (text += d.toString()));
      res.on("end", () => resolve(text));
    });
    throw new Error(`event stream refused (${res.statusCode}): ${body}`);
  }
  res.setEncoding("utf8");
  let buffered = "";
  res.on("data", (chunk: string) => {
    buffered += chunk;
    let end: number;
    while ((end = buffered.indexOf("\n\n")) >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const data = block
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
        .join("\n");
      if (data) onEvent(JSON.parse(data) as TaskEvent);
    }
  });
  const ended = new Promise<void>((resolve, reject) => {
    res.on("end", resolve);
    res.on("close", resolve);
    res.on("error", reject);
  });
  return { ended, close: () => res.destroy() };
}
