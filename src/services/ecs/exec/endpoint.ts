// Where ECS Exec sessions' sockets open, on the control plane's port: the client's data
// channel (DATA_CHANNEL_PATH/<sessionId>, let in by the token it sends first, as Session
// Manager lets the plugin in) and the agent's socket for the session (EXEC_PATH, signed like
// the agent's channel and carrying the token the control plane gave that agent). The two meet
// in an ExecBridge.
import { randomUUID, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { idFromRef } from "../../../domain/arn.js";
import { EcsError, invalidParameter } from "../../../domain/errors.js";
import { scopeKey } from "../../../domain/scope.js";
import { requestLog, type FrontDoor } from "../../../aws/server.js";
import type { AwsService } from "../../../aws/service.js";
import type { Logger } from "../../../log/logger.js";
import { EXEC_PATH } from "../../../wire/agent-exec.js";
import type { OpenDataChannelInput } from "../../../wire/session-message.js";
import { refuse } from "../agent-channel/endpoint.js";
import type { HostNotifier } from "../agent-channel/notifier.js";
import { ExecBridge } from "./bridge.js";
import { DATA_CHANNEL_PATH, type ExecSession, type ExecSessions } from "./sessions.js";

/** A client that does not send its token this soon after connecting is let go. */
const OPEN_WAIT_MS = 10_000;
const EMPTY = Buffer.alloc(0);

export interface ExecEndpointDeps {
  ecs: AwsService;
  authenticate: FrontDoor["authenticate"];
  sessions: ExecSessions;
  hosts: HostNotifier;
  log: Logger;
}

export class ExecEndpoint {
  private readonly sockets = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    clientTracking: true,
    maxPayload: 1024 * 1024,
  });
  /** Sessions started, waiting for their agent's socket, by session id. */
  private readonly waiting = new Map<string, { session: ExecSession; attach: (socket: WebSocket) => void }>();

  constructor(private readonly deps: ExecEndpointDeps) {}

  /** Whether an upgrade request is for one of this endpoint's sockets. */
  handles(req: IncomingMessage): boolean {
    const path = (req.url ?? "/").split("?", 1)[0]!;
    return path === EXEC_PATH || path.startsWith(`${DATA_CHANNEL_PATH}/`);
  }

  /** For the HTTP server's "upgrade" event, when `handles` says so. */
  readonly handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on("error", () => socket.destroy());
    const url = new URL(req.url ?? "/", "http://berth");
    if (url.pathname === EXEC_PATH) return this.agentSocket(req, url, socket, head);
    const id = url.pathname.slice(DATA_CHANNEL_PATH.length + 1);
    if (req.method !== "GET" || !this.deps.sessions.has(id))
      return refuse(socket, invalidParameter(`The session ${id} does not exist or is no longer open.`), this.deps.log);
    this.sockets.handleUpgrade(req, socket, head, (ws) => this.clientSocket(id, ws));
  };

  /** A client's data channel: its first message must be OpenDataChannel with the session's token. */
  private clientSocket(id: string, ws: WebSocket): void {
    const timer = setTimeout(() => ws.close(1008, "OpenDataChannel was not sent"), OPEN_WAIT_MS);
    ws.once("close", () => clearTimeout(timer));
    ws.once("message", (data: RawData, isBinary: boolean) => {
      clearTimeout(timer);
      let open: OpenDataChannelInput | undefined;
      try {
        open = isBinary ? undefined : (JSON.parse((data as Buffer).toString("utf8")) as OpenDataChannelInput);
      } catch {
        open = undefined;
      }
      const session = typeof open?.TokenValue === "string" ? this.deps.sessions.claim(id, open.TokenValue) : undefined;
      if (!session) return ws.close(1008, "The token is not valid for this session.");
      const log = this.deps.log.child({ sessionId: id, taskArn: session.taskArn });
      log.info("exec session opened", { container: session.containerName });
      ws.once("close", () => log.info("exec session closed"));
      new ExecBridge(session, ws, open!.Terminal !== false, {
        requestAgent: (request) => this.deps.hosts.links.send(session.scope, session.hostId, { type: "exec", ...request }),
        awaitAgent: (s, attach) => {
          this.waiting.set(s.id, { session: s, attach });
          return () => {
            if (this.waiting.get(s.id)?.attach === attach) this.waiting.delete(s.id);
          };
        },
        log,
      });
    });
  }

  /** The agent's socket for a session it was asked to run. */
  private agentSocket(req: IncomingMessage, url: URL, socket: Duplex, head: Buffer): void {
    try {
      const caller = this.deps.authenticate(
        { method: req.method ?? "", url: req.url ?? "/", headers: req.headers, body: EMPTY },
        this.deps.ecs,
        new Date(),
        requestLog(this.deps.log, randomUUID()),
      );
      const id = url.searchParams.get("session") ?? "";
      const waiting = this.waiting.get(id);
      const token = Buffer.from(url.searchParams.get("token") ?? "");
      const expected = Buffer.from(waiting?.session.agentToken ?? "");
      const host = idFromRef(url.searchParams.get("containerInstance") ?? "");
      if (
        !waiting ||
        token.length !== expected.length ||
        !timingSafeEqual(token, expected) ||
        host !== waiting.session.hostId ||
        scopeKey(caller.scope) !== scopeKey(waiting.session.scope)
      )
        throw new EcsError("AccessDeniedException", `No exec session ${id} waits for this agent.`);
      this.waiting.delete(id);
      this.sockets.handleUpgrade(req, socket, head, (ws) => waiting.attach(ws));
    } catch (err) {
      refuse(socket, err, this.deps.log);
    }
  }

  close(): void {
    for (const ws of this.sockets.clients) ws.terminate();
    this.sockets.close();
    this.waiting.clear();
  }
}
