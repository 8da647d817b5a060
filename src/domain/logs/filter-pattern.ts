// CloudWatch Logs filter patterns (FilterLogEvents' filterPattern), parsed once into a matcher:
//   terms       ERROR timeout          every term appears in the message (case-sensitive)
//               "disk full"            a quoted phrase is one term, spaces included
//               ?ERROR ?WARN           any of the ?-terms appears
//               ERROR -healthcheck     a -term must not appear
//   JSON        { $.level = "error" && ($.latency > 100 || $.user != "bot*") }
//               selectors $.a.b[0], operators = != > < >= <=, strings with * wildcards,
//               numbers, true/false, IS NULL, NOT EXISTS, && || and parentheses
//   delimited   [ip, user, status = 5*, bytes > 1000]  space-separated fields, by position
// An empty pattern matches every event. Anything else that does not parse is a
// FilterPatternError, which the service answers as AWS does ("Invalid filter pattern").
// Pure: no I/O; the store asks `requiredTerms` for substrings it may look for in SQL first.

export class FilterPatternError extends Error {}

export interface FilterPattern {
  matches(message: string): boolean;
  /** Substrings every matching message contains: a pre-filter a store may apply before `matches`. */
  readonly requiredTerms: readonly string[];
  /** Only messages that are JSON documents can match (their first non-blank character is `{` or `[`): a pre-filter too. */
  readonly jsonOnly?: boolean;
}

export function parseFilterPattern(source: string | undefined): FilterPattern {
  const text = (source ?? "").trim();
  if (text === "") return { matches: () => true, requiredTerms: [] };
  if (text.startsWith("{")) return jsonPattern(text);
  if (text.startsWith("[")) return delimitedPattern(text);
  return termPattern(text);
}

// ---- terms ----------------------------------------------------------------------------

function termPattern(text: string): FilterPattern {
  const required: string[] = [];
  const anyOf: string[] = [];
  const excluded: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    let kind: "required" | "any" | "excluded" = "required";
    if (text[i] === "?" || text[i] === "-") {
      kind = text[i] === "?" ? "any" : "excluded";
      i++;
    }
    let term: string;
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new FilterPatternError("unterminated quoted term");
      term = text.slice(i + 1, end);
      i = end + 1;
    } else {
      const start = i;
      while (i < text.length && !/\s/.test(text[i]!)) {
        if (text[i] === '"') throw new FilterPatternError("quote inside a term");
        i++;
      }
      term = text.slice(start, i);
    }
    if (term === "") throw new FilterPatternError("empty term");
    ({ required, any: anyOf, excluded })[kind].push(term);
  }
  return {
    requiredTerms: required,
    matches: (message) =>
      required.every((t) => message.includes(t)) &&
      !excluded.some((t) => message.includes(t)) &&
      (anyOf.length === 0 || anyOf.some((t) => message.includes(t))),
  };
}

// ---- values shared by JSON and delimited patterns --------------------------------------

type Operator = "=" | "!=" | ">" | "<" | ">=" | "<=";
type Literal = { kind: "string"; value: string } | { kind: "number"; value: number } | { kind: "boolean"; value: boolean };

/** A `*` wildcard string compared whole: "bot*" matches "bot-7". */
function wildcard(value: string): RegExp {
  return new RegExp(
    `^${value
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
    "s",
  );
}

function compare(actual: unknown, op: Operator, literal: Literal): boolean {
  if (literal.kind === "number") {
    const n = typeof actual === "number" ? actual : typeof actual === "string" && actual.trim() !== "" ? Number(actual) : NaN;
    if (Number.isNaN(n)) return false;
    switch (op) {
      case "=":
        return n === literal.value;
      case "!=":
        return n !== literal.value;
      case ">":
        return n > literal.value;
      case "<":
        return n < literal.value;
      case ">=":
        return n >= literal.value;
      case "<=":
        return n <= literal.value;
    }
  }
  if (literal.kind === "boolean") {
    if (typeof actual !== "boolean") return false;
    return op === "=" ? actual === literal.value : op === "!=" ? actual !== literal.value : false;
  }
  if (actual === undefined || actual === null || typeof actual === "object") return false;
  const equal = wildcard(literal.value).test(typeof actual === "string" ? actual : JSON.stringify(actual));
  return op === "=" ? equal : op === "!=" ? !equal : false;
}

// ---- a small tokenizer for the expression patterns -------------------------------------

type Token = { t: "op"; v: Operator } | { t: "and" | "or" | "(" | ")" | "," } | { t: "string"; v: string } | { t: "word"; v: string };

function tokenize(body: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (body.startsWith("&&", i)) {
      tokens.push({ t: "and" });
      i += 2;
    } else if (body.startsWith("||", i)) {
      tokens.push({ t: "or" });
      i += 2;
    } else if (c === "(" || c === ")" || c === ",") {
      tokens.push({ t: c });
      i++;
    } else if (/[=!<>]/.test(c)) {
      const two = body.slice(i, i + 2);
      const op = (["!=", ">=", "<="] as const).find((o) => o === two) ?? (c === "!" ? undefined : (c as Operator));
      if (!op) throw new FilterPatternError("bad operator");
      tokens.push({ t: "op", v: op });
      i += op.length;
    } else if (c === '"') {
      const end = body.indexOf('"', i + 1);
      if (end < 0) throw new FilterPatternError("unterminated string");
      tokens.push({ t: "string", v: body.slice(i + 1, end) });
      i = end + 1;
    } else {
      const start = i;
      while (i < body.length && !/[\s()=!<>,"]/.test(body[i]!) && !body.startsWith("&&", i) && !body.startsWith("||", i)) i++;
      tokens.push({ t: "word", v: body.slice(start, i) });
    }
  }
  return tokens;
}

type Condition = (lookup: (selector: string) => { found: boolean; value: unknown }) => boolean;

/**
 * Boolean expressions of comparisons, for both JSON and delimited patterns: `or` of `and`s of
 * comparisons or parenthesised expressions. `selector` reads the left side of a comparison.
 */
class ExpressionParser {
  private at = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly selector: (word: string) => string,
  ) {}

  parse(): Condition {
    const expr = this.or();
    if (this.at !== this.tokens.length) throw new FilterPatternError("unexpected token");
    return expr;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private next(): Token {
    const token = this.tokens[this.at++];
    if (!token) throw new FilterPatternError("pattern ends early");
    return token;
  }

  private or(): Condition {
    const parts = [this.and()];
    while (this.peek()?.t === "or") {
      this.at++;
      parts.push(this.and());
    }
    return parts.length === 1 ? parts[0]! : (lookup) => parts.some((p) => p(lookup));
  }

  private and(): Condition {
    const parts = [this.unary()];
    while (this.peek()?.t === "and") {
      this.at++;
      parts.push(this.unary());
    }
    return parts.length === 1 ? parts[0]! : (lookup) => parts.every((p) => p(lookup));
  }

  private unary(): Condition {
    const token = this.next();
    if (token.t === "(") {
      const inner = this.or();
      if (this.next().t !== ")") throw new FilterPatternError("unbalanced parentheses");
      return inner;
    }
    if (token.t !== "word") throw new FilterPatternError("expected a selector");
    const selector = this.selector(token.v);
    const op = this.next();
    if (op.t === "word" && (op.v === "IS" || op.v === "NOT")) {
      const what = this.next();
      if (op.v === "IS" && what.t === "word" && what.v === "NULL") return (lookup) => lookup(selector).value === null;
      if (op.v === "NOT" && what.t === "word" && what.v === "EXISTS") return (lookup) => !lookup(selector).found;
      throw new FilterPatternError("expected IS NULL or NOT EXISTS");
    }
    if (op.t !== "op") throw new FilterPatternError("expected an operator");
    const literal = this.literal(op.v);
    return (lookup) => {
      const { found, value } = lookup(selector);
      return found && compare(value, op.v, literal);
    };
  }

  private literal(op: Operator): Literal {
    const token = this.next();
    if (token.t === "string") return stringLiteral(op, token.v);
    if (token.t !== "word" || token.v === "") throw new FilterPatternError("expected a value");
    if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(token.v)) return { kind: "number", value: Number(token.v) };
    if (token.v === "true" || token.v === "false") return { kind: "boolean", value: token.v === "true" };
    return stringLiteral(op, token.v);
  }
}

function stringLiteral(op: Operator, value: string): Literal {
  if (op !== "=" && op !== "!=") throw new FilterPatternError("strings compare with = or != only");
  return { kind: "string", value };
}

// ---- JSON ------------------------------------------------------------------------------

const JSON_SELECTOR = /^\$(\.[A-Za-z0-9_@-]+|\[\d+\])*$/;

function jsonPattern(text: string): FilterPattern {
  if (!text.endsWith("}")) throw new FilterPatternError("JSON pattern not closed");
  const condition = new ExpressionParser(tokenize(text.slice(1, -1)), (word) => {
    if (!JSON_SELECTOR.test(word) || word === "$") throw new FilterPatternError("bad JSON selector");
    return word;
  }).parse();
  return {
    requiredTerms: [],
    jsonOnly: true,
    matches(message) {
      const trimmed = message.trimStart();
      if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return false;
      let doc: unknown;
      try {
        doc = JSON.parse(message);
      } catch {
        return false;
      }
      return condition((selector) => select(doc, selector));
    },
  };
}

function select(doc: unknown, selector: string): { found: boolean; value: unknown } {
  let value = doc;
  for (const [, key, index] of selector.slice(1).matchAll(/\.([^.[]+)|\[(\d+)\]/g)) {
    if (value === null || typeof value !== "object") return { found: false, value: undefined };
    const at = key ?? Number(index);
    if (!Object.prototype.hasOwnProperty.call(value, at)) return { found: false, value: undefined };
    value = (value as Record<string | number, unknown>)[at];
  }
  return { found: true, value };
}

// ---- space-delimited ---------------------------------------------------------------------

/** `[a, b = 5*, ...]`: fields named by position; a field without a condition only has to exist ("..." any number of them). */
function delimitedPattern(text: string): FilterPattern {
  if (!text.endsWith("]")) throw new FilterPatternError("delimited pattern not closed");
  const parts = splitTopLevel(tokenize(text.slice(1, -1)));
  const names: string[] = [];
  const conditions: Condition[] = [];
  let variadic = false;
  parts.forEach((part) => {
    if (variadic && part[0]?.t === "word" && part[0].v === "...") throw new FilterPatternError("one ... only");
    const first = part[0];
    if (!first || first.t !== "word") throw new FilterPatternError("expected a field name");
    if (first.v === "...") {
      if (part.length !== 1) throw new FilterPatternError("... takes no condition");
      variadic = true;
      names.push("...");
      return;
    }
    names.push(first.v);
    if (part.length > 1) conditions.push(new ExpressionParser(part, (word) => word).parse());
  });
  return {
    requiredTerms: [],
    matches(message) {
      const fields = splitFields(message);
      if (variadic ? fields.length < names.length - 1 : fields.length !== names.length) return false;
      return conditions.every((condition) =>
        condition((name) => {
          const at = names.indexOf(name);
          // Fields after "..." count from the message's end.
          const spread = names.indexOf("...");
          const field = at < 0 ? undefined : spread >= 0 && at > spread ? fields[fields.length - (names.length - at)] : fields[at];
          return { found: field !== undefined, value: field };
        }),
      );
    },
  };
}

function splitTopLevel(tokens: Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const token of tokens) {
    if (token.t === "(") depth++;
    if (token.t === ")") depth--;
    if (token.t === "," && depth === 0) parts.push([]);
    else parts[parts.length - 1]!.push(token);
  }
  if (parts.some((p) => p.length === 0)) throw new FilterPatternError("empty field");
  return parts;
}

/** A message's space-separated fields; "quoted fields" and [bracketed fields] are one field each. */
function splitFields(message: string): string[] {
  const fields: string[] = [];
  const re = /"([^"]*)"|\[([^\]]*)\]|(\S+)/g;
  for (const m of message.matchAll(re)) fields.push(m[1] ?? m[2] ?? m[3]!);
  return fields;
}
