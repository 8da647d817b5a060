import type { SecurityGroupRule, UserIdGroupPair } from "@aws-sdk/client-ec2";
import assert from "node:assert/strict";
import { test } from "node:test";
import { canonicalIpv4Cidr, canonicalIpv6Cidr } from "../../src/domain/ec2/rule-cidrs.js";
import {
  MAX_RULES_PER_DIRECTION,
  RuleError,
  checkAdditions,
  matchRules,
  normalisePorts,
  normaliseProtocol,
  permissionsOf,
  ruleText,
  ruleWith,
  specFromRuleRequest,
  specsFromPermissions,
  type RuleSpec,
} from "../../src/domain/ec2/security-group-rules.js";

const resolve = (pair: UserIdGroupPair) => ({
  GroupId: pair.GroupId ?? `sg-by-name-${pair.GroupName}`,
  UserId: "111122223333",
  VpcId: "vpc-1",
});
const rule = (spec: RuleSpec, id: string): SecurityGroupRule => ({
  ...spec,
  SecurityGroupRuleId: id,
  GroupId: "sg-1",
  GroupOwnerId: "111122223333",
  Tags: [],
});
const code = (c: string) => (err: unknown) => err instanceof RuleError && err.code === c;

test("protocols answer as EC2 names them", () => {
  assert.equal(normaliseProtocol("TCP"), "tcp");
  assert.equal(normaliseProtocol("6"), "tcp");
  assert.equal(normaliseProtocol("17"), "udp");
  assert.equal(normaliseProtocol("1"), "icmp");
  assert.equal(normaliseProtocol("58"), "icmpv6");
  assert.equal(normaliseProtocol("-1"), "-1");
  assert.equal(normaliseProtocol("047"), "47");
  for (const bad of ["all", "256", "tcpx", "-2", "1.5"]) assert.throws(() => normaliseProtocol(bad), code("InvalidParameterValue"), bad);
  assert.throws(() => normaliseProtocol(undefined), code("MissingParameter"));
});

test("ports: TCP/UDP ranges checked, ICMP type and code, -1 for everything else", () => {
  assert.deepEqual(normalisePorts("tcp", 0, 65535), { FromPort: 0, ToPort: 65535 });
  assert.throws(() => normalisePorts("tcp", 80, 22), code("InvalidParameterValue"));
  assert.throws(() => normalisePorts("udp", -1, -1), /\(from\) port \(-1\) out of range/);
  assert.throws(() => normalisePorts("tcp", 1, 65536), /\(to\) port \(65536\) out of range/);
  assert.throws(() => normalisePorts("tcp", undefined, 22), /Must specify both from and to ports with TCP\/UDP/);
  assert.deepEqual(normalisePorts("icmp", 8, 0), { FromPort: 8, ToPort: 0 });
  assert.deepEqual(normalisePorts("icmp", -1, -1), { FromPort: -1, ToPort: -1 });
  assert.throws(() => normalisePorts("icmp", -1, 3), code("InvalidParameterValue"));
  assert.throws(() => normalisePorts("icmpv6", 256, 0), code("InvalidParameterValue"));
  assert.throws(() => normalisePorts("icmp", undefined, undefined), /with ICMP/);
  assert.deepEqual(normalisePorts("-1", 22, 80), { FromPort: -1, ToPort: -1 });
  assert.deepEqual(normalisePorts("47", undefined, undefined), { FromPort: -1, ToPort: -1 });
});

test("CIDR blocks: host bits, leading zeros and bad prefixes are malformed; IPv6 is canonicalised", () => {
  assert.equal(canonicalIpv4Cidr("10.0.0.0/8"), "10.0.0.0/8");
  assert.equal(canonicalIpv4Cidr("0.0.0.0/0"), "0.0.0.0/0");
  assert.equal(canonicalIpv4Cidr("192.168.1.7/32"), "192.168.1.7/32");
  for (const bad of ["10.0.0.1/8", "10.0.0.0/33", "010.0.0.0/8", "10.0.0.0", "10.0.0/8", "256.0.0.0/8", "10.0.0.0/08"])
    assert.equal(canonicalIpv4Cidr(bad), undefined, bad);
  assert.equal(canonicalIpv6Cidr("::/0"), "::/0");
  assert.equal(canonicalIpv6Cidr("2001:DB8:0:0::/32"), "2001:db8::/32");
  assert.equal(canonicalIpv6Cidr("2001:db8:0:0:1:0:0:1/128"), "2001:db8::1:0:0:1/128");
  assert.equal(canonicalIpv6Cidr("fe80:0:0:0:0:0:0:0/10"), "fe80::/10");
  for (const bad of ["2001:db8::1/64", "2001:db8::/129", "2001:db8:::/32", "1:2:3:4:5:6:7:8:9/128", "gggg::/16", "::"])
    assert.equal(canonicalIpv6Cidr(bad), undefined, bad);
});

test("a permission becomes one rule per peer, each with its description", () => {
  const specs = specsFromPermissions(
    [
      {
        IpProtocol: "tcp",
        FromPort: 80,
        ToPort: 81,
        IpRanges: [{ CidrIp: "10.0.0.0/8", Description: "lan" }, { CidrIp: "192.168.0.0/16" }],
        Ipv6Ranges: [{ CidrIpv6: "2001:DB8::/32" }],
        UserIdGroupPairs: [{ GroupId: "sg-2", Description: "peer" }, { GroupName: "web" }],
      },
    ],
    true,
    resolve,
  );
  assert.deepEqual(specs, [
    { IsEgress: true, IpProtocol: "tcp", FromPort: 80, ToPort: 81, CidrIpv4: "10.0.0.0/8", Description: "lan" },
    { IsEgress: true, IpProtocol: "tcp", FromPort: 80, ToPort: 81, CidrIpv4: "192.168.0.0/16" },
    { IsEgress: true, IpProtocol: "tcp", FromPort: 80, ToPort: 81, CidrIpv6: "2001:db8::/32" },
    {
      IsEgress: true,
      IpProtocol: "tcp",
      FromPort: 80,
      ToPort: 81,
      ReferencedGroupInfo: { GroupId: "sg-2", UserId: "111122223333", VpcId: "vpc-1" },
      Description: "peer",
    },
    {
      IsEgress: true,
      IpProtocol: "tcp",
      FromPort: 80,
      ToPort: 81,
      ReferencedGroupInfo: { GroupId: "sg-by-name-web", UserId: "111122223333", VpcId: "vpc-1" },
    },
  ]);
  assert.throws(() => specsFromPermissions([{ IpProtocol: "tcp", FromPort: 1, ToPort: 1 }], false, resolve), code("MissingParameter"));
  assert.throws(
    () => specsFromPermissions([{ IpProtocol: "-1", PrefixListIds: [{ PrefixListId: "pl-1" }] }], false, resolve),
    code("InvalidParameterValue"),
  );
  assert.throws(
    () => specsFromPermissions([{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "x".repeat(256) }] }], false, resolve),
    /Invalid rule description/,
  );
  // The same rule twice in one request, even spelt differently (6 and tcp), is refused.
  assert.throws(
    () =>
      specsFromPermissions(
        [
          { IpProtocol: "6", FromPort: 1, ToPort: 1, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
          { IpProtocol: "tcp", FromPort: 1, ToPort: 1, IpRanges: [{ CidrIp: "0.0.0.0/0", Description: "again" }] },
        ],
        false,
        resolve,
      ),
    /The same permission must not appear multiple times/,
  );
});

test("duplicates of stored rules are named as EC2 names them; descriptions do not make rules differ", () => {
  const [ssh] = specsFromPermissions(
    [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
    false,
    resolve,
  );
  const stored = [rule({ ...ssh!, Description: "old" }, "sgr-1")];
  assert.throws(
    () => checkAdditions(stored, [ssh!]),
    (err: unknown) =>
      err instanceof RuleError &&
      err.code === "InvalidPermission.Duplicate" &&
      err.message === 'the specified rule "peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW" already exists',
  );
  // The same rule the other way is another rule.
  checkAdditions(stored, [{ ...ssh!, IsEgress: true }]);
  // A rule being replaced does not count against its replacement.
  checkAdditions(stored, [ssh!], new Set(["sgr-1"]));
  assert.equal(
    ruleText({ IsEgress: false, IpProtocol: "icmp", FromPort: 8, ToPort: -1, CidrIpv4: "10.0.0.0/8" }),
    "peer: 10.0.0.0/8, ICMP, type: 8, code: -1, ALLOW",
  );
  assert.equal(
    ruleText({ IsEgress: false, IpProtocol: "-1", FromPort: -1, ToPort: -1, ReferencedGroupInfo: { GroupId: "sg-9" } }),
    "peer: sg-9, ALL, ALLOW",
  );
});

test("at most 60 rules in each direction", () => {
  const spec = (i: number, egress: boolean): RuleSpec => ({
    IsEgress: egress,
    IpProtocol: "tcp",
    FromPort: i,
    ToPort: i,
    CidrIpv4: "0.0.0.0/0",
  });
  const full = Array.from({ length: MAX_RULES_PER_DIRECTION }, (_, i) => rule(spec(i, false), `sgr-${i}`));
  assert.equal(full.length, 60);
  assert.throws(() => checkAdditions(full, [spec(100, false)]), code("RulesPerSecurityGroupLimitExceeded"));
  checkAdditions(full, [spec(100, true)]);
  checkAdditions(full.slice(1), [spec(100, false)]);
});

test("revocation matches by direction, protocol, ports and peer, whatever the description", () => {
  const specs = specsFromPermissions(
    [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.0.0/8" }, { CidrIp: "10.1.0.0/16" }] }],
    false,
    resolve,
  );
  const stored = [rule({ ...specs[0]!, Description: "d" }, "sgr-1"), rule({ ...specs[0]!, FromPort: 23, ToPort: 23 }, "sgr-2")];
  const { matched, unmatched } = matchRules(stored, specs);
  assert.deepEqual(
    matched.map((r) => r.SecurityGroupRuleId),
    ["sgr-1"],
  );
  assert.deepEqual(
    unmatched.map((s) => s.CidrIpv4),
    ["10.1.0.0/16"],
  );
});

test("rules group back into IpPermissions by protocol and ports, ports omitted for all protocols", () => {
  const rules: SecurityGroupRule[] = [
    rule({ IsEgress: false, IpProtocol: "tcp", FromPort: 80, ToPort: 80, CidrIpv4: "10.0.0.0/8", Description: "a" }, "sgr-1"),
    rule(
      {
        IsEgress: false,
        IpProtocol: "-1",
        FromPort: -1,
        ToPort: -1,
        ReferencedGroupInfo: { GroupId: "sg-1", UserId: "111122223333", VpcId: "vpc-1" },
      },
      "sgr-2",
    ),
    rule({ IsEgress: false, IpProtocol: "tcp", FromPort: 80, ToPort: 80, CidrIpv6: "::/0" }, "sgr-3"),
  ];
  assert.deepEqual(permissionsOf(rules), [
    {
      IpProtocol: "tcp",
      FromPort: 80,
      ToPort: 80,
      IpRanges: [{ CidrIp: "10.0.0.0/8", Description: "a" }],
      Ipv6Ranges: [{ CidrIpv6: "::/0" }],
      PrefixListIds: [],
      UserIdGroupPairs: [],
    },
    { IpProtocol: "-1", IpRanges: [], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [{ GroupId: "sg-1", UserId: "111122223333" }] },
  ]);
});

test("ModifySecurityGroupRules' form: one peer, and the rule keeps its identity", () => {
  assert.throws(() => specFromRuleRequest({ IpProtocol: "tcp", FromPort: 1, ToPort: 1 }, false, resolve), code("MissingParameter"));
  assert.throws(
    () =>
      specFromRuleRequest({ IpProtocol: "tcp", FromPort: 1, ToPort: 1, CidrIpv4: "0.0.0.0/0", ReferencedGroupId: "sg-2" }, false, resolve),
    code("InvalidParameterCombination"),
  );
  const before = rule({ IsEgress: true, IpProtocol: "tcp", FromPort: 1, ToPort: 1, CidrIpv4: "0.0.0.0/0", Description: "old" }, "sgr-7");
  const spec = specFromRuleRequest({ IpProtocol: "udp", FromPort: 53, ToPort: 53, ReferencedGroupId: "sg-2" }, true, resolve);
  assert.deepEqual(ruleWith(before, spec), {
    SecurityGroupRuleId: "sgr-7",
    GroupId: "sg-1",
    GroupOwnerId: "111122223333",
    Tags: [],
    IsEgress: true,
    IpProtocol: "udp",
    FromPort: 53,
    ToPort: 53,
    ReferencedGroupInfo: { GroupId: "sg-2", UserId: "111122223333", VpcId: "vpc-1" },
  });
});
