import type { Elbv2Handlers } from "./context.js";

export const rulesOperations: Elbv2Handlers = {};
