// Errors that belong to the wire protocol rather than to ECS: they are not in the ECS
// model (signature, serialization, routing), so they are not EcsErrors.
import { EcsError } from "../domain/errors.js";
import type { Logger } from "../log/logger.js";
import { ecsModel } from "./model.js";

export type ProtocolErrorCode =
  | "SerializationException"
  | "UnknownOperationException"
  | "MissingAuthenticationTokenException"
  | "IncompleteSignatureException"
  | "InvalidSignatureException"
  | "UnrecognizedClientException"
  | "AccessDeniedException"
  | "NotImplementedException"
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

export interface WireError {
  status: number;
  type: string;
  message: string;
}

/** One place decides how any thrown value looks on the wire; anything unexpected is a logged 500. */
export function toWireError(err: unknown, log: Logger): WireError {
  if (err instanceof ProtocolError) return { status: err.status, type: err.code, message: err.message };
  if (err instanceof EcsError) {
    const server = ecsModel().shapes[err.name]?.fault === true;
    return { status: server ? 500 : 400, type: err.name, message: err.message };
  }
  log.error("internal error", { err });
  return { status: 500, type: "ServerException", message: "An internal error occurred in berth." };
}
