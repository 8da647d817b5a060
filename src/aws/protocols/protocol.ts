// What a wire protocol does for the front door: recognise a call shaped for a service,
// read its operation and input, and write its answer or error. One module per protocol
// the AWS models name (json, query, ec2); services only name theirs in their model.
import type { IncomingHttpHeaders } from "node:http";
import type { WireError } from "../errors.js";
import type { ServiceModel } from "../model.js";
import type { ViolationError } from "../validate.js";

/** A request as it arrived: its head and its whole body. */
export interface IncomingCall {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A call in the terms of a service's model: the operation, and its input as plain data (not yet validated). */
export interface ReadCall {
  operation: string;
  input: unknown;
}

export interface Reply {
  status: number;
  headers: Record<string, string | number>;
  body: string;
}

export interface Protocol {
  /** Whether `call` is shaped as a call of `model`'s service in this protocol (to route calls that carry no signature). */
  claims(model: ServiceModel, call: IncomingCall): boolean;
  /**
   * The operation `call` names and its input. Throws ProtocolError when it names no operation
   * of the model or its body cannot be read, and `violation`'s error for a value that cannot
   * be of its member's type where the protocol carries no types of its own (query strings).
   */
  read(model: ServiceModel, call: IncomingCall, violation: ViolationError): ReadCall;
  reply(model: ServiceModel, operation: string, output: unknown, requestId: string): Reply;
  replyError(model: ServiceModel, error: WireError, requestId: string): Reply;
}
