// DescribeAvailabilityZones and DescribeAccountAttributes: what the region offers and what the
// account may do there. The zones are berth's three per region (src/domain/ec2/zones.ts).
import type {
  AccountAttribute,
  AvailabilityZone,
  DescribeAccountAttributesRequest,
  DescribeAccountAttributesResult,
  DescribeAvailabilityZonesRequest,
  DescribeAvailabilityZonesResult,
} from "@aws-sdk/client-ec2";
import { availabilityZones } from "../../domain/ec2/zones.js";
import { ec2Handler, filtered } from "./common.js";
import type { Ec2Context, Ec2Handlers } from "./context.js";
import { Ec2Error } from "./errors.js";

const zoneFields = {
  "zone-name": (z: AvailabilityZone) => z.ZoneName,
  "zone-id": (z: AvailabilityZone) => z.ZoneId,
  state: (z: AvailabilityZone) => z.State,
  "region-name": (z: AvailabilityZone) => z.RegionName,
  "zone-type": (z: AvailabilityZone) => z.ZoneType,
  "group-name": (z: AvailabilityZone) => z.GroupName,
  "group-long-name": (z: AvailabilityZone) => z.GroupLongName,
  "network-border-group": (z: AvailabilityZone) => z.NetworkBorderGroup,
  "opt-in-status": (z: AvailabilityZone) => z.OptInStatus,
  "parent-zone-name": (z: AvailabilityZone) => z.ParentZoneName,
  "parent-zone-id": (z: AvailabilityZone) => z.ParentZoneId,
  message: (z: AvailabilityZone) => (z.Messages ?? []).map((m) => m.Message),
};

async function describeAvailabilityZones(
  ctx: Ec2Context,
  input: DescribeAvailabilityZonesRequest,
): Promise<DescribeAvailabilityZonesResult> {
  // AllAvailabilityZones adds Local and Wavelength Zones; berth's regions have none, so it changes nothing.
  const zones = availabilityZones(ctx.scope.region);
  const unknownNames = (input.ZoneNames ?? []).filter((n) => !zones.some((z) => z.ZoneName === n));
  if (unknownNames.length > 0) throw new Ec2Error("InvalidParameterValue", `Invalid availability zone: [${unknownNames.join(", ")}]`);
  const unknownIds = (input.ZoneIds ?? []).filter((id) => !zones.some((z) => z.ZoneId === id));
  if (unknownIds.length > 0) throw new Ec2Error("InvalidParameterValue", `Invalid availability zone id: [${unknownIds.join(", ")}]`);
  const named = zones.filter(
    (z) =>
      (!input.ZoneNames?.length && !input.ZoneIds?.length) ||
      input.ZoneNames?.includes(z.ZoneName!) === true ||
      input.ZoneIds?.includes(z.ZoneId!) === true,
  );
  return { AvailabilityZones: filtered(named, input.Filters, zoneFields) };
}

/** The account's limits as a new AWS account has them; berth enforces the one that shapes networking (groups per interface). */
const FIXED_ATTRIBUTES: Record<string, string> = {
  "supported-platforms": "VPC",
  "max-instances": "20",
  "vpc-max-security-groups-per-interface": "5",
  "max-elastic-ips": "5",
  "vpc-max-elastic-ips": "5",
};

async function describeAccountAttributes(
  ctx: Ec2Context,
  input: DescribeAccountAttributesRequest,
): Promise<DescribeAccountAttributesResult> {
  const defaultVpc = (await ctx.state.vpcs.list(ctx.scope)).find((v) => v.vpc.IsDefault);
  const values: Record<string, string> = { ...FIXED_ATTRIBUTES, "default-vpc": defaultVpc?.vpc.VpcId ?? "none" };
  const names = input.AttributeNames?.length ? [...new Set(input.AttributeNames)] : Object.keys(values);
  const attributes: AccountAttribute[] = names.map((name) => ({
    AttributeName: name,
    AttributeValues: [{ AttributeValue: values[name] }],
  }));
  return { AccountAttributes: attributes };
}

export const availabilityZonesOperations = {
  DescribeAvailabilityZones: ec2Handler(describeAvailabilityZones),
  DescribeAccountAttributes: ec2Handler(describeAccountAttributes),
} satisfies Ec2Handlers;
