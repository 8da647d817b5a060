// EC2's VPCs, subnets, zones and account attributes in-process: the real EC2 client (its
// Query protocol, SigV4, paginators and waiters) against a whole control plane in this process.
import {
  CreateDefaultSubnetCommand,
  CreateDefaultVpcCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeAccountAttributesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcsCommand,
  type EC2Client,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  paginateDescribeSubnets,
  paginateDescribeVpcs,
  waitUntilSubnetAvailable,
  waitUntilVpcAvailable,
} from "@aws-sdk/client-ec2";
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { expectError as refused } from "../support/assertions.js";
import { inProcessBerth } from "../support/in-process.js";

const defaultVpcOf = async (ec2: EC2Client) =>
  (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "isDefault", Values: ["true"] }] }))).Vpcs ?? [];

describe("EC2 VPCs and subnets in-process", () => {
  const berth = inProcessBerth();
  const { ec2 } = berth;
  after(() => berth.close());

  test("an account's first call sees its default VPC, one default subnet per zone, and the account's attributes", async () => {
    const [vpc, ...others] = await defaultVpcOf(ec2);
    assert.equal(others.length, 0);
    assert.equal(vpc!.CidrBlock, "172.31.0.0/16");
    assert.equal(vpc!.IsDefault, true);
    assert.equal(vpc!.State, "available");
    assert.equal(vpc!.OwnerId, TEST_ACCOUNT);
    assert.match(vpc!.VpcId!, /^vpc-[0-9a-f]{17}$/);
    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc!.VpcId!] }] }));
    const byZone = Subnets!
      .map((s) => [s.AvailabilityZone, s.AvailabilityZoneId, s.CidrBlock, s.DefaultForAz, s.MapPublicIpOnLaunch])
      .sort();
    assert.deepEqual(byZone, [
      ["us-east-1a", "use1-az1", "172.31.0.0/20", true, true],
      ["us-east-1b", "use1-az2", "172.31.16.0/20", true, true],
      ["us-east-1c", "use1-az3", "172.31.32.0/20", true, true],
    ]);
    // A /20 less AWS's five reserved addresses.
    assert.ok(Subnets!.every((s) => s.AvailableIpAddressCount === 4091));
    const { AccountAttributes } = await ec2.send(new DescribeAccountAttributesCommand({}));
    const attrs = Object.fromEntries(AccountAttributes!.map((a) => [a.AttributeName, a.AttributeValues![0]!.AttributeValue]));
    assert.equal(attrs["default-vpc"], vpc!.VpcId);
    assert.equal(attrs["supported-platforms"], "VPC");
    assert.equal(attrs["vpc-max-security-groups-per-interface"], "5");
    const only = await ec2.send(new DescribeAccountAttributesCommand({ AttributeNames: ["supported-platforms"] }));
    assert.deepEqual(only.AccountAttributes, [{ AttributeName: "supported-platforms", AttributeValues: [{ AttributeValue: "VPC" }] }]);
    const dns = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpc!.VpcId!, Attribute: "enableDnsHostnames" }));
    assert.deepEqual(dns.EnableDnsHostnames, { Value: true });
  });

  test("availability zones: all three, by name or id, filtered with wildcards; an unknown name is refused", async () => {
    const all = (await ec2.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones!;
    assert.deepEqual(
      all.map((z) => [z.ZoneName, z.ZoneId, z.State, z.RegionName, z.ZoneType]),
      [
        ["us-east-1a", "use1-az1", "available", "us-east-1", "availability-zone"],
        ["us-east-1b", "use1-az2", "available", "us-east-1", "availability-zone"],
        ["us-east-1c", "use1-az3", "available", "us-east-1", "availability-zone"],
      ],
    );
    const named = await ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ["us-east-1b"], ZoneIds: ["use1-az3"] }));
    assert.deepEqual(
      named.AvailabilityZones!.map((z) => z.ZoneName),
      ["us-east-1b", "us-east-1c"],
    );
    const filtered = await ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: "zone-id", Values: ["*az2"] }] }));
    assert.deepEqual(
      filtered.AvailabilityZones!.map((z) => z.ZoneName),
      ["us-east-1b"],
    );
    await refused(
      ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ["us-east-1z"] })),
      "InvalidParameterValue",
      "Invalid availability zone: [us-east-1z]",
    );
    await refused(
      ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: "bogus", Values: ["x"] }] })),
      "InvalidParameterValue",
      "The filter 'bogus' is invalid",
    );
    const west = berth.ec2Client({ region: "eu-west-1" });
    assert.deepEqual(
      (await west.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones!.map((z) => z.ZoneId),
      ["euw1-az1", "euw1-az2", "euw1-az3"],
    );
  });

  test("CreateVpc: tags, the waiter, DescribeVpcs by id and filter; bad blocks and overlaps are refused and change nothing", async () => {
    const before = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs!.length;
    const { Vpc } = await ec2.send(
      new CreateVpcCommand({
        CidrBlock: "10.20.1.0/16",
        TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "Name", Value: "app-vpc" }] }],
      }),
    );
    // EC2 keeps the block's network address.
    assert.equal(Vpc!.CidrBlock, "10.20.0.0/16");
    assert.equal(Vpc!.IsDefault, false);
    assert.deepEqual(Vpc!.Tags, [{ Key: "Name", Value: "app-vpc" }]);
    await waitUntilVpcAvailable({ client: ec2, maxWaitTime: 60 }, { VpcIds: [Vpc!.VpcId!] });
    const byTag = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "tag:Name", Values: ["app-*"] }] }));
    assert.deepEqual(
      byTag.Vpcs!.map((v) => v.VpcId),
      [Vpc!.VpcId],
    );
    const byCidr = await ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: "cidr-block-association.cidr-block", Values: ["10.20.0.0/16"] }] }),
    );
    assert.deepEqual(
      byCidr.Vpcs!.map((v) => v.VpcId),
      [Vpc!.VpcId],
    );
    const notDefault = await ec2.send(
      new DescribeVpcsCommand({ VpcIds: [Vpc!.VpcId!], Filters: [{ Name: "is-default", Values: ["true"] }] }),
    );
    assert.deepEqual(notDefault.Vpcs, []);
    assert.equal(
      (await ec2.send(new DescribeVpcAttributeCommand({ VpcId: Vpc!.VpcId!, Attribute: "enableDnsHostnames" }))).EnableDnsHostnames!.Value,
      false,
    );

    const create = (CidrBlock: string) => ec2.send(new CreateVpcCommand({ CidrBlock }));
    await refused(create("10.0.0.0/8"), "InvalidVpc.Range", "The CIDR '10.0.0.0/8' is invalid.");
    await refused(create("10.9.0.0/29"), "InvalidVpc.Range", "The CIDR '10.9.0.0/29' is invalid.");
    await refused(
      create("10.9.0.0"),
      "InvalidParameterValue",
      "Value (10.9.0.0) for parameter cidrBlock is invalid. This is not a valid CIDR block.",
    );
    await refused(
      create("10.20.5.0/24"),
      "InvalidVpc.Range",
      new RegExp(`^The CIDR '10.20.5.0/24' overlaps 10.20.0.0/16, which VPC ${Vpc!.VpcId} already uses`),
    );
    await refused(create("172.31.0.0/20"), "InvalidVpc.Range", /overlaps 172.31.0.0\/16, which VPC vpc-[0-9a-f]+ already uses/);
    // VPCs of other regions and accounts share the hosts too.
    await refused(
      berth.ec2Client({ region: "eu-west-1" }).send(new CreateVpcCommand({ CidrBlock: "10.20.0.0/24" })),
      "InvalidVpc.Range",
      /of account \d+ in us-east-1 already uses/,
    );
    await refused(
      ec2.send(new CreateVpcCommand({ CidrBlock: "10.30.0.0/16", AmazonProvidedIpv6CidrBlock: true })),
      "InvalidParameterValue",
      /IPv4 only/,
    );
    await refused(
      ec2.send(
        new CreateVpcCommand({
          CidrBlock: "10.30.0.0/16",
          TagSpecifications: [{ ResourceType: "subnet", Tags: [{ Key: "a", Value: "b" }] }],
        }),
      ),
      "InvalidParameterValue",
    );
    await refused(
      ec2.send(
        new CreateVpcCommand({
          CidrBlock: "10.30.0.0/16",
          TagSpecifications: [{ ResourceType: "vpc", Tags: [{ Key: "aws:x", Value: "b" }] }],
        }),
      ),
      "InvalidParameterValue",
    );
    assert.equal((await ec2.send(new DescribeVpcsCommand({}))).Vpcs!.length, before + 1);

    await refused(
      ec2.send(new DescribeVpcsCommand({ VpcIds: ["vpc-0123456789abcdef0"] })),
      "InvalidVpcID.NotFound",
      "The vpc ID 'vpc-0123456789abcdef0' does not exist",
    );
    await refused(
      ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "colour", Values: ["x"] }] })),
      "InvalidParameterValue",
      "The filter 'colour' is invalid",
    );
    await refused(ec2.send(new DeleteVpcCommand({ VpcId: "vpc-0123456789abcdef0" })), "InvalidVpcID.NotFound");
    await ec2.send(new DeleteVpcCommand({ VpcId: Vpc!.VpcId! }));
    await refused(ec2.send(new DescribeVpcsCommand({ VpcIds: [Vpc!.VpcId!] })), "InvalidVpcID.NotFound");
    // Its block is free again.
    const again = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.20.0.0/16" }));
    await ec2.send(new DeleteVpcCommand({ VpcId: again.Vpc!.VpcId! }));
  });

  test("ModifyVpcAttribute takes one attribute per call; hostnames need DNS support", async () => {
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.21.0.0/24" }));
    const VpcId = Vpc!.VpcId!;
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId, EnableDnsHostnames: { Value: true } }));
    assert.equal(
      (await ec2.send(new DescribeVpcAttributeCommand({ VpcId, Attribute: "enableDnsHostnames" }))).EnableDnsHostnames!.Value,
      true,
    );
    await refused(ec2.send(new ModifyVpcAttributeCommand({ VpcId, EnableDnsSupport: { Value: false } })), "InvalidParameterValue");
    await refused(
      ec2.send(new ModifyVpcAttributeCommand({ VpcId, EnableDnsSupport: { Value: true }, EnableDnsHostnames: { Value: false } })),
      "InvalidParameterCombination",
    );
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId, EnableDnsHostnames: { Value: false } }));
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId, EnableDnsSupport: { Value: false } }));
    assert.equal(
      (await ec2.send(new DescribeVpcAttributeCommand({ VpcId, Attribute: "enableDnsSupport" }))).EnableDnsSupport!.Value,
      false,
    );
    await refused(
      ec2.send(new ModifyVpcAttributeCommand({ VpcId: "vpc-0123456789abcdef0", EnableDnsSupport: { Value: true } })),
      "InvalidVpcID.NotFound",
    );
    await ec2.send(new DeleteVpcCommand({ VpcId }));
  });

  test("subnets: create in a zone, the waiter, filters, conflicts and ranges, dependencies of the VPC", async () => {
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.22.0.0/16" }));
    const VpcId = Vpc!.VpcId!;
    const { Subnet } = await ec2.send(
      new CreateSubnetCommand({
        VpcId,
        CidrBlock: "10.22.1.0/24",
        AvailabilityZone: "us-east-1b",
        TagSpecifications: [{ ResourceType: "subnet", Tags: [{ Key: "tier", Value: "web" }] }],
      }),
    );
    assert.equal(Subnet!.AvailabilityZone, "us-east-1b");
    assert.equal(Subnet!.AvailabilityZoneId, "use1-az2");
    assert.equal(Subnet!.DefaultForAz, false);
    assert.equal(Subnet!.MapPublicIpOnLaunch, false);
    assert.equal(Subnet!.AvailableIpAddressCount, 251);
    assert.equal(Subnet!.SubnetArn, `arn:aws:ec2:us-east-1:${TEST_ACCOUNT}:subnet/${Subnet!.SubnetId}`);
    await waitUntilSubnetAvailable({ client: ec2, maxWaitTime: 60 }, { SubnetIds: [Subnet!.SubnetId!] });
    const byZoneId = await ec2.send(new CreateSubnetCommand({ VpcId, CidrBlock: "10.22.2.0/24", AvailabilityZoneId: "use1-az3" }));
    assert.equal(byZoneId.Subnet!.AvailabilityZone, "us-east-1c");
    const firstZone = await ec2.send(new CreateSubnetCommand({ VpcId, CidrBlock: "10.22.3.0/28" }));
    assert.equal(firstZone.Subnet!.AvailabilityZone, "us-east-1a");

    const sub = (CidrBlock: string, AvailabilityZone?: string) => ec2.send(new CreateSubnetCommand({ VpcId, CidrBlock, AvailabilityZone }));
    await refused(sub("10.22.1.128/25"), "InvalidSubnet.Conflict", "The CIDR '10.22.1.128/25' conflicts with another subnet");
    await refused(sub("10.23.0.0/24"), "InvalidSubnet.Range", "The CIDR '10.23.0.0/24' is invalid.");
    await refused(sub("10.22.9.0/29"), "InvalidSubnet.Range", "The CIDR '10.22.9.0/29' is invalid.");
    await refused(sub("10.22.9.0/33"), "InvalidParameterValue", /not a valid CIDR block/);
    await refused(
      sub("10.22.9.0/24", "us-east-1z"),
      "InvalidParameterValue",
      "Value (us-east-1z) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: us-east-1a, us-east-1b, us-east-1c.",
    );
    await refused(
      ec2.send(new CreateSubnetCommand({ VpcId: "vpc-0123456789abcdef0", CidrBlock: "10.22.9.0/24" })),
      "InvalidVpcID.NotFound",
    );
    assert.equal((await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [VpcId] }] }))).Subnets!.length, 3);

    const find = async (Name: string, Values: string[]) =>
      (
        await ec2.send(
          new DescribeSubnetsCommand({
            Filters: [
              { Name: "vpc-id", Values: [VpcId] },
              { Name, Values },
            ],
          }),
        )
      )
        .Subnets!.map((s) => s.CidrBlock)
        .sort();
    assert.deepEqual(await find("availability-zone", ["us-east-1b", "us-east-1c"]), ["10.22.1.0/24", "10.22.2.0/24"]);
    assert.deepEqual(await find("availabilityZoneId", ["use1-az1"]), ["10.22.3.0/28"]);
    assert.deepEqual(await find("cidr-block", ["10.22.*.0/24"]), ["10.22.1.0/24", "10.22.2.0/24"]);
    assert.deepEqual(await find("cidrBlock", ["10.22.3.0/28"]), ["10.22.3.0/28"]);
    assert.deepEqual(await find("tag:tier", ["web"]), ["10.22.1.0/24"]);
    assert.deepEqual(await find("tag-key", ["tier"]), ["10.22.1.0/24"]);
    assert.deepEqual(await find("default-for-az", ["true"]), []);
    assert.deepEqual(await find("state", ["available"]), ["10.22.1.0/24", "10.22.2.0/24", "10.22.3.0/28"]);

    await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: Subnet!.SubnetId!, MapPublicIpOnLaunch: { Value: true } }));
    assert.deepEqual(await find("map-public-ip-on-launch", ["true"]), ["10.22.1.0/24"]);
    await refused(
      ec2.send(new ModifySubnetAttributeCommand({ SubnetId: "subnet-0123456789abcdef0", MapPublicIpOnLaunch: { Value: true } })),
      "InvalidSubnetID.NotFound",
    );

    await refused(
      ec2.send(new DeleteVpcCommand({ VpcId })),
      "DependencyViolation",
      `The vpc '${VpcId}' has dependencies and cannot be deleted.`,
    );
    await refused(
      ec2.send(new DescribeSubnetsCommand({ SubnetIds: ["subnet-0123456789abcdef0"] })),
      "InvalidSubnetID.NotFound",
      "The subnet ID 'subnet-0123456789abcdef0' does not exist",
    );
    await refused(ec2.send(new DeleteSubnetCommand({ SubnetId: "subnet-0123456789abcdef0" })), "InvalidSubnetID.NotFound");
    for (const s of [Subnet!, byZoneId.Subnet!, firstZone.Subnet!]) await ec2.send(new DeleteSubnetCommand({ SubnetId: s.SubnetId! }));
    await refused(ec2.send(new DescribeSubnetsCommand({ SubnetIds: [Subnet!.SubnetId!] })), "InvalidSubnetID.NotFound");
    await ec2.send(new DeleteVpcCommand({ VpcId }));
  });

  test("the SDK's paginators walk every VPC and subnet exactly once", async () => {
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await ec2.send(new CreateVpcCommand({ CidrBlock: `10.40.${i * 16}.0/20` }))).Vpc!.VpcId!);
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeVpcs({ client: ec2, pageSize: 5 }, {})) {
      pages++;
      seen.push(...page.Vpcs!.map((v) => v.VpcId!));
    }
    const all = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs!.map((v) => v.VpcId!);
    assert.equal(seen.length, all.length);
    assert.deepEqual([...seen].sort(), [...all].sort());
    assert.ok(pages >= 2);
    for (const id of made) assert.ok(seen.includes(id));
    const subnets: string[] = [];
    for (let i = 0; i < 6; i++)
      subnets.push((await ec2.send(new CreateSubnetCommand({ VpcId: made[0]!, CidrBlock: `10.40.${i}.0/24` }))).Subnet!.SubnetId!);
    const walked: string[] = [];
    for await (const page of paginateDescribeSubnets({ client: ec2, pageSize: 5 }, { Filters: [{ Name: "vpc-id", Values: [made[0]!] }] }))
      walked.push(...page.Subnets!.map((s) => s.SubnetId!));
    assert.deepEqual(walked.sort(), [...subnets].sort());
    await refused(ec2.send(new DescribeVpcsCommand({ MaxResults: 5, NextToken: "garbage!" })), "InvalidNextToken");
    for (const id of subnets) await ec2.send(new DeleteSubnetCommand({ SubnetId: id }));
    for (const id of made) await ec2.send(new DeleteVpcCommand({ VpcId: id }));
  });

  test("the default VPC can be deleted and made again, with its default subnets", async () => {
    const ec2w = berth.ec2Client({ region: "us-west-2" });
    const [vpc] = await defaultVpcOf(ec2w);
    const attr = async () =>
      (await ec2w.send(new DescribeAccountAttributesCommand({ AttributeNames: ["default-vpc"] }))).AccountAttributes![0]!
        .AttributeValues![0]!.AttributeValue;
    assert.equal(await attr(), vpc!.VpcId);
    await refused(ec2w.send(new CreateDefaultVpcCommand({})), "DefaultVpcAlreadyExists");
    await refused(
      ec2w.send(new CreateDefaultSubnetCommand({ AvailabilityZone: "us-west-2a" })),
      "DefaultSubnetAlreadyExistsInAvailabilityZone",
    );
    const subnets = (await ec2w.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc!.VpcId!] }] }))).Subnets!;
    // A deleted default subnet comes back in its zone, in the first free /20.
    const b = subnets.find((s) => s.AvailabilityZone === "us-west-2b")!;
    await ec2w.send(new DeleteSubnetCommand({ SubnetId: b.SubnetId! }));
    const remade = await ec2w.send(new CreateDefaultSubnetCommand({ AvailabilityZone: "us-west-2b" }));
    assert.equal(remade.Subnet!.CidrBlock, "172.31.16.0/20");
    assert.equal(remade.Subnet!.DefaultForAz, true);
    await refused(ec2w.send(new DeleteVpcCommand({ VpcId: vpc!.VpcId! })), "DependencyViolation");
    for (const s of (await ec2w.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc!.VpcId!] }] }))).Subnets!)
      await ec2w.send(new DeleteSubnetCommand({ SubnetId: s.SubnetId! }));
    await ec2w.send(new DeleteVpcCommand({ VpcId: vpc!.VpcId! }));
    assert.equal(await attr(), "none");
    assert.deepEqual(await defaultVpcOf(ec2w), []);
    await refused(ec2w.send(new CreateDefaultSubnetCommand({ AvailabilityZone: "us-west-2a" })), "NoDefaultVpcForAvailabilityZone");
    const { Vpc } = await ec2w.send(new CreateDefaultVpcCommand({}));
    assert.equal(Vpc!.IsDefault, true);
    assert.equal(Vpc!.CidrBlock, "172.31.0.0/16");
    assert.equal(await attr(), Vpc!.VpcId);
    const fresh = (await ec2w.send(new DescribeSubnetsCommand({ Filters: [{ Name: "default-for-az", Values: ["true"] }] }))).Subnets!;
    assert.deepEqual(fresh.map((s) => s.AvailabilityZone).sort(), ["us-west-2a", "us-west-2b", "us-west-2c"]);
    assert.ok(fresh.every((s) => s.VpcId === Vpc!.VpcId));
  });
});
