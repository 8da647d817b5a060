// Errors of the wire rather than of a service: signatures, request bodies, routing. No
// service model lists them, every AWS protocol has its own names for them (see each
// protocol's writer), and they are named here as the JSON protocols name them.
import type { Logger } from "../log/logger.js";
import type { ServiceModel } from "./model.js";

export type ProtocolErrorCode =
  | "SerializationException"
  | "UnknownOperationException"
  | "MissingAuthenticationTokenException"
  | "IncompleteSignatureException"
  | "InvalidSignatureException"
  | "UnrecognizedClientException"
  | "ExpiredTokenException"
  | "RequestEntityTooLargeException";

export class ProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** An error as a response carries it, before a protocol writes it. */
export interface WireError {
  status: number;
  type: string;
  message: string;
  /** Members the exception's shape has besides its message (e.g. CloudWatch Logs' expectedSequenceToken). */
  fields?: Record<string, unknown>;
}

/** How one service's own errors look on the wire. */
export interface ServiceErrors {
  /** The wire form of an error this service's handlers threw, or undefined if it is not one of its errors. */
  describe(err: unknown): WireError | undefined;
  /** What the service answers when something unexpected failed inside it (ECS: ServerException). */
  internalErrorCode: string;
}

/** Codes every query service answers with that no model lists, and their statuses. */
const COMMON_STATUS: Record<string, number> = { ValidationError: 400, NotImplemented: 501, InternalFailure: 500 };

/**
 * An error named after an exception of `model` (or a common code), as the wire shows it: the
 * code and status the model gives it (query models carry both), else 500 for the service's
 * faults and 400 for the caller's.
 */
export function modeledError(model: ServiceModel, name: string, message: string): WireError {
  const shape = model.shapes[name];
  const status = shape?.error?.httpStatusCode ?? COMMON_STATUS[name] ?? (shape?.fault === true ? 500 : 400);
  return { status, type: shape?.error?.code ?? name, message };
}

/** One place decides how any thrown value looks on the wire; anything unexpected is a logged 500. */
export function toWireError(err: unknown, errors: ServiceErrors, log: Logger): WireError {
  if (err instanceof ProtocolError) return { status: err.status, type: err.code, message: err.message };
  const described = errors.describe(err);
  if (described) return described;
  log.error("internal error", { err });
  return { status: 500, type: errors.internalErrorCode, message: "An internal error occurred in berth." };
}
