import type { Elbv2Handlers } from "./context.js";

export const tagsOperations: Elbv2Handlers = {};
