// Checks a request's input against its service's model at the edge, once, so handlers can
// trust their typed input: types, required members, enums, lengths and ranges. Timestamps
// (epoch seconds in JSON) become Dates here, as the model's types say they are.
// A value of the wrong JSON type is a SerializationException (as AWS JSON services answer
// "STRING_VALUE can not be converted to an Integer"); a well-typed value that breaks a
// constraint is the service's own validation error (ECS: InvalidParameterException),
// which `violation` makes, naming the member.
import { ProtocolError } from "./errors.js";
import type { Shape, ShapeRef, ServiceModel } from "./model.js";

/** A value outside its member's enum: where, what was sent and what the model allows. */
export interface EnumViolation {
  kind: "enum";
  path: string;
  value: string;
  allowed: readonly string[];
}

/**
 * Makes the error a service answers a constraint violation with, from its message (the AWS
 * validation wording); `detail` lets a service that words a violation its own way do so.
 */
export type ViolationError = (message: string, detail?: EnumViolation) => Error;

export function validateInput(model: ServiceModel, inputRef: ShapeRef | undefined, body: unknown, violation: ViolationError): void {
  if (!inputRef) return;
  check({ model, violation }, model.shapes[inputRef.shape]!, body, "");
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

interface Rules {
  model: ServiceModel;
  violation: ViolationError;
}

function join(path: string, member: string): string {
  return path ? `${path}.${member}` : member;
}

/** Checks `value` against `shape`; returns it, or the Date a timestamp stands for. */
function check(rules: Rules, shape: Shape, value: unknown, path: string): unknown {
  switch (shape.type) {
    case "structure":
      return checkStructure(rules, shape, value, path);
    case "list": {
      if (!Array.isArray(value)) throw wrongType(path, "a list", value);
      checkLength(rules, shape, value.length, path, "length");
      const memberShape = rules.model.shapes[shape.member!.shape]!;
      value.forEach((item, i) => {
        if (item === null) throw rules.violation(`Value null at '${path}[${i}]' is not valid: list members must not be null.`);
        const checked = check(rules, memberShape, item, `${path}[${i}]`);
        if (checked !== item) value[i] = checked;
      });
      return value;
    }
    case "map": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) throw wrongType(path, "a map", value);
      const keyShape = rules.model.shapes[shape.key!.shape]!;
      const valueShape = rules.model.shapes[shape.value!.shape]!;
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        check(rules, keyShape, k, `${path}.${k}(key)`);
        const checked = v === null ? v : check(rules, valueShape, v, `${path}.${k}`);
        if (checked !== v) (value as Record<string, unknown>)[k] = checked;
      }
      return value;
    }
    case "string":
      if (typeof value !== "string") throw wrongType(path, "a string", value);
      if (shape.enum && !shape.enum.includes(value)) {
        throw rules.violation(
          `1 validation error detected: Value '${value}' at '${path}' failed to satisfy constraint: ` +
            `Member must satisfy enum value set: [${shape.enum.join(", ")}]`,
          { kind: "enum", path, value, allowed: shape.enum },
        );
      }
      checkLength(rules, shape, value.length, path, "length");
      return value;
    case "integer":
    case "long":
      if (typeof value !== "number" || !Number.isInteger(value)) throw wrongType(path, "an integer", value);
      checkRange(rules, shape, value, path);
      return value;
    case "float":
    case "double":
      if (typeof value !== "number" || !Number.isFinite(value)) throw wrongType(path, "a number", value);
      checkRange(rules, shape, value, path);
      return value;
    case "boolean":
      if (typeof value !== "boolean") throw wrongType(path, "a boolean", value);
      return value;
    case "timestamp":
      return toDate(value, path);
    case "blob":
      return toBytes(rules, shape, value, path);
    default:
      return value;
  }
}

/** Base64 in JSON bodies (a query protocol's reader has decoded it already); the model's length limits count bytes. */
function toBytes(rules: Rules, shape: Shape, value: unknown, path: string): Buffer {
  if (Buffer.isBuffer(value)) {
    checkLength(rules, shape, value.length, path, "length");
    return value;
  }
  if (typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
    throw wrongType(path, "a base64-encoded blob", value);
  }
  const bytes = Buffer.from(value, "base64");
  checkLength(rules, shape, bytes.length, path, "length");
  return bytes;
}

/** Epoch seconds, as SDKs send them; a string of them, or ISO 8601, as hand-written JSON may. */
function toDate(value: unknown, path: string): Date {
  // A query protocol's reader has made it a Date already.
  if (value instanceof Date) return value;
  const ms =
    typeof value === "number"
      ? value * 1000
      : typeof value !== "string"
        ? Number.NaN
        : /^-?\d+(\.\d+)?$/.test(value)
          ? Number(value) * 1000
          : Date.parse(value);
  if (!Number.isFinite(ms)) throw wrongType(path, "a timestamp (epoch seconds)", value);
  return new Date(ms);
}

function checkStructure(rules: Rules, shape: Shape, value: unknown, path: string): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw wrongType(path, "a structure", value);
  const record = value as Record<string, unknown>;
  for (const name of shape.required ?? []) {
    if (record[name] === undefined || record[name] === null) {
      throw rules.violation(
        `1 validation error detected: Value null at '${join(path, name)}' failed to satisfy constraint: Member must not be null`,
      );
    }
  }
  const members = shape.members ?? {};
  // for…in rather than Object.entries: no array per member on every request.
  for (const name in members) {
    const member = record[name];
    if (member === undefined || member === null) continue;
    const checked = check(rules, rules.model.shapes[members[name]!.shape]!, member, join(path, name));
    if (checked !== member) record[name] = checked;
  }
  return record;
}

function checkLength(rules: Rules, shape: Shape, length: number, path: string, what: string): void {
  if (shape.min !== undefined && length < shape.min) {
    throw rules.violation(
      `1 validation error detected: Value at '${path}' failed to satisfy constraint: Member must have ${what} greater than or equal to ${shape.min}`,
    );
  }
  if (shape.max !== undefined && length > shape.max) {
    throw rules.violation(
      `1 validation error detected: Value at '${path}' failed to satisfy constraint: Member must have ${what} less than or equal to ${shape.max}`,
    );
  }
}

function checkRange(rules: Rules, shape: Shape, value: number, path: string): void {
  if (shape.min !== undefined && value < shape.min) {
    throw rules.violation(
      `1 validation error detected: Value '${value}' at '${path}' failed to satisfy constraint: Member must have value greater than or equal to ${shape.min}`,
    );
  }
  if (shape.max !== undefined && value > shape.max) {
    throw rules.violation(
      `1 validation error detected: Value '${value}' at '${path}' failed to satisfy constraint: Member must have value less than or equal to ${shape.max}`,
    );
  }
}
