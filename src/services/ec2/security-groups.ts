import type { Ec2Handlers } from "./context.js";

export const securityGroupsOperations = {} satisfies Ec2Handlers;
