import type { Elbv2Handlers } from "./context.js";

export const targetsOperations: Elbv2Handlers = {};
