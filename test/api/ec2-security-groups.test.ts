// EC2 security groups in-process: the real EC2 client (Query protocol, SigV4, paginators)
// against berth's EC2 service over a real store. The test builds the service itself rather
// than the whole control plane so that it can write what other parts make: a second VPC,
// and a live awsvpc task whose network interface holds a group.
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  ModifySecurityGroupRulesCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  UpdateSecurityGroupRuleDescriptionsIngressCommand,
  paginateDescribeSecurityGroupRules,
  type IpPermission,
  type SecurityGroupRuleRequest,
  type SecurityGroup,
} from "@aws-sdk/client-ec2";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createFrontDoor } from "../../src/aws/server.js";
import { rootPrincipal } from "../../src/domain/account-settings.js";
import { newVpc } from "../../src/domain/ec2/vpc.js";
import type { StoredTask } from "../../src/state/ecs-documents.js";
import { ecsState, type EcsState } from "../../src/state/ecs-state.js";
import { openSqliteStore } from "../../src/state/sqlite/sqlite-store.js";
import { ec2Service } from "../../src/services/ec2/index.js";
import { TEST_ACCESS_KEY, TEST_ACCOUNT, TEST_SECRET_KEY } from "../support/berth-process.js";
import { inProcessHandler } from "../support/in-process.js";
import { silentLog } from "../support/log.js";

const scope = { accountId: TEST_ACCOUNT, region: "us-east-1" };

/** berth's EC2 service over a store of its own, and a client that reaches it without a port. */
function ec2World(): { ec2: EC2Client; state: EcsState; close(): Promise<void> } {
  const dataDir = mkdtempSync(join(tmpdir(), "berth-ec2-sg-"));
  const store = openSqliteStore(join(dataDir, "berth.sqlite"), { synchronous: "NORMAL" });
  const state = ecsState(store);
  const service = ec2Service({ state: state.ec2, interfaces: state.interfaces, occupiedCidrs: () => [] });
  const account = {
    secretAccessKey: TEST_SECRET_KEY,
    principal: { accountId: TEST_ACCOUNT, arn: rootPrincipal(TEST_ACCOUNT), userId: TEST_ACCOUNT },
  };
  const frontDoor = createFrontDoor({
    services: [service],
    credentialFor: (key) => (key === TEST_ACCESS_KEY ? account : undefined),
    log: silentLog,
  });
  const ec2 = new EC2Client({
    endpoint: "http://berth.in-process",
    region: scope.region,
    credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
    maxAttempts: 1,
    requestHandler: inProcessHandler(frontDoor.handle),
  });
  return {
    ec2,
    state,
    async close() {
      ec2.destroy();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const tcp = (port: number, ...cidrs: string[]): IpPermission => ({
  IpProtocol: "tcp",
  FromPort: port,
  ToPort: port,
  IpRanges: cidrs.map((CidrIp) => ({ CidrIp })),
});

/** Asserts that `call` fails with EC2's `code` (and `message`, when given). */
async function refused(call: Promise<unknown>, code: string, message?: string | RegExp): Promise<void> {
  await assert.rejects(call, (err: Error) => {
    assert.equal(err.name, code, err.message);
    if (typeof message === "string") assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  });
}

describe("EC2 security groups in-process", () => {
  const world = ec2World();
  const { ec2 } = world;
  after(() => world.close());

  let defaultVpcId = "";
  let defaultGroup: SecurityGroup;
  /** A second VPC, written as CreateVpc would make it, with its default group. */
  let otherVpcId = "";
  let otherDefaultGroupId = "";

  const describeGroup = async (groupId: string): Promise<SecurityGroup> =>
    (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups![0]!;
  const create = async (name: string, vpcId?: string): Promise<string> =>
    (await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: `${name} group`, VpcId: vpcId }))).GroupId!;

  before(async () => {
    const groups = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["default"] }] }));
    assert.equal(groups.SecurityGroups!.length, 1);
    defaultGroup = groups.SecurityGroups![0]!;
    defaultVpcId = defaultGroup.VpcId!;
    const made = newVpc({ scope, cidrBlock: "10.20.0.0/16", now: new Date() });
    await world.state.ec2.vpcs.putMany(scope, [{ id: made.vpc.vpc.VpcId!, doc: made.vpc }]);
    await world.state.ec2.securityGroups.putMany(scope, [{ id: made.defaultGroup.group.GroupId!, doc: made.defaultGroup }]);
    otherVpcId = made.vpc.vpc.VpcId!;
    otherDefaultGroupId = made.defaultGroup.group.GroupId!;
  });

  test("the default VPC's default group allows all traffic from itself and all egress", () => {
    const groupId = defaultGroup.GroupId!;
    assert.match(groupId, /^sg-[0-9a-f]{17}$/);
    assert.equal(defaultGroup.Description, "default VPC security group");
    assert.equal(defaultGroup.OwnerId, TEST_ACCOUNT);
    assert.deepEqual(defaultGroup.IpPermissions, [
      { IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: groupId, UserId: TEST_ACCOUNT }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] },
    ]);
    assert.deepEqual(defaultGroup.IpPermissionsEgress, [
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
    assert.equal(group.VpcId, defaultVpcId);
    assert.equal(group.GroupName, "web");
    assert.deepEqual(group.IpPermissions, []);
    assert.deepEqual(group.IpPermissionsEgress, defaultGroup.IpPermissionsEgress);
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
      `The security group 'web' already exists for VPC '${defaultVpcId}'`,
    );
    // The same name in another VPC is another group.
    const elsewhere = await create("web", otherVpcId);
    assert.equal((await describeGroup(elsewhere)).VpcId, otherVpcId);
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
      `The security group 'web' does not exist in default VPC '${defaultVpcId}'`,
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
      ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [defaultGroup.GroupId!], MaxResults: 5 })),
      "InvalidParameterCombination",
    );
    await refused(ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "colour", Values: ["red"] }] })), "InvalidParameterValue");
    assert.deepEqual(await ec2.send(new DescribeSecurityGroupsCommand({})).then((r) => r.SecurityGroups), before.SecurityGroups);
  });

  test("a VPC's default group cannot be deleted", async () => {
    await refused(
      ec2.send(new DeleteSecurityGroupCommand({ GroupId: defaultGroup.GroupId })),
      "CannotDelete",
      `the specified group: "${defaultGroup.GroupId}" name: "default" cannot be deleted by a user`,
    );
    await refused(ec2.send(new DeleteSecurityGroupCommand({ GroupId: "sg-0123456789abcdef0" })), "InvalidGroup.NotFound");
  });

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
    assert.deepEqual(rules[4]!.ReferencedGroupInfo, { GroupId: source, UserId: TEST_ACCOUNT, VpcId: defaultVpcId });
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
      authorize({ IpProtocol: "tcp", FromPort: 1, ToPort: 2, UserIdGroupPairs: [{ GroupId: otherDefaultGroupId }] }),
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

    const elsewhere = await create("rev", otherVpcId);
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
        vpcId: defaultVpcId,
        securityGroupIds: [groupId],
        networkName: `berth-${defaultVpcId}`,
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
