// ECS's side of blue/green (linear, canary) traffic: the production and test listener rules of
// a service's load balancers get the forward weights its reconciler's plan asks for, written in
// the plan's transaction (the data plane follows the rules). A rule is named by its ARN, or, for
// an NLB, by its listener's (the listener's default rule).
import { elbIdOf, parseElbArn } from "../../domain/elbv2/arns.js";
import { isDefaultRule } from "../../domain/elbv2/rules.js";
import { ruleWithWeights, withForwardWeights } from "../../domain/elbv2/weights.js";
import type { Scope } from "../../domain/scope.js";
import type { RuleTraffic } from "../../scheduler/service/index.js";
import type { EcsState } from "../../state/ecs-state.js";
import type { Transaction } from "../../state/store.js";

/** Where one rule's weights go: the rule's document, and its listener's when it is the default rule. */
export interface TrafficWrite {
  ruleId: string;
  /** Set for a listener's default rule: the listener's DefaultActions mirror it. */
  listenerId?: string;
  network: boolean;
  traffic: RuleTraffic;
}

/** Resolves the rules a plan's traffic names; a rule or listener deleted meanwhile is skipped. */
export async function trafficWrites(state: EcsState, scope: Scope, traffic: readonly RuleTraffic[]): Promise<TrafficWrite[]> {
  const out: TrafficWrite[] = [];
  for (const t of traffic) {
    const parsed = parseElbArn(scope, t.ruleArn);
    if (parsed?.type === "listener-rule") {
      const rule = await state.elbv2.rules.get(scope, elbIdOf(t.ruleArn));
      if (!rule || rule.rule.RuleArn !== t.ruleArn) continue;
      out.push({
        ruleId: elbIdOf(t.ruleArn),
        ...(isDefaultRule(rule) ? { listenerId: elbIdOf(rule.listenerArn) } : {}),
        network: rule.listenerArn.includes(":listener/net/"),
        traffic: t,
      });
    } else if (parsed?.type === "listener") {
      const rules = await state.elbv2.rules.list(scope, { parent: elbIdOf(t.ruleArn) });
      const rule = rules.find(isDefaultRule);
      if (!rule) continue;
      out.push({
        ruleId: elbIdOf(rule.rule.RuleArn!),
        listenerId: elbIdOf(t.ruleArn),
        network: t.ruleArn.includes(":listener/net/"),
        traffic: t,
      });
    }
  }
  return out;
}

/** Sets the weights inside `tx` where they differ; returns the rules changed. */
export function writeTraffic(tx: Transaction, state: EcsState, scope: Scope, writes: readonly TrafficWrite[]): number {
  let changed = 0;
  for (const w of writes) {
    const groups = w.traffic.targetGroups;
    let actions: ReturnType<typeof withForwardWeights>;
    tx.write(state.elbv2.rules, scope, w.ruleId, (cur) => {
      const rule = cur && ruleWithWeights(cur.rule, groups, w.network);
      if (!rule) return undefined;
      actions = rule.Actions;
      changed += 1;
      return { ...cur, rule };
    });
    if (actions && w.listenerId)
      tx.write(
        state.elbv2.listeners,
        scope,
        w.listenerId,
        (cur) => cur && { ...cur, listener: { ...cur.listener, DefaultActions: actions } },
      );
  }
  return changed;
}
