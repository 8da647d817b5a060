import type { Scope } from "../../domain/scope.js";
import type { EcsState } from "../../state/ecs-state.js";

/** What every ECS handler gets besides its input. */
export interface RequestContext {
  scope: Scope;
  /** The caller, as ECS names it in registeredBy and account settings. */
  principalArn: string;
  now: Date;
  state: EcsState;
}

export type Handler<I, O> = (ctx: RequestContext, input: I) => Promise<O>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a table of differently typed handlers
export type HandlerTable = Record<string, Handler<any, object>>;
