import type { Ec2Handlers } from "./context.js";

export const networkInterfacesOperations = {} satisfies Ec2Handlers;
