// How a command-line option is declared (flag, environment variables, type, default, help),
// read and shown: node:util's parseArgs splits the flags, then every value is checked once,
// here, so a bad one stops berth at start with a message naming it, not as a NaN later.
// A flag wins over its environment variables, which win over the default.
import { parseArgs } from "node:util";

/** A mistake in how berth was started: main prints it with the command's usage and exits 2. */
export class UsageError extends Error {}

/** What a value must be, thrown by an option's parse ("must be …"); the reader names the source. */
export class InvalidValue extends Error {}

interface Declaration<T> {
  /** The long flag without its dashes; none for what only the environment sets (registry secrets). */
  flag?: string;
  /** Read in this order when the flag is absent; an empty variable counts as unset. */
  env?: readonly string[];
  /** What the flag takes, in the help: `--port N`. */
  placeholder?: string;
  help: string;
  default?: T;
  /** The default as the help shows it, when not the value itself (a path under ~). */
  defaultText?: string;
  required?: boolean;
  /** A credential: an error about it does not repeat the value. */
  secret?: boolean;
}

export interface SingleOption<T> extends Declaration<T> {
  kind: "single";
  /** A flag that takes no value (`--no-profile`); its variable says true or false. */
  switch?: boolean;
  parse(text: string): T;
}

/** A flag given once per item (`--attribute a=b --attribute c`); no variable holds a list. */
export interface ListOption<E> extends Omit<Declaration<E[]>, "env" | "required"> {
  kind: "list";
  flag: string;
  parse(text: string): E;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a table of differently typed options
export type AnyOption = SingleOption<any> | ListOption<any>;
export type OptionTable = Readonly<Record<string, AnyOption>>;

export type ValueOf<O> =
  O extends ListOption<infer E>
    ? E[]
    : O extends SingleOption<infer T>
      ? O extends { default: T } | { required: true }
        ? T
        : T | undefined
      : never;
export type Values<Table extends OptionTable> = { [K in keyof Table]: ValueOf<Table[K]> };

export function text<const S extends Declaration<string>>(spec: S & { check?(value: string): void }): SingleOption<string> & S {
  return {
    kind: "single",
    placeholder: "TEXT",
    ...spec,
    parse: (value) => {
      spec.check?.(value);
      return value;
    },
  };
}

export function integer<const S extends Declaration<number> & { min?: number; max?: number }>(spec: S): SingleOption<number> & S {
  const { min, max } = spec;
  const range =
    min !== undefined && max !== undefined
      ? ` from ${min} to ${max}`
      : min !== undefined
        ? ` of at least ${min}`
        : max !== undefined
          ? ` of at most ${max}`
          : "";
  return {
    kind: "single",
    placeholder: "N",
    ...spec,
    parse: (value) => {
      const n = /^-?\d+$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n) || (min !== undefined && n < min) || (max !== undefined && n > max))
        throw new InvalidValue(`must be a whole number${range}`);
      return n;
    },
  };
}

export function oneOf<const V extends readonly string[], const S extends Declaration<V[number]>>(
  values: V,
  spec: S,
): SingleOption<V[number]> & S {
  return {
    kind: "single",
    placeholder: values.join("|"),
    ...spec,
    parse: (value) => {
      if (!values.includes(value)) throw new InvalidValue(`must be one of ${values.join(", ")}`);
      return value;
    },
  };
}

const TRUE = ["1", "true", "yes", "on"];
const FALSE = ["0", "false", "no", "off"];

export function flagSwitch<const S extends Omit<Declaration<boolean>, "default" | "required">>(
  spec: S,
): SingleOption<boolean> & S & { default: boolean } {
  return {
    kind: "single",
    switch: true,
    default: false,
    ...spec,
    parse: (value) => {
      if (TRUE.includes(value.toLowerCase())) return true;
      if (FALSE.includes(value.toLowerCase())) return false;
      throw new InvalidValue("must be true or false (1 or 0)");
    },
  };
}

export interface KeyValue {
  name: string;
  value?: string;
}

/** NAME=VALUE items; a bare NAME has no value. */
export function keyValues<const S extends Omit<ListOption<KeyValue>, "kind" | "parse">>(spec: S): ListOption<KeyValue> & S {
  return {
    kind: "list",
    placeholder: "NAME=VALUE",
    ...spec,
    parse: (item) => {
      const eq = item.indexOf("=");
      const name = eq < 0 ? item : item.slice(0, eq);
      if (name === "") throw new InvalidValue("must be NAME=VALUE or NAME");
      return eq < 0 ? { name } : { name, value: item.slice(eq + 1) };
    },
  };
}

/** The values of a command's options, from its arguments and the environment. */
export function parseOptions<Table extends OptionTable>(table: Table, args: readonly string[], env: NodeJS.ProcessEnv): Values<Table> {
  const flags: Record<string, { type: "string" | "boolean"; multiple?: boolean }> = {};
  for (const o of Object.values(table)) {
    if (o.flag) flags[o.flag] = { type: o.kind === "single" && o.switch ? "boolean" : "string", multiple: o.kind === "list" };
  }
  let given: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    given = parseArgs({ args: [...args], options: flags, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const values: Record<string, unknown> = {};
  for (const [key, o] of Object.entries(table)) values[key] = valueOf(o, o.flag === undefined ? undefined : given[o.flag], env);
  return values as Values<Table>;
}

function valueOf(o: AnyOption, given: string | boolean | (string | boolean)[] | undefined, env: NodeJS.ProcessEnv): unknown {
  if (o.kind === "list") return ((given ?? []) as string[]).map((item) => read(o, item, `--${o.flag}`));
  if (typeof given === "boolean") return given;
  if (typeof given === "string") return read(o, given, `--${o.flag}`);
  for (const name of o.env ?? []) {
    const value = env[name];
    if (value !== undefined && value !== "") return read(o, value, name);
  }
  if (o.required) throw new UsageError(`${sources(o)} is required`);
  return o.default;
}

function read(o: AnyOption, value: string, source: string): unknown {
  try {
    return o.parse(value);
  } catch (err) {
    if (err instanceof InvalidValue) throw new UsageError(`${source} ${err.message}${o.secret ? "" : `, not '${value}'`}`);
    throw err;
  }
}

function sources(o: AnyOption): string {
  const env = o.kind === "single" ? (o.env ?? []).map((name) => `$${name}`) : [];
  return [...(o.flag ? [`--${o.flag}`] : []), ...env].join(" or ");
}

/** One line an option: the flag and what it takes, what it does and its default, its variables. */
export function describeOptions(table: OptionTable): string {
  const rows = Object.values(table).map((o) => {
    const env = o.kind === "single" ? (o.env ?? []) : [];
    const left = o.flag ? `--${o.flag}${o.kind === "single" && o.switch ? "" : ` ${o.placeholder}`}` : `$${env[0]}`;
    const shown = o.defaultText ?? (o.kind === "single" && !o.switch && o.default !== undefined ? String(o.default) : undefined);
    const middle = `${o.help}${o.kind === "single" && o.required ? " (required)" : shown === undefined ? "" : ` (default ${shown})`}`;
    const right = (o.flag ? env : env.slice(1)).map((name) => `$${name}`).join(" ");
    return { left, middle, right };
  });
  const width = Math.max(...rows.map((r) => r.left.length));
  return rows.map((r) => `  ${r.left.padEnd(width)}  ${r.middle}${r.right ? `  [${r.right}]` : ""}`).join("\n");
}
