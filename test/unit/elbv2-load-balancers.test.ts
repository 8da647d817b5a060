// Load balancers' pure rules (names, loopback addresses, attributes, tags) and their network
// interfaces in the interface index on the real SQLite store: derived from the stored load
// balancer, followed through changes, and members of its groups in a task's firewall policy.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { newSecurityGroup } from "../../src/domain/ec2/security-group.js";
import { newVpc } from "../../src/domain/ec2/vpc.js";
import { elbIdOf } from "../../src/domain/elbv2/arns.js";
import { defaultLoadBalancerAttributes, withAttributes } from "../../src/domain/elbv2/attributes.js";
import { loadBalancerNameProblem, newLoadBalancer, pickLoopback } from "../../src/domain/elbv2/load-balancer.js";
import { withTagsAdded } from "../../src/domain/elbv2/tags.js";
import { firewallPolicy } from "../../src/domain/firewall/policy.js";
import { Elbv2Error } from "../../src/services/elbv2/errors.js";
import { requestedPage } from "../../src/services/elbv2/paging.js";
import { ecsState, type StoredTask } from "../../src/state/ecs-state.js";
import { openSqliteStore } from "../../src/state/sqlite/sqlite-store.js";

const scope = { accountId: "111111111111", region: "us-east-1" };
const now = new Date(0);

test("load balancer names follow ELBv2's rules", () => {
  for (const ok of ["a", "web-1", "A".repeat(32)]) assert.equal(loadBalancerNameProblem(ok), undefined, ok);
  for (const bad of ["", "-a", "a-", "a_b", "a.b", "internal-web", "a".repeat(33)]) assert.ok(loadBalancerNameProblem(bad), bad);
});

test("a loopback address is drawn from 127.64.0.0/10 and avoids those taken", () => {
  const draws = [0, 0, 0.5];
  const first = pickLoopback(new Set(), () => 0);
  assert.equal(first, "127.64.0.1");
  assert.equal(
    pickLoopback(new Set([first]), () => draws.shift()!),
    "127.96.0.0",
  );
  assert.equal(
    pickLoopback(new Set(), () => 0.999999999),
    "127.127.255.254",
  );
});

test("attributes: all of a type with defaults; a change is all or nothing", () => {
  const app = defaultLoadBalancerAttributes("application", true);
  const keys = app.map((a) => a.Key);
  assert.deepEqual(keys, [...keys].sort());
  assert.equal(app.find((a) => a.Key === "ipv6.deny_all_igw_traffic")!.Value, "true", "internal");
  const changed = withAttributes("application", app, [{ Key: "idle_timeout.timeout_seconds", Value: "4000" }]);
  assert.ok("attributes" in changed && changed.attributes.find((a) => a.Key === "idle_timeout.timeout_seconds")!.Value === "4000");
  const refused = withAttributes("application", app, [
    { Key: "idle_timeout.timeout_seconds", Value: "5" },
    { Key: "idle_timeout.timeout_seconds", Value: "4001" },
  ]);
  assert.ok("problem" in refused && refused.problem.code === "ValidationError");
  const net = withAttributes("network", defaultLoadBalancerAttributes("network", false), [{ Key: "routing.http2.enabled", Value: "true" }]);
  assert.ok("problem" in net && net.problem.code === "InvalidConfigurationRequestException");
});

test("tags: a key again replaces its value; past fifty is too many", () => {
  const added = withTagsAdded([{ Key: "a", Value: "1" }], [{ Key: "a", Value: "2" }]);
  assert.deepEqual(added, { tags: [{ Key: "a", Value: "2" }] });
  const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "" }));
  const tooMany = withTagsAdded([], many);
  assert.ok("problem" in tooMany && tooMany.problem.code === "TooManyTagsException");
});

test("marker pages hold while items before the boundary go, and when the last one given goes", () => {
  const items = ["a", "b", "c", "d", "e"];
  const first = requestedPage(items, (x) => x, {}, 2);
  assert.deepEqual(first.items, ["a", "b"]);
  const second = requestedPage(["b", "c", "d", "e"], (x) => x, { Marker: first.NextMarker!, PageSize: 2 }, 10);
  assert.deepEqual(second.items, ["c", "d"]);
  // b, the last given, deleted: c moved into its place and is not skipped.
  assert.deepEqual(requestedPage(["a", "c", "d", "e"], (x) => x, { Marker: first.NextMarker!, PageSize: 2 }, 10).items, ["c", "d"]);
  assert.throws(
    () => requestedPage(items, (x) => x, { Marker: "garbage!" }, 2),
    (err: unknown) => err instanceof Elbv2Error && err.code === "ValidationError" && err.message === "The marker is not valid",
  );
});

test("a load balancer's interfaces are in the index, follow it, and are members of its groups in a task's policy", async () => {
  const state = ecsState(openSqliteStore(join(mkdtempSync(join(tmpdir(), "berth-lb-eni-")), "state.sqlite")));
  const { vpc, defaultGroup } = newVpc({ scope, cidrBlock: "10.0.0.0/16", now });
  const vpcId = vpc.vpc.VpcId!;
  const lbGroup = newSecurityGroup({ scope, groupName: "lb", description: "lb", vpcId, now });
  const web = newSecurityGroup({ scope, groupName: "web", description: "web", vpcId, now });
  const lbGroupId = lbGroup.group.GroupId!;
  web.rules.push({
    GroupId: web.group.GroupId!,
    IsEgress: false,
    IpProtocol: "tcp",
    FromPort: 80,
    ToPort: 80,
    ReferencedGroupInfo: { GroupId: lbGroupId },
  });

  const lb = newLoadBalancer({
    scope,
    name: "web",
    type: "application",
    scheme: "internal",
    vpcId,
    securityGroups: [lbGroupId],
    interfaces: [
      {
        networkInterfaceId: "eni-lb1",
        subnetId: "subnet-a",
        availabilityZone: "us-east-1a",
        privateIpAddress: "10.0.0.4",
        macAddress: "02:42:0a:00:00:04",
      },
      {
        networkInterfaceId: "eni-lb2",
        subnetId: "subnet-b",
        availabilityZone: "us-east-1b",
        privateIpAddress: "10.0.1.4",
        macAddress: "02:42:0a:00:01:04",
      },
    ],
    loopbackAddress: "127.64.0.9",
    tags: [],
    now,
  });
  const lbId = elbIdOf(lb.loadBalancer.LoadBalancerArn!);
  await state.elbv2.loadBalancers.putMany(scope, [{ id: lbId, doc: lb }]);
  await state.tasks.putMany(scope, [{ id: "t1", doc: awsvpcTask("t1", "h1", vpcId, web.group.GroupId!) }]);

  const heard: string[] = [];
  const records = await state.interfaces.list(scope);
  state.interfaces.watch((_, before, after) => heard.push(`${before?.networkInterfaceId ?? "-"}>${after?.networkInterfaceId ?? "-"}`));
  const lbRecord = records.find((r) => r.networkInterfaceId === "eni-lb1")!;
  assert.deepEqual(
    {
      owner: lbRecord.owner,
      hostId: lbRecord.hostId,
      groups: lbRecord.securityGroupIds,
      vpcId: lbRecord.vpcId,
      loopback: lbRecord.loopbackAddress,
    },
    {
      owner: { kind: "load-balancer", arn: lb.loadBalancer.LoadBalancerArn, type: "application" },
      hostId: "",
      groups: [lbGroupId],
      vpcId,
      loopback: undefined,
    },
  );

  const policy = firewallPolicy("h1", [vpc], [defaultGroup, lbGroup, web], records);
  assert.deepEqual(policy.members[lbGroupId], ["10.0.0.4", "10.0.1.4"], "the task's rule from sg-lb admits the load balancer's addresses");
  assert.deepEqual(
    policy.interfaces.map((i) => i.id),
    ["eni-t1"],
    "the load balancer's interfaces are no host's",
  );

  await state.elbv2.loadBalancers.write(scope, lbId, (cur) => ({ ...cur!, interfaces: cur!.interfaces.slice(1) }));
  assert.deepEqual((await state.interfaces.list(scope)).map((r) => r.networkInterfaceId).sort(), ["eni-lb2", "eni-t1"]);
  await state.elbv2.loadBalancers.remove(scope, lbId);
  assert.deepEqual(
    (await state.interfaces.list(scope)).map((r) => r.networkInterfaceId),
    ["eni-t1"],
  );
  assert.deepEqual(heard, ["eni-lb1>-", "eni-lb2>-"]);
});

function awsvpcTask(id: string, hostId: string, vpcId: string, group: string): StoredTask {
  return {
    task: {
      taskArn: `arn:aws:ecs:us-east-1:111111111111:task/c/${id}`,
      group: "service:web",
      createdAt: new Date(1_000),
      lastStatus: "RUNNING",
    },
    cluster: "c",
    hostId,
    taskDefinition: {
      taskDefinitionArn: "arn:aws:ecs:us-east-1:111111111111:task-definition/web:1",
      family: "web",
      revision: 1,
      status: "ACTIVE",
    },
    reservation: { cpu: 10, memory: 20, ports: [], portsUdp: [] },
    network: {
      subnetId: "subnet-a",
      vpcId,
      securityGroupIds: [group],
      networkName: "n",
      cidr: "10.0.0.0/16",
      gateway: "10.0.0.1",
      ipv4Address: "10.0.0.5",
      loopbackAddress: "127.1.0.1",
      attachmentId: "a",
      networkInterfaceId: "eni-t1",
      macAddress: "m",
    },
  };
}
