// The AWS JSON 1.1 front door: POST / with X-Amz-Target. Parse → authenticate → validate
// against the model → call the handler → serialise; every failure leaves through
// toWireError, so handlers never see the protocol and clients never see a stack trace.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { EcsError } from "../domain/errors.js";
import type { Scope } from "../domain/scope.js";
import type { EcsState } from "../state/ecs-state.js";
import type { ControlPlaneSettings, HandlerTable, RequestContext } from "../services/ecs/context.js";
import type { KeyedSerializer } from "../services/ecs/serial.js";
import type { HostNotifier } from "../services/ecs/agent-channel/notifier.js";
import { EVENTS_PATH, type TaskEventHub } from "../services/ecs/events/task-events.js";
import { findActiveCluster } from "../services/ecs/lookup.js";
import { ProtocolError, toWireError } from "./errors.js";
import { parseAwsJson, toAwsJson } from "../wire/aws-json.js";
import type { Logger } from "../log/logger.js";
import type { ServiceModel } from "./model.js";
import { verifySigV4 } from "./sigv4.js";
import { validateInput } from "./validate.js";

const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface Account {
  accountId: string;
  secretAccessKey: string;
  principalArn: string;
}

export interface ApiOptions {
  model: ServiceModel;
  operations: HandlerTable;
  state: EcsState;
  hosts: HostNotifier;
  placementLock: KeyedSerializer;
  settings: ControlPlaneSettings;
  scheduler: RequestContext["scheduler"];
  events: TaskEventHub;
  /** The account an access key belongs to, or undefined when the key is unknown. */
  accountFor(accessKeyId: string): Account | undefined;
  log: Logger;
  now?: () => Date;
}

/** Who calls: the scope and principal a verified signature stands for, and where it reached berth. */
export interface Caller {
  scope: Scope;
  principalArn: string;
  /** e.g. http://127.0.0.1:4545, for DiscoverPollEndpoint. */
  endpoint: string;
}

export type OperationInvoker = (caller: Caller, operationName: string, input: unknown, at: Date) => Promise<unknown>;

/**
 * Validates `input` against the model and calls the operation's handler: the part of a call
 * that is the same over HTTP and over an agent's channel. Throws what the wire should show.
 */
export function operationInvoker(opts: ApiOptions): OperationInvoker {
  return async (caller, operationName, input, at) => {
    const operation = opts.model.operations[operationName];
    if (!operation) throw new ProtocolError("UnknownOperationException", `Unknown operation ${operationName}.`);
    validateInput(opts.model, operation.input, input);
    const handler = opts.operations[operationName];
    if (!handler) {
      throw new EcsError("UnsupportedFeatureException", `${operationName} is part of the ECS API but is not implemented by berth yet.`);
    }
    const ctx: RequestContext = {
      scope: caller.scope,
      principalArn: caller.principalArn,
      now: at,
      state: opts.state,
      hosts: opts.hosts,
      placementLock: opts.placementLock,
      endpoint: caller.endpoint,
      options: opts.settings,
      scheduler: opts.scheduler,
    };
    return handler(ctx, input);
  };
}

export function createApiHandler(opts: ApiOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const now = opts.now ?? (() => new Date());
  const prefix = `${opts.model.metadata.targetPrefix}.`;
  const invoke = operationInvoker(opts);
  return (req, res) => {
    const requestId = randomUUID();
    readBody(req)
      .then(async (body) => {
        if (req.method === "GET" && (req.url === "/healthz" || req.url === "/ping")) {
          return send(res, 200, requestId, { status: "ok" });
        }
        const [path, query] = (req.url ?? "/").split("?", 2) as [string, string | undefined];
        const eventStream = req.method === "GET" && path === EVENTS_PATH;
        if (req.method !== "POST" && !eventStream) {
          throw new ProtocolError("UnknownOperationException", `${req.method} ${req.url} is not an ECS API call.`, 404);
        }
        const at = now();
        const verified = verifySigV4(
          { method: req.method ?? "", url: req.url ?? "/", headers: req.headers, body },
          opts.model.metadata.signingName,
          (key) => opts.accountFor(key)?.secretAccessKey,
          at,
        );
        const account = opts.accountFor(verified.accessKeyId)!;
        const scope: Scope = { accountId: account.accountId, region: verified.region };
        if (eventStream) return openEventStream(opts, scope, new URLSearchParams(query).get("cluster") ?? undefined, res, requestId);
        const target = String(req.headers["x-amz-target"] ?? "");
        const operationName = target.startsWith(prefix) ? target.slice(prefix.length) : "";
        if (!opts.model.operations[operationName]) throw new ProtocolError("UnknownOperationException", `Unknown operation ${target || "(none)"}.`);
        let input: unknown;
        try {
          input = parseAwsJson(body);
        } catch (err) {
          throw new ProtocolError("SerializationException", `Unable to parse the request body as JSON: ${(err as Error).message}`);
        }
        const caller = { scope, principalArn: account.principalArn, endpoint: `http://${req.headers.host ?? "127.0.0.1"}` };
        send(res, 200, requestId, await invoke(caller, operationName, input, at));
      })
      .catch((err: unknown) => {
        const wire = toWireError(err, opts.log);
        send(res, wire.status, requestId, { __type: wire.type, message: wire.message }, wire.type);
      });
  };
}

/** The task event stream of a scope, or of one ACTIVE cluster of it (ClusterNotFoundException otherwise). */
async function openEventStream(opts: ApiOptions, scope: Scope, clusterRef: string | undefined, res: ServerResponse, requestId: string): Promise<void> {
  const cluster = clusterRef === undefined ? undefined : (await findActiveCluster(opts.state, scope, clusterRef)).clusterName!;
  opts.events.open(scope, cluster, res, requestId);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new ProtocolError("RequestEntityTooLargeException", "Request body is too large.", 413));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, requestId: string, body: unknown, errorType?: string): void {
  if (res.headersSent || res.destroyed) return;
  const payload = toAwsJson(body);
  const headers: Record<string, string | number> = {
    "content-type": "application/x-amz-json-1.1",
    "content-length": Buffer.byteLength(payload),
    "x-amzn-requestid": requestId,
  };
  if (errorType) headers["x-amzn-errortype"] = errorType;
  res.writeHead(status, headers);
  res.end(payload);
}
