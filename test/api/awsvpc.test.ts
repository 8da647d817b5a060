// awsvpc tasks in EC2's subnets and security groups, in-process with the real ECS SDK: the
// interface's address lies in its subnet, the VPC's default group stands in when none is named,
// zones follow subnets and tasks spread over them, EC2 tasks go only to instances in their
// subnets' zones, and every refusal leaves nothing behind.
import {
  CreateClusterCommand,
  CreateServiceCommand,
  CreateTaskSetCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListServicesCommand,
  ListTasksCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StartTaskCommand,
  UpdateServiceCommand,
  type NetworkConfiguration,
  type Task,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { newSecurityGroup } from "../../src/domain/ec2/security-group.js";
import { newSubnet, newVpc } from "../../src/domain/ec2/vpc.js";
import { zoneNamed } from "../../src/domain/ec2/zones.js";
import { FARGATE_HOST_ATTRIBUTE } from "../../src/domain/container-instance.js";
import { assignableRange, ipv4ToNumber, vpcGateway, vpcNetworkName } from "../../src/domain/ec2/vpc-network.js";
import { parseCidr } from "../../src/ipv4-cidr.js";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { inProcessBerth } from "../support/in-process.js";
import { defaultNetwork, type DefaultNetwork } from "../support/vpc.js";
import { waitFor } from "../support/wait.js";

const SCOPE = { accountId: TEST_ACCOUNT, region: "us-east-1" };
const CLUSTER = "net";

const detail = (task: Task, name: string) =>
  task.attachments?.[0]?.details?.find((d) => d.name === name)?.value ?? assert.fail(`no ${name} in ${JSON.stringify(task.attachments)}`);

describe("awsvpc tasks in EC2's subnets (in-process)", () => {
  const berth = inProcessBerth();
  const { ecs } = berth;
  const ec2 = berth.plane.state.ec2;
  let net: DefaultNetwork;
  /** A second VPC (10.99.0.0/16) with a /28 subnet of 11 addresses in us-east-1a, and a group of its own. */
  const other = { vpcId: "", subnetId: "", groupId: "" };
  after(() => berth.close());

  const subnetOf = async (id: string) => (await ec2.subnets.get(SCOPE, id))!.subnet;
  const vpc = (subnets: string[], extra: Partial<NonNullable<NetworkConfiguration["awsvpcConfiguration"]>> = {}) => ({
    awsvpcConfiguration: { subnets, ...extra },
  });
  const runFargate = (networkConfiguration: NetworkConfiguration, count = 1, group?: string) =>
    ecs.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: "web",
        launchType: "FARGATE",
        count,
        networkConfiguration,
        ...(group && { group }),
      }),
    );
  const tasksOfCluster = async () => (await ecs.send(new ListTasksCommand({ cluster: CLUSTER }))).taskArns ?? [];
  const register = (zone: string, fargate = false) =>
    ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: CLUSTER,
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 4096 },
          { name: "MEMORY", type: "INTEGER", integerValue: 8192 },
        ],
        instanceIdentityDocument: JSON.stringify({ availabilityZone: zone }),
        // What an agent's host offers an awsvpc task definition's required attributes.
        attributes: fargate
          ? [{ name: FARGATE_HOST_ATTRIBUTE, value: "fargate" }]
          : [{ name: "com.amazonaws.ecs.capability.docker-remote-api.1.18" }, { name: "ecs.capability.task-eni" }],
      }),
    );

  before(async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await register("us-east-1a", true);
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "web",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: "256",
        memory: "512",
        containerDefinitions: [{ name: "app", image: "app:1" }],
      }),
    );
    net = await defaultNetwork(berth);
    const now = new Date();
    const made = newVpc({ scope: SCOPE, cidrBlock: "10.99.0.0/16", now });
    const subnet = newSubnet({
      scope: SCOPE,
      vpcId: made.vpc.vpc.VpcId!,
      cidrBlock: "10.99.0.16/28",
      zone: zoneNamed("us-east-1", "us-east-1a")!,
      now,
    });
    const group = newSecurityGroup({ scope: SCOPE, vpcId: made.vpc.vpc.VpcId!, groupName: "other", description: "other", now });
    await ec2.transact((tx) => {
      tx.put(ec2.vpcs, SCOPE, made.vpc.vpc.VpcId!, made.vpc);
      tx.put(ec2.securityGroups, SCOPE, made.defaultGroup.group.GroupId!, made.defaultGroup);
      tx.put(ec2.securityGroups, SCOPE, group.group.GroupId!, group);
      tx.put(ec2.subnets, SCOPE, subnet.subnet.SubnetId!, subnet);
    });
    Object.assign(other, { vpcId: made.vpc.vpc.VpcId!, subnetId: subnet.subnet.SubnetId!, groupId: group.group.GroupId! });
  });

  test("the banner's default VPC: a subnet per zone, in zone order, and its default group", async () => {
    assert.equal(net.subnetIds.length, 3);
    const zones = await Promise.all(net.subnetIds.map(async (id) => (await subnetOf(id)).AvailabilityZone));
    assert.deepEqual(zones, ["us-east-1a", "us-east-1b", "us-east-1c"]);
    assert.equal((await ec2.vpcs.get(SCOPE, net.vpcId))?.defaultSecurityGroupId, net.securityGroupId);
  });

  test("a task's interface: the lowest free address of its subnet, its zone, its VPC's network, the default group", async () => {
    const subnetId = net.subnetIds[1]!;
    const subnet = await subnetOf(subnetId);
    const [first, second] = (await runFargate(vpc([subnetId]), 2)).tasks!;
    const { first: lowest } = assignableRange(subnet.CidrBlock!);
    for (const [task, offset] of [
      [first!, 0],
      [second!, 1],
    ] as const) {
      const address = detail(task, "privateIPv4Address");
      assert.equal(ipv4ToNumber(address), lowest + offset, `${address}: the lowest free one in ${subnet.CidrBlock}`);
      assert.equal(detail(task, "subnetId"), subnetId);
      assert.equal(detail(task, "privateDnsName"), `ip-${address.replaceAll(".", "-")}.ec2.internal`);
      assert.equal(task.availabilityZone, "us-east-1b");
      const eni = await berth.plane.state.interfaces.get(SCOPE, detail(task, "networkInterfaceId"));
      assert.deepEqual(eni && { vpc: eni.vpcId, groups: eni.securityGroupIds, subnet: eni.subnetId, address: eni.privateIpAddress }, {
        vpc: net.vpcId,
        groups: [net.securityGroupId],
        subnet: subnetId,
        address,
      });
    }
    const stored = await berth.plane.state.tasks.get(SCOPE, first!.taskArn!.split("/").at(-1)!);
    assert.deepEqual(stored?.network && { name: stored.network.networkName, cidr: stored.network.cidr, gateway: stored.network.gateway }, {
      name: vpcNetworkName(net.vpcId),
      cidr: "172.31.0.0/16",
      gateway: vpcGateway("172.31.0.0/16"),
    });
  });

  test("named groups are the interface's, in the order given", async () => {
    const [task] = (await runFargate(vpc([other.subnetId], { securityGroups: [other.groupId] }))).tasks!;
    const eni = await berth.plane.state.interfaces.get(SCOPE, detail(task!, "networkInterfaceId"));
    assert.deepEqual(eni?.securityGroupIds, [other.groupId]);
    const range = parseCidr("10.99.0.16/28")!;
    const address = ipv4ToNumber(detail(task!, "privateIPv4Address"));
    assert.ok(address >= range.first + 4 && address < range.last, "inside the subnet, past the reserved addresses");
  });

  test("a batch spreads over the subnets' zones, the emptiest first, ties in the order given", async () => {
    const group = "spread";
    const [a, b, c] = net.subnetIds;
    const zonesOf = (tasks: Task[]) => tasks.map((t) => t.availabilityZone);
    const firstBatch = (await runFargate(vpc([c!, a!, b!]), 5, group)).tasks!;
    assert.deepEqual(zonesOf(firstBatch), ["us-east-1c", "us-east-1a", "us-east-1b", "us-east-1c", "us-east-1a"]);
    for (const t of firstBatch)
      assert.equal(detail(t, "subnetId"), { "us-east-1a": a, "us-east-1b": b, "us-east-1c": c }[t.availabilityZone!]);
    // The group now holds 2, 1, 2 in a, b, c: the next goes to b, then to the first given.
    assert.deepEqual(zonesOf((await runFargate(vpc([a!, b!, c!]), 2, group)).tasks!), ["us-east-1b", "us-east-1a"]);
  });

  test("a service's tasks spread over its subnets' zones, one each", async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: "spread",
        taskDefinition: "web",
        desiredCount: 3,
        launchType: "FARGATE",
        networkConfiguration: vpc([net.subnetIds[2]!, net.subnetIds[0]!, net.subnetIds[1]!]),
      }),
    );
    const arns = await waitFor(async () => (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: "spread" }))).taskArns!, {
      until: (found) => found.length === 3,
    });
    const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks!;
    assert.deepEqual(tasks.map((t) => t.availabilityZone).sort(), ["us-east-1a", "us-east-1b", "us-east-1c"]);
    for (const t of tasks)
      assert.equal(detail(t, "subnetId"), net.subnetIds[["us-east-1a", "us-east-1b", "us-east-1c"].indexOf(t.availabilityZone!)]);
  });

  test("EC2 tasks go only to instances in their subnets' zones, into the subnet of the instance's zone", async () => {
    await register("us-east-1b");
    const ec2Run = (subnets: string[], count: number) =>
      ecs.send(
        new RunTaskCommand({ cluster: CLUSTER, taskDefinition: "web", launchType: "EC2", count, networkConfiguration: vpc(subnets) }),
      );
    const before = await tasksOfCluster();
    const nowhere = await ec2Run([net.subnetIds[2]!], 1);
    assert.deepEqual(nowhere.tasks, []);
    assert.ok(nowhere.failures!.length > 0, "no instance in us-east-1c");
    assert.deepEqual(await tasksOfCluster(), before);
    const { tasks } = await ec2Run(net.subnetIds, 2);
    assert.deepEqual(
      tasks!.map((t) => [t.availabilityZone, detail(t, "subnetId")]),
      [
        ["us-east-1b", net.subnetIds[1]],
        ["us-east-1b", net.subnetIds[1]],
      ],
    );
  });

  test("StartTask: the subnet of the instance's zone; none there is refused, and no task", async () => {
    const instance = (await register("us-east-1c")).containerInstance!.containerInstanceArn!;
    const start = (subnets: string[]) =>
      ecs.send(
        new StartTaskCommand({
          cluster: CLUSTER,
          taskDefinition: "web",
          containerInstances: [instance],
          networkConfiguration: vpc(subnets),
        }),
      );
    const before = await tasksOfCluster();
    await assert.rejects(start([net.subnetIds[0]!]), {
      name: "InvalidParameterException",
      message: new RegExp(`is in us-east-1c, where none of the subnets \\[${net.subnetIds[0]}\\] is`),
    });
    assert.deepEqual(await tasksOfCluster(), before);
    const [task] = (await start(net.subnetIds)).tasks!;
    assert.deepEqual([task!.availabilityZone, detail(task!, "subnetId")], ["us-east-1c", net.subnetIds[2]]);
  });

  test("a full subnet: ECS's error once no address is left, and no task", async () => {
    // 11 addresses, one taken by the task of "named groups".
    const filled = (await runFargate(vpc([other.subnetId]), 10)).tasks!;
    assert.equal(filled.length, 10);
    const before = await tasksOfCluster();
    await assert.rejects(runFargate(vpc([other.subnetId])), {
      name: "InvalidParameterException",
      message: new RegExp(`not enough free addresses in subnet '${other.subnetId}'`),
    });
    assert.deepEqual(await tasksOfCluster(), before);
  });

  describe("refusals change nothing", () => {
    const refusals = (): [string, NetworkConfiguration, string | RegExp][] => [
      [
        "a subnet that does not exist",
        vpc([net.subnetIds[0]!, "subnet-0123456789abcdef0"]),
        "Error retrieving subnet information for [subnet-0123456789abcdef0]: The subnet ID 'subnet-0123456789abcdef0' does not exist (ErrorCode: InvalidSubnetID.NotFound)",
      ],
      [
        "a security group that does not exist",
        vpc([net.subnetIds[0]!], { securityGroups: ["sg-0123456789abcdef0"] }),
        "Error retrieving security group information for [sg-0123456789abcdef0]: The security group 'sg-0123456789abcdef0' does not exist (ErrorCode: InvalidGroup.NotFound)",
      ],
      ["subnets of two VPCs", vpc([net.subnetIds[0]!, other.subnetId]), /are in different VPCs/],
      [
        "a group of another VPC than the subnets'",
        vpc([net.subnetIds[0]!], { securityGroups: [net.securityGroupId, other.groupId] }),
        `Security group ${other.groupId} does not appear to belong to the same VPC as the input subnets.`,
      ],
    ];

    test("RunTask", async () => {
      const before = await tasksOfCluster();
      for (const [label, config, message] of refusals()) {
        await assert.rejects(runFargate(config), { name: "InvalidParameterException", message }, label);
      }
      await assert.rejects(
        ecs.send(
          new RunTaskCommand({
            cluster: CLUSTER,
            taskDefinition: "web",
            launchType: "EC2",
            networkConfiguration: vpc([net.subnetIds[0]!], { assignPublicIp: "ENABLED" }),
          }),
        ),
        { name: "InvalidParameterException", message: "Assign public IP is not supported for this launch type." },
      );
      assert.deepEqual(await tasksOfCluster(), before);
    });

    test("CreateTaskSet", async () => {
      await ecs.send(
        new CreateServiceCommand({ cluster: CLUSTER, serviceName: "ext", desiredCount: 1, deploymentController: { type: "EXTERNAL" } }),
      );
      for (const [label, config, message] of refusals()) {
        await assert.rejects(
          ecs.send(
            new CreateTaskSetCommand({
              cluster: CLUSTER,
              service: "ext",
              taskDefinition: "web",
              launchType: "FARGATE",
              networkConfiguration: config,
            }),
          ),
          { name: "InvalidParameterException", message },
          label,
        );
      }
      const [service] = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ["ext"] }))).services!;
      assert.deepEqual(service!.taskSets, []);
    });

    test("CreateService and UpdateService", async () => {
      const create = (serviceName: string, networkConfiguration: NetworkConfiguration) =>
        ecs.send(
          new CreateServiceCommand({
            cluster: CLUSTER,
            serviceName,
            taskDefinition: "web",
            desiredCount: 0,
            launchType: "FARGATE",
            networkConfiguration,
          }),
        );
      for (const [label, config, message] of refusals()) {
        await assert.rejects(create("refused", config), { name: "InvalidParameterException", message }, label);
      }
      const listed = (await ecs.send(new ListServicesCommand({ cluster: CLUSTER }))).serviceArns!;
      assert.ok(!listed.some((arn) => arn.endsWith("/refused")), JSON.stringify(listed));
      await create("svc", vpc([net.subnetIds[0]!], { assignPublicIp: "ENABLED" }));
      for (const [label, config, message] of refusals()) {
        await assert.rejects(
          ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "svc", networkConfiguration: config })),
          { name: "InvalidParameterException", message },
          label,
        );
      }
    });
  });
});
