// The data plane's control loop: keeps ELBv2's documents of every account and region in
// memory from the collections' change feeds, computes the data plane's configuration after
// each change (coalesced) and hands it to the engine, started on the first load balancer. It
// also removes targets whose drain has ended, writes what the health checks observe to the
// TargetHealthBoard, puts the load balancers' interface addresses on lo and their names in
// /etc/hosts.
import { join } from "node:path";
import type { DataPlaneConfig } from "../domain/elbv2/data-plane.js";
import { dataPlaneConfig } from "../domain/elbv2/plane-config.js";
import { withDrainedRemoved } from "../domain/elbv2/targets.js";
import type { ObservedHealth, TargetHealthBoard } from "../domain/elbv2/target-health.js";
import { scopeKey, type Scope } from "../domain/scope.js";
import type { Logger } from "../log/logger.js";
import type { Elbv2State, StoredListener, StoredLoadBalancer, StoredRule, StoredTargetGroup } from "../state/elbv2-state.js";
import type { Collection } from "../state/store.js";
import type { LoadBalancerEngine } from "./engine.js";
import { HaproxyEngine } from "./haproxy/engine.js";
import { writeHostsBlock } from "./hosts-file.js";
import { loopbackLabel, syncLoopback } from "./loopback.js";

export interface DataPlaneControllerOptions {
  state: Elbv2State;
  /** Every account and region holding state (Store.scopes). */
  scopes: () => Promise<Scope[]>;
  health: TargetHealthBoard;
  /** berth's data directory: HAProxy's files go under haproxy/, and it names this berth's hosts block. */
  dataDir: string;
  log: Logger;
  /** Makes the engine (default: HAProxy in <dataDir>/haproxy). */
  engine?: (onObservations: (observations: Map<string, ObservedHealth>) => void) => LoadBalancerEngine;
  /** The hosts file to keep the load balancers' names in (default /etc/hosts); false: none. */
  hostsFile?: string | false;
  /** Whether to put the load balancers' interface addresses on lo (default: as root). */
  loopback?: boolean;
  now?: () => number;
}

interface ScopeDocs {
  scope: Scope;
  loadBalancers: Map<string, StoredLoadBalancer>;
  listeners: Map<string, StoredListener>;
  rules: Map<string, StoredRule>;
  targetGroups: Map<string, StoredTargetGroup>;
}

type DocKind = "loadBalancers" | "listeners" | "rules" | "targetGroups";

/** How long changes gather before one configuration is computed for them all. */
const COALESCE_MS = 25;

export class DataPlaneController {
  private readonly docs = new Map<string, ScopeDocs>();
  private readonly unwatch: (() => void)[] = [];
  private engine?: LoadBalancerEngine;
  private timer?: NodeJS.Timeout;
  private drainTimer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private closed = false;
  private reported = new Set<string>();
  private firstPass = true;
  /** False until every scope's documents are loaded: a configuration from part of them would drop load balancers. */
  private loaded = false;
  private readonly now: () => number;

  constructor(private readonly opts: DataPlaneControllerOptions) {
    this.now = opts.now ?? Date.now;
  }

  async start(): Promise<void> {
    const kinds: DocKind[] = ["loadBalancers", "listeners", "rules", "targetGroups"];
    for (const kind of kinds) {
      const collection = this.opts.state[kind] as Collection<unknown>;
      this.unwatch.push(
        collection.watch((scope, id, doc) => {
          const map = this.scopeDocs(scope)[kind] as Map<string, unknown>;
          if (doc === undefined) map.delete(id);
          else map.set(id, doc);
          this.schedule();
        }),
      );
    }
    for (const scope of await this.opts.scopes()) {
      const docs = this.scopeDocs(scope);
      for (const kind of kinds) {
        const map = docs[kind] as Map<string, unknown>;
        for (const doc of await (this.opts.state[kind] as Collection<unknown>).list(scope)) {
          const id = idOf(kind, doc);
          if (!map.has(id)) map.set(id, doc); // a change heard meanwhile is newer
        }
      }
    }
    this.loaded = true;
    this.schedule();
    await this.settled();
  }

  /** Resolves once the configuration of every change heard so far is applied. */
  async settled(): Promise<void> {
    while (this.timer) await new Promise((resolve) => setTimeout(resolve, COALESCE_MS));
    await this.running;
  }

  /** Stops following the state; the proxy keeps serving (AWS's load balancers serve while ECS's API is down). */
  async close(): Promise<void> {
    this.closed = true;
    for (const unwatch of this.unwatch) unwatch();
    clearTimeout(this.timer);
    clearTimeout(this.drainTimer);
    this.timer = undefined;
    await this.running;
    await this.engine?.close();
  }

  /** As close, and stops the proxy too. */
  async stop(): Promise<void> {
    await this.close();
    await this.engine?.stop();
    this.engine = undefined;
  }

  private makeEngine(): LoadBalancerEngine {
    const onObservations = (o: Map<string, ObservedHealth>) => this.report(o);
    return (
      this.opts.engine?.(onObservations) ??
      new HaproxyEngine({ dir: join(this.opts.dataDir, "haproxy"), log: this.opts.log, onObservations })
    );
  }

  private scopeDocs(scope: Scope): ScopeDocs {
    const key = scopeKey(scope);
    let docs = this.docs.get(key);
    if (!docs) {
      docs = { scope, loadBalancers: new Map(), listeners: new Map(), rules: new Map(), targetGroups: new Map() };
      this.docs.set(key, docs);
    }
    return docs;
  }

  private schedule(): void {
    if (this.closed || this.timer || !this.loaded) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.running
        .then(() => this.reconcile())
        .catch((err: unknown) => this.opts.log.error("data plane change failed", { err }));
    }, COALESCE_MS);
  }

  private async reconcile(): Promise<void> {
    if (this.closed) return;
    const now = this.now();
    await this.removeDrained(now);
    const config: DataPlaneConfig = { loadBalancers: [], targetGroups: [] };
    const lbs: StoredLoadBalancer[] = [];
    for (const docs of this.docs.values()) {
      const part = dataPlaneConfig(
        {
          loadBalancers: [...docs.loadBalancers.values()],
          listeners: [...docs.listeners.values()],
          rules: [...docs.rules.values()],
          targetGroups: [...docs.targetGroups.values()],
        },
        now,
      );
      config.loadBalancers.push(...part.loadBalancers);
      config.targetGroups.push(...part.targetGroups);
      lbs.push(...docs.loadBalancers.values());
    }
    await this.hostNames(lbs);
    if (config.loadBalancers.length === 0) {
      // A proxy left running by an earlier control plane whose load balancers are all gone is stopped too.
      if (this.firstPass) this.engine ??= this.makeEngine();
      if (this.engine) {
        await this.engine.stop();
        this.engine = undefined;
        this.report(new Map());
        if (!this.firstPass) this.opts.log.info("data plane stopped: no load balancer is left");
      }
    } else {
      this.engine ??= this.makeEngine();
      await this.engine.apply(config);
    }
    this.firstPass = false;
    this.scheduleDrainEnd(config, now);
  }

  /** Removes from the documents the targets whose drain has ended. */
  private async removeDrained(now: number): Promise<void> {
    for (const docs of this.docs.values()) {
      for (const [id, group] of docs.targetGroups) {
        if (!withDrainedRemoved(group, now)) continue;
        await this.opts.state.targetGroups.write(docs.scope, id, (current) => (current ? withDrainedRemoved(current, now) : undefined));
      }
    }
  }

  private scheduleDrainEnd(config: DataPlaneConfig, now: number): void {
    clearTimeout(this.drainTimer);
    const ends = config.targetGroups.flatMap((g) => g.targets.map((t) => t.drainUntil ?? Infinity));
    const next = Math.min(...ends);
    if (!Number.isFinite(next) || this.closed) return;
    this.drainTimer = setTimeout(() => this.schedule(), Math.max(0, next - now) + 5);
    this.drainTimer.unref();
  }

  private report(observations: Map<string, ObservedHealth>): void {
    for (const [key, observed] of observations) this.opts.health.set(key, observed);
    for (const key of this.reported) if (!observations.has(key)) this.opts.health.set(key, undefined);
    this.reported = new Set(observations.keys());
  }

  /** Interface addresses on lo and DNS names in the hosts file, for the load balancers there are. */
  private async hostNames(lbs: readonly StoredLoadBalancer[]): Promise<void> {
    const live = lbs.filter((lb) => lb.loadBalancer.State?.Code !== "failed");
    if (this.opts.loopback ?? process.getuid?.() === 0) {
      try {
        syncLoopback(
          loopbackLabel(this.opts.dataDir),
          live.flatMap((lb) => lb.interfaces.map((i) => i.privateIpAddress)),
        );
      } catch (err) {
        this.opts.log.warn("could not put the load balancers' addresses on lo", { err });
      }
    }
    const hostsFile = this.opts.hostsFile ?? "/etc/hosts";
    if (hostsFile === false) return;
    const names = live.map((lb) => ({ address: lb.loopbackAddress, name: lb.loadBalancer.DNSName! }));
    await writeHostsBlock(hostsFile, this.opts.dataDir, names).catch((err: unknown) =>
      this.opts.log.warn("could not write the load balancers' names to the hosts file", { err, hostsFile }),
    );
  }
}

function idOf(kind: DocKind, doc: unknown): string {
  const arn =
    kind === "loadBalancers"
      ? (doc as StoredLoadBalancer).loadBalancer.LoadBalancerArn
      : kind === "listeners"
        ? (doc as StoredListener).listener.ListenerArn
        : kind === "rules"
          ? (doc as StoredRule).rule.RuleArn
          : (doc as StoredTargetGroup).targetGroup.TargetGroupArn;
  return arn!.slice(arn!.lastIndexOf("/") + 1);
}
