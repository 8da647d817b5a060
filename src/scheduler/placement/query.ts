// The ECS cluster query language (developer guide: "Create expressions to define
// container instances for Amazon ECS tasks"), used by memberOf constraints and by the
// ListContainerInstances filter.
//
//   expression := or
//   or         := and (("or" | "||") and)*
//   and        := unary (("and" | "&&") unary)*
//   unary      := ("not" | "!") unary | "(" or ")" | subject operator [argument]
//   argument   := value | "[" value ("," value)* "]"
//
// Subjects: attribute:<name>, agentConnected, agentVersion, ec2InstanceId, registeredAt,
// runningTasksCount, task:group. Values are bare words or '…'/"…" strings; a bare word
// ends at whitespace , ( ) [ ] or && || and cannot start with = ! < > ~ & |; quote the rest.
//
// Semantics the guide implies and berth keeps:
// - A comparison on a subject the instance lacks is false; only `!exists` holds there.
//   The guide's example "attribute:stack != prod" lists instances that HAVE stack, not prod.
//   `not(...)` is the way to say "lacks it, or differs".
// - task:group is many-valued (one value per task): ==, in, =~ hold when any task matches;
//   !=, !in, !~ hold when the instance has tasks and none matches.
// - =~ and !~ take a Java-style regular expression that must match the whole value
//   (java.util.regex `matches`), so `t2.*` selects t2.small and `t2` does not.
import {
  type QueryDate,
  compareAttribute,
  compareToDate,
  compareVersions,
  parseCount,
  parseQueryDate,
  parseVersion,
} from "./query-values.js";
import type { InstanceView } from "./types.js";

export class QueryError extends Error {
  override readonly name = "QueryError";
  constructor(
    message: string,
    readonly expression: string,
    readonly position: number,
  ) {
    super(message);
  }
}

export type SubjectKind =
  "attribute" | "agentConnected" | "agentVersion" | "ec2InstanceId" | "registeredAt" | "runningTasksCount" | "task:group";

export type Operator = "==" | "!=" | ">" | ">=" | "<" | "<=" | "exists" | "!exists" | "in" | "!in" | "=~" | "!~";

export interface Comparison {
  type: "compare";
  subject: SubjectKind;
  /** The attribute name, for subject "attribute". */
  attribute?: string;
  operator: Operator;
  args: string[];
  /** Compiled argument of =~ and !~, anchored at both ends. */
  pattern?: RegExp;
  dates?: QueryDate[];
  versions?: number[][];
  counts?: number[];
}

export type Expression =
  | Comparison
  | { type: "and"; left: Expression; right: Expression }
  | { type: "or"; left: Expression; right: Expression }
  | { type: "not"; operand: Expression };

const SUBJECTS: Record<string, SubjectKind> = {
  agentconnected: "agentConnected",
  agentversion: "agentVersion",
  ec2instanceid: "ec2InstanceId",
  registeredat: "registeredAt",
  runningtaskscount: "runningTasksCount",
  "task:group": "task:group",
};

const WORD_OPERATORS: Record<string, Operator> = {
  equals: "==",
  not_equals: "!=",
  greater_than: ">",
  greater_than_equal: ">=",
  less_than: "<",
  less_than_equal: "<=",
  exists: "exists",
  not_exists: "!exists",
  in: "in",
  not_in: "!in",
  matches: "=~",
  not_matches: "!~",
};

// Longest first, so ">=" is not read as ">".
const SYMBOL_OPERATORS: Operator[] = ["!exists", "!in", "==", "!=", ">=", "<=", "=~", "!~", ">", "<"];

const EQUALITY: Operator[] = ["==", "!=", "in", "!in", "=~", "!~"];
const ORDERED: Operator[] = ["==", "!=", ">", ">=", "<", "<="];
const ALL: Operator[] = [...new Set<Operator>([...EQUALITY, ...ORDERED, "exists", "!exists"])];

/** The operators the guide lists per subject; attribute and task:group are not restricted there. */
const VALID_OPERATORS: Record<SubjectKind, readonly Operator[]> = {
  agentConnected: EQUALITY,
  ec2InstanceId: EQUALITY,
  agentVersion: ORDERED,
  registeredAt: ORDERED,
  runningTasksCount: ORDERED,
  "task:group": [...EQUALITY, "exists", "!exists"],
  attribute: ALL,
};

const NAME_CHAR = /[A-Za-z0-9_\-./\\:]/;
const BARE_END = /[\s,()[\]'"]/;

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parse(): Expression {
    this.skipSpace();
    if (this.atEnd()) throw this.error("the expression is empty");
    const expr = this.parseOr();
    this.skipSpace();
    if (!this.atEnd()) throw this.error(`unexpected "${this.rest()}"`);
    return expr;
  }

  private parseOr(): Expression {
    let left = this.parseAnd();
    while (this.acceptWord("or") || this.acceptSymbol("||")) left = { type: "or", left, right: this.parseAnd() };
    return left;
  }

  private parseAnd(): Expression {
    let left = this.parseUnary();
    while (this.acceptWord("and") || this.acceptSymbol("&&")) left = { type: "and", left, right: this.parseUnary() };
    return left;
  }

  private parseUnary(): Expression {
    this.skipSpace();
    if (this.atEnd()) throw this.error("expected an expression");
    if (this.acceptSymbol("(")) {
      const inner = this.parseOr();
      if (!this.acceptSymbol(")")) throw this.error(this.atEnd() ? 'missing ")"' : `expected ")" before "${this.rest()}"`);
      return inner;
    }
    if (this.acceptWord("not") || this.acceptBang()) return { type: "not", operand: this.parseUnary() };
    return this.parseComparison();
  }

  private parseComparison(): Comparison {
    const { subject, attribute, word } = this.parseSubject();
    this.skipSpace();
    const operatorAt = this.pos;
    const operator = this.parseOperator(word);
    if (!VALID_OPERATORS[subject].includes(operator)) {
      const valid = VALID_OPERATORS[subject].join(", ");
      throw this.error(`operator "${operator}" is not valid for subject "${word}" (valid: ${valid})`, operatorAt);
    }
    const comparison: Comparison = { type: "compare", subject, operator, args: [] };
    if (attribute !== undefined) comparison.attribute = attribute;
    if (operator === "exists" || operator === "!exists") return comparison;
    this.skipSpace();
    const argStart = this.pos;
    comparison.args = operator === "in" || operator === "!in" ? this.parseList() : [this.parseValue()];
    this.compileArgs(comparison, argStart);
    return comparison;
  }

  private parseSubject(): { subject: SubjectKind; attribute?: string; word: string } {
    const start = this.pos;
    while (!this.atEnd() && NAME_CHAR.test(this.text[this.pos]!)) this.pos++;
    const word = this.text.slice(start, this.pos);
    if (word === "") throw this.error(`expected a subject (attribute:<name>, task:group, ec2InstanceId, …) at "${this.rest()}"`);
    if (word.toLowerCase().startsWith("attribute:")) {
      const attribute = word.slice("attribute:".length);
      if (attribute === "") throw this.error("attribute: needs an attribute name", start);
      return { subject: "attribute", attribute, word };
    }
    const subject = SUBJECTS[word.toLowerCase()];
    if (!subject) throw this.error(`unknown subject "${word}"`, start);
    return { subject, word };
  }

  private parseOperator(subject: string): Operator {
    this.skipSpace();
    const at = this.pos;
    for (const symbol of SYMBOL_OPERATORS) {
      if (!this.text.startsWith(symbol, this.pos)) continue;
      // "!in" and "!exists" are words after the bang: "!inside" is not "!in".
      const end = this.pos + symbol.length;
      if (/[a-z]$/.test(symbol) && end < this.text.length && /\w/.test(this.text[end]!)) continue;
      this.pos = end;
      return symbol;
    }
    const word = /^[A-Za-z_]+/.exec(this.text.slice(this.pos))?.[0];
    const operator = word === undefined ? undefined : WORD_OPERATORS[word.toLowerCase()];
    if (operator === undefined) {
      throw this.error(this.atEnd() ? `expected an operator after "${subject}"` : `unknown operator at "${this.rest()}"`, at);
    }
    this.pos += word!.length;
    return operator;
  }

  private parseList(): string[] {
    this.skipSpace();
    if (!this.acceptSymbol("[")) return [this.parseValue()];
    const values: string[] = [];
    this.skipSpace();
    if (this.acceptSymbol("]")) throw this.error("the argument list is empty", this.pos - 1);
    for (;;) {
      values.push(this.parseValue());
      if (this.acceptSymbol(",")) continue;
      if (this.acceptSymbol("]")) return values;
      throw this.error(this.atEnd() ? 'missing "]"' : `expected "," or "]" before "${this.rest()}"`);
    }
  }

  private parseValue(): string {
    this.skipSpace();
    if (this.atEnd()) throw this.error("expected a value");
    const quote = this.text[this.pos]!;
    if (quote === "'" || quote === '"') {
      const start = this.pos++;
      let value = "";
      while (!this.atEnd() && this.text[this.pos] !== quote) {
        if (this.text[this.pos] === "\\" && this.text[this.pos + 1] === quote) this.pos++;
        value += this.text[this.pos++];
      }
      if (this.atEnd()) throw this.error(`unterminated string starting ${quote}`, start);
      this.pos++;
      return value;
    }
    // A bare value never starts like an operator, so "=== x" is an error, not the value "=".
    if (/[=!<>~&|]/.test(this.text[this.pos]!)) throw this.error(`expected a value at "${this.rest()}"`);
    const start = this.pos;
    while (
      !this.atEnd() &&
      !BARE_END.test(this.text[this.pos]!) &&
      !this.text.startsWith("&&", this.pos) &&
      !this.text.startsWith("||", this.pos)
    ) {
      this.pos++;
    }
    if (this.pos === start) throw this.error(`expected a value at "${this.rest()}"`);
    return this.text.slice(start, this.pos);
  }

  private compileArgs(c: Comparison, at: number): void {
    const each = <T>(parse: (arg: string) => T | undefined, what: string): T[] =>
      c.args.map((arg) => {
        const parsed = parse(arg);
        if (parsed === undefined) throw this.error(`"${arg}" is not ${what}`, at);
        return parsed;
      });
    if (c.operator === "=~" || c.operator === "!~") {
      try {
        c.pattern = new RegExp(`^(?:${c.args[0]})$`);
      } catch {
        throw this.error(`"${c.args[0]}" is not a valid regular expression`, at);
      }
    }
    switch (c.subject) {
      case "registeredAt":
        c.dates = each(parseQueryDate, "a date (2018-06-18, 2018-06-18T22:28:28Z, 2018-06-18T22:28:28+00:00)");
        break;
      case "agentVersion":
        c.versions = each(parseVersion, "a version such as 1.14.5");
        break;
      case "runningTasksCount":
        c.counts = each(parseCount, "a whole number");
        break;
      case "agentConnected":
        if (c.operator !== "=~" && c.operator !== "!~") {
          c.args = each((arg) => (/^(true|false)$/i.test(arg) ? arg.toLowerCase() : undefined), "true or false");
        }
        break;
    }
  }

  private acceptWord(word: string): boolean {
    this.skipSpace();
    const end = this.pos + word.length;
    if (this.text.slice(this.pos, end).toLowerCase() !== word) return false;
    if (end < this.text.length && NAME_CHAR.test(this.text[end]!)) return false;
    this.pos = end;
    return true;
  }

  private acceptSymbol(symbol: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(symbol, this.pos)) return false;
    this.pos += symbol.length;
    return true;
  }

  /** "!" as logical not, as opposed to the start of "!=", "!~", "!in", "!exists". */
  private acceptBang(): boolean {
    if (this.text[this.pos] !== "!" || /^!(=|~)/.test(this.text.slice(this.pos, this.pos + 2))) return false;
    this.pos++;
    return true;
  }

  private skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  private rest(): string {
    const rest = this.text.slice(this.pos);
    return rest.length > 30 ? `${rest.slice(0, 30)}…` : rest;
  }

  private error(problem: string, at = this.pos): QueryError {
    return new QueryError(`Invalid cluster query expression "${this.text}": ${problem} (at position ${at + 1}).`, this.text, at);
  }
}

/** Parses a cluster query language expression; throws QueryError on bad syntax. */
export function parseExpression(text: string): Expression {
  return new Parser(text).parse();
}

/** The subjects an expression compares: what its verdict on an instance depends on. */
export function subjectsOf(expr: Expression, into = new Set<SubjectKind>()): Set<SubjectKind> {
  switch (expr.type) {
    case "compare":
      into.add(expr.subject);
      break;
    case "not":
      subjectsOf(expr.operand, into);
      break;
    default:
      subjectsOf(expr.left, into);
      subjectsOf(expr.right, into);
  }
  return into;
}

export function matches(expr: Expression, instance: InstanceView): boolean {
  switch (expr.type) {
    case "compare":
      return compare(expr, instance);
    case "not":
      return !matches(expr.operand, instance);
    case "and":
      return matches(expr.left, instance) && matches(expr.right, instance);
    case "or":
      return matches(expr.left, instance) || matches(expr.right, instance);
  }
}

type Value = string | number | Date | number[];

/** The subject's values on the instance; undefined when the instance lacks the subject. */
function valuesOf(c: Comparison, instance: InstanceView): Value[] | undefined {
  switch (c.subject) {
    case "attribute": {
      if (!Object.hasOwn(instance.attributes, c.attribute!)) return undefined;
      return [instance.attributes[c.attribute!] ?? ""];
    }
    case "agentConnected":
      return [String(instance.agentConnected)];
    case "agentVersion": {
      const version = instance.agentVersion === undefined ? undefined : parseVersion(instance.agentVersion);
      return version && [version];
    }
    case "ec2InstanceId":
      return instance.ec2InstanceId ? [instance.ec2InstanceId] : undefined;
    case "registeredAt":
      return [instance.registeredAt];
    case "runningTasksCount":
      return [instance.runningTasksCount ?? instance.tasks.length];
    case "task:group":
      return instance.tasks.length === 0 ? undefined : instance.tasks.map((t) => t.group);
  }
}

/** Orders a value against argument i: negative, zero or positive. */
function order(c: Comparison, value: Value, i: number): number {
  switch (c.subject) {
    case "registeredAt":
      return compareToDate(value as Date, c.dates![i]!);
    case "agentVersion":
      return compareVersions(value as number[], c.versions![i]!);
    case "runningTasksCount":
      return Math.sign((value as number) - c.counts![i]!);
    case "attribute":
      return compareAttribute(value as string, c.args[i]!);
    default:
      return value === c.args[i] ? 0 : 1;
  }
}

/** String equality, except where the subject's values are typed. */
function equal(c: Comparison, value: Value, i: number): boolean {
  return typeof value === "string" ? value === c.args[i] : order(c, value, i) === 0;
}

function compare(c: Comparison, instance: InstanceView): boolean {
  const values = valuesOf(c, instance);
  if (c.operator === "exists") return values !== undefined;
  if (c.operator === "!exists") return values === undefined;
  if (values === undefined) return false;
  const any = (test: (v: Value) => boolean) => values.some(test);
  switch (c.operator) {
    case "==":
      return any((v) => equal(c, v, 0));
    case "!=":
      return !any((v) => equal(c, v, 0));
    case "in":
      return any((v) => c.args.some((_, i) => equal(c, v, i)));
    case "!in":
      return !any((v) => c.args.some((_, i) => equal(c, v, i)));
    case "=~":
      return any((v) => c.pattern!.test(String(v)));
    case "!~":
      return !any((v) => c.pattern!.test(String(v)));
    case ">":
      return any((v) => order(c, v, 0) > 0);
    case ">=":
      return any((v) => order(c, v, 0) >= 0);
    case "<":
      return any((v) => order(c, v, 0) < 0);
    case "<=":
      return any((v) => order(c, v, 0) <= 0);
  }
}
