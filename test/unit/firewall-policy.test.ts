// A host's security-group policy from EC2's documents: only its own interfaces and their groups,
// rules merged by match with EC2's protocol and port conventions, members of referenced groups
// from every host, and the VPCs' bridges, gateways and other hosts' addresses.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { SecurityGroupRule } from "@aws-sdk/client-ec2";
import { firewallPolicy, policyRules, protocolNumber, type InterfaceOfPolicy } from "../../src/domain/firewall/policy.js";
import { newSecurityGroup } from "../../src/domain/ec2/security-group.js";
import { newVpc } from "../../src/domain/ec2/vpc.js";
import { vpcBridgeName } from "../../src/domain/ec2/vpc-network.js";

const scope = { accountId: "000000000000", region: "us-east-1" };
const now = new Date(0);

const rule = (r: Partial<SecurityGroupRule>): SecurityGroupRule => ({ GroupId: "sg-x", IsEgress: false, ...r });

test("EC2's protocols as numbers", () => {
  assert.equal(protocolNumber("tcp"), 6);
  assert.equal(protocolNumber("UDP"), 17);
  assert.equal(protocolNumber("icmp"), 1);
  assert.equal(protocolNumber("-1"), "all");
  assert.equal(protocolNumber("47"), 47);
  assert.equal(protocolNumber("bogus"), undefined);
  assert.equal(protocolNumber("300"), undefined);
});

test("rules of one match merge their sources; ports, ICMP and every-port forms follow EC2", () => {
  const rules = [
    rule({ IpProtocol: "tcp", FromPort: 80, ToPort: 80, CidrIpv4: "10.0.0.0/8" }),
    rule({ IpProtocol: "tcp", FromPort: 80, ToPort: 80, ReferencedGroupInfo: { GroupId: "sg-b" } }),
    rule({ IpProtocol: "tcp", FromPort: 80, ToPort: 80, CidrIpv4: "10.0.0.0/8" }),
    rule({ IpProtocol: "tcp", FromPort: 0, ToPort: 65535, CidrIpv4: "1.2.3.4/32" }),
    rule({ IpProtocol: "icmp", FromPort: 8, ToPort: -1, CidrIpv4: "0.0.0.0/0" }),
    rule({ IpProtocol: "icmp", FromPort: -1, ToPort: -1, CidrIpv4: "5.0.0.0/8" }),
    rule({ IpProtocol: "-1", CidrIpv6: "::/0" }),
    rule({ IpProtocol: "udp", FromPort: 53, ToPort: 53, CidrIpv4: "0.0.0.0/0", IsEgress: true }),
  ];
  assert.deepEqual(
    new Set(policyRules(rules, false).map((r) => JSON.stringify(r))),
    new Set(
      [
        { protocol: 6, ports: [80, 80], cidrs: ["10.0.0.0/8"], groups: ["sg-b"] },
        { protocol: 6, cidrs: ["1.2.3.4/32"], groups: [] },
        { protocol: 1, icmp: { type: 8 }, cidrs: ["0.0.0.0/0"], groups: [] },
        { protocol: 1, cidrs: ["5.0.0.0/8"], groups: [] },
      ].map((r) => JSON.stringify(r)),
    ),
    "the IPv6-only rule matches no IPv4 traffic and is left out",
  );
  assert.deepEqual(policyRules(rules, true), [{ protocol: 17, ports: [53, 53], cidrs: ["0.0.0.0/0"], groups: [] }]);
});

test("a host's policy: its interfaces, their groups and VPC, and the members of referenced groups on any host", () => {
  const { vpc, defaultGroup } = newVpc({ scope, cidrBlock: "10.0.0.0/16", now });
  const vpcId = vpc.vpc.VpcId!;
  const web = newSecurityGroup({ scope, groupName: "web", description: "web", vpcId, now });
  const webId = web.group.GroupId!;
  const dfltId = defaultGroup.group.GroupId!;
  web.rules.push(rule({ GroupId: webId, IpProtocol: "tcp", FromPort: 443, ToPort: 443, ReferencedGroupInfo: { GroupId: dfltId } }));
  const unused = newSecurityGroup({ scope, groupName: "unused", description: "x", vpcId, now });
  const iface = (id: string, host: string, address: string, groups: string[], loopback?: string): InterfaceOfPolicy => ({
    networkInterfaceId: id,
    vpcId,
    privateIpAddress: address,
    securityGroupIds: groups,
    hostId: host,
    ...(loopback ? { loopbackAddress: loopback } : {}),
  });
  const interfaces = [
    iface("eni-2", "h1", "10.0.0.5", [webId], "127.1.0.2"),
    iface("eni-1", "h1", "10.0.0.4", [dfltId]),
    iface("eni-3", "h2", "10.0.1.4", [dfltId]),
    iface("eni-4", "h2", "10.0.1.5", [webId]),
  ];
  const policy = firewallPolicy("h1", [vpc], [defaultGroup, web, unused], interfaces);
  assert.deepEqual(policy.interfaces, [
    { id: "eni-1", address: "10.0.0.4", groups: [dfltId] },
    { id: "eni-2", address: "10.0.0.5", loopback: "127.1.0.2", groups: [webId] },
  ]);
  assert.deepEqual(policy.vpcs, [
    { vpcId, cidr: "10.0.0.0/16", gateway: "10.0.0.1", bridge: vpcBridgeName(vpcId), others: ["10.0.1.4", "10.0.1.5"] },
  ]);
  assert.deepEqual(policy.groups.map((g) => g.id).sort(), [dfltId, webId].sort(), "the unused group is left out");
  assert.deepEqual(policy.members, { [dfltId]: ["10.0.0.4", "10.0.1.4"] }, "sg-default is named by both groups' rules; web by none");
  const dflt = policy.groups.find((g) => g.id === dfltId)!;
  assert.deepEqual(dflt.ingress, [{ protocol: "all", cidrs: [], groups: [dfltId] }]);
  assert.deepEqual(dflt.egress, [{ protocol: "all", cidrs: ["0.0.0.0/0"], groups: [] }]);

  assert.deepEqual(policy.loadBalancers, []);

  assert.deepEqual(firewallPolicy("h3", [vpc], [defaultGroup, web], interfaces), {
    vpcs: [],
    interfaces: [],
    loadBalancers: [],
    groups: [],
    members: {},
  });
  const missing = firewallPolicy("h1", [vpc], [], interfaces.slice(0, 1));
  assert.deepEqual(missing.groups, [{ id: webId, ingress: [], egress: [] }], "a group not stored allows nothing");
});

test("equal inputs give equal policies whatever their order (the control plane skips unchanged ones)", () => {
  const { vpc, defaultGroup } = newVpc({ scope, cidrBlock: "10.1.0.0/16", now });
  const g = defaultGroup.group.GroupId!;
  const a = { networkInterfaceId: "eni-a", vpcId: vpc.vpc.VpcId!, privateIpAddress: "10.1.0.4", securityGroupIds: [g], hostId: "h" };
  const b = { ...a, networkInterfaceId: "eni-b", privateIpAddress: "10.1.0.5" };
  assert.equal(
    JSON.stringify(firewallPolicy("h", [vpc], [defaultGroup], [a, b])),
    JSON.stringify(firewallPolicy("h", [vpc], [defaultGroup], [b, a])),
  );
});

test("the load balancers of a host's VPCs come with their groups, whose egress rules' members are listed", () => {
  const { vpc, defaultGroup } = newVpc({ scope, cidrBlock: "10.2.0.0/16", now });
  const other = newVpc({ scope, cidrBlock: "10.3.0.0/16", now });
  const vpcId = vpc.vpc.VpcId!;
  const lbGroup = newSecurityGroup({ scope, groupName: "lb", description: "lb", vpcId, now });
  const taskGroup = newSecurityGroup({ scope, groupName: "task", description: "task", vpcId, now });
  const [lbId, taskId] = [lbGroup.group.GroupId!, taskGroup.group.GroupId!];
  // Its default egress (everything) revoked, and tcp/80 to the task group authorized.
  lbGroup.rules = lbGroup.rules.filter((r) => !r.IsEgress);
  lbGroup.rules.push(
    rule({ GroupId: lbId, IsEgress: true, IpProtocol: "tcp", FromPort: 80, ToPort: 80, ReferencedGroupInfo: { GroupId: taskId } }),
  );
  const task: InterfaceOfPolicy = {
    networkInterfaceId: "eni-t",
    vpcId,
    privateIpAddress: "10.2.0.4",
    securityGroupIds: [taskId],
    hostId: "h1",
  };
  const lb = (id: string, address: string, groups: string[], inVpc = vpcId): InterfaceOfPolicy => ({
    networkInterfaceId: id,
    vpcId: inVpc,
    privateIpAddress: address,
    securityGroupIds: groups,
    hostId: "",
    owner: { kind: "load-balancer" },
  });
  const interfaces = [
    task,
    lb("eni-lb2", "10.2.1.200", [lbId]),
    lb("eni-lb1", "10.2.0.200", [lbId]),
    lb("eni-nlb", "10.2.0.201", []),
    lb("eni-far", "10.3.0.200", [lbId], other.vpc.vpc.VpcId),
  ];
  const policy = firewallPolicy("h1", [vpc, other.vpc], [defaultGroup, lbGroup, taskGroup], interfaces);
  assert.deepEqual(
    policy.loadBalancers,
    [
      { id: "eni-lb1", address: "10.2.0.200", groups: [lbId] },
      { id: "eni-lb2", address: "10.2.1.200", groups: [lbId] },
    ],
    "a load balancer without groups filters nothing; one in a VPC this host has no interface in is not its to judge",
  );
  assert.deepEqual(policy.groups.map((g) => g.id).sort(), [lbId, taskId].sort());
  assert.deepEqual(policy.groups.find((g) => g.id === lbId)!.egress, [{ protocol: 6, ports: [80, 80], cidrs: [], groups: [taskId] }]);
  assert.deepEqual(policy.members, { [taskId]: ["10.2.0.4"] });
  assert.deepEqual(policy.vpcs[0]!.others, ["10.2.0.200", "10.2.0.201", "10.2.1.200"], "still known addresses of the VPC");
  assert.deepEqual(firewallPolicy("h2", [vpc], [lbGroup], interfaces).loadBalancers, [], "a host with no interface in the VPC");
});
