// How service deployments and revisions are named and shown: their ARNs
// (service-deployment/CLUSTER/SERVICE/ID, service-revision/CLUSTER/SERVICE/ID) and the
// shapes DescribeServiceDeployments, ListServiceDeployments and DescribeServiceRevisions answer.
import type { Service, ServiceDeployment, ServiceDeploymentBrief, ServiceRevision, ServiceRevisionSummary } from "@aws-sdk/client-ecs";
import { ecsArn, ecsResourceId } from "./arn.js";
import type { DeploymentRecord } from "./deployment.js";
import type { Scope } from "./scope.js";
import {
  revisionOfDeployment,
  type RevisionCounts,
  type ServiceHistory,
  type StoredRevision,
  type StoredServiceDeployment,
} from "./service-history.js";

export interface ServiceRef {
  scope: Scope;
  cluster: string;
  service: string;
}

export interface HistoryArn {
  cluster: string;
  service: string;
  id: string;
}

export const serviceDeploymentArnOf = (ref: ServiceRef, id: string) =>
  ecsArn(ref.scope, `service-deployment/${ref.cluster}/${ref.service}/${id}`);
export const serviceRevisionArnOf = (ref: ServiceRef, id: string) =>
  ecsArn(ref.scope, `service-revision/${ref.cluster}/${ref.service}/${id}`);

/** CLUSTER/SERVICE/ID of a service-deployment or service-revision ARN of this scope; undefined for anything else. */
export function parseHistoryArn(scope: Scope, arn: string, type: "service-deployment" | "service-revision"): HistoryArn | undefined {
  const resource = ecsResourceId(scope, arn, type);
  const parts = resource?.split("/");
  if (!parts || parts.length !== 3 || parts.some((p) => p === "")) return undefined;
  return { cluster: parts[0]!, service: parts[1]!, id: parts[2]! };
}

const summary = (ref: ServiceRef, c: RevisionCounts): ServiceRevisionSummary => ({
  arn: serviceRevisionArnOf(ref, c.revisionId),
  requestedTaskCount: c.requested,
  runningTaskCount: c.running,
  pendingTaskCount: c.pending,
});

const serviceArnOf = (ref: ServiceRef) => ecsArn(ref.scope, `service/${ref.cluster}/${ref.service}`);
const clusterArnOf = (ref: ServiceRef) => ecsArn(ref.scope, `cluster/${ref.cluster}`);

export function briefView(ref: ServiceRef, e: StoredServiceDeployment): ServiceDeploymentBrief {
  return {
    serviceDeploymentArn: serviceDeploymentArnOf(ref, e.id),
    serviceArn: serviceArnOf(ref),
    clusterArn: clusterArnOf(ref),
    startedAt: e.startedAt,
    createdAt: e.createdAt,
    ...(e.finishedAt ? { finishedAt: e.finishedAt } : {}),
    targetServiceRevisionArn: serviceRevisionArnOf(ref, e.target.revisionId),
    status: e.status,
    ...(e.statusReason ? { statusReason: e.statusReason } : {}),
  };
}

/** `threshold`: the circuit breaker's failure threshold for the deployment's desired count (the scheduler computes it). */
export function deploymentView(ref: ServiceRef, e: StoredServiceDeployment, threshold: number): ServiceDeployment {
  const breaker = e.deploymentConfiguration.deploymentCircuitBreaker;
  const breakerStatus = !breaker?.enable
    ? "DISABLED"
    : e.breakerTripped
      ? "TRIGGERED"
      : e.finishedAt
        ? "MONITORING_COMPLETE"
        : "MONITORING";
  const alarms = e.deploymentConfiguration.alarms;
  return {
    serviceDeploymentArn: serviceDeploymentArnOf(ref, e.id),
    serviceArn: serviceArnOf(ref),
    clusterArn: clusterArnOf(ref),
    createdAt: e.createdAt,
    startedAt: e.startedAt,
    ...(e.finishedAt ? { finishedAt: e.finishedAt } : {}),
    ...(e.stoppedAt ? { stoppedAt: e.stoppedAt } : {}),
    updatedAt: e.updatedAt,
    sourceServiceRevisions: e.sources.map((s) => summary(ref, s)),
    targetServiceRevision: summary(ref, e.target),
    status: e.status,
    ...(e.statusReason ? { statusReason: e.statusReason } : {}),
    deploymentConfiguration: e.deploymentConfiguration,
    ...(e.rollback
      ? {
          rollback: {
            reason: e.rollback.reason,
            startedAt: e.rollback.startedAt,
            serviceRevisionArn: serviceRevisionArnOf(ref, e.rollback.revisionId),
          },
        }
      : {}),
    ...(e.lifecycle
      ? {
          lifecycleStage: e.lifecycle.stage,
          lifecycleHookDetails: e.lifecycle.hooks.map((h) => ({
            hookId: h.hookId,
            targetType: "PAUSE" as const,
            status: h.status,
            expiresAt: h.expiresAt,
            timeoutAction: h.timeoutAction,
          })),
        }
      : {}),
    deploymentCircuitBreaker: { status: breakerStatus, failureCount: e.failureCount, threshold },
    alarms: alarms?.enable
      ? { status: e.finishedAt ? "MONITORING_COMPLETE" : "MONITORING", alarmNames: alarms.alarmNames ?? [] }
      : { status: "DISABLED" },
  };
}

export function revisionView(ref: ServiceRef, r: StoredRevision): ServiceRevision {
  const { id, ...rest } = r;
  return { serviceRevisionArn: serviceRevisionArnOf(ref, id), serviceArn: serviceArnOf(ref), clusterArn: clusterArnOf(ref), ...rest };
}

/** DescribeServices' currentServiceDeployment and currentServiceRevisions, from the service's history. */
export function currentHistory(
  ref: ServiceRef,
  history: ServiceHistory | undefined,
  deployments: readonly DeploymentRecord[],
): Pick<Service, "currentServiceDeployment" | "currentServiceRevisions"> {
  const newest = history?.deployments[0];
  if (!history || !newest) return {};
  const running = deployments
    .filter((d) => d.status !== "INACTIVE")
    .map((d) => ({ d, revisionId: revisionOfDeployment(history, d) }))
    .filter((x) => x.revisionId !== undefined)
    .map(({ d, revisionId }) =>
      summary(ref, {
        revisionId: revisionId!,
        deploymentId: d.id,
        requested: d.desiredCount,
        running: d.runningCount,
        pending: d.pendingCount,
      }),
    );
  return { currentServiceDeployment: serviceDeploymentArnOf(ref, newest.id), currentServiceRevisions: running };
}

/** The service a stored service document describes, from its ARN (arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME). */
export function serviceRefOf(service: Service, cluster: string): ServiceRef {
  const [, , , region, accountId] = service.serviceArn!.split(":");
  return { scope: { region: region!, accountId: accountId! }, cluster, service: service.serviceName! };
}
