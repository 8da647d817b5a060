// The ECS service model (botocore's service-2.json without its documentation, see
// scripts/extract-model.py): the one source for operation names and input constraints.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "../paths.js";

export interface ShapeRef {
  shape: string;
}

export interface Shape {
  type: "structure" | "list" | "map" | "string" | "integer" | "long" | "double" | "boolean" | "timestamp" | "blob";
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  exception?: boolean;
  /** An exception that is the service's fault (HTTP 500), not the caller's. */
  fault?: boolean;
}

export interface Operation {
  name: string;
  input?: ShapeRef;
  output?: ShapeRef;
}

export interface ServiceModel {
  metadata: { targetPrefix: string; signingName: string; apiVersion: string };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

let loaded: ServiceModel | undefined;

export function ecsModel(): ServiceModel {
  loaded ??= JSON.parse(readFileSync(join(packageRoot, "src/services/ecs/model/ecs-2014-11-13.json"), "utf8")) as ServiceModel;
  return loaded;
}
