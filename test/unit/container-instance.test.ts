// Where a container instance is: one attribute, one default.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_AVAILABILITY_ZONE, availabilityZoneOf, defaultAttributes } from "../../src/domain/container-instance.js";

test("an instance's availability zone is its ecs.availability-zone attribute", () => {
  assert.equal(
    availabilityZoneOf({
      attributes: [
        { name: "ecs.os-type", value: "linux" },
        { name: "ecs.availability-zone", value: "eu-west-1b" },
      ],
    }),
    "eu-west-1b",
  );
});

test("an instance without one is in the zone registration gives an instance without an identity document", () => {
  assert.equal(availabilityZoneOf({ attributes: [{ name: "ecs.os-type", value: "linux" }] }), DEFAULT_AVAILABILITY_ZONE);
  assert.equal(availabilityZoneOf({}), DEFAULT_AVAILABILITY_ZONE);
  assert.equal(availabilityZoneOf({ attributes: defaultAttributes(undefined, []) }), DEFAULT_AVAILABILITY_ZONE);
  assert.equal(availabilityZoneOf({ attributes: defaultAttributes(JSON.stringify({ availabilityZone: "us-west-2c" }), []) }), "us-west-2c");
});
