// The service scheduler's port on the ECS state (src/scheduler/service-port.ts): a service as
// the reconciler reads it — its tasks, and the instances that matter to it — and its plan
// applied: stops, placements and new tasks, and the service's own record, all gathered
// first and then written in one place.
import type { LoadBalancer, ServiceEvent, TaskDefinition } from "@aws-sdk/client-ecs";
import { idFromRef } from "../../domain/arn.js";
import { availabilityZoneOf } from "../../domain/container-instance.js";
import { newUuid } from "../../domain/ids.js";
import { sameJson } from "../../domain/same-json.js";
import { scopeKey, type Scope } from "../../domain/scope.js";
import { prependEvents } from "../../domain/service.js";
import { followDeployments } from "../../domain/service-history.js";
import { rollBack } from "./deployment-rollback.js";
import { chooseLaunch, serviceTaskTags } from "../../domain/task/launch-rules.js";
import { EcsError } from "../../domain/errors.js";
import type { AwsvpcPlacement } from "../../domain/task/awsvpc.js";
import { awsvpcPlacement } from "./awsvpc.js";
import { checkInstance } from "../../scheduler/placement/index.js";
import {
  deregisteredTargetsMessage,
  drainingMessage,
  registeredTargetsMessage,
  observeTask,
  startedTasksMessage,
  type Plan,
  type ServiceInstance,
  type UnplacedTasks,
} from "../../scheduler/service/index.js";
import type { AppliedPlan, ServicePort, ServiceSnapshot } from "../../scheduler/service-port.js";
import { taskParent, type EcsState, type StoredService, type StoredTask } from "../../state/ecs-state.js";
import { isExternal, mergeTaskSetCounts } from "../../domain/task-set.js";
import type { Store } from "../../state/store.js";
import type { HostNotifier } from "./agent-channel/notifier.js";
import { agentConnected, clusterInstances, describeInstance } from "./container-instances.js";
import type { ControlPlaneSettings, LaunchScope, ScopedState } from "./context.js";
import {
  FARGATE_CAPACITY_UNAVAILABLE,
  TaskBatch,
  announceTasks,
  placeOnFargate,
  placeOnInstances,
  requiredAttributes,
  type Target,
} from "./launch.js";
import { placementView } from "./placement-boards.js";
import type { KeyedSerializer } from "../../keyed-serializer.js";
import { findTaskDefinition } from "./task-definitions.js";
import { stopInTransaction } from "./task-stops.js";
import { groupsOf, registerInTransaction, registrationOf, targetsView, type Registration } from "./load-balancing.js";
import type { TargetHealthBoard } from "../../domain/elbv2/target-health.js";
import type { StopOrder } from "../../domain/task/lifecycle.js";
import { releasedFromDraining } from "../../domain/task/load-balancing.js";
import { trafficWrites, writeTraffic, type TrafficWrite } from "./traffic-rules.js";

/** ECS's default for REPLICA services: balance across zones, then across instances. */
const DEFAULT_SPREAD = [
  { type: "spread" as const, field: "attribute:ecs.availability-zone" },
  { type: "spread" as const, field: "instanceId" },
];

export interface EcsServicePortDeps {
  store: Store;
  state: EcsState;
  hosts: HostNotifier;
  /** The lock RunTask, StartTask and the service handlers take: one placement at a time per scope. */
  placementLock: KeyedSerializer;
  settings: Pick<ControlPlaneSettings, "agentTimeoutMs" | "hostPortBindIp">;
  /** What the load balancers' health checks observe; absent, registered targets stay initial. */
  targetHealth?: TargetHealthBoard;
}

export class EcsServicePort implements ServicePort {
  /** Per health key, the services whose tasks it judged when last read: a change of it pokes them. */
  private readonly watching = new Map<string, { scope: Scope; id: string }>();

  constructor(private readonly deps: EcsServicePortDeps) {}

  /** The service (scope and id) whose task a target health key belongs to, as of its last read. */
  serviceWatching(key: string): { scope: Scope; id: string } | undefined {
    return this.watching.get(key);
  }

  scopes(): Promise<Scope[]> {
    return this.deps.store.scopes();
  }

  serviceIds(scope: Scope): Promise<Iterable<string>> {
    return this.deps.state.serviceIds.state(scope);
  }

  exclusive<T>(scope: Scope, section: () => Promise<T>): Promise<T> {
    return this.deps.placementLock.run(scopeKey(scope), section);
  }

  async read(scope: Scope, id: string, now: Date): Promise<ServiceSnapshot | undefined> {
    const ctx = this.at(scope, now);
    const stored = await ctx.state.services.get(scope, id);
    if (!stored || stored.service.status === "INACTIVE") return undefined;
    const { service } = stored;
    const name = service.serviceName!;
    const createdAt = service.createdAt!.getTime();
    const tasks = (await ctx.state.tasks.list(scope, { parent: taskParent(stored.cluster, `service:${name}`) })).filter(
      (t) => t.task.createdAt!.getTime() >= createdAt,
    );
    const loadBalanced = [service.loadBalancers ?? [], ...(stored.taskSets ?? []).map((set) => set.loadBalancers ?? [])].some((lbs) =>
      lbs.some((lb) => lb.targetGroupArn),
    );
    const groups = await groupsOf(ctx.state, scope, tasks);
    const keys: string[] = [];
    const observed = tasks.map((t) =>
      observeTask(
        t.task,
        hasHealthCheck(t.taskDefinition),
        t.protectedUntil,
        targetsView(t, loadBalanced, groups, this.deps.targetHealth, keys),
      ),
    );
    for (const key of keys) this.watching.set(key, { scope, id });
    return {
      service: {
        serviceName: name,
        serviceArn: service.serviceArn!,
        status: service.status as "ACTIVE" | "DRAINING",
        desiredCount: service.desiredCount ?? 0,
        schedulingStrategy: service.schedulingStrategy === "DAEMON" ? "DAEMON" : "REPLICA",
        deploymentConfiguration: service.deploymentConfiguration,
        healthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds,
        ...(loadBalanced ? { loadBalanced } : {}),
        ...(service.loadBalancers?.length ? { loadBalancers: service.loadBalancers } : {}),
      },
      deployments: stored.deployments,
      tasks: observed,
      instances: await serviceInstances(ctx, stored),
      memory: stored.memory,
      unplaced: stored.unplaced,
      ...(isExternal(stored) ? { taskSets: stored.taskSets ?? [] } : {}),
    };
  }

  async apply(scope: Scope, id: string, plan: Plan, now: Date): Promise<AppliedPlan> {
    const ctx = this.at(scope, now);
    const batch = new TaskBatch(ctx);
    // Only starts and registrations need the service's settings; most runs do neither.
    const stored = plan.start.length || plan.register?.length ? await ctx.state.services.get(scope, id) : undefined;
    const unplaced = stored && plan.start.length ? await startTasks(ctx, stored, plan, batch) : [];
    const registrations = stored && plan.register?.length ? await registrationsFor(ctx, stored, plan.register, this.deps.settings) : [];
    const traffic = plan.traffic?.length ? await trafficWrites(ctx.state, scope, plan.traffic) : [];
    const startedArns = batch.records.map((r) => r.doc.task.taskArn!);
    const messages = plan.events.map((e) => e.message);
    if (stored && startedArns.length) messages.push(startedTasksMessage(stored.service.serviceName!, startedArns));
    const events: ServiceEvent[] = messages.map((message) => ({ id: newUuid(), createdAt: now, message }));
    await writePlan(this.deps.store, ctx, {
      stops: plan.stop.map((stop) => ({ id: idFromRef(stop.taskArn), order: { code: "ServiceSchedulerInitiated", reason: stop.reason } })),
      newTasks: batch.records,
      registrations,
      traffic,
      releases: (plan.release ?? []).map(idFromRef),
      service: {
        id,
        // The target events are known only once the transaction has registered and deregistered.
        write: (cur, targetEvents) =>
          cur &&
          afterPlan(
            cur,
            plan,
            startedArns.length,
            unplaced,
            [
              ...events,
              ...targetEventsOf(cur.service.serviceName!, targetEvents).map((message) => ({ id: newUuid(), createdAt: now, message })),
            ],
            now,
          ),
      },
    });
    return { started: startedArns.length, unplaced, registered: registrations.length };
  }

  private at(scope: Scope, now: Date): LaunchScope {
    return { scope, state: this.deps.state, hosts: this.deps.hosts, now, options: this.deps.settings };
  }
}

/** Everything a plan writes, gathered before any of it is written. */
interface PlanWrites {
  stops: { id: string; order: StopOrder }[];
  newTasks: readonly { id: string; doc: StoredTask }[];
  /** RUNNING tasks to register in their target groups. */
  registrations: readonly Registration[];
  /** Blue/green (linear, canary): the forward weights of the service's listener rules. */
  traffic: readonly TrafficWrite[];
  /** Tasks whose targets have drained: their stops now reach their agents. */
  releases: readonly string[];
  service: { id: string; write: (current: StoredService | undefined, targets: TargetEvents) => StoredService | undefined };
}

/** What the transaction did to target groups: per group ARN, targets registered and deregistered; tasks set draining. */
interface TargetEvents {
  registered: Map<string, number>;
  deregistered: Map<string, number>;
  draining: number;
}

function targetEventsOf(serviceName: string, events: TargetEvents): string[] {
  return [
    ...(events.draining ? [drainingMessage(serviceName, events.draining)] : []),
    ...[...events.deregistered].map(([arn, n]) => deregisteredTargetsMessage(serviceName, n, arn)),
    ...[...events.registered].map(([arn, n]) => registeredTargetsMessage(serviceName, n, arn)),
  ];
}

/**
 * The one place a plan reaches the store: the stops, the new tasks and the service's record
 * commit together or not at all (a crash between them cannot leave tasks started that the
 * service's record does not know of); the hosts are told once it has committed.
 */
async function writePlan(store: Store, ctx: LaunchScope, writes: PlanWrites): Promise<void> {
  const { state, scope } = ctx;
  const now = ctx.now;
  const { stopped, released } = await store.transact((tx) => {
    const targets: TargetEvents = { registered: new Map(), deregistered: new Map(), draining: 0 };
    const count = (map: Map<string, number>, arn: string) => map.set(arn, (map.get(arn) ?? 0) + 1);
    const stopped = writes.stops.map((stop) => {
      const done = stopInTransaction(tx, state, scope, stop.id, stop.order, now);
      for (const t of done.deregistered) count(targets.deregistered, t.targetGroupArn);
      if (done.deregistered.length) targets.draining += 1;
      return done.task;
    });
    for (const task of writes.newTasks) tx.put(state.tasks, scope, task.id, task.doc);
    for (const reg of writes.registrations)
      for (const arn of registerInTransaction(tx, state, scope, reg, now)) count(targets.registered, arn);
    writeTraffic(tx, state, scope, writes.traffic);
    const released = writes.releases.map((id) => tx.write(state.tasks, scope, id, (cur) => cur && releasedFromDraining(cur)));
    tx.write(state.services, scope, writes.service.id, (cur) => writes.service.write(cur, targets));
    return { stopped, released };
  });
  writes.stops.forEach((stop, i) => ctx.hosts.bump(scope, stopped[i]?.hostId, stop.id));
  writes.releases.forEach((id, i) => ctx.hosts.bump(scope, released[i]?.hostId, id));
  announceTasks(ctx, writes.newTasks);
}

/** The service's record after `plan` and `started` new tasks; undefined when nothing worth a write changed. */
function afterPlan(
  cur: StoredService,
  plan: Plan,
  started: number,
  unplaced: UnplacedTasks[],
  events: ServiceEvent[],
  now: Date,
): StoredService | undefined {
  const primary = plan.deployments.find((d) => d.status === "PRIMARY");
  const next: StoredService = {
    ...cur,
    // The service deployments follow the rollouts this plan records.
    ...(cur.history ? { history: followDeployments(cur.history, plan.deployments, now) } : {}),
    deployments: plan.deployments.filter((d) => d.status !== "INACTIVE"),
    memory: plan.memory,
    unplaced,
    ...(plan.wakeAt ? { wakeAt: plan.wakeAt.getTime() } : { wakeAt: undefined }),
    service: {
      ...cur.service,
      status: plan.serviceStatus ?? cur.service.status,
      desiredCount: plan.desiredCount,
      runningCount: plan.runningCount,
      pendingCount: plan.pendingCount + started,
      ...(primary ? { taskDefinition: primary.taskDefinition } : {}),
      events: prependEvents(cur.service.events ?? [], events),
    },
    // The sets as the handlers left them may have changed since `read`: only counts and stability come from the plan.
    ...(plan.taskSets ? { taskSets: mergeTaskSetCounts(cur.taskSets ?? [], plan.taskSets) } : {}),
  };
  // A PAUSE hook timed out with the ROLLBACK action: roll its deployment back as StopServiceDeployment does.
  const timedOut =
    plan.hookRollback && next.history?.deployments.find((e) => e.deploymentId === plan.hookRollback && e.status === "IN_PROGRESS");
  const rolledBack = timedOut && next.service.status === "ACTIVE" ? rollBack(next, timedOut, now) : undefined;
  if (rolledBack) return rolledBack;
  // A service at rest is looked at every sweep; most runs change nothing worth a write.
  return sameJson(next, cur) ? undefined : next;
}

/** Places and builds the tasks `plan` starts into `batch`; returns what could not be placed. */
async function startTasks(ctx: LaunchScope, stored: StoredService, plan: Plan, batch: TaskBatch): Promise<UnplacedTasks[]> {
  const { service } = stored;
  const cluster = await ctx.state.clusters.get(ctx.scope, stored.cluster);
  const unplaced: UnplacedTasks[] = [];
  for (const start of plan.start) {
    const definition = await findTaskDefinition(ctx, start.taskDefinition);
    if (!definition) continue;
    const td: TaskDefinition = definition.taskDefinition;
    const deployment = plan.deployments.find((d) => d.id === start.deploymentId);
    // A task set's tasks launch as the set says; a deployment's as the service does.
    const taskSet = stored.taskSets?.find((s) => s.id === start.deploymentId);
    const launch = chooseLaunch(
      taskSet ?? { launchType: service.launchType, capacityProviderStrategy: service.capacityProviderStrategy },
      cluster?.defaultCapacityProviderStrategy ?? [],
    );
    const network = taskSet ? taskSet.networkConfiguration : (deployment?.networkConfiguration ?? service.networkConfiguration);
    let awsvpc: AwsvpcPlacement | undefined;
    try {
      awsvpc = await awsvpcPlacement(ctx, td, network, launch.launchType);
    } catch (err) {
      // A subnet or group deleted since the service was made: the tasks wait, as on ECS, with the reason in the events.
      if (!(err instanceof EcsError)) throw err;
      unplaced.push({
        deploymentId: start.deploymentId,
        count: start.count,
        failures: [{ arn: "", reason: err.message as never }],
        noContainerInstances: false,
      });
      continue;
    }
    let targets: Target[] = [];
    if (launch.launchType === "FARGATE") {
      targets = await placeOnFargate(ctx, start.count);
      if (targets.length < start.count) {
        unplaced.push({
          deploymentId: start.deploymentId,
          count: start.count - targets.length,
          failures: [{ arn: "", reason: FARGATE_CAPACITY_UNAVAILABLE as never }],
          noContainerInstances: false,
        });
      }
    } else if (start.instanceArn) {
      const host = await ctx.state.instances.get(ctx.scope, idFromRef(start.instanceArn));
      if (host && host.instance.status === "ACTIVE") targets = [{ host, availabilityZone: availabilityZoneOf(host.instance) }];
    } else {
      const outcome = await placeOnInstances(
        ctx,
        stored.cluster,
        td,
        {
          group: `service:${service.serviceName}`,
          awsvpc,
          placementStrategy: service.placementStrategy?.length ? service.placementStrategy : DEFAULT_SPREAD,
          placementConstraints: service.placementConstraints,
        },
        start.count,
      );
      targets = outcome.targets;
      if (targets.length < start.count) {
        unplaced.push({
          deploymentId: start.deploymentId,
          count: start.count - targets.length,
          failures: outcome.failures,
          noContainerInstances: outcome.noContainerInstances,
        });
      }
    }
    if (!targets.length) continue;
    await batch.add(
      {
        cluster: stored.cluster,
        td,
        launch,
        awsvpc,
        group: `service:${service.serviceName}`,
        startedBy: start.deploymentId,
        tags: serviceTaskTags(service, definition.tags, stored.cluster),
        platformVersion: taskSet ? taskSet.platformVersion : service.platformVersion,
        enableExecuteCommand: service.enableExecuteCommand,
      },
      targets,
    );
  }
  return unplaced;
}

/** The targets of the RUNNING tasks `taskArns` for their deployment's (or task set's) load balancers. */
async function registrationsFor(
  ctx: LaunchScope,
  stored: StoredService,
  taskArns: readonly string[],
  settings: Pick<ControlPlaneSettings, "hostPortBindIp">,
): Promise<Registration[]> {
  const docs = await ctx.state.tasks.getMany(ctx.scope, taskArns.map(idFromRef));
  const out: Registration[] = [];
  for (const doc of docs.values()) {
    const set = stored.taskSets?.find((s) => s.id === doc.task.startedBy);
    const lbs = set ? (set.loadBalancers ?? []) : deploymentLoadBalancers(stored, doc.task.startedBy);
    const host = !doc.network && doc.hostId ? await ctx.state.instances.get(ctx.scope, doc.hostId) : undefined;
    const reg = registrationOf(doc, lbs, { ec2InstanceId: host?.instance.ec2InstanceId, hostPortBindIp: settings.hostPortBindIp });
    if (reg?.targets.length) out.push(reg);
  }
  return out;
}

/**
 * The service's load balancers as a deployment's tasks register in them: blue/green (linear,
 * canary) deployments each have their own target group of each pair.
 */
function deploymentLoadBalancers(stored: StoredService, deploymentId: string | undefined): LoadBalancer[] {
  const lbs = stored.service.loadBalancers ?? [];
  const groups = stored.deployments.find((d) => d.id === deploymentId)?.targetGroupArns;
  return groups ? lbs.map((lb, i) => (groups[i] ? { ...lb, targetGroupArn: groups[i] } : lb)) : lbs;
}

/** The instances the reconciler looks at: for DAEMON every one and whether it belongs; for REPLICA those DRAINING. */
async function serviceInstances(ctx: ScopedState, stored: StoredService): Promise<ServiceInstance[]> {
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
      const problem = checkInstance(
        {
          ...placementView(inst.instance, usage, view.agentConnected ?? false),
          remaining: { cpu: 1e9, memory: 1e9, ports: [], portsUdp: [] },
        },
        {
          count: 1,
          needs: {
            cpu: 0,
            memory: 0,
            hostPorts: [],
            requiresAttributes: requiredAttributes(td),
            group: `service:${stored.service.serviceName}`,
            family: td.family!,
          },
          strategy: [],
          constraints: [...(td.placementConstraints ?? []), ...(stored.service.placementConstraints ?? [])]
            .filter((c) => c.type === "memberOf")
            .map((c) => ({ type: "memberOf" as const, expression: c.expression! })),
        },
      );
      eligible = problem === undefined || problem === "AGENT";
    }
    out.push({
      arn: view.containerInstanceArn!,
      status: view.status as ServiceInstance["status"],
      agentConnected: view.agentConnected ?? false,
      eligible,
    });
  }
  return out;
}

function hasHealthCheck(td: TaskDefinition): boolean {
  return (td.containerDefinitions ?? []).some((c) => c.essential !== false && c.healthCheck);
}
