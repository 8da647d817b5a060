// Sends each connected agent its host's security-group policy (src/domain/firewall/policy.ts):
// once its channel has synced, and again whenever it changes. A host's policy depends on more
// than its own tasks: a rule of any group its interfaces are in, and the addresses of every
// interface (on any host) in a group those rules name. So any change of a scope's groups, VPCs
// or interfaces marks all of that scope's connected hosts; a short timer later each is
// recomputed from one read of the scope, and sent only if it differs from what that channel
// was last sent. A RunTask of ten tasks, or a deployment, thus costs one push per host.
import { firewallPolicy, type FirewallPolicy } from "../../../domain/firewall/policy.js";
import { scopeKey, type Scope } from "../../../domain/scope.js";
import type { Logger } from "../../../log/logger.js";
import type { EcsState } from "../../../state/ecs-state.js";
import type { ControlPlaneMessage } from "../../../wire/agent-channel.js";

/** How long changes gather before policies are recomputed: a burst of writes lands in one push. */
export const FIREWALL_PUSH_DELAY_MS = 25;

interface Link {
  scope: Scope;
  hostId: string;
  send(message: ControlPlaneMessage): void;
  /** The policy this channel was last sent, serialised; undefined before the first. */
  sent?: string;
  dirty: boolean;
}

export class FirewallPush {
  /** Per scope: the connected hosts' links, by host id. */
  private readonly links = new Map<string, Map<string, Link>>();
  private readonly dirtyScopes = new Set<string>();
  private timer?: NodeJS.Timeout;
  /** Refreshes run one at a time, so a slower earlier one never sends after a later one. */
  private turn: Promise<unknown> = Promise.resolve();
  private readonly unwatch: (() => void)[];

  constructor(
    private readonly state: EcsState,
    private readonly log: Logger,
    private readonly delayMs = FIREWALL_PUSH_DELAY_MS,
  ) {
    const touched = (scope: Scope) => this.touch(scope);
    this.unwatch = [state.ec2.securityGroups.watch(touched), state.ec2.vpcs.watch(touched), state.interfaces.watch(touched)];
  }

  /**
   * Records a host's open channel; nothing is sent until `flush`. Returns the function that
   * forgets it (when the channel closes). A newer channel of the host replaces an older one.
   */
  attach(scope: Scope, hostId: string, send: (message: ControlPlaneMessage) => void): () => void {
    const key = scopeKey(scope);
    let hosts = this.links.get(key);
    if (!hosts) this.links.set(key, (hosts = new Map<string, Link>()));
    const link: Link = { scope, hostId, send, dirty: true };
    hosts.set(hostId, link);
    return () => {
      if (hosts.get(hostId) === link) hosts.delete(hostId);
      if (hosts.size === 0 && this.links.get(key) === hosts) this.links.delete(key);
    };
  }

  /**
   * Sends the host its policy now if it may have changed since it was last sent (or was never
   * sent): the channel calls it before pushing assignments, so a task's rules go ahead of it.
   */
  async flush(scope: Scope, hostId: string): Promise<void> {
    const link = this.links.get(scopeKey(scope))?.get(hostId);
    if (link?.dirty) await this.refresh(scope, [link]);
  }

  /** Stops watching; pending pushes are dropped. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const stop of this.unwatch) stop();
  }

  private touch(scope: Scope): void {
    const key = scopeKey(scope);
    const hosts = this.links.get(key);
    if (!hosts) return;
    for (const link of hosts.values()) link.dirty = true;
    this.dirtyScopes.add(key);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const scopes = [...this.dirtyScopes];
      this.dirtyScopes.clear();
      for (const k of scopes) {
        const links = [...(this.links.get(k)?.values() ?? [])].filter((l) => l.dirty);
        if (links.length)
          this.refresh(links[0]!.scope, links).catch((err: unknown) => this.log.error("could not push security groups", { err }));
      }
    }, this.delayMs);
  }

  private refresh(scope: Scope, links: Link[]): Promise<void> {
    const done = this.turn.then(() => this.recompute(scope, links));
    this.turn = done.catch(() => undefined);
    return done;
  }

  /** Recomputes the policies of `links` (all of one scope) from one read, and sends those that changed. */
  private async recompute(scope: Scope, links: Link[]): Promise<void> {
    // Cleared before the reads: a change landing during them marks the link again.
    for (const link of links) link.dirty = false;
    const [vpcs, groups, interfaces] = await Promise.all([
      this.state.ec2.vpcs.list(scope),
      this.state.ec2.securityGroups.list(scope),
      this.state.interfaces.list(scope),
    ]);
    for (const link of links) {
      const policy: FirewallPolicy = firewallPolicy(link.hostId, vpcs, groups, interfaces);
      const serialised = JSON.stringify(policy);
      if (serialised === link.sent) continue;
      link.sent = serialised;
      link.send({ type: "firewall", policy });
    }
  }
}
