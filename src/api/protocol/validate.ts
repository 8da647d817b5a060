// Checks a request body against the ECS model at the edge, once, so handlers can trust
// their typed input: JSON types, required members, enums, lengths and ranges.
// A value of the wrong JSON type is a SerializationException (as AWS JSON services answer
// "STRING_VALUE can not be converted to an Integer"); a well-typed value that breaks a
// constraint is an InvalidParameterException naming the member.
import { invalidParameter } from "../../domain/errors.js";
import { ProtocolError } from "./errors.js";
import type { Shape, ShapeRef, ServiceModel } from "./model.js";

export function validateInput(model: ServiceModel, inputRef: ShapeRef | undefined, body: unknown): void {
  if (!inputRef) return;
  check(model, model.shapes[inputRef.shape]!, body, "");
}

function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a structure" : `a ${typeof value}`;
}

function wrongType(path: string, expected: string, value: unknown): ProtocolError {
  return new ProtocolError(
    "SerializationException",
    `Unable to parse request: '${path || "body"}' must be ${expected}, not ${describeJson(value)}.`,
  );
}

function join(path: string, member: string): string {
  return path ? `${path}.${member}` : member;
}

function check(model: ServiceModel, shape: Shape, value: unknown, path: string): void {
  switch (shape.type) {
    case "structure":
      return checkStructure(model, shape, value, path);
    case "list": {
      if (!Array.isArray(value)) throw wrongType(path, "a list", value);
      checkLength(shape, value.length, path, "length");
      const memberShape = model.shapes[shape.member!.shape]!;
      value.forEach((item, i) => {
        if (item === null) throw invalidParameter(`Value null at '${path}[${i}]' is not valid: list members must not be null.`);
        check(model, memberShape, item, `${path}[${i}]`);
      });
      return;
    }
    case "map": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw wrongType(path, "a map", value);
      const keyShape = model.shapes[shape.key!.shape]!;
      const valueShape = model.shapes[shape.value!.shape]!;
      for (const [k, v] of Object.entries(value)) {
        check(model, keyShape, k, `${path}.${k}(key)`);
        if (v !== null) check(model, valueShape, v, `${path}.${k}`);
      }
      return;
    }
    case "string":
      if (typeof value !== "string") throw wrongType(path, "a string", value);
      if (shape.enum && !shape.enum.includes(value)) {
        throw invalidParameter(
          `1 validation error detected: Value '${value}' at '${path}' failed to satisfy constraint: ` +
            `Member must satisfy enum value set: [${shape.enum.join(", ")}]`,
        );
      }
      checkLength(shape, value.length, path, "length");
      return;
    case "integer":
    case "long":
      if (typeof value !== "number" || !Number.isInteger(value)) throw wrongType(path, "an integer", value);
      checkRange(shape, value, path);
      return;
    case "double":
      if (typeof value !== "number" || !Number.isFinite(value)) throw wrongType(path, "a number", value);
      checkRange(shape, value, path);
      return;
    case "boolean":
      if (typeof value !== "boolean") throw wrongType(path, "a boolean", value);
      return;
    case "timestamp":
      if (typeof value !== "number" && typeof value !== "string") throw wrongType(path, "a timestamp", value);
      return;
    default:
      return;
  }
}

function checkStructure(model: ServiceModel, shape: Shape, value: unknown, path: string): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw wrongType(path, "a structure", value);
  const record = value as Record<string, unknown>;
  for (const name of shape.required ?? []) {
    if (record[name] === undefined || record[name] === null) {
      throw invalidParameter(
        `1 validation error detected: Value null at '${join(path, name)}' failed to satisfy constraint: Member must not be null`,
      );
    }
  }
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const member = record[name];
    if (member === undefined || member === null) continue;
    check(model, model.shapes[ref.shape]!, member, join(path, name));
  }
}

function checkLength(shape: Shape, length: number, path: string, what: string): void {
  if (shape.min !== undefined && length < shape.min) {
    throw invalidParameter(
      `1 validation error detected: Value at '${path}' failed to satisfy constraint: Member must have ${what} greater than or equal to ${shape.min}`,
    );
  }
  if (shape.max !== undefined && length > shape.max) {
    throw invalidParameter(
      `1 validation error detected: Value at '${path}' failed to satisfy constraint: Member must have ${what} less than or equal to ${shape.max}`,
    );
  }
}

function checkRange(shape: Shape, value: number, path: string): void {
  if (shape.min !== undefined && value < shape.min) {
    throw invalidParameter(
      `1 validation error detected: Value '${value}' at '${path}' failed to satisfy constraint: Member must have value greater than or equal to ${shape.min}`,
    );
  }
  if (shape.max !== undefined && value > shape.max) {
    throw invalidParameter(
      `1 validation error detected: Value '${value}' at '${path}' failed to satisfy constraint: Member must have value less than or equal to ${shape.max}`,
    );
  }
}
