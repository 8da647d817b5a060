// The forward weights of a blue/green (linear, canary) service's listener rules, from its
// deployment records: while a deployment shifts traffic, the production rule splits between
// blue's and green's target groups as far as the shift has gone and the test rule points at
// green once test traffic has moved; otherwise both send everything to the PRIMARY's groups
// (a completed deployment, a rollback, a service's first deployment).
import type { LoadBalancer } from "@aws-sdk/client-ecs";
import { targetGroupOf } from "./traffic-shift.js";
import type { DeploymentRecord, RuleTraffic } from "./types.js";

/**
 * ALB weights are 0–999: a share in tenths of a percent is `tenths` against 1000 − `tenths`,
 * and the ends are 100 against 0.
 */
export function shareWeights(tenths: number): { blue: number; green: number } {
  if (tenths <= 0) return { blue: 100, green: 0 };
  if (tenths >= 1000) return { blue: 0, green: 100 };
  return { blue: 1000 - tenths, green: tenths };
}

export function ruleTraffic(lbs: readonly LoadBalancer[], deployments: readonly DeploymentRecord[]): RuleTraffic[] {
  const primary = deployments.find((d) => d.status === "PRIMARY");
  if (!primary) return [];
  const out: RuleTraffic[] = [];
  lbs.forEach((lb, i) => {
    const adv = lb.advancedConfiguration;
    if (!adv?.alternateTargetGroupArn || !adv.productionListenerRule || !lb.targetGroupArn) return;
    const pair = [lb.targetGroupArn, adv.alternateTargetGroupArn] as const;
    const other = (tg: string) => (tg === pair[0] ? pair[1] : pair[0]);
    const green = targetGroupOf(primary, lb, i);
    let blue = other(green);
    let production = 1000;
    let test = 1000;
    const shift = primary.traffic;
    if (shift && primary.rolloutState !== "COMPLETED") {
      const from = deployments.find((d) => d.id === shift.blueId && d.status !== "INACTIVE");
      if (from && targetGroupOf(from, lb, i) !== green) blue = targetGroupOf(from, lb, i);
      production = shift.tenths;
      test = shift.testShifted ? 1000 : 0;
    }
    const split = (tenths: number) => {
      const w = shareWeights(tenths);
      // Listed in the same order every time, so a rule's action does not churn.
      return pair.map((tg) => ({ targetGroupArn: tg, weight: tg === green ? w.green : tg === blue ? w.blue : 0 }));
    };
    out.push({ ruleArn: adv.productionListenerRule, targetGroups: split(production) });
    if (adv.testListenerRule) out.push({ ruleArn: adv.testListenerRule, targetGroups: split(test) });
  });
  return out;
}
