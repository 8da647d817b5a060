// AWS service models as botocore ships them (service-2.json without documentation, see
// scripts/extract-model.py): the one source for a service's operations, its wire protocol
// and the constraints its input must meet. Each service keeps its model in its own folder.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../paths.js";

export interface ShapeRef {
  shape: string;
  /** The name the member has on the wire (XML element, query key), when not its own. */
  locationName?: string;
  /** EC2's query key for an input member, when not its capitalised locationName. */
  queryName?: string;
  /** A list or map member written without a wrapper element (query and XML). */
  flattened?: boolean;
  xmlNamespace?: { uri: string };
}

export interface Shape {
  type: "structure" | "list" | "map" | "string" | "integer" | "long" | "float" | "double" | "boolean" | "timestamp" | "blob";
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  flattened?: boolean;
  locationName?: string;
  timestampFormat?: "iso8601" | "unixTimestamp" | "rfc822";
  exception?: boolean;
  /** An exception that is the service's fault (HTTP 500), not the caller's. */
  fault?: boolean;
  /** Query services: the code and status an exception has on the wire. */
  error?: { code?: string; httpStatusCode?: number; senderFault?: boolean };
}

export interface OutputRef extends ShapeRef {
  /** Query services: the element the output's members are wrapped in (`<OpResult>`). */
  resultWrapper?: string;
}

export interface Operation {
  name: string;
  input?: ShapeRef;
  output?: OutputRef;
}

/** The wire protocols berth speaks, by the names the models give them. */
export type ProtocolName = "json" | "query" | "ec2";

export interface ServiceModel {
  metadata: {
    protocol: ProtocolName | "rest-json" | "rest-xml";
    apiVersion: string;
    endpointPrefix: string;
    /** The service name SigV4 credential scopes carry; the endpoint prefix when absent. */
    signingName?: string;
    /** JSON protocols: X-Amz-Target is `<targetPrefix>.<Operation>`. */
    targetPrefix?: string;
    jsonVersion?: string;
    /** XML protocols: the namespace of response documents. */
    xmlNamespace?: string;
    serviceId?: string;
  };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

const loaded = new Map<string, ServiceModel>();

/** Reads a model from the package (a path relative to its root), once per process. */
export function loadModel(path: string): ServiceModel {
  let model = loaded.get(path);
  if (!model) {
    model = JSON.parse(readFileSync(join(packageRoot, path), "utf8")) as ServiceModel;
    loaded.set(path, model);
  }
  return model;
}

export function signingNameOf(model: ServiceModel): string {
  return model.metadata.signingName ?? model.metadata.endpointPrefix;
}
