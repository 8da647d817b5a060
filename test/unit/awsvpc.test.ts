// ECS's rules for an awsvpc task's interface, pure: the subnets and groups a configuration
// names must exist in one VPC (no group: the VPC's default), the address is the lowest that
// AWS would hand out, and tasks spread over their subnets' zones.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { chooseSubnet, resolveAwsvpc, zonesOf, type AwsvpcObjects, type AwsvpcSubnet } from "../../src/domain/task/awsvpc.js";
import { freeSubnetAddress, privateDnsName } from "../../src/domain/task/network.js";
import { assignableRange } from "../../src/domain/ec2/vpc-network.js";
import { mulberry32 } from "../support/random.js";

const found: AwsvpcObjects = {
  subnets: new Map([
    ["subnet-a", { vpcId: "vpc-1", cidr: "172.31.0.0/20", availabilityZone: "us-east-1a" }],
    ["subnet-b", { vpcId: "vpc-1", cidr: "172.31.16.0/20", availabilityZone: "us-east-1b" }],
    ["subnet-x", { vpcId: "vpc-2", cidr: "10.0.0.0/24", availabilityZone: "us-east-1a" }],
  ]),
  securityGroups: new Map([
    ["sg-web", { vpcId: "vpc-1" }],
    ["sg-db", { vpcId: "vpc-1" }],
    ["sg-other", { vpcId: "vpc-2" }],
  ]),
  vpcs: new Map([
    ["vpc-1", { cidr: "172.31.0.0/16", defaultSecurityGroupId: "sg-default1" }],
    ["vpc-2", { cidr: "10.0.0.0/16", defaultSecurityGroupId: "sg-default2" }],
  ]),
};

const refusal = (message: string) => ({ name: "InvalidParameterException", message });

describe("resolveAwsvpc", () => {
  test("the subnets in the order given, each once, their VPC, and the groups named", () => {
    assert.deepEqual(resolveAwsvpc({ subnets: ["subnet-b", "subnet-a", "subnet-b"], securityGroups: ["sg-web", "sg-db"] }, found), {
      vpcId: "vpc-1",
      vpcCidr: "172.31.0.0/16",
      subnets: [
        { subnetId: "subnet-b", cidr: "172.31.16.0/20", availabilityZone: "us-east-1b" },
        { subnetId: "subnet-a", cidr: "172.31.0.0/20", availabilityZone: "us-east-1a" },
      ],
      securityGroupIds: ["sg-web", "sg-db"],
    });
  });

  test("no group named: the VPC's default group", () => {
    assert.deepEqual(resolveAwsvpc({ subnets: ["subnet-x"], securityGroups: [] }, found).securityGroupIds, ["sg-default2"]);
  });

  test("a missing subnet, then a missing group: what EC2 told ECS", () => {
    assert.throws(
      () => resolveAwsvpc({ subnets: ["subnet-a", "subnet-gone"], securityGroups: ["sg-gone"] }, found),
      refusal(
        "Error retrieving subnet information for [subnet-gone]: The subnet ID 'subnet-gone' does not exist (ErrorCode: InvalidSubnetID.NotFound)",
      ),
    );
    assert.throws(
      () => resolveAwsvpc({ subnets: ["subnet-a"], securityGroups: ["sg-web", "sg-gone"] }, found),
      refusal(
        "Error retrieving security group information for [sg-gone]: The security group 'sg-gone' does not exist (ErrorCode: InvalidGroup.NotFound)",
      ),
    );
  });

  test("subnets of two VPCs, and a group of another VPC than the subnets', are refused", () => {
    assert.throws(() => resolveAwsvpc({ subnets: ["subnet-a", "subnet-x"], securityGroups: [] }, found), {
      name: "InvalidParameterException",
      message: /subnet-a and subnet-x are in different VPCs/,
    });
    assert.throws(
      () => resolveAwsvpc({ subnets: ["subnet-a"], securityGroups: ["sg-web", "sg-other"] }, found),
      refusal("Security group sg-other does not appear to belong to the same VPC as the input subnets."),
    );
  });

  test("zonesOf: the subnets' zones, in order, each once", () => {
    const placed = resolveAwsvpc({ subnets: ["subnet-b", "subnet-a"], securityGroups: [] }, found);
    assert.deepEqual(zonesOf(placed), ["us-east-1b", "us-east-1a"]);
  });
});

describe("freeSubnetAddress", () => {
  test("the lowest address past AWS's four reserved at the start, skipping those taken", () => {
    assert.equal(freeSubnetAddress("172.31.16.0/20", new Set()), "172.31.16.4");
    assert.equal(freeSubnetAddress("172.31.16.0/20", new Set(["172.31.16.4", "172.31.16.6"])), "172.31.16.5");
  });

  test("a /28 has 11 addresses; the last (broadcast) is never handed out; then the subnet is full", () => {
    const taken = new Set<string>();
    for (let i = 0; i < 11; i++) taken.add(freeSubnetAddress("10.0.0.16/28", taken)!);
    assert.deepEqual([...taken].at(-1), "10.0.0.30");
    assert.equal(taken.size, assignableRange("10.0.0.16/28").count);
    assert.equal(freeSubnetAddress("10.0.0.16/28", taken), undefined);
  });
});

test("privateDnsName: ec2.internal in us-east-1, <region>.compute.internal elsewhere", () => {
  assert.equal(privateDnsName("172.31.16.4", "us-east-1"), "ip-172-31-16-4.ec2.internal");
  assert.equal(privateDnsName("10.0.1.9", "eu-west-1"), "ip-10-0-1-9.eu-west-1.compute.internal");
});

describe("chooseSubnet", () => {
  const subnets: AwsvpcSubnet[] = [
    { subnetId: "subnet-a", cidr: "172.31.0.0/20", availabilityZone: "z-a" },
    { subnetId: "subnet-b", cidr: "172.31.16.0/20", availabilityZone: "z-b" },
    { subnetId: "subnet-c", cidr: "172.31.32.0/20", availabilityZone: "z-c" },
  ];
  const any = () => true;

  test("the zone with the fewest of the group's tasks; ties go to the first given", () => {
    const counts = new Map([
      ["z-a", 2],
      ["z-b", 1],
      ["z-c", 1],
    ]);
    assert.equal(chooseSubnet(subnets, (z) => counts.get(z) ?? 0, any)?.subnetId, "subnet-b");
    assert.equal(chooseSubnet(subnets, () => 0, any)?.subnetId, "subnet-a");
  });

  test("only usable subnets (room, the instance's zone); none usable: undefined", () => {
    assert.equal(
      chooseSubnet(
        subnets,
        () => 0,
        (s) => s.subnetId !== "subnet-a",
      )?.subnetId,
      "subnet-b",
    );
    assert.equal(
      chooseSubnet(
        subnets,
        () => 0,
        () => false,
      ),
      undefined,
    );
  });

  test("tasks placed one by one spread evenly over the zones, whatever the counts they start from", () => {
    const next = mulberry32(11);
    for (let round = 0; round < 100; round++) {
      const counts = new Map(subnets.map((s) => [s.availabilityZone, Math.floor(next() * 4)]));
      for (let i = 0; i < 12; i++) {
        const chosen = chooseSubnet(subnets, (z) => counts.get(z)!, any)!;
        const least = Math.min(...counts.values());
        assert.equal(counts.get(chosen.availabilityZone), least);
        counts.set(chosen.availabilityZone, counts.get(chosen.availabilityZone)! + 1);
      }
      const values = [...counts.values()];
      // Starting at most 3 apart, 12 tasks are enough to level the zones to within one.
      assert.ok(Math.max(...values) - Math.min(...values) <= 1, JSON.stringify(values));
    }
  });
});
