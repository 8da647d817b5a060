import type { Ec2Handlers } from "./context.js";

export const securityGroupRulesOperations = {} satisfies Ec2Handlers;
