// The service reconciler for a service behind load balancers: availability counted from the
// target groups' health, ELB health failures, and the plan's registrations and releases.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { elbHealthCheckStopReason, reconcile, type TaskTargetsView } from "../../src/scheduler/service/index.js";
import { DEP1, DEP2, at, deployment, input, messages, primaryOf, service, stoppedArns, task, taskArn } from "../support/service-world.js";

const TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef";
const lb = (health: TaskTargetsView["health"], extra: Partial<TaskTargetsView> = {}): TaskTargetsView => ({
  registered: true,
  health,
  ...(health === "unhealthy"
    ? { unhealthyIn: { targetGroupArn: TG, targetGroupName: "web", port: 80, reason: "Health checks failed" } }
    : {}),
  ...extra,
});
const balanced = (overrides = {}) => service({ loadBalanced: true, desiredCount: 2, ...overrides });

describe("service reconciler: load balancers", () => {
  test("a RUNNING task not yet registered is registered; a stopping one is not", () => {
    const plan = reconcile(
      input({
        service: balanced(),
        tasks: [
          task("1", { loadBalancer: { registered: false, health: "initial" } }),
          task("2", { loadBalancer: lb("healthy") }),
          task("3", { desiredStatus: "STOPPED", lastStatus: "DEACTIVATING", loadBalancer: { registered: false, health: "initial" } }),
        ],
      }),
    );
    assert.deepEqual(plan.register, [taskArn("1")]);
  });

  test("a rolling deployment keeps old tasks until new ones are healthy in their target groups", () => {
    const deployments = [deployment({ id: DEP2 }), deployment({ id: DEP1, status: "ACTIVE" })];
    const old = [task("1", { loadBalancer: lb("healthy") }), task("2", { loadBalancer: lb("healthy") })];
    const fresh = (health: TaskTargetsView["health"]) => [
      task("3", { deploymentId: DEP2, startedAt: at(0), loadBalancer: lb(health) }),
      task("4", { deploymentId: DEP2, startedAt: at(0), loadBalancer: lb(health) }),
    ];
    const waiting = reconcile(input({ service: balanced(), deployments, tasks: [...old, ...fresh("initial")], now: at(60) }));
    assert.deepEqual(stoppedArns(waiting), [], "initial targets are not available yet");
    assert.equal(primaryOf(waiting).rolloutState, "IN_PROGRESS");
    const ready = reconcile(input({ service: balanced(), deployments, tasks: [...old, ...fresh("healthy")], now: at(60) }));
    assert.deepEqual(stoppedArns(ready).sort(), [taskArn("1"), taskArn("2")]);
  });

  test("the deployment completes only when its tasks are healthy in every target group", () => {
    const tasks = (health: TaskTargetsView["health"]) => [
      task("1", { loadBalancer: lb(health) }),
      task("2", { loadBalancer: lb("healthy") }),
    ];
    assert.equal(primaryOf(reconcile(input({ service: balanced(), tasks: tasks("initial"), now: at(60) }))).rolloutState, "IN_PROGRESS");
    assert.equal(primaryOf(reconcile(input({ service: balanced(), tasks: tasks("healthy"), now: at(60) }))).rolloutState, "COMPLETED");
  });

  test("a task unhealthy in a target group is stopped with ECS's reason after the grace period, not before", () => {
    const sick = task("1", { startedAt: at(0), loadBalancer: lb("unhealthy") });
    const graced = reconcile(input({ service: balanced({ healthCheckGracePeriodSeconds: 60 }), tasks: [sick, task("2")], now: at(10) }));
    assert.deepEqual(stoppedArns(graced), []);
    assert.equal(graced.wakeAt?.getTime(), at(60).getTime(), "looks again when the grace period ends");
    const plan = reconcile(input({ service: balanced({ healthCheckGracePeriodSeconds: 5 }), tasks: [sick, task("2")], now: at(10) }));
    assert.deepEqual(plan.stop, [{ taskArn: taskArn("1"), reason: elbHealthCheckStopReason(TG) }]);
    assert.ok(
      messages(plan).includes(
        `(service web) (task ${taskArn("1").split("/").pop()}) (port 80) is unhealthy in (target-group web) due to (reason Health checks failed)`,
      ),
    );
  });

  test("a task stopped for failing ELB checks counts toward the circuit breaker", () => {
    const failed = (id: string) =>
      task(id, {
        lastStatus: "STOPPED",
        desiredStatus: "STOPPED",
        stoppedAt: at(30),
        stopCode: "ServiceSchedulerInitiated",
        stoppedReason: elbHealthCheckStopReason(TG),
      });
    const plan = reconcile(
      input({
        service: balanced({ deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } } }),
        tasks: [failed("1"), failed("2"), failed("3")],
        now: at(40),
      }),
    );
    assert.equal(primaryOf(plan).rolloutState, "FAILED");
  });

  test("a drained task is released; one still draining wakes the loop when its drain ends", () => {
    const stopping = (id: string, until: number) =>
      task(id, {
        desiredStatus: "STOPPED",
        lastStatus: "DEACTIVATING",
        loadBalancer: { registered: false, health: "initial", drainUntil: at(until) },
      });
    const plan = reconcile(
      input({ service: balanced(), tasks: [stopping("1", 5), stopping("2", 30), task("3", { loadBalancer: lb("healthy") })], now: at(10) }),
    );
    assert.deepEqual(plan.release, [taskArn("1")]);
    assert.ok(plan.wakeAt && plan.wakeAt.getTime() <= at(30).getTime());
  });
});
