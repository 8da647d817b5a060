import type { Elbv2Handlers } from "./context.js";

export const accountLimitsOperations: Elbv2Handlers = {};
