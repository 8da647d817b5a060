// Listener rules: conditions on a request (path, host, headers, method, query, source) and the
// actions it takes when they match, evaluated by priority before the listener's default rule.
// Only HTTP listeners of application load balancers have rules besides their default one.
import type {
  CreateRuleInput,
  CreateRuleOutput,
  DeleteRuleInput,
  DeleteRuleOutput,
  DescribeRulesInput,
  DescribeRulesOutput,
  ModifyRuleInput,
  ModifyRuleOutput,
  Rule,
  SetRulePrioritiesInput,
  SetRulePrioritiesOutput,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { checkedActions } from "../../domain/elbv2/actions.js";
import { elbIdOf, newElbId, ruleArn } from "../../domain/elbv2/arns.js";
import { checkedConditions } from "../../domain/elbv2/conditions.js";
import type { StoredListener, StoredRule } from "../../domain/elbv2/documents.js";
import { orderedRules } from "../../domain/elbv2/rule-order.js";
import { checkPriorityFree, checkRoomForRule, isDefaultRule, plannedPriorities } from "../../domain/elbv2/rules.js";
import type { Elbv2Context, Elbv2Handlers } from "./context.js";
import { Elbv2Error } from "./errors.js";
import { listenerNotFound, requireListener, requireLoadBalancer, requireRule, ruleNotFound } from "./lookup.js";
import { requestedPage } from "./paging.js";
import { actionSite, routingChange, rulesOfListener, rulesOfLoadBalancer, targetGroupFacts } from "./routing.js";

/** Rules on a listener other than the default one need HTTP (application load balancers). */
function checkTakesRules(listener: StoredListener): void {
  const protocol = listener.listener.Protocol!;
  if (protocol !== "HTTP" && protocol !== "HTTPS")
    throw new Elbv2Error(
      "UnsupportedProtocolException",
      `Listener protocol '${protocol}' does not support rules: only the HTTP and HTTPS listeners of application load balancers have rules besides their default rule`,
    );
}

function refuseTransforms(input: { Transforms?: unknown[]; ResetTransforms?: boolean }): void {
  if (input.Transforms !== undefined && input.Transforms.length > 0)
    throw new Elbv2Error("ValidationError", "Rule transforms (host header and URL rewrites) are not supported by berth");
}

/** The listener's actions checked for a rule of it. */
async function checkedRuleActions(ctx: Elbv2Context, listener: StoredListener, actions: NonNullable<CreateRuleInput["Actions"]>) {
  const lb = await requireLoadBalancer(ctx, listener.listener.LoadBalancerArn!);
  return checkedActions(actions, actionSite(lb, listener.listener.Protocol!), await targetGroupFacts(ctx, actions));
}

async function createRule(ctx: Elbv2Context, input: CreateRuleInput): Promise<CreateRuleOutput> {
  return routingChange(ctx, async () => {
    const listener = await requireListener(ctx, input.ListenerArn!);
    const listenerArnValue = listener.listener.ListenerArn!;
    checkTakesRules(listener);
    refuseTransforms(input);
    const conditions = checkedConditions(input.Conditions ?? []);
    checkPriorityFree(await rulesOfListener(ctx, listenerArnValue), input.Priority!);
    checkRoomForRule(listener.listener.LoadBalancerArn!, await rulesOfLoadBalancer(ctx, listener.listener.LoadBalancerArn!));
    const actions = await checkedRuleActions(ctx, listener, input.Actions ?? []);
    const id = newElbId();
    const rule: Rule = {
      RuleArn: ruleArn(listenerArnValue, id),
      Priority: String(input.Priority),
      Conditions: conditions,
      Actions: actions,
      IsDefault: false,
    };
    const stored: StoredRule = { rule, listenerArn: listenerArnValue, tags: input.Tags ?? [], createdAt: ctx.now.getTime() };
    await ctx.state.elbv2.transact((tx) => {
      // The listener must still be there as this commits (DeleteListener removes its rules).
      if (!tx.write(ctx.state.elbv2.listeners, ctx.scope, elbIdOf(listenerArnValue), () => undefined)) throw listenerNotFound();
      tx.put(ctx.state.elbv2.rules, ctx.scope, id, stored);
    });
    return { Rules: [rule] };
  });
}

async function describeRules(ctx: Elbv2Context, input: DescribeRulesInput): Promise<DescribeRulesOutput> {
  const byArns = input.RuleArns !== undefined && input.RuleArns.length > 0;
  if (byArns && input.ListenerArn !== undefined)
    throw new Elbv2Error("ValidationError", "Listener rule ARNs and a listener ARN cannot be specified at the same time");
  let rules: StoredRule[];
  if (byArns) {
    rules = await Promise.all([...new Set(input.RuleArns)].map((arn) => requireRule(ctx, arn)));
  } else {
    if (input.ListenerArn === undefined)
      throw new Elbv2Error("ValidationError", "You must specify either listener rule ARNs or a listener ARN");
    const listener = await requireListener(ctx, input.ListenerArn);
    rules = orderedRules(await rulesOfListener(ctx, listener.listener.ListenerArn!));
  }
  const { items, NextMarker } = requestedPage(rules, (r) => r.rule.RuleArn!, input, rules.length);
  return { Rules: items.map((r) => r.rule), ...(NextMarker ? { NextMarker } : {}) };
}

async function modifyRule(ctx: Elbv2Context, input: ModifyRuleInput): Promise<ModifyRuleOutput> {
  return routingChange(ctx, async () => {
    const stored = await requireRule(ctx, input.RuleArn!);
    refuseTransforms(input);
    const newConditions = input.Conditions !== undefined && input.Conditions.length > 0 ? input.Conditions : undefined;
    const newActions = input.Actions !== undefined && input.Actions.length > 0 ? input.Actions : undefined;
    if (!newConditions && !newActions && !input.ResetTransforms)
      throw new Elbv2Error("ValidationError", "Either conditions or actions must be specified");
    if (isDefaultRule(stored) && newConditions)
      throw new Elbv2Error("OperationNotPermittedException", `The conditions of default rule '${input.RuleArn}' cannot be modified`);
    const listener = await requireListener(ctx, stored.listenerArn);
    const conditions = newConditions ? checkedConditions(newConditions) : stored.rule.Conditions;
    const actions = newActions ? await checkedRuleActions(ctx, listener, newActions) : stored.rule.Actions;
    const rule: Rule = { ...stored.rule, Conditions: conditions, Actions: actions };
    await ctx.state.elbv2.transact((tx) => {
      const written = tx.write(ctx.state.elbv2.rules, ctx.scope, elbIdOf(rule.RuleArn!), (cur) => (cur ? { ...cur, rule } : undefined));
      if (!written) throw ruleNotFound();
      // A default rule's actions are its listener's DefaultActions: both change together.
      if (isDefaultRule(stored))
        tx.write(ctx.state.elbv2.listeners, ctx.scope, elbIdOf(stored.listenerArn), (cur) =>
          cur ? { ...cur, listener: { ...cur.listener, DefaultActions: actions } } : undefined,
        );
    });
    return { Rules: [rule] };
  });
}

async function deleteRule(ctx: Elbv2Context, input: DeleteRuleInput): Promise<DeleteRuleOutput> {
  return routingChange(ctx, async () => {
    const stored = await requireRule(ctx, input.RuleArn!);
    if (isDefaultRule(stored)) throw new Elbv2Error("OperationNotPermittedException", `Default rule '${input.RuleArn}' cannot be deleted`);
    await ctx.state.elbv2.rules.remove(ctx.scope, elbIdOf(stored.rule.RuleArn!));
    return {};
  });
}

async function setRulePriorities(ctx: Elbv2Context, input: SetRulePrioritiesInput): Promise<SetRulePrioritiesOutput> {
  return routingChange(ctx, async () => {
    const pairs = input.RulePriorities ?? [];
    const named = await Promise.all(pairs.map((p) => requireRule(ctx, p.RuleArn!)));
    const listeners = [...new Set(named.map((r) => r.listenerArn))];
    const rules = (await Promise.all(listeners.map((arn) => rulesOfListener(ctx, arn)))).flat();
    const planned = plannedPriorities(pairs, rules);
    const changed = named
      .filter((r, i) => named.findIndex((o) => o.rule.RuleArn === r.rule.RuleArn) === i)
      .map((r) => ({ ...r, rule: { ...r.rule, Priority: String(planned.get(r.rule.RuleArn!)) } }));
    await ctx.state.elbv2.transact((tx) => {
      for (const r of changed) {
        const written = tx.write(ctx.state.elbv2.rules, ctx.scope, elbIdOf(r.rule.RuleArn!), (cur) =>
          cur ? { ...cur, rule: r.rule } : undefined,
        );
        if (!written) throw ruleNotFound();
      }
    });
    return { Rules: changed.map((r) => r.rule) };
  });
}

export const rulesOperations: Elbv2Handlers = {
  CreateRule: createRule,
  DescribeRules: describeRules,
  ModifyRule: modifyRule,
  DeleteRule: deleteRule,
  SetRulePriorities: setRulePriorities,
};
