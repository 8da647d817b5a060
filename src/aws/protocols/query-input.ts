// Reads the flat key=value pairs of an AWS Query request (`Tags.member.1.Key=a`) into the
// nested input the model describes, converting each value to its member's type. The rules
// are the SDKs' serializers' read backwards; two dialects differ only in how members and
// list items are named:
// - query: a member is its locationName or its name; a list's items are `Name.member.N`
//   (`Name.N` when flattened; `member` renamed by the item's locationName), an empty list
//   is `Name=`; a map's entries are `Name.entry.N.key` / `.value`.
// - ec2: a member is its queryName, else its capitalised locationName, else its name; list
//   items are always `Name.N`.
import type { Shape, ShapeRef, ServiceModel } from "../model.js";
import type { ViolationError } from "../validate.js";

export type QueryDialect = "query" | "ec2";

interface Reader {
  model: ServiceModel;
  dialect: QueryDialect;
  params: Map<string, string>;
  /** Every key and every dotted prefix of one: whether anything was sent under a name. */
  prefixes: Set<string>;
  violation: ViolationError;
}

/** The pairs of a form body or query string, in order; later repeats of a key win. */
export function formPairs(text: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(text)) params.set(key, value);
  return params;
}

/** The input structure `inputRef` describes, read from `params`; absent members stay absent. */
export function readQueryInput(
  model: ServiceModel,
  inputRef: ShapeRef | undefined,
  params: Map<string, string>,
  dialect: QueryDialect,
  violation: ViolationError,
): Record<string, unknown> {
  if (!inputRef) return {};
  const prefixes = new Set<string>();
  for (const key of params.keys()) {
    for (let dot = key.indexOf("."); dot > 0; dot = key.indexOf(".", dot + 1)) prefixes.add(key.slice(0, dot));
    prefixes.add(key);
  }
  const reader: Reader = { model, dialect, params, prefixes, violation };
  return readStructure(reader, model.shapes[inputRef.shape]!, "") ?? {};
}

function join(prefix: string, name: string): string {
  return prefix ? `${prefix}.${name}` : name;
}

function memberKey(reader: Reader, name: string, ref: ShapeRef): string {
  if (reader.dialect === "ec2") {
    if (ref.queryName) return ref.queryName;
    if (ref.locationName) return ref.locationName[0]!.toUpperCase() + ref.locationName.slice(1);
    return name;
  }
  return ref.locationName ?? name;
}

function readStructure(reader: Reader, shape: Shape, prefix: string): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const value = readValue(reader, ref, join(prefix, memberKey(reader, name, ref)));
    if (value !== undefined) (out ??= {})[name] = value;
  }
  return out;
}

function readValue(reader: Reader, ref: ShapeRef, key: string): unknown {
  const shape = reader.model.shapes[ref.shape]!;
  switch (shape.type) {
    case "structure":
      return reader.prefixes.has(key) ? (readStructure(reader, shape, key) ?? {}) : undefined;
    case "list":
      return readList(reader, shape, ref, key);
    case "map":
      return readMap(reader, shape, ref, key);
    default: {
      const raw = reader.params.get(key);
      return raw === undefined ? undefined : scalar(reader, shape, raw, key);
    }
  }
}

function readList(reader: Reader, shape: Shape, ref: ShapeRef, key: string): unknown[] | undefined {
  if (reader.dialect === "query" && reader.params.get(key) === "") return [];
  const item = shape.member!;
  let itemPrefix = key;
  if (reader.dialect === "query") {
    if (shape.flattened || ref.flattened) {
      if (item.locationName) itemPrefix = join(key.slice(0, Math.max(0, key.lastIndexOf("."))), item.locationName);
    } else {
      itemPrefix = `${key}.${item.locationName ?? "member"}`;
    }
  }
  const items: unknown[] = [];
  for (let i = 1; reader.prefixes.has(`${itemPrefix}.${i}`); i++) items.push(readValue(reader, item, `${itemPrefix}.${i}`));
  return items.length || reader.prefixes.has(key) ? items : undefined;
}

function readMap(reader: Reader, shape: Shape, ref: ShapeRef, key: string): Record<string, unknown> | undefined {
  const entries = shape.flattened || ref.flattened || reader.dialect === "ec2" ? key : `${key}.entry`;
  const keyName = shape.key!.locationName ?? "key";
  const valueName = shape.value!.locationName ?? "value";
  let out: Record<string, unknown> | undefined;
  for (let i = 1; reader.prefixes.has(`${entries}.${i}`); i++) {
    const entryKey = reader.params.get(`${entries}.${i}.${keyName}`);
    if (entryKey === undefined) continue;
    (out ??= {})[entryKey] = readValue(reader, shape.value!, `${entries}.${i}.${valueName}`);
  }
  return out ?? (reader.prefixes.has(key) ? {} : undefined);
}

function scalar(reader: Reader, shape: Shape, raw: string, key: string): unknown {
  const wrong = (expected: string) =>
    reader.violation(`1 validation error detected: Value '${raw}' at '${key}' failed to satisfy constraint: Member must be ${expected}`);
  switch (shape.type) {
    case "integer":
    case "long":
      if (!/^[-+]?\d+$/.test(raw.trim())) throw wrong("an integer");
      return Number(raw);
    case "float":
    case "double": {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n)) throw wrong("a number");
      return n;
    }
    case "boolean":
      if (raw !== "true" && raw !== "false") throw wrong("a boolean (true or false)");
      return raw === "true";
    case "timestamp": {
      const ms = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) * 1000 : Date.parse(raw);
      if (!Number.isFinite(ms)) throw wrong("a timestamp (ISO 8601)");
      return new Date(ms);
    }
    case "blob":
      return Buffer.from(raw, "base64");
    default:
      return raw;
  }
}
