// Rule priorities and counts as ELBv2 checks them: a priority is unique within its listener,
// the default rule has none to change, and an application load balancer holds at most
// MAX_RULES_PER_LOAD_BALANCER rules besides its listeners' default rules.
import type { Action, RulePriorityPair } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { StoredRule } from "./documents.js";
import { ElbRefusal } from "./refusal.js";

export const MAX_RULES_PER_LOAD_BALANCER = 100;

export const isDefaultRule = (r: StoredRule): boolean => r.rule.IsDefault === true;

/** A listener's default rule: created with it, its actions the listener's DefaultActions. */
export function defaultRuleOf(listenerArn: string, ruleArn: string, actions: Action[], createdAt: number): StoredRule {
  return {
    rule: { RuleArn: ruleArn, Priority: "default", Conditions: [], Actions: actions, IsDefault: true },
    listenerArn,
    tags: [],
    createdAt,
  };
}

/** PriorityInUse when another rule of the listener (not `except`) has `priority`. */
export function checkPriorityFree(listenerRules: readonly StoredRule[], priority: number, except?: string): void {
  if (listenerRules.some((r) => r.rule.RuleArn !== except && r.rule.Priority === String(priority)))
    throw new ElbRefusal("PriorityInUseException", `Priority '${priority}' is currently in use`);
}

/** TooManyRules when a load balancer whose listeners hold `rules` (defaults included) would take one more. */
export function checkRoomForRule(loadBalancerArn: string, rules: readonly StoredRule[]): void {
  if (rules.filter((r) => !isDefaultRule(r)).length >= MAX_RULES_PER_LOAD_BALANCER)
    throw new ElbRefusal(
      "TooManyRulesException",
      `The maximum number of rules on load balancer '${loadBalancerArn}' ('${MAX_RULES_PER_LOAD_BALANCER}') has been reached`,
    );
}

/**
 * SetRulePriorities as one change: the new priority of each rule named, checked against each
 * other and against every other rule of their listeners as they will be once all are applied.
 * `rules` holds the named rules and every rule of their listeners. Returns rule ARN → priority.
 */
export function plannedPriorities(pairs: readonly RulePriorityPair[], rules: readonly StoredRule[]): Map<string, number> {
  const byArn = new Map(rules.map((r) => [r.rule.RuleArn!, r]));
  const planned = new Map<string, number>();
  for (const pair of pairs) {
    if (pair.RuleArn === undefined) throw new ElbRefusal("ValidationError", "A rule ARN must be specified");
    if (pair.Priority === undefined) throw new ElbRefusal("ValidationError", "A rule priority must be specified");
    if (planned.has(pair.RuleArn)) throw new ElbRefusal("ValidationError", `Rule '${pair.RuleArn}' was provided multiple times`);
    planned.set(pair.RuleArn, pair.Priority);
  }
  const seen = new Map<string, number>();
  for (const pair of pairs) {
    const rule = byArn.get(pair.RuleArn!)!;
    if (isDefaultRule(rule))
      throw new ElbRefusal("OperationNotPermittedException", `Default rule '${pair.RuleArn}' cannot have its priority changed`);
    const key = `${rule.listenerArn} ${pair.Priority}`;
    if (seen.has(key)) throw new ElbRefusal("ValidationError", `Priority '${pair.Priority}' was provided multiple times`);
    seen.set(key, pair.Priority!);
  }
  for (const [arn, priority] of planned) {
    const listenerArn = byArn.get(arn)!.listenerArn;
    const clash = rules.find((r) => r.listenerArn === listenerArn && !planned.has(r.rule.RuleArn!) && r.rule.Priority === String(priority));
    if (clash) throw new ElbRefusal("PriorityInUseException", `Priority '${priority}' is currently in use`);
  }
  return planned;
}
