// EC2's network interfaces (those of awsvpc tasks) and tags: a control plane built in this
// process, listening on loopback for a simulated agent that runs the tasks, with the real
// ECS and EC2 clients; and the tag handlers over stored security groups and their rules.
import { KeyedSerializer } from "../../src/keyed-serializer.js";
import {
  CreateTagsCommand,
  DeleteSubnetCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
  DescribeTagsCommand,
  DescribeVpcsCommand,
  type Subnet,
} from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { capabilityAttributes } from "../../src/agent/capabilities.js";
import { startControlPlane, type RunningControlPlane } from "../../src/cli/control-plane.js";
import type { Ec2Context } from "../../src/services/ec2/context.js";
import { tagsOperations } from "../../src/services/ec2/tags.js";
import { vpcsOperations } from "../../src/services/ec2/vpcs.js";
import { ecsState } from "../../src/state/ecs-state.js";
import { openSqliteStore } from "../../src/state/sqlite/sqlite-store.js";
import type { Store } from "../../src/state/store.js";
import { expectError as refused } from "../support/assertions.js";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { testPlaneOptions } from "../support/in-process.js";
import { ec2SdkClient, sdkClient } from "../support/clients.js";
import { silentLog } from "../support/log.js";
import { SimulatedAgent } from "../support/simulated-agent.js";
import { waitFor } from "../support/wait.js";

describe("EC2 network interfaces of awsvpc tasks", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "berth-ec2-eni-"));
  let plane: RunningControlPlane;
  let agent: SimulatedAgent;
  let subnet: Subnet;
  const ecs = () => sdkClient(plane.endpoint);
  const ec2 = () => ec2SdkClient(plane.endpoint);

  before(async () => {
    plane = await startControlPlane({ ...testPlaneOptions(dataDir), host: "127.0.0.1", port: 0 });
    await ecs().send(new CreateClusterCommand({ clusterName: "eni" }));
    // The capabilities of berth's agent, so that the awsvpc task definition's required attributes are met.
    agent = await new SimulatedAgent(plane.endpoint, {
      cluster: "eni",
      az: "us-east-1a",
      attributes: capabilityAttributes().map((a) => ({ name: a.name!, value: a.value })),
    }).start();
    await ecs().send(
      new RegisterTaskDefinitionCommand({
        family: "eni",
        networkMode: "awsvpc",
        containerDefinitions: [{ name: "app", image: "busybox", memory: 32 }],
      }),
    );
    const subnets = (await ec2().send(new DescribeSubnetsCommand({ Filters: [{ Name: "availability-zone", Values: ["us-east-1a"] }] })))
      .Subnets!;
    subnet = subnets[0]!;
  });
  after(async () => {
    await agent.stop();
    await plane.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("a running task's interface is described as EC2 shows ECS's, filtered, tagged, and holds its subnet", async () => {
    const run = await ecs().send(
      new RunTaskCommand({
        cluster: "eni",
        taskDefinition: "eni",
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnet.SubnetId!] } },
      }),
    );
    assert.deepEqual(run.failures, []);
    const taskArn = run.tasks![0]!.taskArn!;
    const task = await waitFor(async () => (await ecs().send(new DescribeTasksCommand({ cluster: "eni", tasks: [taskArn] }))).tasks![0]!, {
      until: (t) => t.lastStatus === "RUNNING",
    });
    const details = Object.fromEntries(task.attachments![0]!.details!.map((d) => [d.name, d.value]));
    const eniId = details.networkInterfaceId!;
    const ip = details.privateIPv4Address!;
    const { Vpcs } = await ec2().send(new DescribeVpcsCommand({ Filters: [{ Name: "is-default", Values: ["true"] }] }));

    const { NetworkInterfaces } = await ec2().send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] }));
    const eni = NetworkInterfaces![0]!;
    assert.equal(eni.NetworkInterfaceId, eniId);
    assert.equal(eni.SubnetId, subnet.SubnetId);
    assert.equal(eni.VpcId, Vpcs![0]!.VpcId);
    assert.equal(eni.AvailabilityZone, "us-east-1a");
    assert.equal(eni.PrivateIpAddress, ip);
    assert.equal(eni.PrivateDnsName, `ip-${ip.replaceAll(".", "-")}.ec2.internal`);
    assert.deepEqual(eni.PrivateIpAddresses, [{ Primary: true, PrivateIpAddress: ip, PrivateDnsName: eni.PrivateDnsName }]);
    assert.equal(eni.MacAddress, details.macAddress);
    assert.equal(eni.InterfaceType, "interface");
    assert.equal(eni.Description, `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}:attachment/${task.attachments![0]!.id}`);
    assert.equal(eni.RequesterManaged, true);
    assert.equal(eni.Status, "in-use");
    assert.equal(eni.OwnerId, TEST_ACCOUNT);
    assert.match(eni.Attachment!.AttachmentId!, /^eni-attach-[0-9a-f]{17}$/);
    assert.equal(eni.Attachment!.Status, "attached");
    assert.equal(eni.Attachment!.DeviceIndex, 1);
    assert.equal(eni.Attachment!.InstanceOwnerId, "amazon-aws");
    // The same attachment id on every answer.
    const again = (await ec2().send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces!.find(
      (n) => n.NetworkInterfaceId === eniId,
    )!;
    assert.equal(again.Attachment!.AttachmentId, eni.Attachment!.AttachmentId);

    const ids = async (Name: string, Values: string[]) =>
      (await ec2().send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name, Values }] }))).NetworkInterfaces!.map(
        (n) => n.NetworkInterfaceId,
      );
    assert.deepEqual(await ids("subnet-id", [subnet.SubnetId!]), [eniId]);
    assert.deepEqual(await ids("private-ip-address", [ip]), [eniId]);
    assert.deepEqual(await ids("addresses.private-ip-address", [ip]), [eniId]);
    assert.deepEqual(await ids("description", ["arn:aws:ecs:*:attachment/*"]), [eniId]);
    assert.deepEqual(await ids("attachment.status", ["attached"]), [eniId]);
    assert.deepEqual(await ids("requester-managed", ["true"]), [eniId]);
    assert.deepEqual(await ids("status", ["available"]), []);
    assert.deepEqual(await ids("mac-address", [details.macAddress!]), [eniId]);
    await refused(
      ec2().send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "nope", Values: ["x"] }] })),
      "InvalidParameterValue",
    );
    await refused(
      ec2().send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ["eni-0123456789abcdef0"] })),
      "InvalidNetworkInterfaceID.NotFound",
      "The networkInterface ID 'eni-0123456789abcdef0' does not exist",
    );

    // Tags on an interface, answered by DescribeNetworkInterfaces and DescribeTags.
    await ec2().send(new CreateTagsCommand({ Resources: [eniId], Tags: [{ Key: "role", Value: "web" }] }));
    assert.deepEqual(await ids("tag:role", ["web"]), [eniId]);
    const tags = await ec2().send(new DescribeTagsCommand({ Filters: [{ Name: "resource-type", Values: ["network-interface"] }] }));
    assert.deepEqual(tags.Tags, [{ Key: "role", ResourceId: eniId, ResourceType: "network-interface", Value: "web" }]);

    // The subnet's free addresses count the interface, and the subnet cannot go while it is there.
    const count = async () =>
      (await ec2().send(new DescribeSubnetsCommand({ SubnetIds: [subnet.SubnetId!] }))).Subnets![0]!.AvailableIpAddressCount;
    assert.equal(await count(), 4090);
    await refused(
      ec2().send(new DeleteSubnetCommand({ SubnetId: subnet.SubnetId! })),
      "DependencyViolation",
      `The subnet '${subnet.SubnetId}' has dependencies and cannot be deleted.`,
    );

    await ecs().send(new StopTaskCommand({ cluster: "eni", task: taskArn }));
    await waitFor(async () => (await ec2().send(new DescribeNetworkInterfacesCommand({}))).NetworkInterfaces!, {
      until: (all) => all.length === 0,
    });
    assert.equal(await count(), 4091);
    await refused(ec2().send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniId] })), "InvalidNetworkInterfaceID.NotFound");
    assert.deepEqual((await ec2().send(new DescribeTagsCommand({ Filters: [{ Name: "resource-id", Values: [eniId] }] }))).Tags, []);
    await refused(
      ec2().send(new CreateTagsCommand({ Resources: [eniId], Tags: [{ Key: "a", Value: "b" }] })),
      "InvalidNetworkInterfaceID.NotFound",
    );
  });
});

describe("EC2 tags", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "berth-ec2-tags-"));
  let store: Store;
  let ctx: Ec2Context;
  const scope = { accountId: TEST_ACCOUNT, region: "us-east-1" };

  before(() => {
    store = openSqliteStore(join(dataDir, "berth.sqlite"));
    const state = ecsState(store);
    ctx = {
      scope,
      log: silentLog,
      now: new Date(),
      state: state.ec2,
      interfaces: state.interfaces,
      occupiedCidrs: () => [],
      placementLock: new KeyedSerializer(),
    };
  });
  after(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = <K extends keyof typeof tagsOperations>(op: K, input: Parameters<(typeof tagsOperations)[K]>[1]) =>
    (tagsOperations[op] as (c: Ec2Context, i: typeof input) => Promise<unknown>)(ctx, input);
  const describeTags = async (input: Parameters<typeof tagsOperations.DescribeTags>[1] = {}) =>
    (await tagsOperations.DescribeTags(ctx, input)).Tags!;
  const code = (name: string, message?: string | RegExp) => (err: Error & { code?: string }) => {
    assert.equal(err.code, name, err.message);
    if (typeof message === "string") assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  };

  test("security groups and their rules are tagged on their documents; a call changes every resource or none", async () => {
    const { Vpc } = await vpcsOperations.CreateVpc(ctx, { CidrBlock: "10.50.0.0/16" });
    const vpcId = Vpc!.VpcId!;
    const stored = (await ctx.state.vpcs.get(scope, vpcId))!;
    const groupId = stored.defaultSecurityGroupId;
    const ruleId = (await ctx.state.securityGroups.get(scope, groupId))!.rules[0]!.SecurityGroupRuleId!;

    await call("CreateTags", { Resources: [vpcId, groupId, ruleId], Tags: [{ Key: "env", Value: "prod" }, { Key: "team" }] });
    const group = (await ctx.state.securityGroups.get(scope, groupId))!;
    assert.deepEqual(group.group.Tags, [
      { Key: "env", Value: "prod" },
      { Key: "team", Value: "" },
    ]);
    assert.deepEqual(group.rules.find((r) => r.SecurityGroupRuleId === ruleId)!.Tags, [
      { Key: "env", Value: "prod" },
      { Key: "team", Value: "" },
    ]);
    assert.deepEqual(
      (await describeTags({ Filters: [{ Name: "key", Values: ["env"] }] })).map((t) => [t.ResourceType, t.ResourceId]).sort(),
      [
        ["security-group", groupId],
        ["security-group-rule", ruleId],
        ["vpc", vpcId],
      ].sort(),
    );
    assert.deepEqual(
      (
        await describeTags({
          Filters: [
            { Name: "resource-type", Values: ["security-group-rule"] },
            { Name: "tag:env", Values: ["pr*"] },
          ],
        })
      ).map((t) => t.ResourceId),
      [ruleId],
    );

    // One unknown resource: nothing changes, and the error names it by its kind.
    const unchanged = await describeTags();
    await assert.rejects(
      call("CreateTags", { Resources: [vpcId, "sg-0123456789abcdef0"], Tags: [{ Key: "x", Value: "y" }] }),
      code("InvalidGroup.NotFound"),
    );
    await assert.rejects(
      call("CreateTags", { Resources: [vpcId, "sgr-0123456789abcdef0"], Tags: [{ Key: "x", Value: "y" }] }),
      code("InvalidSecurityGroupRuleId.NotFound"),
    );
    await assert.rejects(
      call("CreateTags", { Resources: [vpcId, "subnet-0123456789abcdef0"], Tags: [{ Key: "x", Value: "y" }] }),
      code("InvalidSubnetID.NotFound"),
    );
    await assert.rejects(
      call("CreateTags", { Resources: ["vpc-0123456789abcdef0"], Tags: [{ Key: "x", Value: "y" }] }),
      code("InvalidVpcID.NotFound"),
    );
    await assert.rejects(
      call("CreateTags", { Resources: [vpcId, "i-0123456789abcdef0"], Tags: [{ Key: "x", Value: "y" }] }),
      code("InvalidID", "The ID 'i-0123456789abcdef0' is not valid"),
    );
    await assert.rejects(
      call("CreateTags", { Resources: [vpcId], Tags: [{ Key: "aws:owner", Value: "y" }] }),
      code("InvalidParameterValue"),
    );
    // Past 50 tags on the VPC (it has 2): refused for both resources.
    const many = Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    await assert.rejects(call("CreateTags", { Resources: [groupId, vpcId], Tags: many }), code("TagLimitExceeded"));
    assert.deepEqual(await describeTags(), unchanged);

    // DeleteTags: a value given removes the tag only when it matches; without Tags, all go.
    await call("DeleteTags", { Resources: [vpcId], Tags: [{ Key: "env", Value: "dev" }] });
    assert.equal((await describeTags({ Filters: [{ Name: "resource-id", Values: [vpcId] }] })).length, 2);
    await call("DeleteTags", { Resources: [vpcId], Tags: [{ Key: "env" }] });
    assert.deepEqual(
      (await describeTags({ Filters: [{ Name: "resource-id", Values: [vpcId] }] })).map((t) => t.Key),
      ["team"],
    );
    await call("DeleteTags", { Resources: [groupId, ruleId] });
    assert.deepEqual(await describeTags({ Filters: [{ Name: "resource-id", Values: [groupId, ruleId] }] }), []);
  });

  test("DescribeTags pages through every tag exactly once", async () => {
    const { Vpc } = await vpcsOperations.CreateVpc(ctx, { CidrBlock: "10.51.0.0/16" });
    const tags = Array.from({ length: 12 }, (_, i) => ({ Key: `page${String(i).padStart(2, "0")}`, Value: String(i) }));
    await call("CreateTags", { Resources: [Vpc!.VpcId!], Tags: tags });
    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await tagsOperations.DescribeTags(ctx, { MaxResults: 5, NextToken, Filters: [{ Name: "key", Values: ["page*"] }] });
      assert.ok(page.Tags!.length <= 5);
      seen.push(...page.Tags!.map((t) => t.Key!));
      NextToken = page.NextToken;
    } while (NextToken);
    assert.deepEqual(
      seen,
      tags.map((t) => t.Key),
    );
  });
});
