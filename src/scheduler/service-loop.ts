// The service scheduler's outer loop: the one place where services act on the world. For a
// service it reads a snapshot, asks the pure reconciler for a plan, and applies it —
// placing and starting tasks, stopping tasks, writing deployments, events and memory.
import type { ServiceEvent, TaskDefinition } from "@aws-sdk/client-ecs";
import { rootPrincipal } from "../domain/account-settings.js";
import { newUuid } from "../domain/ids.js";
import type { Scope } from "../domain/scope.js";
import { prependEvents } from "../domain/service.js";
import { markStopped, requestStop } from "../domain/task/lifecycle.js";
import { checkInstance } from "./placement/index.js";
import {
  newDeploymentId,
  observeTask,
  reconcile,
  startedTasksMessage,
  type Plan,
  type ServiceInstance,
  type UnplacedTasks,
} from "./service/index.js";
import { taskParent, type EcsState, type StoredService } from "../state/ecs-state.js";
import type { Store } from "../state/store.js";
import type { Logger } from "../log/logger.js";
import type { HostNotifier } from "../services/ecs/agent-channel/notifier.js";
import { agentConnected, clusterInstances, describeInstance } from "../services/ecs/container-instances.js";
import { placementView } from "../services/ecs/placement-boards.js";
import type { ControlPlaneSettings, RequestContext } from "../services/ecs/context.js";
import type { KeyedSerializer } from "../services/ecs/serial.js";
import {
  FARGATE_CAPACITY_UNAVAILABLE,
  checkNetworkConfiguration,
  chooseLaunch,
  createTasks,
  placeOnFargate,
  placeOnInstances,
  type Target,
} from "../services/ecs/run-task.js";
import { findTaskDefinition } from "../services/ecs/task-definitions.js";
import { sameJson } from "../domain/same-json.js";

/** ECS's default for REPLICA services: balance across zones, then across instances. */
const DEFAULT_SPREAD = [
  { type: "spread" as const, field: "attribute:ecs.availability-zone" },
  { type: "spread" as const, field: "instanceId" },
];
const SWEEP_MS = 2_000;
/**
 * After a service is reconciled it waits PACE times as long as observing it took (reading
 * its tasks and instances and planning; applying a plan is work done once) before the next
 * run. Agents report task changes one by one, each poking the service; pacing gathers them
 * into one run and keeps the loop to about a fifth of the CPU however large the service.
 */
const PACE = 4;
/**
 * A service at rest (all its tasks running, nothing to start, stop or roll out) is swept
 * only this often: thousands of idle services must not cost the loop every two seconds.
 * What can disturb it — a task report, an API call, an instance change, a lost host — pokes
 * it at once; the sweep is only the safety net.
 */
const RESTING_SWEEP_MS = 30_000;
/**
 * At most this many services at rest are looked at per second by the sweep: with 12,000
 * idle services, looking at each every 30 s kept 15–19% of a core busy doing nothing. Beyond
 * 3,000 services at rest the safety net's interval grows instead (12,000: every 2 minutes).
 */
const RESTING_SWEEPS_PER_SECOND = 100;
/**
 * When a service at rest is looked at again, spread ±25% so services that came to rest
 * together (thousands created in one go) are not all looked at again in the same second.
 */
function nextRestingSweep(now: number, resting: number): number {
  const interval = Math.max(RESTING_SWEEP_MS, (resting / RESTING_SWEEPS_PER_SECOND) * 1000);
  return now + interval * (0.75 + Math.random() / 2);
}

export interface ServiceLoopDeps {
  store: Store;
  state: EcsState;
  hosts: HostNotifier;
  placementLock: KeyedSerializer;
  settings: ControlPlaneSettings;
  log: Logger;
}

interface Pending {
  scope: Scope;
  id: string;
}

export class ServiceScheduler {
  private readonly dirty = new Map<string, Pending>();
  /** Per service: not to be reconciled again before this time (epoch ms). */
  private readonly notBefore = new Map<string, number>();
  /** Per service at rest: the sweep leaves it alone until this time (epoch ms). */
  private readonly restingUntil = new Map<string, number>();
  private running = false;
  private timer?: NodeJS.Timeout;
  private wakeTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly deps: ServiceLoopDeps) {}

  /** Looks at every service now and then every few seconds: tasks stop and agents vanish unannounced. */
  start(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
    void this.sweep();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.wakeTimer);
  }

  /** Something about this service changed: reconcile it soon. */
  poke(scope: Scope, id: string): void {
    const key = `${scope.accountId}/${scope.region}/${id}`;
    this.restingUntil.delete(key);
    this.dirty.set(key, { scope, id });
    setImmediate(() => void this.drain());
  }

  /** The cluster's instances changed (joined, drained, left, relabelled): every service may care. */
  async pokeCluster(scope: Scope, cluster: string): Promise<void> {
    for (const s of await this.deps.state.services.list(scope, { parent: cluster })) {
      if (s.service.status !== "INACTIVE") this.poke(scope, `${cluster}/${s.service.serviceName}`);
    }
  }

  private async sweep(): Promise<void> {
    const now = Date.now();
    for (const [key, at] of this.notBefore) if (at <= now) this.notBefore.delete(key);
    for (const [key, at] of this.restingUntil) if (at <= now) this.restingUntil.delete(key);
    // From the in-memory ids, not the documents: thousands of services at rest cost the
    // sweep a set walk, not a read and decode of every service every two seconds.
    for (const scope of await this.deps.store.scopes()) {
      for (const id of await this.deps.state.serviceIds.state(scope)) {
        const key = `${scope.accountId}/${scope.region}/${id}`;
        if (!this.restingUntil.has(key)) this.dirty.set(key, { scope, id });
      }
    }
    await this.drain();
  }

  private async drain(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      for (let next = this.nextReady(); next && !this.stopped; next = this.nextReady()) {
        const [key, item] = next;
        this.dirty.delete(key);
        let outcome = { observeMs: 0, resting: false };
        try {
          outcome = await this.deps.placementLock.run(`${item.scope.accountId}/${item.scope.region}`, () => this.reconcileOne(item.scope, item.id));
        } catch (err) {
          this.deps.log.error("service reconciliation failed", { service: item.id, err });
        }
        this.notBefore.set(key, Date.now() + PACE * outcome.observeMs);
        if (outcome.resting && !this.dirty.has(key)) this.restingUntil.set(key, nextRestingSweep(Date.now(), this.restingUntil.size));
        // The store answers synchronously, so without this a busy loop would keep requests out.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      this.running = false;
    }
  }

  /** The first dirty service whose pause is over; if all are paused, a wake-up for the first. */
  private nextReady(): [string, Pending] | undefined {
    const now = Date.now();
    let wait = Infinity;
    for (const entry of this.dirty) {
      const at = this.notBefore.get(entry[0]) ?? 0;
      if (at <= now) return entry;
      wait = Math.min(wait, at - now);
    }
    if (wait < Infinity) {
      clearTimeout(this.wakeTimer);
      this.wakeTimer = setTimeout(() => {
        this.wakeTimer = undefined;
        void this.drain();
      }, wait);
      this.wakeTimer.unref();
    }
    return undefined;
  }

  private context(scope: Scope): RequestContext {
    const d = this.deps;
    return {
      scope,
      principalArn: rootPrincipal(scope.accountId),
      now: new Date(),
      state: d.state,
      hosts: d.hosts,
      placementLock: d.placementLock,
      endpoint: "",
      options: d.settings,
      scheduler: this,
    };
  }

  /** Reconciles one service; returns how long observing and planning took (ms), and whether it is at rest. */
  private async reconcileOne(scope: Scope, id: string): Promise<{ observeMs: number; resting: boolean }> {
    const started = performance.now();
    const ctx = this.context(scope);
    const stored = await ctx.state.services.get(scope, id);
    if (!stored || stored.service.status === "INACTIVE") return { observeMs: 0, resting: false };
    const { service } = stored;
    const name = service.serviceName!;
    const createdAt = service.createdAt!.getTime();
    const tasks = (await ctx.state.tasks.list(scope, { parent: taskParent(stored.cluster, `service:${name}`) })).filter(
      (t) => t.task.createdAt!.getTime() >= createdAt,
    );
    const instances = await this.instances(ctx, stored);
    const plan = reconcile({
      service: {
        serviceName: name,
        serviceArn: service.serviceArn!,
        status: service.status as "ACTIVE" | "DRAINING",
        desiredCount: service.desiredCount ?? 0,
        schedulingStrategy: service.schedulingStrategy === "DAEMON" ? "DAEMON" : "REPLICA",
        deploymentConfiguration: service.deploymentConfiguration,
        healthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds,
      },
      deployments: stored.deployments,
      tasks: tasks.map((t) => observeTask(t.task, hasHealthCheck(t.taskDefinition))),
      instances,
      memory: stored.memory,
      now: ctx.now,
      nextDeploymentId: newDeploymentId(Math.random),
      unplaced: stored.unplaced,
    });
    const observeMs = performance.now() - started;
    await this.applyStops(ctx, plan);
    const { startedArns, unplaced } = await this.applyStarts(ctx, stored, plan);
    const messages = [...plan.events.map((e) => e.message)];
    if (startedArns.length) messages.push(startedTasksMessage(name, startedArns));
    const events: ServiceEvent[] = messages.map((message) => ({ id: newUuid(), createdAt: ctx.now, message }));
    await ctx.state.services.write(scope, id, (cur) => {
      if (!cur) return undefined;
      const primary = plan.deployments.find((d) => d.status === "PRIMARY");
      const next: StoredService = {
        ...cur,
        deployments: plan.deployments.filter((d) => d.status !== "INACTIVE"),
        memory: plan.memory,
        unplaced,
        ...(plan.wakeAt ? { wakeAt: plan.wakeAt.getTime() } : { wakeAt: undefined }),
        service: {
          ...cur.service,
          status: plan.serviceStatus ?? cur.service.status,
          desiredCount: plan.desiredCount,
          runningCount: plan.runningCount,
          pendingCount: plan.pendingCount + startedArns.length,
          ...(primary ? { taskDefinition: primary.taskDefinition } : {}),
          events: prependEvents(cur.service.events ?? [], events),
        },
      };
      // A service at rest is looked at every sweep; most runs change nothing worth a write.
      return sameJson(next, cur) ? undefined : next;
    });
    if (startedArns.length || plan.stop.length) this.poke(scope, id);
    if (plan.wakeAt) {
      const delay = Math.max(0, plan.wakeAt.getTime() - Date.now());
      setTimeout(() => this.poke(scope, id), Math.min(delay, 2 ** 31 - 1)).unref();
    }
    const live = plan.deployments.filter((d) => d.status !== "INACTIVE");
    const resting = !plan.start.length && !plan.stop.length && !plan.events.length && !unplaced.length &&
      plan.pendingCount === 0 && plan.runningCount === plan.desiredCount &&
      live.length === 1 && live[0]!.rolloutState !== "IN_PROGRESS" &&
      (!plan.wakeAt || plan.wakeAt.getTime() - Date.now() > RESTING_SWEEP_MS);
    return { observeMs, resting };
  }

  private async instances(ctx: RequestContext, stored: StoredService): Promise<ServiceInstance[]> {
    const daemon = stored.service.schedulingStrategy === "DAEMON";
    if (!daemon) {
      // REPLICA needs only the DRAINING instances (their tasks are replaced); the rest is placement's business.
      const hosts = await ctx.state.instances.list(ctx.scope, { parent: stored.cluster, status: "DRAINING" });
      return hosts.map((h) => ({
        arn: h.instance.containerInstanceArn!,
        status: h.instance.status as ServiceInstance["status"],
        agentConnected: agentConnected(ctx, h),
        eligible: true,
      }));
    }
    const found = await clusterInstances(ctx, stored.cluster);
    const td = (await findTaskDefinition(ctx, stored.service.taskDefinition!))?.taskDefinition;
    const out: ServiceInstance[] = [];
    for (const { stored: inst, usage } of found) {
      if (inst.instance.status === "INACTIVE") continue;
      const view = await describeInstance(ctx, inst, usage);
      let eligible = true;
      if (td) {
        // Eligible: the constraints and attributes fit; resources are the daemon's own business.
        const problem = checkInstance({ ...placementView(inst.instance, usage, view.agentConnected ?? false), remaining: { cpu: 1e9, memory: 1e9, ports: [], portsUdp: [] } }, {
          count: 1,
          needs: {
            cpu: 0, memory: 0, hostPorts: [],
            requiresAttributes: (td.requiresAttributes ?? []).map((a) => ({ name: a.name!, ...(a.value ? { value: a.value } : {}) })),
            group: `service:${stored.service.serviceName}`, family: td.family!,
          },
          strategy: [],
          constraints: [...(td.placementConstraints ?? []), ...(stored.service.placementConstraints ?? [])]
            .filter((c) => c.type === "memberOf")
            .map((c) => ({ type: "memberOf" as const, expression: c.expression! })),
        });
        eligible = problem === undefined || problem === "AGENT";
      }
      out.push({ arn: view.containerInstanceArn!, status: view.status as ServiceInstance["status"], agentConnected: view.agentConnected ?? false, eligible });
    }
    return out;
  }

  private async applyStops(ctx: RequestContext, plan: Plan): Promise<void> {
    for (const stop of plan.stop) {
      const id = stop.taskArn.split("/").pop()!;
      const updated = await ctx.state.tasks.write(ctx.scope, id, (cur) => {
        if (!cur) return undefined;
        let task = requestStop(cur.task, "ServiceSchedulerInitiated", stop.reason, ctx.now);
        if (!cur.hostId) task = markStopped(task, ctx.now);
        return task === cur.task ? undefined : { ...cur, task };
      });
      ctx.hosts.bump(ctx.scope, updated?.hostId, id);
    }
  }

  private async applyStarts(ctx: RequestContext, stored: StoredService, plan: Plan): Promise<{ startedArns: string[]; unplaced: UnplacedTasks[] }> {
    const { service } = stored;
    const cluster = await ctx.state.clusters.get(ctx.scope, stored.cluster);
    const startedArns: string[] = [];
    const unplaced: UnplacedTasks[] = [];
    for (const start of plan.start) {
      const definition = await findTaskDefinition(ctx, start.taskDefinition);
      if (!definition) continue;
      const td: TaskDefinition = definition.taskDefinition;
      const deployment = plan.deployments.find((d) => d.id === start.deploymentId);
      const launch = chooseLaunch({ launchType: service.launchType, capacityProviderStrategy: service.capacityProviderStrategy }, cluster?.defaultCapacityProviderStrategy ?? []);
      let targets: Target[] = [];
      if (launch.launchType === "FARGATE") {
        targets = await placeOnFargate(ctx, start.count);
        if (targets.length < start.count) {
          unplaced.push({ deploymentId: start.deploymentId, count: start.count - targets.length, failures: [{ arn: "", reason: FARGATE_CAPACITY_UNAVAILABLE as never }], noContainerInstances: false });
        }
      } else if (start.instanceArn) {
        const host = await ctx.state.instances.get(ctx.scope, start.instanceArn.split("/").pop()!);
        if (host && host.instance.status === "ACTIVE") {
          targets = [{ host, availabilityZone: host.instance.attributes?.find((a) => a.name === "ecs.availability-zone")?.value ?? "" }];
        }
      } else {
        const outcome = await placeOnInstances(ctx, stored.cluster, td, {
          group: `service:${service.serviceName}`,
          placementStrategy: service.placementStrategy?.length ? service.placementStrategy : DEFAULT_SPREAD,
          placementConstraints: service.placementConstraints,
        }, start.count);
        targets = outcome.targets;
        if (targets.length < start.count) {
          unplaced.push({ deploymentId: start.deploymentId, count: start.count - targets.length, failures: outcome.failures, noContainerInstances: outcome.noContainerInstances });
        }
      }
      if (!targets.length) continue;
      const network = deployment?.networkConfiguration ?? service.networkConfiguration;
      const tags = service.propagateTags === "SERVICE" ? service.tags : service.propagateTags === "TASK_DEFINITION" ? definition.tags : [];
      const created = await createTasks(ctx, {
        cluster: stored.cluster,
        td,
        launch,
        subnetId: checkNetworkConfiguration(td, network),
        group: `service:${service.serviceName}`,
        startedBy: start.deploymentId,
        tags,
        platformVersion: service.platformVersion,
        enableExecuteCommand: service.enableExecuteCommand,
      }, targets);
      startedArns.push(...created.map((t) => t.taskArn!));
    }
    return { startedArns, unplaced };
  }
}

function hasHealthCheck(td: TaskDefinition): boolean {
  return (td.containerDefinitions ?? []).some((c) => c.essential !== false && c.healthCheck);
}
