// EC2's VPCs, subnets, zones and tags on berth's endpoint as the unmodified AWS CLIs (v1 and v2)
// meet them, in EC2's Query protocol: what Terraform's and the console-less scripts' lookups do.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { expectCliError } from "../support/assertions.js";
import { startBerth, TEST_ACCOUNT, type BerthProcess } from "../support/berth-process.js";
import { availableClis, runCli, type CliResult } from "../support/clients.js";

describe("EC2 VPCs and subnets with the AWS CLIs", () => {
  let berth: BerthProcess;
  before(async () => {
    berth = await startBerth();
  });
  after(async () => {
    await berth.stop();
  });

  availableClis().forEach((cli, i) => {
    const ec2 = (...args: string[]): CliResult => runCli(cli, berth.endpoint, ["ec2", ...args]);
    const ok = (r: CliResult): CliResult => {
      assert.equal(r.status, 0, r.stderr);
      return r;
    };

    test(`${cli.name} (${cli.path}): the default VPC as Terraform looks it up, its subnets, the zones`, () => {
      const vpcs = ok(ec2("describe-vpcs", "--filters", "Name=isDefault,Values=true")).json.Vpcs;
      assert.equal(vpcs.length, 1);
      assert.equal(vpcs[0].CidrBlock, "172.31.0.0/16");
      assert.equal(vpcs[0].IsDefault, true);
      assert.equal(vpcs[0].OwnerId, TEST_ACCOUNT);
      const subnets = ok(ec2("describe-subnets", "--filters", `Name=vpc-id,Values=${vpcs[0].VpcId}`)).json.Subnets;
      assert.deepEqual(subnets.map((s: { CidrBlock: string }) => s.CidrBlock).sort(), [
        "172.31.0.0/20",
        "172.31.16.0/20",
        "172.31.32.0/20",
      ]);
      const zones = ok(ec2("describe-availability-zones")).json.AvailabilityZones;
      assert.deepEqual(
        zones.map((z: { ZoneName: string }) => z.ZoneName),
        ["us-east-1a", "us-east-1b", "us-east-1c"],
      );
      const attrs = ok(ec2("describe-account-attributes", "--attribute-names", "default-vpc")).json.AccountAttributes;
      assert.equal(attrs[0].AttributeValues[0].AttributeValue, vpcs[0].VpcId);
    });

    test(`${cli.name} (${cli.path}): create a tagged VPC and a subnet, wait, tag, and delete them`, () => {
      lifecycle(ec2, ok, i);
    });

    test(`${cli.name} (${cli.path}): an error exits non-zero with EC2's code and message on stderr`, () => {
      const r = ec2("describe-vpcs", "--vpc-ids", "vpc-0123456789abcdef0");
      expectCliError(r, "InvalidVpcID.NotFound", "DescribeVpcs");
      assert.match(r.stderr, /The vpc ID 'vpc-0123456789abcdef0' does not exist/);
      const range = ec2("create-vpc", "--cidr-block", "10.0.0.0/8");
      expectCliError(range, "InvalidVpc.Range", "CreateVpc");
      assert.match(range.stderr, /The CIDR '10.0.0.0\/8' is invalid\./);
    });
  });
});

function lifecycle(ec2: (...args: string[]) => CliResult, ok: (r: CliResult) => CliResult, i: number): void {
  const block = `10.${70 + i}.0.0/16`;
  const vpc = ok(ec2("create-vpc", "--cidr-block", block, "--tag-specifications", "ResourceType=vpc,Tags=[{Key=Name,Value=cli-vpc}]")).json
    .Vpc;
  assert.equal(vpc.CidrBlock, block);
  assert.deepEqual(vpc.Tags, [{ Key: "Name", Value: "cli-vpc" }]);
  ok(ec2("wait", "vpc-available", "--vpc-ids", vpc.VpcId));
  const subnet = ok(ec2("create-subnet", "--vpc-id", vpc.VpcId, "--cidr-block", `10.${70 + i}.1.0/24`, "--availability-zone", "us-east-1b"))
    .json.Subnet;
  assert.equal(subnet.AvailabilityZone, "us-east-1b");
  assert.equal(subnet.AvailableIpAddressCount, 251);
  ok(ec2("wait", "subnet-available", "--subnet-ids", subnet.SubnetId));
  const listed = ok(ec2("describe-subnets", "--filters", `Name=vpc-id,Values=${vpc.VpcId}`)).json.Subnets;
  assert.deepEqual(
    listed.map((s: { SubnetId: string }) => s.SubnetId),
    [subnet.SubnetId],
  );

  ok(ec2("create-tags", "--resources", vpc.VpcId, subnet.SubnetId, "--tags", "Key=team,Value=blue"));
  const tags = ok(ec2("describe-tags", "--filters", "Name=key,Values=team", `Name=resource-id,Values=${vpc.VpcId},${subnet.SubnetId}`)).json
    .Tags;
  assert.deepEqual(tags.map((t: { ResourceType: string; Value: string }) => [t.ResourceType, t.Value]).sort(), [
    ["subnet", "blue"],
    ["vpc", "blue"],
  ]);
  ok(ec2("delete-tags", "--resources", subnet.SubnetId, "--tags", "Key=team"));
  assert.equal(ok(ec2("describe-tags", "--filters", `Name=resource-id,Values=${subnet.SubnetId}`)).json.Tags.length, 0);

  expectCliError(ec2("delete-vpc", "--vpc-id", vpc.VpcId), "DependencyViolation", "DeleteVpc");
  ok(ec2("delete-subnet", "--subnet-id", subnet.SubnetId));
  ok(ec2("delete-vpc", "--vpc-id", vpc.VpcId));
  expectCliError(ec2("describe-vpcs", "--vpc-ids", vpc.VpcId), "InvalidVpcID.NotFound", "DescribeVpcs");
}
