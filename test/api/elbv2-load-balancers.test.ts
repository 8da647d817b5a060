// ELBv2's load balancers in-process: the real ELBv2 client (its Query protocol, paginators and
// waiters) and EC2's, against a whole control plane built in this process. Every refused
// request is checked to have changed nothing.
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type Subnet,
} from "@aws-sdk/client-ec2";
import {
  CreateLoadBalancerCommand,
  DeleteLoadBalancerCommand,
  DescribeAccountLimitsCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeLoadBalancersCommand,
  ModifyLoadBalancerAttributesCommand,
  SetIpAddressTypeCommand,
  SetSecurityGroupsCommand,
  SetSubnetsCommand,
  paginateDescribeLoadBalancers,
  waitUntilLoadBalancerAvailable,
  waitUntilLoadBalancerExists,
  waitUntilLoadBalancersDeleted,
  type LoadBalancer,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { elbIdOf } from "../../src/domain/elbv2/arns.js";
import { expectError as refused } from "../support/assertions.js";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { inProcessBerth } from "../support/in-process.js";

describe("ELBv2 load balancers in-process", () => {
  const berth = inProcessBerth();
  const { elb, ec2 } = berth;
  let subnets: Subnet[];
  let vpcId: string;
  let defaultGroup: string;
  after(() => berth.close());

  const create = (name: string, extra: Partial<ConstructorParameters<typeof CreateLoadBalancerCommand>[0]> = {}) =>
    elb.send(new CreateLoadBalancerCommand({ Name: name, Subnets: [subnets[0]!.SubnetId!, subnets[1]!.SubnetId!], ...extra }));
  const stored = () => berth.plane.state.elbv2.loadBalancers.list({ accountId: TEST_ACCOUNT, region: "us-east-1" });
  const names = async () => (await stored()).map((lb) => lb.loadBalancer.LoadBalancerName).sort();

  before(async () => {
    const vpc = (await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "isDefault", Values: ["true"] }] }))).Vpcs![0]!;
    vpcId = vpc.VpcId!;
    subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [vpcId] }] }))).Subnets!.sort((a, b) =>
      a.AvailabilityZone! < b.AvailabilityZone! ? -1 : 1,
    );
    defaultGroup = (await berth.plane.state.ec2.vpcs.get({ accountId: TEST_ACCOUNT, region: "us-east-1" }, vpcId))!.defaultSecurityGroupId;
  });

  test("an internal application load balancer: active at once, AWS's DNS name and zone, an interface per subnet", async () => {
    const { LoadBalancers } = await create("web", { Scheme: "internal", Tags: [{ Key: "team", Value: "a" }] });
    const lb = LoadBalancers![0]!;
    assert.match(
      lb.LoadBalancerArn!,
      new RegExp(`^arn:aws:elasticloadbalancing:us-east-1:${TEST_ACCOUNT}:loadbalancer/app/web/[0-9a-f]{16}$`),
    );
    assert.match(lb.DNSName!, /^internal-web-\d{10}\.us-east-1\.elb\.amazonaws\.com$/);
    assert.equal(lb.CanonicalHostedZoneId, "Z35SXDOTRQ7X7K");
    assert.equal(lb.State!.Code, "active");
    assert.equal(lb.Type, "application");
    assert.equal(lb.Scheme, "internal");
    assert.equal(lb.VpcId, vpcId);
    assert.equal(lb.IpAddressType, "ipv4");
    assert.deepEqual(lb.SecurityGroups, [defaultGroup], "an application load balancer gets the VPC's default group");
    assert.deepEqual(
      lb.AvailabilityZones!.map((z) => [z.ZoneName, z.SubnetId, z.LoadBalancerAddresses]),
      [
        ["us-east-1a", subnets[0]!.SubnetId, []],
        ["us-east-1b", subnets[1]!.SubnetId, []],
      ],
    );
    assert.ok(lb.CreatedTime instanceof Date);
    const doc = (await stored()).find((d) => d.loadBalancer.LoadBalancerArn === lb.LoadBalancerArn)!;
    assert.match(doc.loopbackAddress, /^127\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.\d+\.\d+$/);
    assert.deepEqual(
      doc.interfaces.map((i) => [i.subnetId, i.privateIpAddress]),
      [
        [subnets[0]!.SubnetId, "172.31.0.4"],
        [subnets[1]!.SubnetId, "172.31.16.4"],
      ],
      "the lowest free address of each subnet",
    );
    await waitUntilLoadBalancerAvailable({ client: elb, minDelay: 1, maxWaitTime: 5 }, { LoadBalancerArns: [lb.LoadBalancerArn!] });
    await waitUntilLoadBalancerExists({ client: elb, minDelay: 1, maxWaitTime: 5 }, { Names: ["web"] });

    const { NetworkInterfaces } = await ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "requester-id", Values: ["amazon-elb"] }] }),
    );
    const enis = NetworkInterfaces!.sort((a, b) => (a.PrivateIpAddress! < b.PrivateIpAddress! ? -1 : 1));
    assert.equal(enis.length, 2);
    assert.equal(enis[0]!.Description, `ELB app/web/${elbIdOf(lb.LoadBalancerArn!)}`);
    assert.equal(enis[0]!.InterfaceType, "interface");
    assert.equal(enis[0]!.RequesterManaged, true);
    assert.equal(enis[0]!.Status, "in-use");
    assert.equal(enis[0]!.Attachment!.InstanceOwnerId, "amazon-elb");
    assert.deepEqual(
      enis[0]!.Groups!.map((g) => g.GroupId),
      [defaultGroup],
    );
    assert.equal(enis[0]!.PrivateIpAddress, "172.31.0.4");
    assert.match(enis[0]!.NetworkInterfaceId!, /^eni-[0-9a-f]{17}$/);

    await refused(ec2.send(new DeleteSubnetCommand({ SubnetId: subnets[0]!.SubnetId! })), "DependencyViolation");
    const sg = await ec2.send(new CreateSecurityGroupCommand({ GroupName: "lb-only", Description: "lb", VpcId: vpcId }));
    await elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn!, SecurityGroups: [sg.GroupId!] }));
    await refused(ec2.send(new DeleteSecurityGroupCommand({ GroupId: sg.GroupId! })), "DependencyViolation");
    await elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn!, SecurityGroups: [defaultGroup] }));
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: sg.GroupId! }));
  });

  test("a network load balancer shows its addresses, has no groups unless given, and NLB's zone and DNS name", async () => {
    const { LoadBalancers } = await elb.send(
      new CreateLoadBalancerCommand({ Name: "tcp", Type: "network", Scheme: "internal", Subnets: [subnets[2]!.SubnetId!] }),
    );
    const lb = LoadBalancers![0]!;
    assert.match(lb.LoadBalancerArn!, /:loadbalancer\/net\/tcp\/[0-9a-f]{16}$/);
    assert.equal(lb.DNSName, `internal-tcp-${elbIdOf(lb.LoadBalancerArn!)}.elb.us-east-1.amazonaws.com`);
    assert.equal(lb.CanonicalHostedZoneId, "Z26RNL4JYFTOTI");
    assert.equal(lb.SecurityGroups, undefined);
    assert.deepEqual(lb.AvailabilityZones![0]!.LoadBalancerAddresses, [{ PrivateIPv4Address: "172.31.32.4" }]);
    const attrs = (await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lb.LoadBalancerArn! }))).Attributes!;
    const byKey = Object.fromEntries(attrs.map((a) => [a.Key, a.Value]));
    assert.equal(byKey["load_balancing.cross_zone.enabled"], "false");
    assert.equal(byKey["dns_record.client_routing_policy"], "any_availability_zone");
    assert.equal(byKey["idle_timeout.timeout_seconds"], undefined);
    await refused(
      elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn!, SecurityGroups: [defaultGroup] })),
      "InvalidConfigurationRequestException",
    );
    await refused(
      elb.send(
        new ModifyLoadBalancerAttributesCommand({
          LoadBalancerArn: lb.LoadBalancerArn!,
          Attributes: [{ Key: "idle_timeout.timeout_seconds", Value: "30" }],
        }),
      ),
      "InvalidConfigurationRequestException",
    );
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn! }));
  });

  test("attributes: every key of the type with AWS's defaults; changes checked; deletion protection", async () => {
    const { LoadBalancers } = await create("attrs");
    const arn = LoadBalancers![0]!.LoadBalancerArn!;
    const attrs = async () =>
      Object.fromEntries(
        (await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: arn }))).Attributes!.map((a) => [a.Key, a.Value]),
      );
    const defaults = await attrs();
    assert.equal(defaults["deletion_protection.enabled"], "false");
    assert.equal(defaults["idle_timeout.timeout_seconds"], "60");
    assert.equal(defaults["routing.http2.enabled"], "true");
    assert.equal(defaults["load_balancing.cross_zone.enabled"], "true");
    assert.equal(defaults["routing.http.xff_header_processing.mode"], "append");
    assert.equal(defaults["client_keep_alive.seconds"], "3600");
    assert.equal(defaults["waf.fail_open.enabled"], "false");
    assert.equal(defaults["ipv6.deny_all_igw_traffic"], "false", "internet-facing");

    const modified = await elb.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: arn,
        Attributes: [
          { Key: "idle_timeout.timeout_seconds", Value: "120" },
          { Key: "deletion_protection.enabled", Value: "true" },
        ],
      }),
    );
    assert.equal(modified.Attributes!.find((a) => a.Key === "idle_timeout.timeout_seconds")!.Value, "120");
    for (const [Key, Value, code] of [
      ["no.such.key", "1", "ValidationError"],
      ["idle_timeout.timeout_seconds", "0", "ValidationError"],
      ["idle_timeout.timeout_seconds", "abc", "ValidationError"],
      ["routing.http2.enabled", "yes", "ValidationError"],
      ["routing.http.xff_header_processing.mode", "drop", "ValidationError"],
      ["load_balancing.cross_zone.enabled", "false", "InvalidConfigurationRequestException"],
      ["access_logs.s3.enabled", "true", "InvalidConfigurationRequestException"],
    ] as const) {
      await refused(
        elb.send(
          new ModifyLoadBalancerAttributesCommand({
            LoadBalancerArn: arn,
            Attributes: [
              { Key: "idle_timeout.timeout_seconds", Value: "7" },
              { Key, Value },
            ],
          }),
        ),
        code,
      );
    }
    assert.equal((await attrs())["idle_timeout.timeout_seconds"], "120", "a refused change changes nothing");

    await refused(elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn })), "OperationNotPermittedException");
    assert.ok((await names()).includes("attrs"));
    await elb.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: arn,
        Attributes: [{ Key: "deletion_protection.enabled", Value: "false" }],
      }),
    );
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn }));
    await waitUntilLoadBalancersDeleted({ client: elb, minDelay: 1, maxWaitTime: 5 }, { LoadBalancerArns: [arn] });
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn })); // gone already: succeeds, as on AWS
    await refused(elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] })), "LoadBalancerNotFoundException");
  });

  test("the same name with the same settings returns the same load balancer; with others, DuplicateLoadBalancerName", async () => {
    const first = (await create("twice")).LoadBalancers![0]!;
    const again = (await create("twice")).LoadBalancers![0]!;
    assert.equal(again.LoadBalancerArn, first.LoadBalancerArn);
    const before = await names();
    await refused(create("twice", { Scheme: "internal" }), "DuplicateLoadBalancerNameException");
    assert.deepEqual(await names(), before);
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: first.LoadBalancerArn! }));
  });

  test("bad input gets ELBv2's errors and stores nothing", async () => {
    const before = await names();
    const [a, b, c] = subnets.map((s) => s.SubnetId!);
    const other = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.77.0.0/16" }));
    const otherSubnet = await ec2.send(
      new CreateSubnetCommand({ VpcId: other.Vpc!.VpcId!, CidrBlock: "10.77.1.0/24", AvailabilityZone: "us-east-1c" }),
    );
    const sameZone = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "172.31.48.0/20", AvailabilityZone: "us-east-1a" }));
    const cases: [Promise<unknown>, string, RegExp?][] = [
      [create("-bad"), "ValidationError", /hyphen/],
      [create("bad_name"), "ValidationError"],
      [create("internal-x"), "ValidationError", /internal-/],
      [create("x".repeat(33)), "ValidationError", /32/],
      [create("one-zone", { Subnets: [a!] }), "ValidationError", /two/],
      [create("nowhere", { Subnets: [a!, "subnet-0000000000000000a"] }), "SubnetNotFoundException", /subnet-0000000000000000a/],
      [create("split", { Subnets: [a!, otherSubnet.Subnet!.SubnetId!] }), "InvalidSubnetException"],
      [
        create("same-zone", { Subnets: [a!, sameZone.Subnet!.SubnetId!] }),
        "InvalidConfigurationRequestException",
        /same Availability Zone/,
      ],
      [create("groupless", { SecurityGroups: ["sg-0000000000000000a"] }), "InvalidSecurityGroupException", /sg-0000000000000000a/],
      [create("dual", { IpAddressType: "dualstack" }), "InvalidConfigurationRequestException", /IPv4/],
      [create("both", { SubnetMappings: [{ SubnetId: b! }, { SubnetId: c! }] }), "ValidationError"],
      [
        create("dup-tags", {
          Tags: [
            { Key: "k", Value: "1" },
            { Key: "k", Value: "2" },
          ],
        }),
        "DuplicateTagKeysException",
      ],
      [
        create("eip", { Subnets: undefined, Type: "network", SubnetMappings: [{ SubnetId: a!, AllocationId: "eipalloc-1" }] }),
        "AllocationIdNotFoundException",
      ],
    ];
    for (const [p, code, message] of cases) await refused(p, code, message);
    assert.deepEqual(await names(), before);
    assert.equal(
      (
        await ec2.send(
          new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "subnet-id", Values: [c!, otherSubnet.Subnet!.SubnetId!] }] }),
        )
      ).NetworkInterfaces!.length,
      0,
    );
  });

  test("SetSubnets gives new subnets an interface and drops the removed ones'; SetIpAddressType serves ipv4", async () => {
    const lb = (await create("moving")).LoadBalancers![0]!;
    const arn = lb.LoadBalancerArn!;
    const enis = async () =>
      (
        await ec2.send(
          new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "description", Values: [`ELB app/moving/${elbIdOf(arn)}`] }] }),
        )
      )
        .NetworkInterfaces!.map((n) => [n.SubnetId, n.NetworkInterfaceId])
        .sort();
    const beforeEnis = await enis();
    const out = await elb.send(new SetSubnetsCommand({ LoadBalancerArn: arn, Subnets: [subnets[1]!.SubnetId!, subnets[2]!.SubnetId!] }));
    assert.deepEqual(
      out.AvailabilityZones!.map((z) => z.ZoneName),
      ["us-east-1b", "us-east-1c"],
    );
    const afterEnis = await enis();
    assert.deepEqual(
      afterEnis.map(([s]) => s),
      [subnets[1]!.SubnetId, subnets[2]!.SubnetId].sort(),
    );
    const kept = beforeEnis.find(([s]) => s === subnets[1]!.SubnetId)!;
    assert.ok(
      afterEnis.some(([s, id]) => s === kept[0] && id === kept[1]),
      "the interface of a subnet kept is kept",
    );
    await refused(elb.send(new SetSubnetsCommand({ LoadBalancerArn: arn, Subnets: [subnets[0]!.SubnetId!] })), "ValidationError");
    assert.deepEqual(await enis(), afterEnis);
    assert.deepEqual(
      await elb.send(new SetIpAddressTypeCommand({ LoadBalancerArn: arn, IpAddressType: "ipv4" })).then((o) => o.IpAddressType),
      "ipv4",
    );
    await refused(
      elb.send(new SetIpAddressTypeCommand({ LoadBalancerArn: arn, IpAddressType: "dualstack" })),
      "InvalidConfigurationRequestException",
    );
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn }));
    assert.deepEqual(await enis(), []);
  });

  test("DescribeLoadBalancers: by names or ARNs (not both), what is missing named, pages through the paginator", async () => {
    const made: LoadBalancer[] = [];
    for (let i = 0; i < 5; i++) made.push((await create(`page-${i}`)).LoadBalancers![0]!);
    const seen: string[] = [];
    for await (const page of paginateDescribeLoadBalancers({ client: elb }, { PageSize: 2 })) {
      assert.ok(page.LoadBalancers!.length <= 2);
      seen.push(...page.LoadBalancers!.map((l) => l.LoadBalancerName!));
    }
    assert.deepEqual(
      seen.filter((n) => n.startsWith("page-")),
      ["page-0", "page-1", "page-2", "page-3", "page-4"],
    );
    const byName = await elb.send(new DescribeLoadBalancersCommand({ Names: ["page-3", "page-1"] }));
    assert.deepEqual(
      byName.LoadBalancers!.map((l) => l.LoadBalancerName),
      ["page-1", "page-3"],
    );
    await refused(elb.send(new DescribeLoadBalancersCommand({ Names: ["page-1", "nope"] })), "LoadBalancerNotFoundException", /nope/);
    await refused(
      elb.send(new DescribeLoadBalancersCommand({ Names: ["page-1"], LoadBalancerArns: [made[0]!.LoadBalancerArn!] })),
      "ValidationError",
    );
    await refused(elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: ["not-an-arn"] })), "ValidationError");
    await refused(elb.send(new DescribeLoadBalancersCommand({ PageSize: 401 })), "ValidationError");
    for (const lb of made) await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn! }));
  });

  test("DescribeAccountLimits answers ELB's default quotas", async () => {
    const { Limits } = await elb.send(new DescribeAccountLimitsCommand({}));
    const byName = Object.fromEntries(Limits!.map((l) => [l.Name, l.Max]));
    assert.equal(byName["application-load-balancers"], "50");
    assert.equal(byName["target-groups"], "3000");
    assert.equal(byName["targets-per-application-load-balancer"], "1000");
    assert.equal(byName["listeners-per-application-load-balancer"], "50");
    assert.equal(byName["rules-per-application-load-balancer"], "100");
    assert.equal(byName["network-load-balancers"], "50");
    const firstPage = await elb.send(new DescribeAccountLimitsCommand({ PageSize: 3 }));
    assert.equal(firstPage.Limits!.length, 3);
    const next = await elb.send(new DescribeAccountLimitsCommand({ PageSize: 400, Marker: firstPage.NextMarker }));
    assert.equal(next.Limits!.length, Limits!.length - 3);
  });
});
