// Where agents' channels open: the HTTP server's upgrade requests. The upgrade is signed
// like any ECS request (SigV4, empty body) and names the container instance in its query;
// what fails is answered as the HTTP API answers it, before any WebSocket exists.
import { randomUUID } from "node:crypto";
import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { idFromRef, nameFromRef, parseArn } from "../../../domain/arn.js";
import { invalidParameter } from "../../../domain/errors.js";
import { ProtocolError, toWireError } from "../../../aws/errors.js";
import { requestLog, type FrontDoor } from "../../../aws/server.js";
import type { Logger } from "../../../log/logger.js";
import type { AwsService } from "../../../aws/service.js";
import type { EcsState } from "../../../state/ecs-state.js";
import { CHANNEL_PATH } from "../../../wire/agent-channel.js";
import type { ControlPlaneSettings } from "../context.js";
import { ecsErrors } from "../service.js";
import type { HostNotifier } from "./notifier.js";
import { AgentSession } from "./session.js";
import { FirewallPush } from "./firewall-push.js";
import type { TaskCredentialsIssuer } from "../task-credentials.js";

const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

export interface AgentChannelDeps {
  /** The ECS service: agents' calls over their channels are its operations. */
  ecs: AwsService;
  /** Verifies the upgrade's signature, as the front door verifies any request. */
  authenticate: FrontDoor["authenticate"];
  state: EcsState;
  hosts: HostNotifier;
  settings: ControlPlaneSettings;
  /** Issues tasks' role credentials, which each channel sends ahead of their assignments. */
  credentials?: TaskCredentialsIssuer;
  log: Logger;
  now?: () => Date;
}

export class AgentChannelEndpoint {
  private readonly sockets = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    perMessageDeflate: false,
    clientTracking: true,
  });
  private readonly now: () => Date;
  private readonly firewall: FirewallPush;

  constructor(private readonly opts: AgentChannelDeps) {
    this.now = opts.now ?? (() => new Date());
    this.firewall = new FirewallPush(opts.state, opts.log);
  }

  /** For the HTTP server's "upgrade" event. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on("error", () => socket.destroy());
    this.open(req)
      .then(({ caller, host }) => {
        const { state, hosts, settings, ecs } = this.opts;
        this.sockets.handleUpgrade(req, socket, head, (ws) => {
          new AgentSession(
            {
              state,
              hosts,
              hostPortBindIp: settings.hostPortBindIp,
              agentTimeoutMs: settings.agentTimeoutMs,
              firewall: this.firewall,
              ...(this.opts.credentials ? { credentials: this.opts.credentials } : {}),
              now: this.now,
              invoke: (operation, input) => ecs.invoke(caller, operation, input, this.now()),
              wireError: (err) => {
                const wire = toWireError(err, ecsErrors, this.opts.log);
                return { __type: wire.type, message: wire.message };
              },
              log: this.opts.log,
            },
            caller.scope,
            host,
            ws,
          );
        });
      })
      .catch((err: unknown) => refuse(socket, err, this.opts.log));
  };

  /** Authenticates the upgrade and finds the host it is for. */
  private async open(req: IncomingMessage) {
    const url = req.url ?? "/";
    const [path, query] = url.split("?", 2) as [string, string | undefined];
    if (req.method !== "GET" || path !== CHANNEL_PATH) {
      throw new ProtocolError("UnknownOperationException", `${req.method} ${path} is not an agent channel.`, 404);
    }
    const caller = this.opts.authenticate(
      { method: "GET", url, headers: req.headers, body: EMPTY },
      this.opts.ecs,
      this.now(),
      requestLog(this.opts.log, randomUUID()),
    );
    const { scope } = caller;
    const arn = new URLSearchParams(query).get("containerInstance") ?? "";
    const name = parseArn(arn) ? nameFromRef(scope, arn, "container-instance") : undefined;
    const hostId = name ? idFromRef(name) : undefined;
    if (!hostId) throw invalidParameter("containerInstance must be the ARN RegisterContainerInstance returned.");
    const host = await this.opts.state.instances.get(scope, hostId);
    if (!host || host.instance.status === "INACTIVE") throw invalidParameter(`The container instance ${arn} is not registered.`);
    return { caller, host };
  }

  /** Ends every channel (the control plane is stopping). */
  close(): void {
    this.firewall.close();
    for (const ws of this.sockets.clients) ws.terminate();
    this.sockets.close();
  }
}

/** Answers a refused upgrade as an AWS JSON error, then hangs up. */
export function refuse(socket: Duplex, err: unknown, log: Logger): void {
  const wire = toWireError(err, ecsErrors, log);
  const body = JSON.stringify({ __type: wire.type, message: wire.message });
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(
    `HTTP/1.1 ${wire.status} ${STATUS_CODES[wire.status] ?? ""}\r\n` +
      "content-type: application/x-amz-json-1.1\r\n" +
      `x-amzn-errortype: ${wire.type}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      "connection: close\r\n\r\n" +
      body,
    () => socket.destroy(),
  );
}
