// The availability zones of a region as berth offers them: three, <region>a to <region>c,
// each with a zone id in AWS's form (us-east-1a → use1-az1). AWS maps zone names to ids per
// account; berth's mapping is the same for every account.
import type { AvailabilityZone } from "@aws-sdk/client-ec2";

export const ZONE_LETTERS = ["a", "b", "c"] as const;

const DIRECTION: Record<string, string> = {
  north: "n",
  south: "s",
  east: "e",
  west: "w",
  central: "c",
  northeast: "ne",
  northwest: "nw",
  southeast: "se",
  southwest: "sw",
};

/** AWS's short form of a region in zone ids: us-east-1 → use1, ap-southeast-2 → apse2. */
export function regionShortName(region: string): string {
  const [area = "", direction = "", number = ""] = region.split("-");
  return `${area}${DIRECTION[direction] ?? direction.slice(0, 1)}${number}`;
}

export function availabilityZones(region: string): AvailabilityZone[] {
  return ZONE_LETTERS.map((letter, i) => ({
    ZoneName: `${region}${letter}`,
    ZoneId: `${regionShortName(region)}-az${i + 1}`,
    ZoneType: "availability-zone",
    State: "available",
    OptInStatus: "opt-in-not-required",
    Messages: [],
    RegionName: region,
    GroupName: region,
    NetworkBorderGroup: region,
    GroupLongName: region,
  }));
}

/** The zone named `zoneName` in `region`, or undefined. */
export function zoneNamed(region: string, zoneName: string): AvailabilityZone | undefined {
  return availabilityZones(region).find((z) => z.ZoneName === zoneName);
}

/** The zone whose id is `zoneId` in `region`, or undefined. */
export function zoneWithId(region: string, zoneId: string): AvailabilityZone | undefined {
  return availabilityZones(region).find((z) => z.ZoneId === zoneId);
}
