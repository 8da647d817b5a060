// What a service is to the front door: its model (operations, protocol, signing name), its
// handler table, how it builds a handler's context from a verified caller, and how its
// errors look. Each service folder (src/services/<name>/) defines one with defineService;
// the composition root hands them all to the front door.
import type { ServerResponse } from "node:http";
import type { Scope } from "../domain/scope.js";
import type { Logger } from "../log/logger.js";
import { ProtocolError, type ServiceErrors } from "./errors.js";
import { signingNameOf, type ServiceModel } from "./model.js";
import type { Handler, HandlerTable } from "./operations.js";
import { protocolOf, type Protocol } from "./protocols/index.js";
import { validateInput, type ViolationError } from "./validate.js";

/** Who is calling, as IAM names them. */
export interface Principal {
  accountId: string;
  /** e.g. arn:aws:iam::123456789012:root */
  arn: string;
  /** The unique id GetCallerIdentity answers (the account id for the root user). */
  userId: string;
}

/** A caller whose signature has been verified. */
export interface Caller {
  scope: Scope;
  principal: Principal;
  accessKeyId: string;
  /** How the request reached berth, e.g. http://127.0.0.1:4545. */
  endpoint: string;
  requestId: string;
  /** Lines logged for this request carry its id, the one the client got. */
  log: Logger;
}

/** A plain HTTP route a service serves beside its operations, signed like them (e.g. ECS's task event stream). */
export interface Route {
  method: "GET";
  path: string;
  serve(caller: Caller, query: URLSearchParams, res: ServerResponse): Promise<void>;
}

export interface ServiceDefinition<Sdk, Ctx> {
  model: ServiceModel;
  /** Handlers by operation, typed from the service's SDK client package. */
  handlers: HandlerTable<Sdk, Ctx>;
  /** A handler's context for one call. */
  context(caller: Caller, at: Date): Ctx;
  errors: ServiceErrors;
  /** The error the service answers an input that breaks its model's constraints with. */
  violation: ViolationError;
  /** The error for an operation of the model berth does not serve yet. */
  notImplemented(operation: string): Error;
  routes?: Route[];
}

/** A service as the front door sees it, whatever its context type. */
export interface AwsService {
  readonly model: ServiceModel;
  readonly signingName: string;
  readonly protocol: Protocol;
  readonly errors: ServiceErrors;
  readonly violation: ViolationError;
  readonly routes: readonly Route[];
  /** Validates `input` against the model and calls the operation's handler: what a call is, whether it came over HTTP or another channel. */
  invoke(caller: Caller, operation: string, input: unknown, at: Date): Promise<unknown>;
}

export function defineService<Sdk, Ctx>(def: ServiceDefinition<Sdk, Ctx>): AwsService {
  const handlers = def.handlers as Record<string, Handler<Ctx, unknown, unknown> | undefined>;
  return {
    model: def.model,
    signingName: signingNameOf(def.model),
    protocol: protocolOf(def.model),
    errors: def.errors,
    violation: def.violation,
    routes: def.routes ?? [],
    async invoke(caller, operationName, input, at) {
      const operation = def.model.operations[operationName];
      if (!operation) throw new ProtocolError("UnknownOperationException", `Unknown operation ${operationName}.`);
      validateInput(def.model, operation.input, input, def.violation);
      const handler = handlers[operationName];
      if (!handler) throw def.notImplemented(operationName);
      return handler(def.context(caller, at), input);
    },
  };
}
