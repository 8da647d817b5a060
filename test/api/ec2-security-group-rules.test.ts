// EC2 security group rules in-process (test/support/ec2-security-group-world.ts): authorize,
// revoke, modify and describe them, with EC2's errors for what it refuses.
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  ModifySecurityGroupRulesCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  UpdateSecurityGroupRuleDescriptionsIngressCommand,
  paginateDescribeSecurityGroupRules,
  type IpPermission,
  type SecurityGroupRuleRequest,
} from "@aws-sdk/client-ec2";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { refused, securityGroupWorld, tcp } from "../support/ec2-security-group-world.js";

describe("EC2 security group rules in-process", () => {
  const world = securityGroupWorld();
  const { ec2, describeGroup, create } = world;
  before(() => world.start());
  after(() => world.close());

  test("authorize ingress by CIDR, port range, source group, ICMP and all protocols; answered grouped", async () => {
    const groupId = await create("app");
    const source = await create("lb");
    const answer = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        TagSpecifications: [{ ResourceType: "security-group-rule", Tags: [{ Key: "why", Value: "ssh" }] }],
        IpPermissions: [
          { IpProtocol: "TCP", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "203.0.113.0/24", Description: "office" }] },
          { IpProtocol: "6", FromPort: 8000, ToPort: 8100, IpRanges: [{ CidrIp: "10.0.0.0/8" }, { CidrIp: "192.168.0.0/16" }] },
          { IpProtocol: "tcp", FromPort: 8000, ToPort: 8100, Ipv6Ranges: [{ CidrIpv6: "2001:DB8:0::/32" }] },
          { IpProtocol: "tcp", FromPort: 80, ToPort: 80, UserIdGroupPairs: [{ GroupId: source, Description: "from the lb" }] },
          { IpProtocol: "icmp", FromPort: 8, ToPort: -1, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
          { IpProtocol: "-1", FromPort: 5, ToPort: 9, IpRanges: [{ CidrIp: "172.31.0.0/16" }] },
          { IpProtocol: "47", IpRanges: [{ CidrIp: "198.51.100.0/24" }] },
        ],
      }),
    );
    assert.equal(answer.Return, true);
    const rules = answer.SecurityGroupRules!;
    assert.equal(rules.length, 8);
    assert.ok(rules.every((r) => /^sgr-[0-9a-f]{17}$/.test(r.SecurityGroupRuleId!) && r.GroupId === groupId && r.IsEgress === false));
    assert.deepEqual(rules[0]!.Tags, [{ Key: "why", Value: "ssh" }]);
    assert.deepEqual(
      rules.map((r) => [r.IpProtocol, r.FromPort, r.ToPort, r.CidrIpv4 ?? r.CidrIpv6 ?? r.ReferencedGroupInfo?.GroupId]),
      [
        ["tcp", 22, 22, "203.0.113.0/24"],
        ["tcp", 8000, 8100, "10.0.0.0/8"],
        ["tcp", 8000, 8100, "192.168.0.0/16"],
        ["tcp", 8000, 8100, "2001:db8::/32"],
        ["tcp", 80, 80, source],
        ["icmp", 8, -1, "0.0.0.0/0"],
        ["-1", -1, -1, "172.31.0.0/16"],
        ["47", -1, -1, "198.51.100.0/24"],
      ],
    );
    assert.deepEqual(rules[4]!.ReferencedGroupInfo, { GroupId: source, UserId: TEST_ACCOUNT, VpcId: world.defaultVpcId });
    const group = await describeGroup(groupId);
    const none = { UserIdGroupPairs: [], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] };
    assert.deepEqual(group.IpPermissions, [
      { ...none, IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "203.0.113.0/24", Description: "office" }] },
      {
        ...none,
        IpProtocol: "tcp",
        FromPort: 8000,
        ToPort: 8100,
        IpRanges: [{ CidrIp: "10.0.0.0/8" }, { CidrIp: "192.168.0.0/16" }],
        Ipv6Ranges: [{ CidrIpv6: "2001:db8::/32" }],
      },
      {
        ...none,
        IpProtocol: "tcp",
        FromPort: 80,
        ToPort: 80,
        UserIdGroupPairs: [{ GroupId: source, UserId: TEST_ACCOUNT, Description: "from the lb" }],
      },
      { ...none, IpProtocol: "icmp", FromPort: 8, ToPort: -1, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      { ...none, IpProtocol: "-1", IpRanges: [{ CidrIp: "172.31.0.0/16" }] },
      { ...none, IpProtocol: "47", IpRanges: [{ CidrIp: "198.51.100.0/24" }] },
    ]);
    const filtered = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: "ip-permission.from-port", Values: ["8000"] },
          { Name: "ip-permission.group-id", Values: [source] },
        ],
      }),
    );
    assert.deepEqual(
      filtered.SecurityGroups!.map((g) => g.GroupId),
      [groupId],
    );
    // The legacy top-level parameters (the AWS CLI's --protocol/--port/--cidr) make one rule.
    const legacy = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpProtocol: "udp", FromPort: 53, ToPort: 53, CidrIp: "10.1.0.0/16" }),
    );
    assert.deepEqual(
      legacy.SecurityGroupRules!.map((r) => [r.IpProtocol, r.FromPort, r.CidrIpv4]),
      [["udp", 53, "10.1.0.0/16"]],
    );
  });

  test("a duplicate rule is refused with EC2's wording, and a call with one adds nothing", async () => {
    const groupId = await create("dup");
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [tcp(22, "0.0.0.0/0")] }));
    const before = await describeGroup(groupId);
    await refused(
      ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [tcp(443, "0.0.0.0/0"), tcp(22, "0.0.0.0/0")] }),
      ),
      "InvalidPermission.Duplicate",
      'the specified rule "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW" already exists',
    );
    await refused(
      ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [tcp(443, "0.0.0.0/0", "0.0.0.0/0")] })),
      "InvalidParameterValue",
      "The same permission must not appear multiple times",
    );
    await refused(
      ec2.send(
        new AuthorizeSecurityGroupEgressCommand({
          GroupId: groupId,
          IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
        }),
      ),
      "InvalidPermission.Duplicate",
      'the specified rule "peer: 0.0.0.0/0, ALL, ALLOW" already exists',
    );
    assert.deepEqual(await describeGroup(groupId), before);
  });

  test("bad input is refused with EC2's error and changes nothing", async () => {
    const groupId = await create("strict");
    const before = await describeGroup(groupId);
    const authorize = (permission: IpPermission) =>
      ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [permission] }));
    await refused(authorize(tcp(22, "10.0.0.1/8")), "InvalidParameterValue", "CIDR block 10.0.0.1/8 is malformed");
    await refused(authorize(tcp(22, "10.0.0/8")), "InvalidParameterValue", "CIDR block 10.0.0/8 is malformed");
    await refused(
      authorize({ IpProtocol: "tcp", FromPort: 80, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }),
      "InvalidParameterValue",
      /from port \(80\) must not be greater than the to port \(22\)/,
    );
    await refused(
      authorize({ IpProtocol: "tcp", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }),
      "InvalidParameterValue",
      "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange.",
    );
    await refused(
      authorize({ ...tcp(70000, "0.0.0.0/0"), FromPort: 1 }),
      "InvalidParameterValue",
      "TCP/UDP (to) port (70000) out of range",
    );
    await refused(
      authorize({ IpProtocol: "bogus", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }),
      "InvalidParameterValue",
      "Invalid value 'bogus' for IP protocol. Unknown protocol.",
    );
    await refused(authorize({ IpProtocol: "256", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }), "InvalidParameterValue");
    await refused(authorize({ IpProtocol: "tcp", FromPort: 1, ToPort: 2 }), "MissingParameter");
    await refused(
      authorize({ IpProtocol: "tcp", FromPort: 1, ToPort: 2, UserIdGroupPairs: [{ GroupId: world.otherDefaultGroupId }] }),
      "InvalidGroup.NotFound",
      "You have specified two resources that belong to different networks.",
    );
    await refused(
      authorize({ IpProtocol: "tcp", FromPort: 1, ToPort: 2, UserIdGroupPairs: [{ GroupId: "sg-0123456789abcdef0" }] }),
      "InvalidGroup.NotFound",
    );
    await refused(
      authorize({ IpProtocol: "tcp", FromPort: 1, ToPort: 2, PrefixListIds: [{ PrefixListId: "pl-12345678" }] }),
      "InvalidParameterValue",
      /no managed prefix lists/,
    );
    await refused(
      authorize({ ...tcp(22, "0.0.0.0/0"), IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "tab\there" }] }),
      "InvalidParameterValue",
    );
    await refused(
      ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [tcp(1, "0.0.0.0/0")], CidrIp: "0.0.0.0/0" })),
      "InvalidParameterCombination",
    );
    await refused(
      ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: "sg-0123456789abcdef0", IpPermissions: [tcp(1, "0.0.0.0/0")] })),
      "InvalidGroup.NotFound",
    );
    // A dry run answers as the call would, and changes nothing either way.
    const dry = (permission: IpPermission) =>
      ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [permission], DryRun: true }));
    await refused(dry(tcp(22, "0.0.0.0/0")), "DryRunOperation", "Request would have succeeded, but DryRun flag is set.");
    await refused(dry(tcp(22, "0.0.0.1/0")), "InvalidParameterValue");
    await refused(ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId, DryRun: true })), "DryRunOperation");
    assert.deepEqual(await describeGroup(groupId), before);
  });

  test("revoke by permission and by rule id; what matches nothing is an error outside the default VPC", async () => {
    const groupId = await create("rev");
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [tcp(22, "10.0.0.0/8", "10.1.0.0/16"), tcp(80, "0.0.0.0/0")],
      }),
    );
    const revoked = await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [tcp(22, "10.0.0.0/8")] }));
    assert.equal(revoked.Return, true);
    assert.deepEqual(
      revoked.RevokedSecurityGroupRules!.map((r) => [r.IpProtocol, r.FromPort, r.CidrIpv4]),
      [["tcp", 22, "10.0.0.0/8"]],
    );
    assert.equal(revoked.UnknownIpPermissions, undefined);
    // In the default VPC, a rule that is not there is answered as unknown, not refused.
    const unknown = await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [tcp(23, "10.0.0.0/8")] }));
    assert.deepEqual(unknown.UnknownIpPermissions, [
      {
        IpProtocol: "tcp",
        FromPort: 23,
        ToPort: 23,
        IpRanges: [{ CidrIp: "10.0.0.0/8" }],
        Ipv6Ranges: [],
        PrefixListIds: [],
        UserIdGroupPairs: [],
      },
    ]);
    const rules = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }] }));
    const port80 = rules.SecurityGroupRules!.find((r) => r.FromPort === 80)!;
    await refused(
      ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: groupId, SecurityGroupRuleIds: [port80.SecurityGroupRuleId!] })),
      "InvalidSecurityGroupRuleId.NotFound",
    );
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupId, SecurityGroupRuleIds: [port80.SecurityGroupRuleId!] }));
    assert.deepEqual(
      (await describeGroup(groupId)).IpPermissions!.map((p) => [p.FromPort, p.IpRanges]),
      [[22, [{ CidrIp: "10.1.0.0/16" }]]],
    );

    const elsewhere = await create("rev", world.otherVpcId);
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: elsewhere, IpPermissions: [tcp(22, "10.0.0.0/8")] }));
    const before = await describeGroup(elsewhere);
    await refused(
      ec2.send(
        new RevokeSecurityGroupIngressCommand({ GroupId: elsewhere, IpPermissions: [tcp(22, "10.0.0.0/8"), tcp(23, "10.0.0.0/8")] }),
      ),
      "InvalidPermission.NotFound",
      "The specified rule does not exist in this security group.",
    );
    assert.deepEqual(await describeGroup(elsewhere), before);
    const egress = await ec2.send(
      new RevokeSecurityGroupEgressCommand({
        GroupId: elsewhere,
        IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      }),
    );
    assert.equal(egress.RevokedSecurityGroupRules!.length, 1);
    assert.deepEqual((await describeGroup(elsewhere)).IpPermissionsEgress, []);
  });

  test("at most 60 rules per direction", async () => {
    const groupId = await create("full");
    const cidrs = Array.from({ length: 60 }, (_, i) => `10.${i}.0.0/16`);
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [tcp(443, ...cidrs)] }));
    await refused(
      ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [tcp(443, "10.200.0.0/16")] })),
      "RulesPerSecurityGroupLimitExceeded",
      "The maximum number of rules per security group has been reached.",
    );
    // Egress holds its allow-all rule already: 59 more fit, the 61st does not.
    await ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [tcp(443, ...cidrs.slice(0, 59))] }));
    await refused(
      ec2.send(new AuthorizeSecurityGroupEgressCommand({ GroupId: groupId, IpPermissions: [tcp(443, "10.200.0.0/16")] })),
      "RulesPerSecurityGroupLimitExceeded",
    );
    const group = await describeGroup(groupId);
    assert.equal(group.IpPermissions![0]!.IpRanges!.length, 60);
    assert.equal(group.IpPermissionsEgress!.flatMap((p) => p.IpRanges).length, 60);
  });

  test("ModifySecurityGroupRules changes rules in place, keeping their ids", async () => {
    const groupId = await create("mod");
    const made = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [tcp(22, "10.0.0.0/8"), tcp(80, "10.0.0.0/8")] }),
    );
    const [ssh, http] = made.SecurityGroupRules!;
    const modify = (ruleId: string | undefined, rule: SecurityGroupRuleRequest) =>
      ec2.send(
        new ModifySecurityGroupRulesCommand({
          GroupId: groupId,
          SecurityGroupRules: [{ SecurityGroupRuleId: ruleId, SecurityGroupRule: rule }],
        }),
      );
    const at = (port: number, to = port): SecurityGroupRuleRequest => ({
      IpProtocol: "tcp",
      FromPort: port,
      ToPort: to,
      CidrIpv4: "10.0.0.0/8",
    });
    await modify(ssh!.SecurityGroupRuleId, { ...at(2222), Description: "moved" });
    const after = await ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: [ssh!.SecurityGroupRuleId!] }));
    assert.deepEqual(
      after.SecurityGroupRules!.map((r) => [r.SecurityGroupRuleId, r.FromPort, r.ToPort, r.CidrIpv4, r.Description, r.IsEgress]),
      [[ssh!.SecurityGroupRuleId, 2222, 2222, "10.0.0.0/8", "moved", false]],
    );
    const before = await describeGroup(groupId);
    await refused(modify(http!.SecurityGroupRuleId, at(2222)), "InvalidPermission.Duplicate");
    await refused(modify("sgr-0123456789abcdef0", at(1)), "InvalidSecurityGroupRuleId.NotFound");
    await refused(modify(http!.SecurityGroupRuleId, at(9, 1)), "InvalidParameterValue");
    await refused(modify(http!.SecurityGroupRuleId, { ...at(1), CidrIpv4: undefined }), "MissingParameter");
    assert.deepEqual(await describeGroup(groupId), before);
  });

  test("rule descriptions change by permission or by rule id", async () => {
    const groupId = await create("desc");
    const made = await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [tcp(22, "10.0.0.0/8"), tcp(80, "10.0.0.0/8")] }),
    );
    await ec2.send(
      new UpdateSecurityGroupRuleDescriptionsIngressCommand({
        GroupId: groupId,
        IpPermissions: [{ ...tcp(22), IpRanges: [{ CidrIp: "10.0.0.0/8", Description: "ssh in" }] }],
      }),
    );
    await ec2.send(
      new UpdateSecurityGroupRuleDescriptionsIngressCommand({
        GroupName: "desc",
        SecurityGroupRuleDescriptions: [{ SecurityGroupRuleId: made.SecurityGroupRules![1]!.SecurityGroupRuleId, Description: "web in" }],
      }),
    );
    assert.deepEqual(
      (await describeGroup(groupId)).IpPermissions!.map((p) => p.IpRanges),
      [[{ CidrIp: "10.0.0.0/8", Description: "ssh in" }], [{ CidrIp: "10.0.0.0/8", Description: "web in" }]],
    );
    await refused(
      ec2.send(new UpdateSecurityGroupRuleDescriptionsIngressCommand({ GroupId: groupId, IpPermissions: [tcp(23, "10.0.0.0/8")] })),
      "InvalidPermission.NotFound",
    );
  });

  test("DescribeSecurityGroupRules pages with the SDK's paginator and filters by group", async () => {
    const groupId = await create("many");
    const cidrs = Array.from({ length: 12 }, (_, i) => `10.${i}.0.0/16`);
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [tcp(443, ...cidrs)] }));
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeSecurityGroupRules(
      { client: ec2, pageSize: 5 },
      { Filters: [{ Name: "group-id", Values: [groupId] }] },
    )) {
      pages++;
      seen.push(...page.SecurityGroupRules!.map((r) => r.CidrIpv4!));
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen.sort(), [...cidrs, "0.0.0.0/0"].sort());
    await refused(
      ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: ["sgr-0123456789abcdef0"] })),
      "InvalidSecurityGroupRuleId.NotFound",
    );
    await refused(
      ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: ["rule-1"] })),
      "InvalidSecurityGroupRuleId.Malformed",
    );
  });
});
