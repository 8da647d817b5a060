// The front door of every AWS service berth serves, on one endpoint. For each request:
// find the service (the SigV4 credential scope's service name, else the request's shape),
// verify the signature, read the operation and its input in the service's protocol,
// validate the input against the service's model, call its handler, and write the answer;
// every failure leaves through toWireError and the service's protocol, so handlers never
// see the wire and clients never see a stack trace.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { checkSession } from "../domain/task-credentials.js";
import type { Logger } from "../log/logger.js";
import { ProtocolError, toWireError } from "./errors.js";
import type { IncomingCall, Reply } from "./protocols/index.js";
import type { AwsService, Caller, Principal, Route } from "./service.js";
import { credentialScopeService, verifySigV4 } from "./sigv4.js";

const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** A key pair berth accepts, and whom it stands for. */
export interface Credential {
  secretAccessKey: string;
  principal: Principal;
  /** Temporary credentials: the session token a request must carry (X-Amz-Security-Token), and when they expire. */
  session?: { sessionToken: string; expiration: Date };
}

export interface FrontDoorOptions {
  /** The first one answers what belongs to no service (its protocol shapes the error). */
  services: readonly AwsService[];
  /** The credential an access key id names, or undefined when the key is unknown. */
  credentialFor(accessKeyId: string): Credential | undefined;
  log: Logger;
  now?: () => Date;
  /** Requests wait for it once (the issued credentials being read back after a restart). */
  ready?: Promise<void>;
}

export interface FrontDoor {
  /** For an HTTP server's "request" event. */
  handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** Verifies a request signed for `service` and says who sent it; throws ProtocolError. */
  authenticate: (call: IncomingCall, service: AwsService, at: Date, log: RequestLog) => Caller;
}

export function createFrontDoor(opts: FrontDoorOptions): FrontDoor {
  const now = opts.now ?? (() => new Date());
  const fallback = opts.services[0]!;
  const bySigningName = new Map<string, AwsService[]>();
  for (const service of opts.services) bySigningName.set(service.signingName, [...(bySigningName.get(service.signingName) ?? []), service]);

  /**
   * The service a call is for: the one its signature was made for, else the one its shape
   * claims; for a call other than POST, the service and its route that serve it.
   */
  function route(call: IncomingCall, path: string): { service: AwsService; served?: Route } | undefined {
    const signedFor = credentialScopeService(call.headers);
    const candidates = signedFor === undefined ? opts.services : (bySigningName.get(signedFor) ?? []);
    if (call.method !== "POST") {
      for (const service of candidates) {
        const served = service.routes.find((r) => r.method === call.method && r.path === path);
        if (served) return { service, served };
      }
      return undefined;
    }
    const service =
      candidates.length === 1 && signedFor !== undefined
        ? candidates[0]
        : (candidates.find((s) => s.protocol.claims(s.model, call)) ?? (signedFor !== undefined ? candidates[0] : undefined));
    return service && { service };
  }

  function authenticate(call: IncomingCall, service: AwsService, at: Date, log: RequestLog): Caller {
    const verified = verifySigV4(call, service.signingName, (key) => secretFor(key, call, at), at);
    const { principal } = opts.credentialFor(verified.accessKeyId)!;
    return {
      scope: { accountId: principal.accountId, region: verified.region },
      principal,
      accessKeyId: verified.accessKeyId,
      endpoint: `http://${call.headers.host ?? "127.0.0.1"}`,
      requestId: log.requestId,
      log,
    };
  }

  /** The key's secret, once the request's session token is the one it needs (none for a long-term key). */
  function secretFor(accessKeyId: string, call: IncomingCall, at: Date): string | undefined {
    const credential = opts.credentialFor(accessKeyId);
    if (!credential) return undefined;
    const presented = call.headers["x-amz-security-token"];
    const token = Array.isArray(presented) ? presented.join(",") : presented;
    const check = credential.session ? checkSession(credential.session, token, at) : token === undefined ? "valid" : "invalid";
    if (check === "invalid")
      throw new ProtocolError("UnrecognizedClientException", "The security token included in the request is invalid.");
    if (check === "expired") throw new ProtocolError("ExpiredTokenException", "The security token included in the request is expired");
    return credential.secretAccessKey;
  }

  let ready = opts.ready === undefined;
  opts.ready?.then(
    () => (ready = true),
    () => undefined,
  );

  async function answer(call: IncomingCall, res: ServerResponse, log: RequestLog, found: (s: AwsService) => void): Promise<void> {
    const { requestId } = log;
    if (!ready) await opts.ready;
    const [path, query] = call.url.split("?", 2) as [string, string | undefined];
    if (call.method === "GET" && (path === "/healthz" || path === "/ping")) {
      return write(res, {
        status: 200,
        headers: { "content-type": "application/json", "x-amzn-requestid": requestId },
        body: '{"status":"ok"}',
      });
    }
    const routed = route(call, path);
    if (!routed) {
      if (call.method !== "POST")
        throw new ProtocolError("UnknownOperationException", `${call.method} ${call.url} is not an AWS API call.`, 404);
      if (call.headers.authorization === undefined)
        throw new ProtocolError("MissingAuthenticationTokenException", "Missing Authentication Token");
      throw new ProtocolError("UnknownOperationException", `berth serves no AWS service named '${credentialScopeService(call.headers)}'.`);
    }
    const { service, served } = routed;
    found(service);
    const at = now();
    const caller = authenticate(call, service, at, log);
    if (served) return served.serve(caller, new URLSearchParams(query), res);
    const { operation, input } = service.protocol.read(service.model, call, service.violation);
    const output = await service.invoke(caller, operation, input, at);
    write(res, service.protocol.reply(service.model, operation, output, requestId));
  }

  return {
    authenticate,
    handle(req, res) {
      const log = requestLog(opts.log, randomUUID());
      let service = fallback;
      readBody(req)
        .then((body) =>
          answer({ method: req.method ?? "", url: req.url ?? "/", headers: req.headers, body }, res, log, (s) => (service = s)),
        )
        .catch((err: unknown) => {
          const wire = toWireError(err, service.errors, log);
          write(res, service.protocol.replyError(service.model, wire, log.requestId));
        });
    },
  };
}

/** A request's logger: its lines carry the request id; the child logger is made only if a line is written. */
export interface RequestLog extends Logger {
  readonly requestId: string;
}

export function requestLog(base: Logger, requestId: string): RequestLog {
  let child: Logger | undefined;
  const log = () => (child ??= base.child({ requestId }));
  return {
    requestId,
    debug: (message, fields) => log().debug(message, fields),
    info: (message, fields) => log().info(message, fields),
    warn: (message, fields) => log().warn(message, fields),
    error: (message, fields) => log().error(message, fields),
    child: (bindings) => log().child(bindings),
  };
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

function write(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(reply.status, reply.headers);
  res.end(reply.body);
}
