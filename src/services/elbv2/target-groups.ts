import type { Elbv2Handlers } from "./context.js";

export const targetGroupsOperations: Elbv2Handlers = {};
