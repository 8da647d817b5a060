// The control plane's security-group pushes, on a real store: a connected host is sent its
// policy when it first flushes, and again, coalesced into one message, when a group's rules or
// an interface (its own, or a member's on another host) change; an unchanged policy is not sent.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { SecurityGroupRule } from "@aws-sdk/client-ec2";
import { newVpc } from "../../src/domain/ec2/vpc.js";
import { newSecurityGroup } from "../../src/domain/ec2/security-group.js";
import { elbIdOf } from "../../src/domain/elbv2/arns.js";
import type { TaskNetwork } from "../../src/domain/task/lifecycle.js";
import { FirewallPush } from "../../src/services/ecs/agent-channel/firewall-push.js";
import { ecsState, type StoredTask } from "../../src/state/ecs-state.js";
import { openSqliteStore } from "../../src/state/sqlite/sqlite-store.js";
import type { ControlPlaneMessage } from "../../src/wire/agent-channel.js";
import type { FirewallPolicy } from "../../src/wire/firewall.js";
import { silentLog } from "../support/log.js";
import { waitFor } from "../support/wait.js";

const dir = mkdtempSync(join(tmpdir(), "berth-firewall-push-"));
const store = openSqliteStore(join(dir, "berth.sqlite"));
const state = ecsState(store);
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const scope = { accountId: "000000000000", region: "us-east-1" };
const now = new Date();

function taskDoc(id: string, hostId: string, vpcId: string, address: string, groups: string[], lastStatus = "PROVISIONING"): StoredTask {
  const network: TaskNetwork = {
    subnetId: "subnet-1",
    vpcId,
    securityGroupIds: groups,
    networkName: `berth-${vpcId}`,
    cidr: "10.5.0.0/16",
    gateway: "10.5.0.1",
    ipv4Address: address,
    loopbackAddress: `127.1.0.${address.split(".")[3]}`,
    attachmentId: `att-${id}`,
    networkInterfaceId: `eni-${id}`,
    macAddress: "02:00:00:00:00:01",
  };
  return {
    task: { taskArn: `arn:aws:ecs:us-east-1:000000000000:task/default/${id}`, lastStatus, createdAt: now, availabilityZone: "us-east-1a" },
    cluster: "default",
    hostId,
    taskDefinition: { family: "web", containerDefinitions: [] },
    reservation: { cpu: 0, memory: 0, ports: [], portsUdp: [] },
    network,
  };
}

test("a connected host gets its policy, and a changed one once per burst of changes", async () => {
  const { vpc, defaultGroup } = newVpc({ scope, cidrBlock: "10.5.0.0/16", now });
  const vpcId = vpc.vpc.VpcId!;
  const web = newSecurityGroup({ scope, groupName: "web", description: "web", vpcId, now });
  const webId = web.group.GroupId!;
  const dfltId = defaultGroup.group.GroupId!;
  await state.ec2.vpcs.write(scope, vpcId, () => vpc);
  await state.ec2.securityGroups.write(scope, dfltId, () => defaultGroup);
  await state.ec2.securityGroups.write(scope, webId, () => web);
  await state.tasks.write(scope, "t1", () => taskDoc("t1", "h1", vpcId, "10.5.0.4", [webId]));

  const push = new FirewallPush(state, silentLog, 20);
  const sent: Record<string, FirewallPolicy[]> = { h1: [], h2: [] };
  const sender = (host: string) => (m: ControlPlaneMessage) => {
    assert.equal(m.type, "firewall");
    if (m.type === "firewall") sent[host]!.push(m.policy);
  };
  const detach1 = push.attach(scope, "h1", sender("h1"));
  const detach2 = push.attach(scope, "h2", sender("h2"));
  try {
    await push.flush(scope, "h1");
    await push.flush(scope, "h2");
    assert.equal(sent.h1!.length, 1);
    assert.deepEqual(sent.h1![0]!.interfaces, [{ id: "eni-t1", address: "10.5.0.4", loopback: "127.1.0.4", groups: [webId] }]);
    assert.deepEqual(sent.h1![0]!.groups.find((g) => g.id === webId)?.ingress, []);
    assert.deepEqual(
      sent.h2,
      [{ vpcs: [], interfaces: [], loadBalancers: [], groups: [], members: {} }],
      "a host without interfaces gets the empty policy",
    );
    await push.flush(scope, "h1");
    assert.equal(sent.h1!.length, 1, "nothing changed: nothing sent");

    // A rule added to sg-web naming the default group: h1's chains and the default group's members change.
    const fromDefault: SecurityGroupRule = {
      SecurityGroupRuleId: "sgr-1",
      GroupId: webId,
      IsEgress: false,
      IpProtocol: "tcp",
      FromPort: 80,
      ToPort: 80,
      ReferencedGroupInfo: { GroupId: dfltId },
    };
    await state.ec2.securityGroups.write(scope, webId, (cur) => cur && { ...cur, rules: [...cur.rules, fromDefault] });
    const second = await waitFor(() => sent.h1![1], { message: "h1's policy after the rule change" });
    assert.deepEqual(second.groups.find((g) => g.id === webId)?.ingress, [{ protocol: 6, ports: [80, 80], cidrs: [], groups: [dfltId] }]);
    assert.deepEqual(second.members, { [dfltId]: [] });

    // Ten tasks of the default group land on h2 in one burst: h1 learns their addresses in one push.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        state.tasks.write(scope, `u${i}`, () => taskDoc(`u${i}`, "h2", vpcId, `10.5.1.${i + 10}`, [dfltId])),
      ),
    );
    const third = await waitFor(() => sent.h1![2], { message: "h1's policy after the burst" });
    await waitFor(() => sent.h2!.length >= 2, { message: "h2's own policy" });
    assert.equal(third.members[dfltId]!.length, 10);
    assert.equal(third.vpcs[0]!.others.length, 10);
    // A window in which no further push must come: the burst was one.
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(sent.h1!.length, 3, "one push for the ten interfaces");
    assert.equal(sent.h2.length, 2);

    // A task that stops takes its interface away.
    await state.tasks.write(scope, "t1", (cur) => cur && { ...cur, task: { ...cur.task, lastStatus: "STOPPED" } });
    const fourth = await waitFor(() => sent.h1![3], { message: "h1's policy after its task stopped" });
    assert.deepEqual(fourth.interfaces, []);
  } finally {
    detach1();
    detach2();
    push.close();
  }
});

test("a load balancer in a host's VPC: its interfaces and groups reach the host, and so do their changes", async () => {
  const { vpc } = newVpc({ scope, cidrBlock: "10.6.0.0/16", now });
  const vpcId = vpc.vpc.VpcId!;
  const lbGroup = newSecurityGroup({ scope, groupName: "lb", description: "lb", vpcId, now });
  const lbId = lbGroup.group.GroupId!;
  const other = newSecurityGroup({ scope, groupName: "lb2", description: "lb2", vpcId, now });
  const otherId = other.group.GroupId!;
  await state.ec2.vpcs.write(scope, vpcId, () => vpc);
  await state.ec2.securityGroups.write(scope, lbId, () => lbGroup);
  await state.ec2.securityGroups.write(scope, otherId, () => other);
  await state.tasks.write(scope, "lb-t1", () => taskDoc("lb-t1", "h3", vpcId, "10.6.0.4", [otherId]));
  const arn = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/0123456789abcdef";
  await state.elbv2.loadBalancers.write(scope, elbIdOf(arn), () => ({
    loadBalancer: { LoadBalancerArn: arn, LoadBalancerName: "web", Type: "application", VpcId: vpcId, SecurityGroups: [lbId] },
    attributes: [],
    tags: [],
    interfaces: [
      {
        networkInterfaceId: "eni-lb",
        subnetId: "subnet-1",
        availabilityZone: "us-east-1a",
        privateIpAddress: "10.6.0.200",
        macAddress: "02:00:00:00:00:02",
      },
    ],
    loopbackAddress: "127.2.0.1",
    createdAt: Date.now(),
  }));

  const push = new FirewallPush(state, silentLog, 20);
  const sent: FirewallPolicy[] = [];
  const detach = push.attach(scope, "h3", (m) => {
    if (m.type === "firewall") sent.push(m.policy);
  });
  try {
    await push.flush(scope, "h3");
    assert.deepEqual(sent[0]!.loadBalancers, [{ id: "eni-lb", address: "10.6.0.200", groups: [lbId] }]);
    assert.deepEqual(sent[0]!.groups.find((g) => g.id === lbId)?.egress, [{ protocol: "all", cidrs: ["0.0.0.0/0"], groups: [] }]);

    // SetSecurityGroups: the load balancer's interfaces are in the other group now.
    await state.elbv2.loadBalancers.write(
      scope,
      elbIdOf(arn),
      (cur) => cur && { ...cur, loadBalancer: { ...cur.loadBalancer, SecurityGroups: [otherId] } },
    );
    const second = await waitFor(() => sent[1], { message: "the policy after SetSecurityGroups" });
    assert.deepEqual(second.loadBalancers, [{ id: "eni-lb", address: "10.6.0.200", groups: [otherId] }]);
    assert.deepEqual(
      second.groups.map((g) => g.id),
      [otherId],
      "the load balancer's former group is no longer the host's",
    );

    // RevokeSecurityGroupEgress of the group's only egress rule: it sends nothing any more.
    await state.ec2.securityGroups.write(scope, otherId, (cur) => cur && { ...cur, rules: cur.rules.filter((r) => !r.IsEgress) });
    const third = await waitFor(() => sent[2], { message: "the policy after the egress revoke" });
    assert.deepEqual(third.groups.find((g) => g.id === otherId)?.egress, []);

    // The load balancer deleted: its interfaces leave the policy.
    await state.elbv2.loadBalancers.remove(scope, elbIdOf(arn));
    const fourth = await waitFor(() => sent[3], { message: "the policy after the load balancer is gone" });
    assert.deepEqual(fourth.loadBalancers, []);
  } finally {
    detach();
    push.close();
  }
});
