// ECS Exec sessions the control plane has handed out and not yet seen used. A session is
// ExecuteCommand's answer: its id, the stream URL and a token. The token is random, good for
// one connection, and void once TOKEN_TTL_MS passes unused. Kept in this process's memory:
// the data channel is served by the same process that answered ExecuteCommand (a control
// plane spread over several processes would keep them in the store instead). A session lost
// to a restart is one its client must ask for again, as after any dropped session.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Scope } from "../../../domain/scope.js";

/** Where a session's stream is served, like SSM's: `<path>/<sessionId>?role=publish_subscribe`, upgraded to a WebSocket. */
export const DATA_CHANNEL_PATH = "/v1/data-channel";

/** How long a token stays good unused: long enough for a client to connect, no longer. */
export const TOKEN_TTL_MS = 60_000;

export interface ExecSession {
  /** ecs-execute-command-<17 hex>, as ECS names them. */
  id: string;
  scope: Scope;
  taskArn: string;
  containerName: string;
  /** The host whose agent runs the command. */
  hostId: string;
  /** As ExecuteCommand got it; split into argv when the session starts. */
  command: string;
  /** What the agent must present when it opens the session's socket (see wire/agent-exec.ts). */
  agentToken: string;
}

interface Pending {
  session: ExecSession;
  token: Buffer;
  expiresAt: number;
}

export class ExecSessions {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A new session and its token. */
  create(fields: Omit<ExecSession, "id" | "agentToken">): { session: ExecSession; token: string } {
    this.sweep();
    const session: ExecSession = {
      ...fields,
      id: `ecs-execute-command-${randomBytes(9).toString("hex").slice(0, 17)}`,
      agentToken: randomBytes(32).toString("base64url"),
    };
    const token = randomBytes(48).toString("base64url");
    this.pending.set(session.id, { session, token: Buffer.from(token), expiresAt: this.now() + TOKEN_TTL_MS });
    return { session, token };
  }

  /** Whether a session by this id waits for its client. */
  has(id: string): boolean {
    this.sweep();
    return this.pending.has(id);
  }

  /** The session, if `token` is its token and still good; a session is claimed once. */
  claim(id: string, token: string): ExecSession | undefined {
    this.sweep();
    const found = this.pending.get(id);
    const offered = Buffer.from(token);
    if (!found || found.token.length !== offered.length || !timingSafeEqual(found.token, offered)) return undefined;
    this.pending.delete(id);
    return found.session;
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, p] of this.pending) if (p.expiresAt <= now) this.pending.delete(id);
  }
}
