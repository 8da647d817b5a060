// AWS JSON 1.0 and 1.1: POST / with `X-Amz-Target: <targetPrefix>.<Operation>` and a JSON
// body; answers are JSON with timestamps as epoch seconds, errors `{"__type", "message"}`
// with the type in X-Amzn-ErrorType too.
import { parseAwsJson, toAwsJson } from "../../wire/aws-json.js";
import { ProtocolError } from "../errors.js";
import type { ServiceModel } from "../model.js";
import type { IncomingCall, Protocol, Reply } from "./protocol.js";

function header(call: IncomingCall, name: string): string {
  const value = call.headers[name];
  return Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
}

const contentType = (model: ServiceModel) => `application/x-amz-json-${model.metadata.jsonVersion ?? "1.1"}`;

function jsonReply(model: ServiceModel, status: number, requestId: string, body: unknown, errorType?: string): Reply {
  const payload = toAwsJson(body);
  const headers: Record<string, string | number> = {
    "content-type": contentType(model),
    "content-length": Buffer.byteLength(payload),
    "x-amzn-requestid": requestId,
  };
  if (errorType) headers["x-amzn-errortype"] = errorType;
  return { status, headers, body: payload };
}

/** The operation `target` names for `model` ("<targetPrefix>.<Operation>"), or "" when it names none of its. */
function operationOf(model: ServiceModel, target: string): string {
  const prefix = model.metadata.targetPrefix;
  const named = prefix !== undefined && target.length > prefix.length + 1 && target.startsWith(prefix) && target[prefix.length] === ".";
  return named ? target.slice(prefix.length + 1) : "";
}

export const awsJson: Protocol = {
  claims(model, call) {
    return operationOf(model, header(call, "x-amz-target")) !== "";
  },

  read(model, call) {
    const target = header(call, "x-amz-target");
    const operation = operationOf(model, target);
    if (!model.operations[operation]) throw new ProtocolError("UnknownOperationException", `Unknown operation ${target || "(none)"}.`);
    try {
      return { operation, input: parseAwsJson(call.body) };
    } catch (err) {
      throw new ProtocolError("SerializationException", `Unable to parse the request body as JSON: ${(err as Error).message}`);
    }
  },

  reply(model, _operation, output, requestId) {
    return jsonReply(model, 200, requestId, output);
  },

  replyError(model, error, requestId) {
    return jsonReply(model, error.status, requestId, { __type: error.type, message: error.message, ...error.fields }, error.type);
  },
};
