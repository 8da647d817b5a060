// Container ordering: dependsOn conditions, links and volumesFrom; cycles; stop order.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import {
  conditionState,
  dependantsFirst,
  dependantsOf,
  dependencyProblem,
  startWaves,
  stopWaves,
} from "../../src/agent/task-runner/dependencies.js";

const c = (name: string, extra: Partial<ContainerDefinition> = {}): ContainerDefinition => ({ name, image: "x", ...extra });

describe("dependencies", () => {
  const defs = [
    c("app", {
      dependsOn: [
        { containerName: "migrate", condition: "SUCCESS" },
        { containerName: "proxy", condition: "HEALTHY" },
      ],
    }),
    c("migrate", { essential: false, dependsOn: [{ containerName: "db", condition: "START" }] }),
    c("db"),
    c("proxy", { links: ["db:database"] }),
    c("logs", { volumesFrom: [{ sourceContainer: "app" }] }),
    c("lonely"),
  ];

  test("start waves: dependencies first, independent containers together", () => {
    assert.deepEqual(startWaves(defs), [["db", "lonely"], ["migrate", "proxy"], ["app"], ["logs"]]);
  });

  test("stop waves: dependants first", () => {
    assert.deepEqual(stopWaves(defs), [["logs", "lonely"], ["app"], ["migrate", "proxy"], ["db"]]);
    assert.deepEqual(dependantsOf(defs).get("db"), ["migrate", "proxy"]);
  });

  test("unknown containers and cycles are found", () => {
    assert.equal(dependencyProblem(defs), undefined);
    assert.match(dependencyProblem([c("a", { dependsOn: [{ containerName: "ghost", condition: "START" }] })])!, /unknown container ghost/);
    const cycle = [
      c("a", { dependsOn: [{ containerName: "b", condition: "START" }] }),
      c("b", { links: ["c"] }),
      c("c", { volumesFrom: [{ sourceContainer: "a" }] }),
    ];
    assert.equal(dependencyProblem(cycle), "dependency cycle: a -> b -> c -> a");
    assert.match(dependencyProblem([c("self", { dependsOn: [{ containerName: "self", condition: "START" }] })])!, /self -> self/);
  });

  test("conditions", () => {
    const running = { started: true, exited: false };
    const exited0 = { started: true, exited: true, exitCode: 0 };
    const exited1 = { started: true, exited: true, exitCode: 1 };
    const pending = { started: false, exited: false };
    const failed = { started: false, exited: false, failed: true };
    assert.equal(conditionState("START", pending), "waiting");
    assert.equal(conditionState("START", running), "met");
    assert.equal(conditionState("START", exited1), "met");
    assert.equal(conditionState("START", failed), "unmet");
    assert.equal(conditionState("COMPLETE", running), "waiting");
    assert.equal(conditionState("COMPLETE", exited1), "met");
    assert.equal(conditionState("SUCCESS", exited0), "met");
    assert.equal(conditionState("SUCCESS", exited1), "unmet");
    assert.equal(conditionState("SUCCESS", failed), "unmet");
    assert.equal(conditionState("HEALTHY", { ...running, health: "UNKNOWN" }), "waiting");
    assert.equal(conditionState("HEALTHY", { ...running, health: "UNHEALTHY" }), "waiting");
    assert.equal(conditionState("HEALTHY", { ...running, health: "HEALTHY" }), "met");
    assert.equal(conditionState("HEALTHY", exited0), "unmet");
  });

  test("dependantsFirst runs each container after everything depending on it", async () => {
    const order: string[] = [];
    await dependantsFirst(defs, async (name) => {
      await new Promise((resolve) => setTimeout(resolve, name === "logs" ? 20 : 1));
      order.push(name);
    });
    const before = (a: string, b: string) => assert.ok(order.indexOf(a) < order.indexOf(b), `${a} before ${b}: ${order.join(", ")}`);
    before("logs", "app");
    before("app", "migrate");
    before("app", "proxy");
    before("migrate", "db");
    before("proxy", "db");
    assert.equal(order.length, defs.length);
  });
});
