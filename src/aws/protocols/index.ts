import { ProtocolError } from "../errors.js";
import type { ServiceModel } from "../model.js";
import { awsJson } from "./json.js";
import type { Protocol } from "./protocol.js";
import { awsQuery, ec2Query } from "./query.js";

export type { IncomingCall, Protocol, ReadCall, Reply } from "./protocol.js";

/** The protocol a model names; berth speaks JSON, Query and EC2's Query. */
export function protocolOf(model: ServiceModel): Protocol {
  switch (model.metadata.protocol) {
    case "json":
      return awsJson;
    case "query":
      return awsQuery;
    case "ec2":
      return ec2Query;
    default:
      throw new ProtocolError(
        "UnknownOperationException",
        `berth does not speak the ${model.metadata.protocol} protocol of ${model.metadata.endpointPrefix}.`,
      );
  }
}
