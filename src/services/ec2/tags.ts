import type { Ec2Handlers } from "./context.js";

export const tagsOperations = {} satisfies Ec2Handlers;
