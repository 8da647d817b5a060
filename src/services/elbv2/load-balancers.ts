import type { Elbv2Handlers } from "./context.js";

export const loadBalancersOperations: Elbv2Handlers = {};
