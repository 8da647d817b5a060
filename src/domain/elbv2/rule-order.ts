// The order in which a listener's rules are evaluated: by priority, lowest first, the default
// rule last. DescribeRules answers in it and the data plane matches requests in it.
import type { StoredRule } from "./documents.js";

/** A rule's priority as a number; the default rule's ("default") sorts after every other. */
export function priorityRank(rule: StoredRule): number {
  return rule.rule.IsDefault || rule.rule.Priority === "default" ? Infinity : Number(rule.rule.Priority);
}

/**
 * The rules (of one listener) in evaluation order: ascending numeric priority, then the
 * default rule. Pure; the input is not changed. Rules of several listeners are ordered by
 * priority alone, each listener's default among the last.
 */
export function orderedRules(rules: readonly StoredRule[]): StoredRule[] {
  return [...rules].sort((a, b) => priorityRank(a) - priorityRank(b) || a.createdAt - b.createdAt);
}
