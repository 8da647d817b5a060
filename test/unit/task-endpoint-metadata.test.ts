// The task metadata builders: what v3 and v4 say of a task and its containers, from the task's
// assignment, its runner's view and the engine's inspection, field by field as the ECS agent
// writes them.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ContainerState } from "../../src/runtime/driver.js";
import { containerMetadata, taskMetadata, type TaskView } from "../../src/agent/task-endpoint/metadata.js";
import { assignment } from "../agent/helpers.js";

const CREATED = new Date("2026-12-06T10:00:00.000Z");
const STARTED = new Date("2026-12-06T10:00:01.500Z");

function inspected(id: string, name: string, extra: Partial<ContainerState> = {}): ContainerState {
  return {
    id,
    name,
    image: "app:1",
    imageId: "sha256:" + "ab".repeat(32),
    status: "running",
    oomKilled: false,
    createdAt: CREATED,
    startedAt: STARTED,
    ports: [],
    networks: {},
    labels: { "com.amazonaws.ecs.container-name": "web" },
    ...extra,
  };
}

describe("task metadata (v3, v4)", () => {
  test("a bridge task on EC2: task fields, limits, pull times, and each container as Docker knows it", () => {
    const a = assignment(
      [
        {
          name: "web",
          image: "app:1",
          cpu: 256,
          memory: 128,
          logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/web" } },
          healthCheck: { command: ["CMD", "true"] },
        },
        { name: "side", image: "side:1", essential: false },
      ],
      { cpu: "512", memory: "1024" },
      { group: "service:web-svc" },
    );
    const view: TaskView = {
      assignment: a,
      availabilityZone: "us-east-1a",
      snapshot: {
        knownStatus: "RUNNING",
        pullStartedAt: new Date("2026-12-06T09:59:59.000Z"),
        pullStoppedAt: new Date("2026-12-06T09:59:59.900Z"),
        containers: [
          { name: "web", dockerId: "d1", knownStatus: "RUNNING" },
          { name: "side", knownStatus: "PENDING" },
        ],
      },
    };
    const web = inspected("d1", "ecs-web-3-web-x", {
      health: "HEALTHY",
      ports: [{ containerPort: 80, hostPort: 49153, protocol: "tcp", hostIp: "127.0.0.1" }],
      networks: { bridge: { ipv4Address: "172.17.0.5" } },
    });
    const v4 = taskMetadata(view, new Map([["d1", web]]), 4);
    assert.equal(v4.Cluster, "default");
    assert.equal(v4.TaskARN, a.taskArn);
    assert.equal(v4.Family, "web");
    assert.equal(v4.Revision, "3");
    assert.equal(v4.DesiredStatus, "RUNNING");
    assert.equal(v4.KnownStatus, "RUNNING");
    assert.deepEqual(v4.Limits, { CPU: 0.5, Memory: 1024 });
    assert.equal(v4.PullStartedAt, "2026-12-06T09:59:59.000Z");
    assert.equal(v4.PullStoppedAt, "2026-12-06T09:59:59.900Z");
    assert.equal(v4.AvailabilityZone, "us-east-1a");
    assert.equal(v4.LaunchType, "EC2");
    assert.equal(v4.ServiceName, "web-svc");
    assert.equal(v4.FaultInjectionEnabled, false);
    assert.equal("VPCID" in v4, false);
    const [c, side] = v4.Containers as Record<string, unknown>[];
    assert.deepEqual(c, {
      DockerId: "d1",
      Name: "web",
      DockerName: "ecs-web-3-web-x",
      Image: "app:1",
      ImageID: web.imageId,
      Ports: [{ ContainerPort: 80, Protocol: "tcp", HostPort: 49153, HostIp: "127.0.0.1" }],
      Labels: web.labels,
      DesiredStatus: "RUNNING",
      KnownStatus: "RUNNING",
      Limits: { CPU: 256, Memory: 128 },
      CreatedAt: "2026-12-06T10:00:00.000Z",
      StartedAt: "2026-12-06T10:00:01.500Z",
      Type: "NORMAL",
      Networks: [{ NetworkMode: "bridge", IPv4Addresses: ["172.17.0.5"] }],
      Health: { status: "HEALTHY" },
      LogDriver: "awslogs",
      LogOptions: { "awslogs-group": "/ecs/web" },
      ContainerARN: a.containers[0]!.containerArn,
    });
    // Not created yet: what the agent knows, without what only the engine could say.
    assert.equal(side!.DockerId, undefined);
    assert.equal(side!.KnownStatus, "PENDING");
    assert.equal(side!.Type, "NORMAL");
    assert.equal("CreatedAt" in side!, false);
    // v3 has none of v4's task additions.
    const v3 = taskMetadata(view, new Map([["d1", web]]), 3);
    assert.equal("ServiceName" in v3, false);
    assert.equal("FaultInjectionEnabled" in v3, false);
  });

  test("an awsvpc task on FARGATE: the cluster's ARN, the VPC, and the interface's details in v4 only", () => {
    const a = assignment(
      [{ name: "app", image: "app:1" }],
      { networkMode: "awsvpc" },
      {
        launchType: "FARGATE",
        network: {
          subnetId: "subnet-1",
          vpcId: "vpc-0abc",
          securityGroupIds: ["sg-1"],
          networkName: "berth-vpc-0abc",
          cidr: "10.20.0.0/16",
          subnetCidr: "10.20.0.0/20",
          gateway: "10.20.0.1",
          ipv4Address: "10.20.3.7",
          loopbackAddress: "127.1.0.9",
          attachmentId: "att-1",
          networkInterfaceId: "eni-1",
          macAddress: "02:42:0a:14:03:07",
        },
      },
    );
    const view: TaskView = {
      assignment: a,
      availabilityZone: "us-east-1b",
      snapshot: { knownStatus: "PENDING", containers: [{ name: "app", dockerId: "d2", knownStatus: "PENDING" }] },
    };
    const state = inspected("d2", "ecs-app", { status: "created", startedAt: undefined });
    const v4 = taskMetadata(view, new Map([["d2", state]]), 4);
    assert.equal(v4.Cluster, a.clusterArn);
    assert.equal(v4.VPCID, "vpc-0abc");
    assert.equal(v4.LaunchType, "FARGATE");
    assert.equal("Limits" in v4, false);
    const def = a.taskDefinition.containerDefinitions![0]!;
    assert.deepEqual(containerMetadata(view, def, new Map([["d2", state]]), 4).Networks, [
      {
        NetworkMode: "awsvpc",
        IPv4Addresses: ["10.20.3.7"],
        AttachmentIndex: 0,
        MACAddress: "02:42:0a:14:03:07",
        IPv4SubnetCIDRBlock: "10.20.0.0/20",
        PrivateDNSName: "ip-10-20-3-7.us-east-1.compute.internal",
        SubnetGatewayIpv4Address: "10.20.0.1/16",
      },
    ]);
    assert.deepEqual(containerMetadata(view, def, new Map(), 3).Networks, [{ NetworkMode: "awsvpc", IPv4Addresses: ["10.20.3.7"] }]);
    assert.equal("Health" in containerMetadata(view, def, new Map(), 4), false);
  });

  test("a host-network task's containers say so; a stopped container has its exit code and finish", () => {
    const a = assignment([{ name: "h", image: "app:1" }], { networkMode: "host" });
    const view: TaskView = {
      assignment: { ...a, desiredStatus: "STOPPED" },
      availabilityZone: "us-east-1a",
      snapshot: { knownStatus: "STOPPED", containers: [{ name: "h", dockerId: "d3", knownStatus: "STOPPED", exitCode: 3 }] },
    };
    const finished = new Date("2026-12-06T11:00:00.000Z");
    const m = containerMetadata(
      view,
      a.taskDefinition.containerDefinitions![0]!,
      new Map([["d3", inspected("d3", "n", { status: "exited", finishedAt: finished })]]),
      4,
    );
    assert.deepEqual(m.Networks, [{ NetworkMode: "host" }]);
    assert.equal(m.ExitCode, 3);
    assert.equal(m.FinishedAt, "2026-12-06T11:00:00.000Z");
    assert.equal(m.DesiredStatus, "STOPPED");
    assert.equal(m.KnownStatus, "STOPPED");
  });
});
