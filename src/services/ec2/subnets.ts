import type { Ec2Handlers } from "./context.js";

export const subnetsOperations = {} satisfies Ec2Handlers;
