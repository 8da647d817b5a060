// Stopping a task (applyStop, and the one write every stopper uses): who asks changes the
// code and reason; whether an agent will stop it decides if it is STOPPED at once.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Task } from "@aws-sdk/client-ecs";
import { applyStop, applyTaskReport, newTask, type StopOrder } from "../../src/domain/task/lifecycle.js";
import type { StoredTask } from "../../src/state/ecs-state.js";
import { stopWrite } from "../../src/services/ecs/task-stops.js";

const T0 = new Date("2024-01-01T00:00:00Z");
const T1 = new Date("2024-01-01T00:01:00Z");
const td = {
  taskDefinitionArn: "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1",
  containerDefinitions: [{ name: "app", image: "busybox" }],
};
const pending = newTask({
  scope: { accountId: "123456789012", region: "us-east-1" },
  clusterName: "default",
  taskId: "0123456789abcdef0123456789abcdef",
  taskDefinition: td,
  launchType: "EC2",
  availabilityZone: "us-east-1a",
  group: "family:web",
  containerIds: ["c1"],
  now: T0,
});
const running = applyTaskReport(pending, td, { status: "RUNNING", containers: [{ containerName: "app", status: "RUNNING" }] }, T0);
const user: StopOrder = { code: "UserInitiated", reason: "Task stopped by user" };
const lost: StopOrder = { code: "TerminationNotice", reason: "Host EC2 (instance i-1) terminated.", hostGone: true };

describe("applyStop", () => {
  const cases: [label: string, task: Task, order: StopOrder, onHost: boolean, lastStatus: string, stopCode: string][] = [
    ["a running task on its host: its agent stops it", running, user, true, "DEACTIVATING", "UserInitiated"],
    [
      "a pending task on its host: nothing started to deactivate",
      pending,
      { code: "ServiceSchedulerInitiated", reason: "scale in" },
      true,
      "PENDING",
      "ServiceSchedulerInitiated",
    ],
    ["a task on no host: STOPPED at once", running, user, false, "STOPPED", "UserInitiated"],
    ["a task whose host is gone: STOPPED at once", running, lost, true, "STOPPED", "TerminationNotice"],
    [
      "a task a user already stopped keeps its code when its host is lost",
      applyStop(running, user, T0, true),
      lost,
      true,
      "STOPPED",
      "UserInitiated",
    ],
  ];
  for (const [label, task, order, onHost, lastStatus, stopCode] of cases) {
    test(label, () => {
      const next = applyStop(task, order, T1, onHost);
      assert.equal(next.desiredStatus, "STOPPED");
      assert.equal(next.lastStatus, lastStatus);
      assert.equal(next.stopCode, stopCode);
      assert.ok(next.version! > task.version!, "a new version for agents to notice");
      if (lastStatus === "STOPPED") assert.deepEqual(next.stoppedAt, T1);
      else assert.equal(next.stoppedAt, undefined);
    });
  }

  test("a STOPPED task stays as it is, the same object", () => {
    const stopped = applyStop(running, lost, T0, true);
    assert.equal(applyStop(stopped, user, T1, true), stopped);
    assert.equal(applyStop(stopped, lost, T1, false), stopped);
  });
});

describe("stopWrite", () => {
  const stored = (task: Task, hostId?: string): StoredTask => ({
    task,
    cluster: "default",
    ...(hostId ? { hostId } : {}),
    taskDefinition: td,
    reservation: { cpu: 0, memory: 0, ports: [], portsUdp: [] },
  });

  test("changes the task and keeps the rest of the document", () => {
    const doc = stored(running, "host-1");
    const next = stopWrite(user, T1)(doc)!;
    assert.equal(next.hostId, "host-1");
    assert.equal(next.task.lastStatus, "DEACTIVATING");
    assert.equal(next.task.stoppedReason, "Task stopped by user");
  });

  test("a document without a host is STOPPED at once", () => {
    assert.equal(stopWrite(user, T1)(stored(running))!.task.lastStatus, "STOPPED");
  });

  test("writes nothing for a missing task or one already stopping", () => {
    assert.equal(stopWrite(user, T1)(undefined), undefined);
    const stopping = stopWrite(user, T0)(stored(running, "host-1"))!;
    assert.equal(stopWrite({ code: "ServiceSchedulerInitiated", reason: "again" }, T1)(stopping), undefined);
  });
});
