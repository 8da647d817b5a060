// Rolling a service deployment back to the service revision before it, as StopServiceDeployment
// (ROLLBACK) does; ContinueServiceDeployment's ROLLBACK action and a PAUSE hook that times out
// with the ROLLBACK action do the same. The caller writes the result under the service's lock.
import { resolveHook } from "../../domain/lifecycle-hooks.js";
import { shiftsTraffic } from "../../domain/deployment-strategy.js";
import { requestRollback, revisionOfDeployment, rollbackTarget, type StoredServiceDeployment } from "../../domain/service-history.js";
import {
  inProgressReason,
  newDeploymentId,
  blueStillServes,
  restoreDeployment,
  startDeployment,
  type DeploymentRecord,
} from "../../scheduler/service/index.js";
import type { StoredService } from "../../state/ecs-state.js";

/**
 * `cur` with `entry` rolled back: a new PRIMARY deployment of the revision to go back to, the
 * service showing that revision, and the service deployment ROLLBACK_REQUESTED. Undefined when
 * there is no previous revision to go back to. A hook still awaiting an action on the deployment
 * left behind is FAILED: it can no longer be continued.
 */
export function rollBack(cur: StoredService, entry: StoredServiceDeployment, now: Date): StoredService | undefined {
  if (!cur.history) return undefined;
  const revision = rollbackTarget(cur.history, entry);
  if (!revision) return undefined;
  const current = cur.deployments.map((d): DeploymentRecord => {
    const awaiting = d.id === entry.deploymentId ? d.lifecycle?.hooks.filter((h) => h.status === "AWAITING_ACTION") : undefined;
    if (!awaiting?.length || !d.lifecycle) return d;
    return { ...d, lifecycle: awaiting.reduce((lc, h) => resolveHook(lc, h.hookId, "FAILED"), d.lifecycle), updatedAt: now };
  });
  // Blue/green: the revision gone back to may still run beside the one left (before clean-up);
  // then its deployment is the PRIMARY again and traffic returns to it at once.
  const past = cur.history;
  const leaving = current.find((d) => d.id === entry.deploymentId);
  const standing =
    shiftsTraffic(cur.service.deploymentConfiguration?.strategy) && (!leaving || blueStillServes(leaving))
      ? current.find((d) => d.status === "ACTIVE" && d.runningCount > 0 && revisionOfDeployment(past, d) === revision.id)
      : undefined;
  const deployments = standing
    ? [
        restoreDeployment(standing, inProgressReason(standing.id), now),
        ...current
          .filter((d) => d.id !== standing.id && d.status !== "INACTIVE")
          .map((d): DeploymentRecord => (d.status === "PRIMARY" ? { ...d, status: "ACTIVE", updatedAt: now } : d)),
      ]
    : startDeployment(
        current,
        {
          id: newDeploymentId(Math.random),
          taskDefinition: revision.taskDefinition!,
          desiredCount: cur.service.desiredCount ?? 0,
          // Pausing the way back would hold the service on the revision it is leaving.
          skipHooks: true,
          ...(revision.launchType ? { launchType: revision.launchType } : {}),
          ...(revision.capacityProviderStrategy ? { capacityProviderStrategy: revision.capacityProviderStrategy } : {}),
          ...(revision.platformVersion ? { platformVersion: revision.platformVersion } : {}),
          ...(revision.networkConfiguration ? { networkConfiguration: revision.networkConfiguration } : {}),
          ...(revision.volumeConfigurations ? { volumeConfigurations: revision.volumeConfigurations } : {}),
        },
        now,
      );
  const service = {
    ...cur.service,
    taskDefinition: revision.taskDefinition,
    loadBalancers: revision.loadBalancers ?? [],
    serviceRegistries: revision.serviceRegistries ?? [],
    ...(revision.networkConfiguration ? { networkConfiguration: revision.networkConfiguration } : {}),
    ...(revision.platformVersion ? { platformVersion: revision.platformVersion } : {}),
  };
  const history = requestRollback(cur.history, entry.id, { revisionId: revision.id, deploymentId: deployments[0]!.id }, now);
  return { ...cur, service, deployments, history };
}
