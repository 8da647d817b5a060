// Service revisions and service deployments ("View service history using Amazon ECS service
// deployments", "Amazon ECS service revisions"): what a service looked like at each
// CreateService/UpdateService that started a deployment, and how each of those rollouts went.
// Their states are not a second state machine: they follow the deployment records the
// reconciler keeps (`followDeployments`), so a SUCCESSFUL service deployment is a COMPLETED
// deployment, a circuit-breaker rollback is its rollback deployment, and so on.
import type {
  DeploymentConfiguration,
  LoadBalancer,
  Service,
  ServiceDeploymentStatus,
  ServiceRevision,
  ServiceVolumeConfiguration,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { DeploymentRecord } from "./deployment.js";
import type { DeploymentLifecycle } from "./lifecycle-hooks.js";

/** ECS keeps 90 days of history; berth keeps the newest deployments of each service, up to this many. */
export const MAX_SERVICE_DEPLOYMENTS = 50;

/** A revision as stored: the ServiceRevision without its ARNs (they follow from the service), keyed by `id`. */
export interface StoredRevision extends Omit<ServiceRevision, "serviceRevisionArn" | "serviceArn" | "clusterArn"> {
  /** The digits of the deployment id ("ecs-svc/<digits>") of the deployment that introduced it, as ECS numbers them. */
  id: string;
}

export interface RevisionCounts {
  revisionId: string;
  /** The deployment record whose tasks run this revision (its counts are the revision's). */
  deploymentId: string;
  requested: number;
  running: number;
  pending: number;
}

export interface StoredServiceDeployment {
  /** 21 letters and digits, as ECS writes them. */
  id: string;
  /** The deployment record it rolls out. */
  deploymentId: string;
  status: ServiceDeploymentStatus;
  statusReason?: string;
  target: RevisionCounts;
  sources: RevisionCounts[];
  deploymentConfiguration: DeploymentConfiguration;
  /** Failures the circuit breaker counted, and whether it tripped. */
  failureCount: number;
  breakerTripped: boolean;
  createdAt: Date;
  startedAt: Date;
  updatedAt: Date;
  finishedAt?: Date;
  stoppedAt?: Date;
  rollback?: { reason: string; startedAt: Date; revisionId: string; deploymentId: string };
  /** The lifecycle stage and PAUSE hooks of the deployment record it rolls out (followed from it). */
  lifecycle?: DeploymentLifecycle;
}

/** What a service document keeps of its history; newest deployment first. */
export interface ServiceHistory {
  revisions: StoredRevision[];
  deployments: StoredServiceDeployment[];
}

export const emptyHistory = (): ServiceHistory => ({ revisions: [], deployments: [] });

const ONGOING: ReadonlySet<ServiceDeploymentStatus> = new Set([
  "PENDING",
  "IN_PROGRESS",
  "STOP_REQUESTED",
  "ROLLBACK_REQUESTED",
  "ROLLBACK_IN_PROGRESS",
]);
export const isOngoing = (status: ServiceDeploymentStatus | undefined) => status !== undefined && ONGOING.has(status);

export const revisionIdOf = (deploymentId: string) => deploymentId.slice(deploymentId.indexOf("/") + 1);

const SUPERSEDED_REASON = "Service deployment stopped because a newer service deployment started.";
const STOPPED_BY_USER_REASON = "Service deployment rolled back because of a stop request.";
const CIRCUIT_BREAKER_ROLLBACK_REASON = "Service deployment rolled back because the circuit breaker threshold was exceeded.";

/** The revision a deployment record of `service` introduces (CreateService, or an UpdateService that starts a deployment). */
function revisionOf(
  service: Service,
  deployment: DeploymentRecord,
  td: TaskDefinition,
  volumeConfigurations: readonly ServiceVolumeConfiguration[] | undefined,
): StoredRevision {
  return {
    id: revisionIdOf(deployment.id),
    taskDefinition: deployment.taskDefinition,
    ...(service.capacityProviderStrategy?.length ? { capacityProviderStrategy: service.capacityProviderStrategy } : {}),
    ...(service.launchType ? { launchType: service.launchType } : {}),
    ...(service.platformVersion ? { platformVersion: service.platformVersion, platformFamily: service.platformFamily } : {}),
    loadBalancers: service.loadBalancers ?? [],
    serviceRegistries: service.serviceRegistries ?? [],
    ...(deployment.networkConfiguration ? { networkConfiguration: deployment.networkConfiguration } : {}),
    containerImages: (td.containerDefinitions ?? []).map((c) => ({ containerName: c.name, image: c.image })),
    guardDutyEnabled: false,
    serviceConnectConfiguration: { enabled: false },
    ...(volumeConfigurations?.length ? { volumeConfigurations: [...volumeConfigurations] } : {}),
    ...resolvedOf(service.loadBalancers ?? [], deployment.targetGroupArns),
    createdAt: deployment.createdAt,
  };
}

/**
 * A revision's resolvedConfiguration: the target group its tasks serve from behind each load
 * balancer (blue/green: the one of the pair its deployment was given), with the production rule.
 */
function resolvedOf(
  lbs: readonly LoadBalancer[],
  targetGroupArns: readonly string[] | undefined,
): Pick<StoredRevision, "resolvedConfiguration"> {
  const resolved = lbs
    .map((lb, i) => ({
      targetGroupArn: targetGroupArns?.[i] ?? lb.targetGroupArn,
      ...(lb.advancedConfiguration?.productionListenerRule
        ? { productionListenerRule: lb.advancedConfiguration.productionListenerRule }
        : {}),
    }))
    .filter((lb) => lb.targetGroupArn !== undefined);
  return resolved.length ? { resolvedConfiguration: { loadBalancers: resolved } } : {};
}

const countsOf = (revisionId: string, d: DeploymentRecord): RevisionCounts => ({
  revisionId,
  deploymentId: d.id,
  requested: d.desiredCount,
  running: d.runningCount,
  pending: d.pendingCount,
});

/**
 * The history after CreateService/UpdateService started `deployments[0]` (the new PRIMARY)
 * with `revision`: a new service deployment IN_PROGRESS whose sources are the revisions the
 * other deployments still run; ongoing ones it supersedes stop.
 */
export function recordDeployment(
  history: ServiceHistory,
  args: {
    id: string;
    revision: StoredRevision;
    deployments: readonly DeploymentRecord[];
    deploymentConfiguration: DeploymentConfiguration;
    now: Date;
  },
): ServiceHistory {
  const [primary, ...others] = args.deployments;
  const sources = others
    .filter((d) => d.status !== "INACTIVE")
    .map((d) => ({ d, revisionId: revisionOfDeployment(history, d) }))
    .filter((s): s is { d: DeploymentRecord; revisionId: string } => s.revisionId !== undefined)
    .map(({ d, revisionId }) => countsOf(revisionId, d));
  const entry: StoredServiceDeployment = {
    id: args.id,
    deploymentId: primary!.id,
    status: "IN_PROGRESS",
    target: countsOf(args.revision.id, primary!),
    sources,
    deploymentConfiguration: args.deploymentConfiguration,
    failureCount: 0,
    breakerTripped: false,
    createdAt: args.now,
    startedAt: args.now,
    updatedAt: args.now,
  };
  const next = { revisions: [...history.revisions, args.revision], deployments: [entry, ...history.deployments] };
  return prune(followDeployments(next, args.deployments, args.now));
}

/** The revision a deployment record runs: its own, or for a rollback deployment the one it went back to. */
export function revisionOfDeployment(history: ServiceHistory, d: DeploymentRecord | string): string | undefined {
  const id = typeof d === "string" ? d : d.id;
  const own = revisionIdOf(id);
  if (history.revisions.some((r) => r.id === own)) return own;
  for (const e of history.deployments) {
    if (e.target.deploymentId === id) return e.target.revisionId;
    if (e.rollback?.deploymentId === id) return e.rollback.revisionId;
  }
  return undefined;
}

/** The revision the service ran before `entry` started: the newest of its sources, where a rollback goes back to. */
export function previousRevision(entry: StoredServiceDeployment): string | undefined {
  return entry.sources[0]?.revisionId;
}

/**
 * StopServiceDeployment (ROLLBACK): `entry` is rolled back to `revisionId` by the new PRIMARY
 * `rollbackDeployment`; it shows ROLLBACK_REQUESTED until the scheduler acts on it.
 */
export function requestRollback(
  history: ServiceHistory,
  entryId: string,
  rollback: { revisionId: string; deploymentId: string },
  now: Date,
): ServiceHistory {
  return {
    ...history,
    deployments: history.deployments.map((e) =>
      e.id === entryId
        ? {
            ...e,
            status: "ROLLBACK_REQUESTED",
            statusReason: STOPPED_BY_USER_REASON,
            updatedAt: now,
            rollback: { reason: STOPPED_BY_USER_REASON, startedAt: now, ...rollback },
          }
        : e,
    ),
  };
}

/**
 * Each ongoing service deployment after the reconciler (or a handler) wrote `deployments`:
 * counts follow the records, and the status follows the rollout of the record it watches.
 * Returns `history` itself when nothing changed, so the caller can skip the write.
 */
export function followDeployments(history: ServiceHistory, deployments: readonly DeploymentRecord[], now: Date): ServiceHistory {
  const revisions = resolveRevisions(history, deployments);
  const base = revisions === history.revisions ? history : { ...history, revisions };
  let changed = base !== history;
  const next = history.deployments.map((e) => {
    if (!isOngoing(e.status)) return e;
    const after = follow(base, e, deployments, now);
    if (after !== e) changed = true;
    return after;
  });
  return changed ? { ...base, deployments: next } : history;
}

/**
 * The revisions with the target groups their blue/green deployments were given (the reconciler
 * picks them when the deployment begins, after the revision was recorded); the same array when none changed.
 */
function resolveRevisions(history: ServiceHistory, deployments: readonly DeploymentRecord[]): StoredRevision[] {
  let changed = false;
  const revisions = history.revisions.map((r) => {
    const d = deployments.find((x) => x.targetGroupArns && revisionIdOf(x.id) === r.id);
    if (!d || !r.resolvedConfiguration?.loadBalancers) return r;
    const loadBalancers = r.resolvedConfiguration.loadBalancers.map((lb, i) => ({
      ...lb,
      targetGroupArn: d.targetGroupArns![i] ?? lb.targetGroupArn,
    }));
    if (JSON.stringify(loadBalancers) === JSON.stringify(r.resolvedConfiguration.loadBalancers)) return r;
    changed = true;
    return { ...r, resolvedConfiguration: { loadBalancers } };
  });
  return changed ? revisions : history.revisions;
}

function follow(
  history: ServiceHistory,
  e: StoredServiceDeployment,
  deployments: readonly DeploymentRecord[],
  now: Date,
): StoredServiceDeployment {
  const find = (id: string) => deployments.find((d) => d.id === id && d.status !== "INACTIVE");
  const refresh = (c: RevisionCounts): RevisionCounts => {
    const d = find(c.deploymentId);
    return d ? countsOf(c.revisionId, d) : { ...c, requested: 0, running: 0, pending: 0 };
  };
  const own = deployments.find((d) => d.id === e.deploymentId);
  let next: StoredServiceDeployment = {
    ...e,
    target: refresh(e.target),
    sources: e.sources.map(refresh),
    failureCount: own?.failedTasks ?? e.failureCount,
    ...(own?.lifecycle ? { lifecycle: own.lifecycle } : {}),
  };
  const done = (status: ServiceDeploymentStatus, extra: Partial<StoredServiceDeployment>) => {
    next = { ...next, status, finishedAt: now, ...extra };
  };

  if (e.rollback) {
    const r = find(e.rollback.deploymentId);
    if (!r || r.status !== "PRIMARY") done("STOPPED", { stoppedAt: now, statusReason: SUPERSEDED_REASON });
    else if (r.rolloutState === "COMPLETED") done("ROLLBACK_SUCCESSFUL", {});
    else if (r.rolloutState === "FAILED") done("ROLLBACK_FAILED", { statusReason: r.rolloutStateReason });
    // Requested until the scheduler has acted on the rollback deployment.
    else if (e.status === "ROLLBACK_REQUESTED" && r.updatedAt.getTime() > r.createdAt.getTime())
      next = { ...next, status: "ROLLBACK_IN_PROGRESS" };
  } else if (own?.rolloutState === "COMPLETED") {
    done("SUCCESSFUL", {});
  } else if (own?.rolloutState === "FAILED") {
    const rollback = circuitBreakerRollback(history, own, deployments);
    next = rollback
      ? {
          ...next,
          status: "ROLLBACK_IN_PROGRESS",
          breakerTripped: true,
          statusReason: CIRCUIT_BREAKER_ROLLBACK_REASON,
          rollback: {
            reason: CIRCUIT_BREAKER_ROLLBACK_REASON,
            startedAt: rollback.d.createdAt,
            revisionId: rollback.revisionId,
            deploymentId: rollback.d.id,
          },
        }
      : { ...next, status: "STOPPED", breakerTripped: true, statusReason: own.rolloutStateReason, stoppedAt: now, finishedAt: now };
  } else if (!own || own.status !== "PRIMARY") {
    done("STOPPED", { stoppedAt: now, statusReason: SUPERSEDED_REASON });
  }
  return sameEntry(next, e) ? e : { ...next, updatedAt: now };
}

/** The PRIMARY the circuit breaker started to roll `failed` back, and the revision it runs. */
function circuitBreakerRollback(
  history: ServiceHistory,
  failed: DeploymentRecord,
  deployments: readonly DeploymentRecord[],
): { d: DeploymentRecord; revisionId: string } | undefined {
  const primary = deployments.find((d) => d.status === "PRIMARY");
  if (!primary || primary.id === failed.id || !primary.rolloutStateReason.startsWith("ECS deployment circuit breaker: rolling back")) {
    return undefined;
  }
  // "… rolling back to deploymentId ecs-svc/<digits>."
  const targetId = /deploymentId (\S+?)\.?$/.exec(primary.rolloutStateReason)?.[1];
  const revisionId = targetId ? revisionOfDeployment(history, targetId) : undefined;
  return revisionId ? { d: primary, revisionId } : undefined;
}

const sameEntry = (a: StoredServiceDeployment, b: StoredServiceDeployment) => JSON.stringify(a) === JSON.stringify(b);

/** The newest MAX_SERVICE_DEPLOYMENTS deployments, and the revisions they still name. */
function prune(history: ServiceHistory): ServiceHistory {
  if (history.deployments.length <= MAX_SERVICE_DEPLOYMENTS) return history;
  const deployments = history.deployments.slice(0, MAX_SERVICE_DEPLOYMENTS);
  const named = new Set(
    deployments.flatMap((e) => [e.target.revisionId, ...e.sources.map((s) => s.revisionId), e.rollback?.revisionId ?? ""]),
  );
  return { deployments, revisions: history.revisions.filter((r) => named.has(r.id)) };
}

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A service deployment id: 21 letters and digits (e.g. ejGvqq2ilnbKT9qj0vLJe). */
export function newServiceDeploymentId(random: () => number): string {
  let id = "";
  for (let i = 0; i < 21; i++) id += ID_ALPHABET[Math.floor(random() * ID_ALPHABET.length)];
  return id;
}

/** The history after CreateService/UpdateService started `deployments[0]` for `service`: its revision and its service deployment. */
export function startServiceDeployment(
  history: ServiceHistory | undefined,
  args: {
    service: Service;
    deployments: readonly DeploymentRecord[];
    td: TaskDefinition;
    random: () => number;
    now: Date;
  },
): ServiceHistory {
  const primary = args.deployments[0]!;
  return recordDeployment(history ?? emptyHistory(), {
    id: newServiceDeploymentId(args.random),
    revision: revisionOf(args.service, primary, args.td, primary.volumeConfigurations),
    deployments: args.deployments,
    deploymentConfiguration: args.service.deploymentConfiguration ?? {},
    now: args.now,
  });
}

/**
 * Where StopServiceDeployment (ROLLBACK) takes `entry` back to: the revision the service last
 * reached a steady state on before it, else the newest revision it replaced; undefined for a
 * service's first deployment, which has nothing to go back to.
 */
export function rollbackTarget(history: ServiceHistory, entry: StoredServiceDeployment): StoredRevision | undefined {
  const older = history.deployments.slice(history.deployments.indexOf(entry) + 1);
  const settled = older.find((e) => e.status === "SUCCESSFUL" || e.status === "ROLLBACK_SUCCESSFUL");
  const id = settled ? (settled.rollback?.revisionId ?? settled.target.revisionId) : entry.sources[0]?.revisionId;
  return history.revisions.find((r) => r.id === id);
}

const SERVICE_DELETED_REASON = "Service deployment stopped because the service was deleted.";

/** DeleteService: whatever was still rolling out never will; the ongoing service deployments stop. */
export function stopOngoing(history: ServiceHistory, now: Date): ServiceHistory {
  if (!history.deployments.some((e) => isOngoing(e.status))) return history;
  return {
    ...history,
    deployments: history.deployments.map((e) =>
      isOngoing(e.status)
        ? { ...e, status: "STOPPED", statusReason: SERVICE_DELETED_REASON, stoppedAt: now, finishedAt: now, updatedAt: now }
        : e,
    ),
  };
}
