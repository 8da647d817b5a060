// The pure rules of service history: how service deployments follow the reconciler's
// deployment records, where a rollback goes, and how much history is kept.
import type { Service, TaskDefinition } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  MAX_SERVICE_DEPLOYMENTS,
  followDeployments,
  requestRollback,
  rollbackTarget,
  startServiceDeployment,
  type ServiceHistory,
} from "../../src/domain/service-history.js";
import { startDeployment } from "../../src/scheduler/service/index.js";
import { rollbackReason } from "../../src/scheduler/service/deployment.js";
import type { DeploymentRecord } from "../../src/domain/deployment.js";
import { DEP1, DEP2, NEXT, T0, TD1, TD2, at, deployment } from "../support/service-world.js";
import { mulberry32 } from "../support/random.js";

const service: Service = { serviceName: "web", desiredCount: 2, launchType: "EC2", deploymentConfiguration: { maximumPercent: 200 } };
const td: TaskDefinition = { containerDefinitions: [{ name: "app", image: "app:1" }] };
const random = mulberry32(7);

/** A service created with DEP1 (COMPLETED when `completed`), then updated to DEP2. */
function twoDeployments(completed: boolean): { history: ServiceHistory; deployments: DeploymentRecord[] } {
  let deployments = startDeployment([], { id: DEP1, taskDefinition: TD1, desiredCount: 2 }, T0);
  let history = startServiceDeployment(undefined, { service, deployments, td, random, now: T0 });
  if (completed) {
    deployments = deployments.map((d) => ({ ...d, rolloutState: "COMPLETED", runningCount: 2, updatedAt: at(20) }));
    history = followDeployments(history, deployments, at(20));
  }
  deployments = startDeployment(deployments, { id: DEP2, taskDefinition: TD2, desiredCount: 2 }, at(30));
  history = startServiceDeployment(history, { service, deployments, td, random, now: at(30) });
  return { history, deployments };
}

describe("service history", () => {
  test("a deployment that completes is SUCCESSFUL; its revision is numbered after it", () => {
    const { history } = twoDeployments(true);
    const [second, first] = history.deployments;
    assert.equal(first!.status, "SUCCESSFUL");
    assert.deepEqual(first!.finishedAt, at(20));
    assert.equal(first!.target.revisionId, DEP1.slice("ecs-svc/".length));
    assert.equal(second!.status, "IN_PROGRESS");
    assert.deepEqual(
      second!.sources.map((s) => [s.revisionId, s.running]),
      [[first!.target.revisionId, 2]],
    );
  });

  test("an ongoing deployment a newer one supersedes is STOPPED", () => {
    const { history } = twoDeployments(false);
    assert.equal(history.deployments[1]!.status, "STOPPED");
    assert.deepEqual(history.deployments[1]!.stoppedAt, at(30));
  });

  test("counts follow the records; nothing changed gives the same history back", () => {
    const { history, deployments } = twoDeployments(true);
    assert.equal(followDeployments(history, deployments, at(31)), history);
    const moved = deployments.map((d) => (d.id === DEP2 ? { ...d, pendingCount: 1, updatedAt: at(32) } : d));
    const next = followDeployments(history, moved, at(32));
    assert.equal(next.deployments[0]!.target.pending, 1);
    assert.deepEqual(next.deployments[0]!.updatedAt, at(32));
  });

  test("a circuit-breaker rollback: ROLLBACK_IN_PROGRESS to the completed revision, then ROLLBACK_SUCCESSFUL", () => {
    const { history, deployments } = twoDeployments(true);
    const failed = deployments.map((d): DeploymentRecord =>
      d.id === DEP2 ? { ...d, rolloutState: "FAILED", failedTasks: 3, status: "ACTIVE" } : d,
    );
    const rollback = deployment({
      id: NEXT,
      taskDefinition: TD1,
      rolloutStateReason: rollbackReason(DEP1),
      createdAt: at(40),
      updatedAt: at(40),
    });
    const rolling = followDeployments(history, [rollback, ...failed.filter((d) => d.id !== DEP1)], at(40));
    const entry = rolling.deployments[0]!;
    assert.equal(entry.status, "ROLLBACK_IN_PROGRESS");
    assert.equal(entry.failureCount, 3);
    assert.equal(entry.rollback!.revisionId, history.deployments[1]!.target.revisionId);
    const done = followDeployments(rolling, [{ ...rollback, rolloutState: "COMPLETED" }], at(60));
    assert.equal(done.deployments[0]!.status, "ROLLBACK_SUCCESSFUL");
    assert.deepEqual(done.deployments[0]!.finishedAt, at(60));
  });

  test("a circuit breaker without rollback stops the deployment", () => {
    const { history, deployments } = twoDeployments(true);
    const failed = deployments.map((d): DeploymentRecord =>
      d.id === DEP2 ? { ...d, rolloutState: "FAILED", rolloutStateReason: "tasks failed" } : d,
    );
    const entry = followDeployments(history, failed, at(40)).deployments[0]!;
    assert.equal(entry.status, "STOPPED");
    assert.equal(entry.statusReason, "tasks failed");
  });

  test("StopServiceDeployment: requested until the scheduler acts on the rollback deployment", () => {
    const { history, deployments } = twoDeployments(true);
    const entry = history.deployments[0]!;
    const target = rollbackTarget(history, entry)!;
    assert.equal(target.taskDefinition, TD1);
    const rollingBack = startDeployment(deployments, { id: NEXT, taskDefinition: TD1, desiredCount: 2 }, at(40));
    const requested = requestRollback(history, entry.id, { revisionId: target.id, deploymentId: NEXT }, at(40));
    assert.equal(followDeployments(requested, rollingBack, at(40)).deployments[0]!.status, "ROLLBACK_REQUESTED");
    const acted = rollingBack.map((d) => (d.id === NEXT ? { ...d, pendingCount: 2, updatedAt: at(41) } : d));
    assert.equal(followDeployments(requested, acted, at(41)).deployments[0]!.status, "ROLLBACK_IN_PROGRESS");
    const failed = rollingBack.map((d) => (d.id === NEXT ? { ...d, rolloutState: "FAILED" as const } : d));
    assert.equal(followDeployments(requested, failed, at(50)).deployments[0]!.status, "ROLLBACK_FAILED");
  });

  test("a first deployment has nothing to roll back to", () => {
    const deployments = startDeployment([], { id: DEP1, taskDefinition: TD1, desiredCount: 2 }, T0);
    const history = startServiceDeployment(undefined, { service, deployments, td, random, now: T0 });
    assert.equal(rollbackTarget(history, history.deployments[0]!), undefined);
  });

  test("history is bounded, and keeps the revisions it names", () => {
    let deployments: DeploymentRecord[] = [];
    let history: ServiceHistory | undefined;
    for (let i = 0; i < MAX_SERVICE_DEPLOYMENTS + 5; i++) {
      deployments = startDeployment(deployments, { id: `ecs-svc/${String(1e18 + i)}`, taskDefinition: TD1, desiredCount: 1 }, at(i));
      history = startServiceDeployment(history, { service, deployments, td, random, now: at(i) });
    }
    assert.equal(history!.deployments.length, MAX_SERVICE_DEPLOYMENTS);
    const named = new Set(history!.deployments.flatMap((e) => [e.target.revisionId, ...e.sources.map((s) => s.revisionId)]));
    assert.ok(history!.revisions.every((r) => named.has(r.id)));
    assert.ok(history!.deployments.every((e) => history!.revisions.some((r) => r.id === e.target.revisionId)));
  });
});
