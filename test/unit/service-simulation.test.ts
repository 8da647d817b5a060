// The reconciler driven step by step in a simulated cluster (service-fixtures' World): tasks
// start, run, fail or turn unhealthy; plans are applied as the control-plane loop would.
// Scenarios first, then properties over seeded random services and failure rates.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type DeploymentRecord, failureThreshold } from "../../src/scheduler/service/index.js";
import { isCounted } from "../../src/scheduler/service/task-state.js";
import { TD1, TD2, World, instance, mulberry32 } from "../support/service-world.js";

const cb = { enable: true, rollback: true };
const SIX_HOURS = 6 * 3600_000;

/** Times at which `suffix` was emitted; a repeat needs six hours of the same cause. */
function spacedSixHoursApart(world: World, suffix: string): number {
  const times = world.eventLog.filter((e) => e.message.endsWith(suffix)).map((e) => e.at);
  times.slice(1).forEach((t, i) => assert.ok(t - times[i]! >= SIX_HOURS, `"${suffix}" repeated after ${(t - times[i]!) / 1000} s`));
  return times.length;
}

function untilSteady(world: World, maxSteps = 400): number {
  for (let i = 0; i < maxSteps; i++) {
    world.step();
    if (world.steady) return i + 1;
  }
  assert.fail(`not steady after ${maxSteps} steps; events:\n${world.events.join("\n")}`);
}

describe("simulation", () => {
  test("a new service reaches a steady state and says so once", () => {
    const world = new World({ desiredCount: 3 });
    untilSteady(world);
    world.run(20);
    // Idle steps jump to the plan's wakeAt: six hours later, when ECS repeats the event.
    assert.ok(spacedSixHoursApart(world, "has reached a steady state.") > 1);
    assert.equal(world.events.filter((e) => e.endsWith("deployment completed.")).length, 1);
  });

  test("a rolling update with health checks replaces every task within the bounds", () => {
    const world = new World({ desiredCount: 4 }, { [TD2]: { healthCheck: true } });
    untilSteady(world);
    world.deploy(TD2);
    const { minHealthy, maxTotal } = world.bounds();
    untilSteady(world);
    assert.equal(world.primary.taskDefinition, TD2);
    world.run(0);
    assert.ok(world.tasks.filter(isCounted).every((t) => t.taskDefinition === TD2));
    assert.ok(minHealthy === 4 && maxTotal === 8);
  });

  test("tasks that take long to stop still count: never above the maximum, steady only once they are gone", () => {
    const slow = { stopSteps: 4 };
    for (const [min, max] of [
      [50, 100],
      [100, 150],
      [0, 100],
    ] as const) {
      const world = new World(
        { desiredCount: 3, deploymentConfiguration: { minimumHealthyPercent: min, maximumPercent: max } },
        { [TD1]: slow, [TD2]: slow },
      );
      untilSteady(world);
      world.deploy(TD2);
      const { maxTotal } = world.bounds();
      for (let i = 0; i < 400 && !world.steady; i++) {
        const { after } = world.step();
        assert.ok(after.counted <= maxTotal, `${min}/${max}: ${after.counted} tasks not yet stopped, maximum ${maxTotal}`);
      }
      assert.ok(world.steady, `${min}/${max}: not steady`);
      assert.equal(world.tasks.filter((t) => t.lastStatus !== "STOPPED").length, 3, `${min}/${max}: steady with a task still stopping`);
      assert.ok(world.tasks.filter((t) => t.lastStatus !== "STOPPED").every((t) => t.taskDefinition === TD2));
    }
  });

  test("a deployment whose tasks cannot start is rolled back to the last completed task definition", () => {
    const world = new World(
      { desiredCount: 2, deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: cb } },
      { [TD2]: { failToStart: 1 } },
    );
    untilSteady(world);
    world.deploy(TD2);
    const failedId = world.primary.id;
    untilSteady(world);
    assert.equal(world.primary.taskDefinition, TD1);
    assert.notEqual(world.primary.id, failedId);
    assert.ok(world.events.includes(`(service web) (deployment ${failedId}) deployment failed: tasks failed to start.`));
    assert.ok(world.events.some((e) => e.startsWith("(service web) rolling back to deployment ecs-svc/")));
  });

  test("a deployment whose tasks fail their health checks is rolled back too (stage 2)", () => {
    const world = new World({ desiredCount: 2, deploymentConfiguration: { deploymentCircuitBreaker: cb } }, { [TD2]: { unhealthy: 1 } });
    untilSteady(world);
    world.deploy(TD2);
    untilSteady(world);
    assert.equal(world.primary.taskDefinition, TD1);
    assert.ok(world.events.some((e) => e.endsWith("failed container health checks.")));
  });

  test("without the circuit breaker failing launches are throttled with growing pauses", () => {
    const world = new World({ desiredCount: 1 }, { [TD1]: { failToStart: 1 } });
    const launches: number[] = [];
    for (let i = 0; i < 60; i++) {
      const { plan } = world.step();
      if (plan.start.length > 0) launches.push(world.now.getTime());
    }
    const gaps = launches.slice(1).map((t, i) => t - launches[i]!);
    assert.ok(gaps.at(-1)! > 10 * gaps[0]!, `gaps should grow: ${gaps.join(", ")}`);
    assert.ok(Math.max(...gaps) <= 27 * 60_000 + 5000);
    assert.ok(spacedSixHoursApart(world, "is unable to consistently start tasks successfully.") >= 1);
  });

  test("a DRAINING instance's tasks move to the other instances", () => {
    const world = new World({ desiredCount: 4 }, {}, mulberry32(3), [instance("a"), instance("b")]);
    untilSteady(world);
    world.instances = [instance("a", { status: "DRAINING" }), instance("b")];
    untilSteady(world);
    assert.ok(world.tasks.filter(isCounted).every((t) => t.containerInstanceArn === instance("b").arn));
  });

  test("DeleteService: every task stops, then the service is INACTIVE", () => {
    const world = new World({ desiredCount: 3 });
    untilSteady(world);
    world.service = { ...world.service, status: "DRAINING" };
    world.run(5);
    assert.equal(world.service.status, "INACTIVE");
    assert.equal(world.tasks.filter(isCounted).length, 0);
  });

  test("DAEMON: one task per instance, new instances included, and a deployment in place", () => {
    const world = new World({ schedulingStrategy: "DAEMON" }, {}, mulberry32(5), [instance("a"), instance("b")]);
    untilSteady(world);
    world.instances = [...world.instances, instance("c")];
    untilSteady(world);
    world.deploy(TD2);
    untilSteady(world);
    const live = world.tasks.filter(isCounted);
    assert.deepEqual(live.map((t) => t.containerInstanceArn).sort(), world.instances.map((i) => i.arn).sort());
    assert.ok(live.every((t) => t.taskDefinition === TD2));
  });
});

describe("properties", () => {
  /** Random services where a deployment can make progress (not min = max = 100% of desired). */
  function randomCase(seed: number) {
    const rng = mulberry32(seed);
    const desired = 1 + Math.floor(rng() * 12);
    const min = [0, 25, 50, 75, 100][Math.floor(rng() * 5)]!;
    const max = 100 + Math.floor(rng() * 11) * 10;
    const failRate = [0, 0, 0.2, 0.5, 1][Math.floor(rng() * 5)]!;
    const breaker = rng() < 0.7;
    const healthCheck = rng() < 0.5;
    return { rng, desired, min, max, failRate, breaker, healthCheck };
  }

  test("never above the maximum, never below the minimum, and convergence when tasks succeed", () => {
    let checked = 0;
    for (let seed = 1; checked < 60; seed++) {
      const c = randomCase(seed);
      const config = {
        minimumHealthyPercent: c.min,
        maximumPercent: c.max,
        deploymentCircuitBreaker: { enable: c.breaker, rollback: true },
      };
      const world = new World(
        { desiredCount: c.desired, deploymentConfiguration: config },
        { [TD2]: { failToStart: c.failRate, healthCheck: c.healthCheck } },
        c.rng,
      );
      const { minHealthy, maxTotal } = world.bounds();
      if (minHealthy >= c.desired && maxTotal <= c.desired) continue;
      checked += 1;
      const label = `seed ${seed}: ${JSON.stringify({ ...c, rng: undefined })}`;
      untilSteady(world);
      world.deploy(TD2);
      world.run(300, ({ after }) => {
        assert.ok(after.counted <= maxTotal, `${label}: ${after.counted} tasks > max ${maxTotal}`);
        assert.ok(after.healthy >= minHealthy, `${label}: ${after.healthy} healthy < min ${minHealthy}`);
      });
      if (c.failRate === 0) assert.ok(world.steady && world.primary.taskDefinition === TD2, `${label}: did not converge`);
      if (c.failRate === 1 && c.breaker) assert.ok(world.steady && world.primary.taskDefinition === TD1, `${label}: not rolled back`);
    }
  });

  test("the circuit breaker trips exactly at the threshold, and rollback restores the last completed task definition", () => {
    const outcomes = { rolledBack: 0, completed: 0 };
    for (let seed = 1; seed <= 40; seed++) {
      const rng = mulberry32(1000 + seed);
      const desired = 1 + Math.floor(rng() * 30);
      const failRate = rng() < 0.5 ? 1 : 0.1 + rng() * 0.6;
      const world = new World(
        {
          desiredCount: desired,
          deploymentConfiguration: { minimumHealthyPercent: 50, maximumPercent: 200, deploymentCircuitBreaker: cb },
        },
        { [TD2]: { failToStart: failRate } },
        rng,
      );
      untilSteady(world);
      world.deploy(TD2);
      const target = world.primary.id;
      const threshold = failureThreshold(desired);
      let failed: DeploymentRecord | undefined;
      for (let i = 0; i < 400 && !world.steady; i++) {
        const { plan } = world.step();
        const d = plan.deployments.find((x) => x.id === target);
        if (!d || failed) continue;
        if (d.rolloutState === "FAILED") failed = d;
        else assert.ok(d.failedTasks < threshold, `seed ${seed}: ${d.failedTasks} failures without tripping (threshold ${threshold})`);
      }
      assert.ok(world.steady, `seed ${seed}: not steady`);
      outcomes[failed ? "rolledBack" : "completed"] += 1;
      if (failed) {
        assert.equal(failed.failedTasks, threshold, `seed ${seed}`);
        assert.equal(world.primary.taskDefinition, TD1, `seed ${seed}: rollback restores the completed task definition`);
      } else {
        assert.equal(world.primary.taskDefinition, TD2, `seed ${seed}`);
      }
    }
    assert.ok(outcomes.rolledBack > 5 && outcomes.completed > 5, JSON.stringify(outcomes));
  });

  test("DAEMON: never two tasks on one instance, none left on a DRAINING one, one on each eligible one in the end", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const rng = mulberry32(2000 + seed);
      const instances = Array.from({ length: 1 + Math.floor(rng() * 6) }, (_, i) => instance(`i${i}`));
      const world = new World({ schedulingStrategy: "DAEMON" }, { [TD2]: { healthCheck: true } }, rng, instances);
      for (let round = 0; round < 4; round++) {
        world.instances = world.instances.map((i) => (rng() < 0.2 ? { ...i, status: i.status === "ACTIVE" ? "DRAINING" : "ACTIVE" } : i));
        if (rng() < 0.5) world.instances = [...world.instances, instance(`j${seed}-${round}`)];
        if (round === 2) world.deploy(TD2);
        world.run(25, () => {
          const live = world.tasks.filter(isCounted);
          const perInstance = new Map<string, number>();
          for (const t of live) perInstance.set(t.containerInstanceArn!, (perInstance.get(t.containerInstanceArn!) ?? 0) + 1);
          assert.ok(
            [...perInstance.values()].every((n) => n <= 1),
            `seed ${seed}: two tasks on one instance`,
          );
          const draining = new Set(world.instances.filter((i) => i.status === "DRAINING").map((i) => i.arn));
          assert.ok(
            live.every((t) => !draining.has(t.containerInstanceArn!)),
            `seed ${seed}: task left on a draining instance`,
          );
        });
        const eligible = world.instances
          .filter((i) => i.status === "ACTIVE")
          .map((i) => i.arn)
          .sort();
        assert.deepEqual(
          world.tasks
            .filter(isCounted)
            .map((t) => t.containerInstanceArn)
            .sort(),
          eligible,
          `seed ${seed} round ${round}`,
        );
      }
    }
  });
});
