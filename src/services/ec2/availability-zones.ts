import type { Ec2Handlers } from "./context.js";

export const availabilityZonesOperations = {} satisfies Ec2Handlers;
