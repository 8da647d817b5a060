// The service scheduler's port on the ECS state (src/scheduler/service-port.ts): a service as
// the reconciler reads it — its tasks, and the instances that matter to it — and its plan
// applied: stops, placements and new tasks, and the service's own record, all gathered
// first and then written in one place.
import type { ServiceEvent, TaskDefinition } from "@aws-sdk/client-ecs";
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
import { observeTask, startedTasksMessage, type Plan, type ServiceInstance, type UnplacedTasks } from "../../scheduler/service/index.js";
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
import { stopWrite } from "./task-stops.js";

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
  settings: Pick<ControlPlaneSettings, "agentTimeoutMs">;
}

export class EcsServicePort implements ServicePort {
  constructor(private readonly deps: EcsServicePortDeps) {}

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
    return {
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
      tasks: tasks.map((t) => observeTask(t.task, hasHealthCheck(t.taskDefinition), t.protectedUntil)),
      instances: await serviceInstances(ctx, stored),
      memory: stored.memory,
      unplaced: stored.unplaced,
      ...(isExternal(stored) ? { taskSets: stored.taskSets ?? [] } : {}),
    };
  }

  async apply(scope: Scope, id: string, plan: Plan, now: Date): Promise<AppliedPlan> {
    const ctx = this.at(scope, now);
    const batch = new TaskBatch(ctx);
    // Only starts need the service's launch settings; most runs start nothing.
    const stored = plan.start.length ? await ctx.state.services.get(scope, id) : undefined;
    const unplaced = stored ? await startTasks(ctx, stored, plan, batch) : [];
    const startedArns = batch.records.map((r) => r.doc.task.taskArn!);
    const messages = plan.events.map((e) => e.message);
    if (stored && startedArns.length) messages.push(startedTasksMessage(stored.service.serviceName!, startedArns));
    const events: ServiceEvent[] = messages.map((message) => ({ id: newUuid(), createdAt: now, message }));
    await writePlan(this.deps.store, ctx, {
      stops: plan.stop.map((stop) => ({
        id: idFromRef(stop.taskArn),
        write: stopWrite({ code: "ServiceSchedulerInitiated", reason: stop.reason }, now),
      })),
      newTasks: batch.records,
      service: { id, write: (cur) => cur && afterPlan(cur, plan, startedArns.length, unplaced, events, now) },
    });
    return { started: startedArns.length, unplaced };
  }

  private at(scope: Scope, now: Date): LaunchScope {
    return { scope, state: this.deps.state, hosts: this.deps.hosts, now, options: this.deps.settings };
  }
}

/** Everything a plan writes, gathered before any of it is written. */
interface PlanWrites {
  stops: { id: string; write: (current: StoredTask | undefined) => StoredTask | undefined }[];
  newTasks: readonly { id: string; doc: StoredTask }[];
  service: { id: string; write: (current: StoredService | undefined) => StoredService | undefined };
}

/**
 * The one place a plan reaches the store: the stops, the new tasks and the service's record
 * commit together or not at all (a crash between them cannot leave tasks started that the
 * service's record does not know of); the hosts are told once it has committed.
 */
async function writePlan(store: Store, ctx: LaunchScope, writes: PlanWrites): Promise<void> {
  const { state, scope } = ctx;
  const stopped = await store.transact((tx) => {
    const stops = writes.stops.map((stop) => tx.write(state.tasks, scope, stop.id, stop.write));
    for (const task of writes.newTasks) tx.put(state.tasks, scope, task.id, task.doc);
    tx.write(state.services, scope, writes.service.id, writes.service.write);
    return stops;
  });
  writes.stops.forEach((stop, i) => ctx.hosts.bump(scope, stopped[i]?.hostId, stop.id));
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
