// Where a container instance is: one attribute, one default; and the image it runs.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_AVAILABILITY_ZONE, availabilityZoneOf, berthImageId, defaultAttributes } from "../../src/domain/container-instance.js";

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

test("ecs.ami-id: the identity document's imageId, else the berth release and architecture the host runs, in AMI form", () => {
  const amiOf = (doc: string | undefined, given: { name: string; value: string }[], agentVersion?: string) =>
    defaultAttributes(doc, given, agentVersion === undefined ? undefined : { agentVersion }).find((a) => a.name === "ecs.ami-id")?.value;
  assert.equal(amiOf(JSON.stringify({ imageId: "ami-0123456789abcdef0" }), [], "1.0.0"), "ami-0123456789abcdef0");
  const x86 = amiOf(undefined, [], "1.0.0")!;
  assert.match(x86, /^ami-[0-9a-f]{17}$/);
  assert.equal(x86, berthImageId("1.0.0", "x86_64"));
  assert.equal(amiOf(undefined, [{ name: "ecs.cpu-architecture", value: "x86_64" }], "1.0.0"), x86, "the same for every host of a release");
  const arm = amiOf(undefined, [{ name: "ecs.cpu-architecture", value: "arm64" }], "1.0.0");
  assert.match(arm!, /^ami-[0-9a-f]{17}$/);
  assert.notEqual(arm, x86);
  assert.notEqual(amiOf(undefined, [], "1.1.0"), x86, "a new release, a new image");
});
