// The CIDR rules of EC2's VPCs and subnets (src/domain/ec2/cidr-blocks.ts).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CidrError, checkSubnetCidr, checkVpcCidr, firstFreeBlock, parseCidrBlock } from "../../src/domain/ec2/cidr-blocks.js";

const refused = (code: string, message: string | RegExp) => (err: unknown) => {
  assert.ok(err instanceof CidrError);
  assert.equal(err.code, code);
  if (typeof message === "string") assert.equal(err.message, message);
  else assert.match(err.message, message);
  return true;
};

describe("EC2 CIDR blocks", () => {
  test("a block is a.b.c.d/n; host bits are dropped, as EC2 keeps the network address", () => {
    assert.deepEqual(parseCidrBlock("10.0.1.0/16"), { cidr: "10.0.0.0/16", prefix: 16, first: 0x0a000000, last: 0x0a00ffff });
    for (const bad of [
      "10.0.0.0",
      "10.0.0/16",
      "10.0.0.256/16",
      "10.0.0.0/33",
      "010.0.0.0/16",
      " 10.0.0.0/16",
      "10.0.0.0/016",
      "a.b.c.d/8",
    ])
      assert.equal(parseCidrBlock(bad), undefined, bad);
  });

  test("a VPC is /16 to /28", () => {
    assert.equal(checkVpcCidr("10.1.0.0/16", []).cidr, "10.1.0.0/16");
    assert.equal(checkVpcCidr("10.1.0.0/28", []).cidr, "10.1.0.0/28");
    assert.throws(() => checkVpcCidr("10.0.0.0/8", []), refused("InvalidVpc.Range", "The CIDR '10.0.0.0/8' is invalid."));
    assert.throws(() => checkVpcCidr("10.0.0.0/29", []), refused("InvalidVpc.Range", "The CIDR '10.0.0.0/29' is invalid."));
    assert.throws(
      () => checkVpcCidr("nonsense", []),
      refused("InvalidParameterValue", "Value (nonsense) for parameter cidrBlock is invalid. This is not a valid CIDR block."),
    );
  });

  test("a VPC overlapping a taken block is refused, saying what holds it", () => {
    const taken = [{ cidr: "172.17.0.0/16", what: "a network on berth's hosts already uses" }];
    assert.throws(
      () => checkVpcCidr("172.17.5.0/24", taken),
      refused("InvalidVpc.Range", /^The CIDR '172.17.5.0\/24' overlaps 172.17.0.0\/16, which a network on berth's hosts/),
    );
    assert.equal(checkVpcCidr("172.18.0.0/16", taken).cidr, "172.18.0.0/16");
  });

  test("a subnet lies inside its VPC and overlaps no sibling", () => {
    assert.equal(checkSubnetCidr("10.0.1.0/24", "10.0.0.0/16", ["10.0.0.0/24"]).cidr, "10.0.1.0/24");
    assert.throws(
      () => checkSubnetCidr("10.1.0.0/24", "10.0.0.0/16", []),
      refused("InvalidSubnet.Range", "The CIDR '10.1.0.0/24' is invalid."),
    );
    assert.throws(
      () => checkSubnetCidr("10.0.0.0/15", "10.0.0.0/16", []),
      refused("InvalidSubnet.Range", "The CIDR '10.0.0.0/15' is invalid."),
    );
    assert.throws(
      () => checkSubnetCidr("10.0.0.0/29", "10.0.0.0/16", []),
      refused("InvalidSubnet.Range", "The CIDR '10.0.0.0/29' is invalid."),
    );
    assert.throws(
      () => checkSubnetCidr("10.0.0.128/25", "10.0.0.0/16", ["10.0.0.0/24"]),
      refused("InvalidSubnet.Conflict", "The CIDR '10.0.0.128/25' conflicts with another subnet"),
    );
  });

  test("the first free block skips the taken ones, and there is none once full", () => {
    assert.equal(firstFreeBlock("172.31.0.0/16", 20, ["172.31.0.0/20", "172.31.32.0/20"]), "172.31.16.0/20");
    assert.equal(firstFreeBlock("172.31.0.0/16", 20, ["172.31.16.0/24"]), "172.31.0.0/20");
    assert.equal(firstFreeBlock("10.0.0.0/24", 25, ["10.0.0.0/25", "10.0.0.128/26"]), undefined);
  });
});
