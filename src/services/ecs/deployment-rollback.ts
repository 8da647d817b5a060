// Rolling a service deployment back to the service revision before it, as StopServiceDeployment
// (ROLLBACK) does; ContinueServiceDeployment's ROLLBACK action and a PAUSE hook that times out
// with the ROLLBACK action do the same. The caller writes the result under the service's lock.
import { resolveHook } from "../../domain/lifecycle-hooks.js";
import { requestRollback, rollbackTarget, type StoredServiceDeployment } from "../../domain/service-history.js";
import { newDeploymentId, startDeployment, type DeploymentRecord } from "../../scheduler/service/index.js";
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
  const deployments = startDeployment(
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
