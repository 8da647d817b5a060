// The load balancer engine on HAProxy. A change of listeners, rules or backends is written to
// haproxy.cfg and applied by a hitless reload (the servers' health and drain carried over in
// the server-state file); a change of targets only is applied through the runtime API: a new
// server is added at weight 0 (HAProxy 2.6 counts it up at once) and given its weight when the
// engine has seen it pass its checks for the healthy threshold; a deregistered one drains,
// then is shut and deleted. haproxy.cfg is rewritten after every change so that a reload, or
// a HAProxy started anew, serves the same servers. A control plane that finds a HAProxy of its
// directory running adopts it and applies only the difference.
import { availableParallelism } from "node:os";
import { mkdirSync, readFileSync, writeFileSync, existsSync, renameSync } from "node:fs";
import type { DataPlaneConfig } from "../../domain/elbv2/data-plane.js";
import { healthKey, type ObservedHealth } from "../../domain/elbv2/target-health.js";
import type { Logger } from "../../log/logger.js";
import type { LoadBalancerEngine } from "../engine.js";
import { better, checkFailure, observedOf, statusUp } from "./health.js";
import { checkConfig, haproxyFiles, reloadHaproxy, runningMaster, startHaproxy, stopHaproxy, type HaproxyFiles } from "./process.js";
import { configText, FULL_WEIGHT, renderConfig, type RenderedConfig, type RenderedServer } from "./render.js";
import { haproxyCommand, parseStat } from "./socket.js";

export interface HaproxyEngineOptions {
  /** HAProxy's own directory (its configuration, sockets, pid and state files). */
  dir: string;
  log: Logger;
  /** How often the servers' state is read. */
  pollMs?: number;
  /** Hears the observations after every poll. */
  onObservations?: (observations: Map<string, ObservedHealth>) => void;
  now?: () => number;
}

interface TrackedServer {
  server: RenderedServer;
  /** When it was added or adopted: the healthy threshold counts from here (or from its last failure). */
  since: number;
  lastBadAt: number;
  promoted: boolean;
  draining: boolean;
  observed?: ObservedHealth;
}

interface Applied {
  structure: string;
  servers: { backend: string; name: string; args: string }[];
}

const keyOf = (s: { backend: string; name: string }) => `${s.backend}/${s.name}`;

export class HaproxyEngine implements LoadBalancerEngine {
  private readonly files: HaproxyFiles;
  private readonly now: () => number;
  private rendered?: RenderedConfig;
  private readonly tracked = new Map<string, TrackedServer>();
  private started = false;
  private queue: Promise<void> = Promise.resolve();
  private poller?: NodeJS.Timeout;
  private polling = false;
  private latest = new Map<string, ObservedHealth>();

  constructor(private readonly opts: HaproxyEngineOptions) {
    this.files = haproxyFiles(opts.dir);
    this.now = opts.now ?? Date.now;
  }

  apply(config: DataPlaneConfig): Promise<void> {
    const run = this.queue.then(() => this.applyNow(config));
    this.queue = run.catch(() => undefined);
    return run;
  }

  observations(): Map<string, ObservedHealth> {
    return new Map(this.latest);
  }

  unsupported(): string[] {
    return this.rendered?.unsupported ?? [];
  }

  async close(): Promise<void> {
    clearInterval(this.poller);
    this.poller = undefined;
    await this.queue;
  }

  async stop(): Promise<void> {
    await this.close();
    await stopHaproxy(this.files);
    this.started = false;
    this.rendered = undefined;
    this.tracked.clear();
  }

  private async applyNow(config: DataPlaneConfig): Promise<void> {
    const hardStop = Math.max(0, ...config.targetGroups.map((g) => g.deregistrationDelaySeconds)) + 30;
    const threads = Math.max(1, Math.floor(availableParallelism() / 2));
    const next = renderConfig(config, { dir: this.files.dir, hardStopAfterSeconds: hardStop, threads });
    for (const listener of next.unsupported) this.opts.log.warn("listener not served by the data plane", { listener });
    if (!this.started) await this.startOrAdopt();
    if (!this.started) {
      this.track(next.servers);
      await this.writeConfig(next);
      await startHaproxy(this.files);
      this.started = true;
      this.opts.log.info("haproxy started", { dir: this.files.dir });
    } else if (this.rendered?.structure !== next.structure) {
      await this.reload(next);
    } else {
      await this.changeServers(next);
    }
    this.rendered = next;
    writeAtomically(this.files.applied, JSON.stringify(appliedOf(next)));
    this.poller ??= setInterval(() => void this.poll(), this.opts.pollMs ?? 300);
    this.poller.unref();
    await this.poll();
  }

  /** Adopts a HAProxy of this directory left running by an earlier control plane. */
  private async startOrAdopt(): Promise<void> {
    mkdirSync(this.files.dir, { recursive: true });
    if (!existsSync(this.files.serverState)) writeFileSync(this.files.serverState, "");
    if ((await runningMaster(this.files)) === undefined || !existsSync(this.files.applied)) return;
    const applied = JSON.parse(readFileSync(this.files.applied, "utf8")) as Applied;
    const live = await this.liveServers();
    this.rendered = { structure: applied.structure, servers: [], unsupported: [] };
    for (const s of applied.servers) {
      const state = live.get(keyOf(s));
      if (!state) continue;
      const server = { ...s, checked: false, targetGroupId: "", target: { id: "", address: "", port: 0, registeredAt: 0 }, riseMs: 0 };
      this.tracked.set(keyOf(s), { server, since: this.now(), lastBadAt: 0, promoted: state.weight > 0, draining: state.draining });
    }
    this.started = true;
    this.opts.log.info("haproxy adopted", { dir: this.files.dir, servers: this.tracked.size });
  }

  private async reload(next: RenderedConfig): Promise<void> {
    // Servers whose settings changed start over as new ones.
    for (const [key, t] of this.tracked) {
      const wanted = next.servers.find((s) => keyOf(s) === key);
      if (!wanted || wanted.args !== t.server.args) this.tracked.delete(key);
    }
    this.track(next.servers);
    writeFileSync(this.files.serverState, await haproxyCommand(this.files.admin, "show servers state"));
    await this.writeConfig(next);
    await reloadHaproxy(this.files);
    this.opts.log.info("haproxy reloaded", { servers: next.servers.length });
  }

  /** Adds, drains and removes servers through the runtime API. */
  private async changeServers(next: RenderedConfig): Promise<void> {
    const wanted = new Map(next.servers.map((s) => [keyOf(s), s]));
    for (const [key, t] of this.tracked) {
      const s = wanted.get(key);
      if (!s || s.args !== t.server.args) await this.removeServer(key);
    }
    for (const s of next.servers) {
      const key = keyOf(s);
      const t = this.tracked.get(key);
      if (!t) {
        const weight = waitsForChecks(s) ? 0 : FULL_WEIGHT;
        await this.command(
          `add server ${key} ${s.args} weight ${weight}`,
          ...(s.checked ? [`enable health ${key}`] : []),
          `enable server ${key}`,
        );
        this.track([s]);
      } else t.server = s;
      const tracked = this.tracked.get(key)!;
      if (s.target.drainUntil !== undefined && !tracked.draining) {
        await this.command(`set server ${key} state drain`);
        tracked.draining = true;
      } else if (s.target.drainUntil === undefined && tracked.draining) {
        // Registered again while it drained: it takes traffic again (at its weight, once healthy).
        await this.command(`set server ${key} state ready`);
        tracked.draining = false;
      }
    }
    await this.writeConfig(next);
  }

  private async removeServer(key: string): Promise<void> {
    await this.command(`set server ${key} state maint`, `shutdown sessions server ${key}`);
    // Its connections close asynchronously: deleting waits until none is attached.
    for (let attempt = 0; ; attempt++) {
      const answer = await haproxyCommand(this.files.admin, `del server ${key}`);
      if (/deleted/i.test(answer) || /No such server/i.test(answer)) break;
      if (attempt > 100) throw new Error(`haproxy: del server ${key}: ${answer.trim()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    this.tracked.delete(key);
  }

  private track(servers: readonly RenderedServer[]): void {
    const now = this.now();
    for (const s of servers) {
      const key = keyOf(s);
      if (this.tracked.has(key)) {
        this.tracked.get(key)!.server = s;
        continue;
      }
      this.tracked.set(key, {
        server: s,
        since: now,
        lastBadAt: 0,
        promoted: !waitsForChecks(s),
        draining: s.target.drainUntil !== undefined,
      });
    }
  }

  private async writeConfig(next: RenderedConfig): Promise<void> {
    const text = configText(next, (s) => {
      const t = this.tracked.get(keyOf(s));
      return t && t.promoted && !t.draining && s.target.drainUntil === undefined ? FULL_WEIGHT : 0;
    });
    const candidate = `${this.files.config}.next`;
    writeFileSync(candidate, text);
    await checkConfig(candidate);
    renameSync(candidate, this.files.config);
  }

  /** Runs `commands` in order on one connection (a round trip each would dominate adding many servers). */
  private async command(...commands: string[]): Promise<void> {
    const line = commands.join("; ");
    // Success is silent, or says so; anything else is HAProxy's complaint. Answers end in a blank line each.
    const complaints = (await haproxyCommand(this.files.admin, line))
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "" && !/^(New server registered|Server deleted)/.test(l));
    if (complaints.length > 0) throw new Error(`haproxy: ${line}: ${complaints.join(" ")}`);
  }

  private async liveServers(): Promise<Map<string, { weight: number; draining: boolean }>> {
    const answer = await haproxyCommand(this.files.admin, "show servers state");
    const live = new Map<string, { weight: number; draining: boolean }>();
    for (const line of answer.split("\n")) {
      if (line.startsWith("#") || !/^\d+ /.test(line)) continue;
      const f = line.split(" ");
      // be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight …
      live.set(`${f[1]}/${f[3]}`, { weight: Number(f[7]), draining: (Number(f[6]) & 0x18) !== 0 });
    }
    return live;
  }

  /** Reads every server's state: promotes those past their healthy threshold, and reports. */
  private async poll(): Promise<void> {
    if (this.polling || !this.started) return;
    this.polling = true;
    try {
      const rows = parseStat(await haproxyCommand(this.files.admin, "show stat -1 4 -1"), STAT_COLUMNS);
      const now = this.now();
      const observations = new Map<string, ObservedHealth>();
      for (const row of rows) {
        const key = `${row.pxname}/${row.svname}`;
        const t = this.tracked.get(key);
        if (!t || !t.server.checked || !t.server.targetGroupId) continue;
        const stat = { status: row.status, checkStatus: row.check_status, checkCode: row.check_code };
        if (!statusUp(stat.status) || checkFailure(stat.checkStatus, stat.checkCode)) t.lastBadAt = now;
        if (!t.promoted && statusUp(stat.status) && now - Math.max(t.since, t.lastBadAt) >= t.server.riseMs) {
          t.promoted = true;
          if (!t.draining) await this.command(`set server ${key} weight ${FULL_WEIGHT}`);
        }
        const seen = observedOf(stat, t.promoted);
        if (!t.observed || t.observed.status !== seen.status || JSON.stringify(t.observed.failure) !== JSON.stringify(seen.failure)) {
          t.observed = { ...seen, since: now };
        }
        const hk = healthKey(t.server.targetGroupId, t.server.target.id, t.server.target.port);
        const before = observations.get(hk);
        observations.set(hk, before ? better(before, t.observed) : t.observed);
      }
      await this.openFailOpenTwins();
      this.latest = observations;
      this.opts.onObservations?.(observations);
    } catch (err) {
      this.opts.log.warn("haproxy poll failed", { err });
    } finally {
      this.polling = false;
    }
  }

  /** Gives fail-open twins their weight once their checked sibling has been judged (healthy or unhealthy, no longer initial). */
  private async openFailOpenTwins(): Promise<void> {
    for (const [key, t] of this.tracked) {
      if (t.promoted || !t.server.failOpenOf) continue;
      const judged = this.tracked.get(t.server.failOpenOf)?.observed;
      if (!judged || judged.status === "initial") continue;
      t.promoted = true;
      if (!t.draining) await this.command(`set server ${key} weight ${FULL_WEIGHT}`);
    }
  }
}

/** A server that takes no traffic until checks have judged its target: a checked one, or the fail-open twin of one. */
const waitsForChecks = (s: RenderedServer) => s.checked || s.failOpenOf !== undefined;

/** The columns of `show stat` the poll reads (of about a hundred). */
const STAT_COLUMNS = ["pxname", "svname", "status", "check_status", "check_code"] as const;

function appliedOf(rendered: RenderedConfig): Applied {
  return { structure: rendered.structure, servers: rendered.servers.map((s) => ({ backend: s.backend, name: s.name, args: s.args })) };
}

function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.next`, text);
  renameSync(`${path}.next`, path);
}
