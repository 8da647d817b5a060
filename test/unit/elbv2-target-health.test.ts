// ELB's target states as a pure function of the registration, the group's use and the health
// board, and the registration rules of ip targets, as tables.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { StoredTarget, StoredTargetGroup } from "../../src/domain/elbv2/documents.js";
import { targetHealthDescription, type HealthQuestion } from "../../src/domain/elbv2/health-description.js";
import { ElbRefusal } from "../../src/domain/elbv2/refusal.js";
import { instanceTargetAddress, targetsToRegister, type RegistrationWorld } from "../../src/domain/elbv2/target-registration.js";
import { withTargetsDeregistered, withTargetsRegistered } from "../../src/domain/elbv2/targets.js";

const NOW = 1_000_000;
const registered: StoredTarget = { id: "10.0.0.5", port: 80, availabilityZone: "us-east-1a", address: "10.0.0.5", registeredAt: 0 };

function ask(overrides: Partial<HealthQuestion>): HealthQuestion {
  return {
    target: { id: "10.0.0.5", port: 80 },
    registered,
    inUse: true,
    healthCheck: { enabled: true, port: "traffic-port" },
    observed: undefined,
    now: NOW,
    ...overrides,
  };
}

describe("targetHealthDescription", () => {
  const cases: [string, Partial<HealthQuestion>, [string, string?, string?]][] = [
    ["not registered", { registered: undefined }, ["unused", "Target.NotRegistered", "Target is not registered to the target group"]],
    [
      "drain ended",
      { registered: { ...registered, draining: { since: 0, until: NOW } } },
      ["unused", "Target.NotRegistered", "Target is not registered to the target group"],
    ],
    [
      "draining",
      { registered: { ...registered, draining: { since: 0, until: NOW + 1 } }, inUse: false },
      ["draining", "Target.DeregistrationInProgress", "Target deregistration is in progress"],
    ],
    [
      "group not in use",
      { inUse: false, observed: { status: "healthy", since: 0 } },
      ["unused", "Target.NotInUse", "Target group is not configured to receive traffic from the load balancer"],
    ],
    [
      "checks disabled",
      { healthCheck: { enabled: false, port: "traffic-port" } },
      ["unavailable", "Target.HealthCheckDisabled", "Health checks are disabled"],
    ],
    ["nothing observed yet", {}, ["initial", "Elb.RegistrationInProgress", "Target registration is in progress"]],
    [
      "first checks",
      { observed: { status: "initial", since: 0 } },
      ["initial", "Elb.InitialHealthChecking", "Initial health checks in progress"],
    ],
    ["healthy", { observed: { status: "healthy", since: 0 } }, ["healthy"]],
    [
      "timed out",
      { observed: { status: "unhealthy", failure: { kind: "timeout" }, since: 0 } },
      ["unhealthy", "Target.Timeout", "Request timed out"],
    ],
    [
      "refused",
      { observed: { status: "unhealthy", failure: { kind: "connection" }, since: 0 } },
      ["unhealthy", "Target.FailedHealthChecks", "Health checks failed"],
    ],
    [
      "wrong code",
      { observed: { status: "unhealthy", failure: { kind: "response-code", code: 502 }, since: 0 } },
      ["unhealthy", "Target.ResponseCodeMismatch", "Health checks failed with these codes: [502]"],
    ],
  ];
  for (const [name, overrides, [State, Reason, Description]] of cases) {
    test(name, () => {
      const d = targetHealthDescription(ask(overrides));
      assert.deepEqual(d.TargetHealth, Reason ? { State, Reason, Description } : { State });
    });
  }

  test("the health check port is the target's own for traffic-port, else the group's", () => {
    assert.equal(targetHealthDescription(ask({})).HealthCheckPort, "80");
    assert.equal(targetHealthDescription(ask({ healthCheck: { enabled: true, port: "8081" } })).HealthCheckPort, "8081");
    assert.deepEqual(targetHealthDescription(ask({})).Target, { Id: "10.0.0.5", Port: 80, AvailabilityZone: "us-east-1a" });
  });
});

describe("target registration", () => {
  const group = (targetType: "ip" | "instance"): StoredTargetGroup => ({
    targetGroup: { TargetGroupArn: "arn:tg", TargetType: targetType, Port: 80, VpcId: "vpc-1", Protocol: "HTTP" },
    attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "30" }],
    tags: [],
    targets: [],
    createdAt: 0,
  });
  const world: RegistrationWorld = {
    vpcCidr: "10.0.0.0/16",
    subnets: [{ cidr: "10.0.1.0/24", zone: "us-east-1b" }],
    zones: ["us-east-1a", "us-east-1b", "us-east-1c"],
    instances: new Map([["i-1", { zone: "us-east-1c" }]]),
    hostPortBindIp: "0.0.0.0",
    now: NOW,
  };
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      assert.ok(err instanceof ElbRefusal);
      return err.code;
    }
    assert.fail("expected a refusal");
  };

  test("an ip target takes its subnet's zone; one in the VPC but in no subnet needs a zone", () => {
    assert.equal(targetsToRegister(group("ip"), [{ Id: "10.0.1.9" }], world)[0]!.availabilityZone, "us-east-1b");
    assert.equal(
      refusal(() => targetsToRegister(group("ip"), [{ Id: "10.0.2.9" }], world)),
      "InvalidTargetException",
    );
    assert.equal(
      targetsToRegister(group("ip"), [{ Id: "10.0.2.9", AvailabilityZone: "us-east-1a" }], world)[0]!.availabilityZone,
      "us-east-1a",
    );
    assert.equal(
      refusal(() => targetsToRegister(group("ip"), [{ Id: "10.0.1.300" }], world)),
      "InvalidTargetException",
    );
  });

  test("instance targets are reached on the host's published address (loopback when published on every address)", () => {
    assert.equal(instanceTargetAddress("0.0.0.0"), "127.0.0.1");
    assert.equal(instanceTargetAddress("192.168.5.5"), "192.168.5.5");
    const [t] = targetsToRegister(group("instance"), [{ Id: "i-1", Port: 32768 }], world);
    assert.deepEqual(t, { id: "i-1", port: 32768, availabilityZone: "us-east-1c", address: "127.0.0.1", registeredAt: NOW });
    assert.equal(
      refusal(() => targetsToRegister(group("instance"), [{ Id: "i-1", AvailabilityZone: "all" }], world)),
      "ValidationError",
    );
  });

  test("deregistering drains for the group's delay; registering again ends the drain", () => {
    const g = withTargetsRegistered(group("ip"), [registered])!;
    const drained = withTargetsDeregistered(g, [{ id: "10.0.0.5", port: 80 }], NOW)!;
    assert.deepEqual(drained.targets[0]!.draining, { since: NOW, until: NOW + 30_000 });
    const back = withTargetsRegistered(drained, [{ ...registered, registeredAt: NOW + 5 }])!;
    assert.deepEqual(back.targets, [{ ...registered, registeredAt: NOW + 5 }]);
  });
});
