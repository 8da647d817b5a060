// ECS moving a blue/green (linear, canary) service's traffic: the forward action of the
// production or test listener rule gets the target groups and weights ECS asks for. An NLB
// forwards to one target group only, so it switches at once to the heavier one.
import type { Action, Rule } from "@aws-sdk/client-elastic-load-balancing-v2";
import { normaliseAction } from "./actions.js";

export interface WeightedGroup {
  targetGroupArn: string;
  weight: number;
}

/**
 * The actions with their forward action set to `groups`; undefined when there is no forward
 * action to set or it already is so. Stickiness and order are kept.
 */
export function withForwardWeights(actions: readonly Action[], groups: readonly WeightedGroup[], network: boolean): Action[] | undefined {
  const index = actions.findIndex((a) => a.Type === "forward");
  if (index < 0 || groups.length === 0) return undefined;
  const forward = actions[index]!;
  const heaviest = groups.reduce((best, g) => (g.weight > best.weight ? g : best));
  const wanted = network ? [{ ...heaviest, weight: 1 }] : groups;
  const next = normaliseAction({
    ...forward,
    TargetGroupArn: wanted.length === 1 ? wanted[0]!.targetGroupArn : undefined,
    ForwardConfig: {
      ...forward.ForwardConfig,
      TargetGroups: wanted.map((g) => ({ TargetGroupArn: g.targetGroupArn, Weight: g.weight })),
    },
  });
  if (JSON.stringify(next) === JSON.stringify(normaliseAction(forward))) return undefined;
  return actions.map((a, i) => (i === index ? next : a));
}

/** `rule` with its forward weights set, or undefined when nothing changes. */
export function ruleWithWeights(rule: Rule, groups: readonly WeightedGroup[], network: boolean): Rule | undefined {
  const actions = withForwardWeights(rule.Actions ?? [], groups, network);
  return actions ? { ...rule, Actions: actions } : undefined;
}
