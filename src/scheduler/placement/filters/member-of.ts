// memberOf: the instance must satisfy a cluster query language expression. Expressions on
// task:group are re-evaluated as tasks land; the others depend on nothing placement changes.
import { type Expression, matches, subjectsOf } from "../query.js";
import { FailureReason } from "../types.js";
import type { Filter } from "./filter.js";

/**
 * Verdicts on expressions over attributes alone, by expression text and then by attributes
 * record. Views of an instance share one record until its attributes change, so a cluster's
 * verdicts hold from one placement to the next: matching the expression (often a regular
 * expression) on every instance in every call was a fifth of a spread + memberOf placement.
 */
const verdicts = new Map<string, WeakMap<object, boolean>>();
const REMEMBERED_EXPRESSIONS = 256;

function verdictsOn(text: string): WeakMap<object, boolean> {
  let known = verdicts.get(text);
  if (!known) {
    if (verdicts.size >= REMEMBERED_EXPRESSIONS) verdicts.clear();
    verdicts.set(text, (known = new WeakMap()));
  }
  return known;
}

/** `text` is the expression as written: given, verdicts on attribute-only expressions are remembered. */
export function memberOf(expression: Expression, text?: string): Filter {
  const subjects = subjectsOf(expression);
  // task:group changes as tasks land; attributes alone change only with a new record.
  const dynamic = subjects.has("task:group");
  const attributesOnly = subjects.size === 1 && subjects.has("attribute");
  const known = text !== undefined && attributesOnly ? verdictsOn(text) : undefined;
  return {
    reason: FailureReason.memberOf,
    dynamic,
    admits: known
      ? (cluster, i) => {
          const instance = cluster.instances[i]!;
          let verdict = known.get(instance.attributes);
          if (verdict === undefined) known.set(instance.attributes, (verdict = matches(expression, instance)));
          return verdict;
        }
      : (cluster, i) => matches(expression, dynamic ? cluster.view(i) : cluster.instances[i]!),
  };
}
