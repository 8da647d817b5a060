import type { Ec2Handlers } from "./context.js";

export const vpcsOperations = {} satisfies Ec2Handlers;
