// ELBv2 targets in-process: registration of ip and instance targets, deregistration and its
// drain, and DescribeTargetHealth's states, driven by observations set on the control plane's
// health board as the data plane would set them; the SDK's waiters on top.
import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import { CreateClusterCommand, DescribeContainerInstancesCommand, RegisterContainerInstanceCommand } from "@aws-sdk/client-ecs";
import {
  CreateTargetGroupCommand,
  type CreateTargetGroupInput,
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
  type TargetDescription,
  type TargetHealthDescription,
  waitUntilTargetDeregistered,
  waitUntilTargetInService,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { elbIdOf } from "../../src/domain/elbv2/arns.js";
import { healthKey, type ObservedHealth } from "../../src/domain/elbv2/target-health.js";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { expectError as refused } from "../support/assertions.js";
import { listenerForwardingTo } from "../support/elbv2.js";
import { inProcessBerth } from "../support/in-process.js";

const scope = { accountId: TEST_ACCOUNT, region: "us-east-1" };

describe("ELBv2 targets in-process", () => {
  const berth = inProcessBerth();
  const { elb, ec2, ecs, plane } = berth;
  let vpcId = "";
  after(() => berth.close());
  before(async () => {
    const { Vpcs } = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "isDefault", Values: ["true"] }] }));
    vpcId = Vpcs![0]!.VpcId!;
  });

  const createGroup = async (input: Partial<CreateTargetGroupInput> & { Name: string }) =>
    (await elb.send(new CreateTargetGroupCommand({ Protocol: "HTTP", Port: 80, VpcId: vpcId, TargetType: "ip", ...input })))
      .TargetGroups![0]!.TargetGroupArn!;
  const health = async (arn: string, Targets?: TargetDescription[]) =>
    (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn, Targets }))).TargetHealthDescriptions!;
  const states = (descriptions: TargetHealthDescription[]) =>
    descriptions.map((d) => [d.Target!.Id, d.Target!.Port, d.TargetHealth!.State, d.TargetHealth!.Reason, d.TargetHealth!.Description]);
  const stored = async (arn: string) => (await plane.state.elbv2.targetGroups.get(scope, elbIdOf(arn)))!;
  const observe = (arn: string, id: string, port: number, seen: Omit<ObservedHealth, "since"> | undefined) =>
    plane.targetHealth.set(healthKey(elbIdOf(arn), id, port), seen && { ...seen, since: Date.now() });
  /** Runs `call`, expects ELBv2's `code`, and checks that the group's document did not change. */
  const refusedUnchanged = async (arn: string, call: () => Promise<unknown>, code: string, message?: RegExp | string) => {
    const before = await stored(arn);
    await refused(call(), code, message);
    assert.deepEqual(await stored(arn), before);
  };
  const withoutDelay = (arn: string) =>
    elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "0" }],
      }),
    );

  test("ip targets in the VPC take the group's port and their subnet's zone; a group no listener uses shows them unused", async () => {
    const arn = await createGroup({ Name: "ips" });
    await elb.send(
      new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: "172.31.0.10" }, { Id: "172.31.16.11", Port: 8080 }] }),
    );
    const described = await health(arn);
    assert.deepEqual(
      described.map((d) => [d.Target, d.HealthCheckPort]),
      [
        [{ Id: "172.31.0.10", Port: 80, AvailabilityZone: "us-east-1a" }, "80"],
        [{ Id: "172.31.16.11", Port: 8080, AvailabilityZone: "us-east-1b" }, "8080"],
      ],
    );
    assert.deepEqual(
      described.map((d) => d.TargetHealth),
      [0, 1].map(() => ({
        State: "unused",
        Reason: "Target.NotInUse",
        Description: "Target group is not configured to receive traffic from the load balancer",
      })),
    );
    const doc = await stored(arn);
    assert.deepEqual(
      doc.targets.map((t) => [t.id, t.port, t.address]),
      [
        ["172.31.0.10", 80, "172.31.0.10"],
        ["172.31.16.11", 8080, "172.31.16.11"],
      ],
    );
    // Registering again changes nothing.
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: "172.31.0.10" }] }));
    assert.deepEqual(await stored(arn), doc);
    // A target asked about but not registered.
    assert.deepEqual(states(await health(arn, [{ Id: "172.31.0.99" }])), [
      ["172.31.0.99", 80, "unused", "Target.NotRegistered", "Target is not registered to the target group"],
    ]);
  });

  test("ip targets outside the VPC need the zone 'all' and a private address; bad ones change nothing", async () => {
    const arn = await createGroup({ Name: "outside", Port: 8000 });
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: "10.9.8.7", AvailabilityZone: "all" }] }));
    assert.deepEqual((await health(arn))[0]!.Target, { Id: "10.9.8.7", Port: 8000, AvailabilityZone: "all" });
    const bad: [TargetDescription, string, RegExp][] = [
      [{ Id: "10.9.8.8" }, "InvalidTargetException", /The IP address '10.9.8.8' is not within the VPC/],
      [{ Id: "8.8.8.8", AvailabilityZone: "all" }, "InvalidTargetException", /not a private address/],
      [{ Id: "not-an-ip" }, "InvalidTargetException", /not a valid IPv4 address/],
      [{ Id: "172.31.0.5", AvailabilityZone: "mars-1a" }, "ValidationError", /Availability Zone 'mars-1a' is not valid/],
    ];
    for (const [target, code, message] of bad)
      await refusedUnchanged(arn, () => elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [target] })), code, message);
  });

  test("instance targets are berth's container instances, reached where it publishes host ports", async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: "tg-hosts" }));
    const { containerInstance } = await ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: "tg-hosts",
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 1024 },
          { name: "MEMORY", type: "INTEGER", integerValue: 2048 },
        ],
        instanceIdentityDocument: JSON.stringify({ availabilityZone: "us-east-1b", instanceId: "i-0123456789abcdef0" }),
      }),
    );
    const described = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster: "tg-hosts", containerInstances: [containerInstance!.containerInstanceArn!] }),
    );
    const instanceId = described.containerInstances![0]!.ec2InstanceId!;
    const arn = await createGroup({ Name: "hosts", TargetType: "instance", Port: 80 });
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: instanceId, Port: 32768 }] }));
    const [target] = (await stored(arn)).targets;
    assert.deepEqual([target!.id, target!.port, target!.address, target!.availabilityZone], [instanceId, 32768, "127.0.0.1", "us-east-1b"]);
    await refusedUnchanged(
      arn,
      () => elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: "i-00000000000000000" }, { Id: instanceId }] })),
      "InvalidTargetException",
      "The following targets are not valid instances: 'i-00000000000000000'",
    );
    await refused(health(arn, [{ Id: "i-00000000000000000" }]), "InvalidTargetException");
  });

  test("health follows the board once a listener uses the group: initial, healthy, then each kind of unhealthy", async () => {
    const arn = await createGroup({ Name: "checked" });
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: "172.31.32.20" }] }));
    const listener = await listenerForwardingTo(berth, [arn]);
    const now = async () => states(await health(arn))[0]!.slice(2);
    assert.deepEqual(await now(), ["initial", "Elb.RegistrationInProgress", "Target registration is in progress"]);
    observe(arn, "172.31.32.20", 80, { status: "initial" });
    assert.deepEqual(await now(), ["initial", "Elb.InitialHealthChecking", "Initial health checks in progress"]);
    observe(arn, "172.31.32.20", 80, { status: "healthy" });
    const healthy = (await health(arn))[0]!;
    assert.deepEqual(healthy.TargetHealth, { State: "healthy" });
    observe(arn, "172.31.32.20", 80, { status: "unhealthy", failure: { kind: "timeout" } });
    assert.deepEqual(await now(), ["unhealthy", "Target.Timeout", "Request timed out"]);
    observe(arn, "172.31.32.20", 80, { status: "unhealthy", failure: { kind: "response-code", code: 503 } });
    assert.deepEqual(await now(), ["unhealthy", "Target.ResponseCodeMismatch", "Health checks failed with these codes: [503]"]);
    observe(arn, "172.31.32.20", 80, { status: "unhealthy", failure: { kind: "connection" } });
    assert.deepEqual(await now(), ["unhealthy", "Target.FailedHealthChecks", "Health checks failed"]);
    await listener.remove();
    assert.deepEqual(await now(), [
      "unused",
      "Target.NotInUse",
      "Target group is not configured to receive traffic from the load balancer",
    ]);
  });

  test("the SDK's target-in-service and target-deregistered waiters", async () => {
    const arn = await createGroup({ Name: "waited" });
    await withoutDelay(arn);
    await listenerForwardingTo(berth, [arn]);
    const target = { Id: "172.31.0.30", Port: 80 };
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [target] }));
    setTimeout(() => observe(arn, target.Id, 80, { status: "healthy" }), 300);
    const inService = await waitUntilTargetInService(
      { client: elb, maxWaitTime: 20, minDelay: 1, maxDelay: 1 },
      { TargetGroupArn: arn, Targets: [target] },
    );
    assert.equal(inService.state, "SUCCESS");
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [target] }));
    assert.deepEqual((await stored(arn)).targets, []);
    const gone = await waitUntilTargetDeregistered(
      { client: elb, maxWaitTime: 20, minDelay: 1, maxDelay: 1 },
      { TargetGroupArn: arn, Targets: [target] },
    );
    assert.equal(gone.state, "SUCCESS");
  });

  test("a deregistered target drains for the delay, then is gone even before its document is cleaned up", async () => {
    const arn = await createGroup({ Name: "drains" });
    await listenerForwardingTo(berth, [arn]);
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: "172.31.0.40" }, { Id: "172.31.0.41" }] }));
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: "172.31.0.40" }] }));
    const draining = (await stored(arn)).targets.find((t) => t.id === "172.31.0.40")!;
    assert.equal(draining.draining!.until - draining.draining!.since, 300_000);
    assert.deepEqual(states(await health(arn, [{ Id: "172.31.0.40" }])), [
      ["172.31.0.40", 80, "draining", "Target.DeregistrationInProgress", "Target deregistration is in progress"],
    ]);
    // Its drain ends (as if the delay had passed) while the document still holds it.
    await plane.state.elbv2.targetGroups.write(scope, elbIdOf(arn), (cur) => ({
      ...cur!,
      targets: cur!.targets.map((t) => (t.draining ? { ...t, draining: { since: 0, until: 1 } } : t)),
    }));
    assert.deepEqual(
      (await health(arn)).map((d) => d.Target!.Id),
      ["172.31.0.41"],
    );
    assert.deepEqual(states(await health(arn, [{ Id: "172.31.0.40" }]))[0]!.slice(2, 4), ["unused", "Target.NotRegistered"]);
    await refusedUnchanged(
      arn,
      () => elb.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: "172.31.0.40" }] })),
      "InvalidTargetException",
      `The following targets are not registered in target group '${arn}': '172.31.0.40:80'`,
    );
    // Registering it again starts afresh, and the stale entry is cleaned up on the way.
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: "172.31.0.40" }] }));
    assert.deepEqual(
      (await stored(arn)).targets.map((t) => [t.id, t.draining]),
      [
        ["172.31.0.41", undefined],
        ["172.31.0.40", undefined],
      ],
    );
  });

  test("a group holds at most a thousand targets; a missing group is TargetGroupNotFound", async () => {
    const arn = await createGroup({ Name: "full" });
    const targets = (n: number, from = 0) =>
      Array.from({ length: n }, (_, i) => ({ Id: `172.31.${1 + Math.floor((from + i) / 250)}.${1 + ((from + i) % 250)}` }));
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: targets(1000) }));
    await refusedUnchanged(
      arn,
      () => elb.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: targets(1, 1000) })),
      "TooManyTargetsException",
    );
    const missing = arn.replace(/[0-9a-f]{16}$/, "0000000000000000");
    await refused(
      elb.send(new RegisterTargetsCommand({ TargetGroupArn: missing, Targets: [{ Id: "172.31.0.5" }] })),
      "TargetGroupNotFoundException",
    );
    await refused(
      elb.send(new DeregisterTargetsCommand({ TargetGroupArn: missing, Targets: [{ Id: "172.31.0.5" }] })),
      "TargetGroupNotFoundException",
    );
    await refused(health(missing), "TargetGroupNotFoundException");
  });
});
