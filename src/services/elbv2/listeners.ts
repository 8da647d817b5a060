import type { Elbv2Handlers } from "./context.js";

export const listenersOperations: Elbv2Handlers = {};
