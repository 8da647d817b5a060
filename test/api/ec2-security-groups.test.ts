// EC2 security groups in-process (test/support/ec2-security-group-world.ts): the default
// group, create, describe and delete, and what keeps a group from being deleted.
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import type { StoredTask } from "../../src/state/ecs-documents.js";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { refused, scope, securityGroupWorld } from "../support/ec2-security-group-world.js";

describe("EC2 security groups in-process", () => {
  const world = securityGroupWorld();
  const { ec2, describeGroup, create } = world;
  before(() => world.start());
  after(() => world.close());

  test("the default VPC's default group allows all traffic from itself and all egress", () => {
    const groupId = world.defaultGroup.GroupId!;
    assert.match(groupId, /^sg-[0-9a-f]{17}$/);
    assert.equal(world.defaultGroup.Description, "default VPC security group");
    assert.equal(world.defaultGroup.OwnerId, TEST_ACCOUNT);
    assert.deepEqual(world.defaultGroup.IpPermissions, [
      { IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: groupId, UserId: TEST_ACCOUNT }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] },
    ]);
    assert.deepEqual(world.defaultGroup.IpPermissionsEgress, [
      { IpProtocol: "-1", UserIdGroupPairs: [], IpRanges: [{ CidrIp: "0.0.0.0/0" }], Ipv6Ranges: [], PrefixListIds: [] },
    ]);
  });

  test("create, describe by id, name and filter, then delete", async () => {
    const made = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: "web",
        Description: "web servers",
        TagSpecifications: [{ ResourceType: "security-group", Tags: [{ Key: "team", Value: "blue" }] }],
      }),
    );
    const groupId = made.GroupId!;
    assert.equal(made.SecurityGroupArn, `arn:aws:ec2:us-east-1:${TEST_ACCOUNT}:security-group/${groupId}`);
    assert.deepEqual(made.Tags, [{ Key: "team", Value: "blue" }]);
    const group = await describeGroup(groupId);
    assert.equal(group.VpcId, world.defaultVpcId);
    assert.equal(group.GroupName, "web");
    assert.deepEqual(group.IpPermissions, []);
    assert.deepEqual(group.IpPermissionsEgress, world.defaultGroup.IpPermissionsEgress);
    const byName = await ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ["web"] }));
    assert.deepEqual(
      byName.SecurityGroups!.map((g) => g.GroupId),
      [groupId],
    );
    const byTag = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "tag:team", Values: ["bl*"] }] }));
    assert.deepEqual(
      byTag.SecurityGroups!.map((g) => g.GroupId),
      [groupId],
    );
    await refused(
      ec2.send(new CreateSecurityGroupCommand({ GroupName: "web", Description: "again" })),
      "InvalidGroup.Duplicate",
      `The security group 'web' already exists for VPC '${world.defaultVpcId}'`,
    );
    // The same name in another VPC is another group.
    const elsewhere = await create("web", world.otherVpcId);
    assert.equal((await describeGroup(elsewhere)).VpcId, world.otherVpcId);
    assert.deepEqual(await ec2.send(new DeleteSecurityGroupCommand({ GroupName: "web" })).then((r) => [r.Return, r.GroupId]), [
      true,
      groupId,
    ]);
    await refused(
      ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })),
      "InvalidGroup.NotFound",
      `The security group '${groupId}' does not exist`,
    );
    await refused(
      ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: ["web"] })),
      "InvalidGroup.NotFound",
      `The security group 'web' does not exist in default VPC '${world.defaultVpcId}'`,
    );
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: elsewhere }));
  });

  test("CreateSecurityGroup refuses what EC2 refuses, and makes nothing", async () => {
    const before = await ec2.send(new DescribeSecurityGroupsCommand({}));
    await refused(ec2.send(new CreateSecurityGroupCommand({ GroupName: "default", Description: "x" })), "InvalidGroup.Reserved");
    await refused(ec2.send(new CreateSecurityGroupCommand({ GroupName: "sg-web", Description: "x" })), "InvalidParameterValue", /sg-\*/);
    await refused(ec2.send(new CreateSecurityGroupCommand({ GroupName: "wéb", Description: "x" })), "InvalidParameterValue");
    await refused(ec2.send(new CreateSecurityGroupCommand({ GroupName: "x".repeat(256), Description: "x" })), "InvalidParameterValue");
    await refused(
      ec2.send(new CreateSecurityGroupCommand({ GroupName: "ok", Description: "x", VpcId: "vpc-0123456789abcdef0" })),
      "InvalidVpcID.NotFound",
      "The vpc ID 'vpc-0123456789abcdef0' does not exist",
    );
    await refused(
      ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: "ok",
          Description: "x",
          TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "a", Value: "b" }] }],
        }),
      ),
      "InvalidParameterValue",
    );
    await refused(ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ["nope"] })), "InvalidGroupId.Malformed");
    await refused(
      ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [world.defaultGroup.GroupId!], MaxResults: 5 })),
      "InvalidParameterCombination",
    );
    await refused(ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "colour", Values: ["red"] }] })), "InvalidParameterValue");
    assert.deepEqual(await ec2.send(new DescribeSecurityGroupsCommand({})).then((r) => r.SecurityGroups), before.SecurityGroups);
  });

  test("a VPC's default group cannot be deleted", async () => {
    await refused(
      ec2.send(new DeleteSecurityGroupCommand({ GroupId: world.defaultGroup.GroupId })),
      "CannotDelete",
      `the specified group: "${world.defaultGroup.GroupId}" name: "default" cannot be deleted by a user`,
    );
    await refused(ec2.send(new DeleteSecurityGroupCommand({ GroupId: "sg-0123456789abcdef0" })), "InvalidGroup.NotFound");
  });

  test("a group another group's rule references cannot be deleted until the rule goes", async () => {
    const target = await create("db");
    const client = await create("db-client");
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: target,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: client }] }],
      }),
    );
    await refused(
      ec2.send(new DeleteSecurityGroupCommand({ GroupId: client })),
      "DependencyViolation",
      `resource ${client} has a dependent object`,
    );
    await describeGroup(client);
    await ec2.send(
      new RevokeSecurityGroupIngressCommand({
        GroupId: target,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: client }] }],
      }),
    );
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: client }));
    // A group's rule naming itself does not hold it.
    const selfish = await create("selfish");
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: selfish,
        IpPermissions: [{ IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: selfish }] }],
      }),
    );
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: selfish }));
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: target }));
  });

  test("a group a live task's network interface holds cannot be deleted", async () => {
    const groupId = await create("task-sg");
    const taskArn = `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:task/c/0123456789abcdef0123456789abcdef`;
    const task = (lastStatus: string): StoredTask => ({
      task: { taskArn, lastStatus, createdAt: new Date(), group: "family:web", availabilityZone: "us-east-1a" },
      cluster: "c",
      hostId: "host-1",
      taskDefinition: { taskDefinitionArn: `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:task-definition/web:1` },
      reservation: { cpu: 0, memory: 0, ports: [], portsUdp: [] },
      network: {
        subnetId: "subnet-0123456789abcdef0",
        vpcId: world.defaultVpcId,
        securityGroupIds: [groupId],
        networkName: `berth-${world.defaultVpcId}`,
        cidr: "172.31.0.0/16",
        gateway: "172.31.0.1",
        ipv4Address: "172.31.0.10",
        loopbackAddress: "127.1.0.10",
        attachmentId: "0123-attachment",
        networkInterfaceId: "eni-0123456789abcdef0",
        macAddress: "02:42:ac:1f:00:0a",
      },
    });
    await world.state.tasks.putMany(scope, [{ id: "0123456789abcdef0123456789abcdef", doc: task("RUNNING") }]);
    await refused(
      ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId })),
      "DependencyViolation",
      `resource ${groupId} has a dependent object`,
    );
    await world.state.tasks.putMany(scope, [{ id: "0123456789abcdef0123456789abcdef", doc: task("STOPPED") }]);
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
  });
});
