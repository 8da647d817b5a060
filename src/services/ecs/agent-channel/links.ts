// The agents' open channels, by host: how the control plane reaches an agent with what is not
// an assignment (an ECS Exec request). A reconnecting agent may briefly hold two; the newest wins.
import { scopeKey, type Scope } from "../../../domain/scope.js";
import type { ControlPlaneMessage } from "../../../wire/agent-channel.js";

/** Sends a message over one open channel; false when the channel is no longer open. */
export type LinkSend = (message: ControlPlaneMessage) => boolean;

export class AgentLinks {
  private readonly open = new Map<string, LinkSend>();

  /** Records an open channel of the host; the returned function forgets it (when it closes). */
  attach(scope: Scope, hostId: string, send: LinkSend): () => void {
    const key = scopeKey(scope, hostId);
    this.open.set(key, send);
    return () => {
      if (this.open.get(key) === send) this.open.delete(key);
    };
  }

  connected(scope: Scope, hostId: string): boolean {
    return this.open.has(scopeKey(scope, hostId));
  }

  /** Sends over the host's open channel; false when it has none. */
  send(scope: Scope, hostId: string, message: ControlPlaneMessage): boolean {
    return this.open.get(scopeKey(scope, hostId))?.(message) ?? false;
  }
}
