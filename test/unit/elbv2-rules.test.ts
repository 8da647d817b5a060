// The pure parts of ELBv2's listeners and rules: the evaluation order, the canonical actions
// and conditions the data plane reads, SetRulePriorities' plan, and what uses a target group.
import type { Action } from "@aws-sdk/client-elastic-load-balancing-v2";
import assert from "node:assert/strict";
import { test } from "node:test";
import { normaliseAction } from "../../src/domain/elbv2/actions.js";
import { checkedConditions } from "../../src/domain/elbv2/conditions.js";
import type { StoredRule } from "../../src/domain/elbv2/documents.js";
import { orderedRules } from "../../src/domain/elbv2/rule-order.js";
import { ElbRefusal } from "../../src/domain/elbv2/refusal.js";
import { defaultRuleOf, plannedPriorities } from "../../src/domain/elbv2/rules.js";
import { loadBalancerArnOfListener, loadBalancersForwardingTo, targetGroupUser } from "../../src/domain/elbv2/usage.js";

const lb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";
const listener = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2";
const tg = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/73e2d6bc24d8a067";

const rule = (
  id: string,
  priority: string,
  createdAt = 0,
  actions: Action[] = [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "200" } }],
): StoredRule => ({
  rule: {
    RuleArn: `${listener.replace(":listener/", ":listener-rule/")}/${id}`,
    Priority: priority,
    Conditions: [],
    Actions: actions,
    IsDefault: false,
  },
  listenerArn: listener,
  tags: [],
  createdAt,
});

test("orderedRules: by numeric priority (not as text), the default rule last, the input untouched", () => {
  const rules = [defaultRuleOf(listener, `${listener}/d`, [], 0), rule("a", "10"), rule("b", "9"), rule("c", "100"), rule("e", "1")];
  const copy = [...rules];
  assert.deepEqual(
    orderedRules(rules).map((r) => r.rule.Priority),
    ["1", "9", "10", "100", "default"],
  );
  assert.deepEqual(rules, copy);
});

test("normaliseAction: a forward by TargetGroupArn gains its ForwardConfig; a weighted one keeps its groups only", () => {
  assert.deepEqual(normaliseAction({ Type: "forward", TargetGroupArn: tg }), {
    Type: "forward",
    TargetGroupArn: tg,
    ForwardConfig: { TargetGroups: [{ TargetGroupArn: tg, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: false } },
  });
  const other = tg.replace("web", "api");
  assert.deepEqual(
    normaliseAction({
      Type: "forward",
      Order: 1,
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: tg, Weight: 0 }, { TargetGroupArn: other }] },
    }),
    {
      Type: "forward",
      Order: 1,
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: tg, Weight: 0 },
          { TargetGroupArn: other, Weight: 1 },
        ],
        TargetGroupStickinessConfig: { Enabled: false },
      },
    },
  );
  // Normalising twice changes nothing: what is stored reads back the same.
  const once = normaliseAction({ Type: "redirect", RedirectConfig: { StatusCode: "HTTP_301", Protocol: "HTTPS" } });
  assert.deepEqual(normaliseAction(once), once);
});

test("checkedConditions: the legacy Values form gains its config; the limits count every value", () => {
  assert.deepEqual(checkedConditions([{ Field: "host-header", Values: ["*.example.com"] }]), [
    { Field: "host-header", Values: ["*.example.com"], HostHeaderConfig: { Values: ["*.example.com"] } },
  ]);
  assert.throws(
    () =>
      checkedConditions([
        { Field: "path-pattern", PathPatternConfig: { Values: ["/a", "/b", "/c"] } },
        { Field: "query-string", QueryStringConfig: { Values: [{ Value: "x" }, { Key: "k", Value: "y" }, { Value: "z" }] } },
      ]),
    (err: ElbRefusal) => err.code === "ValidationError" && err.message === "A rule can only have '5' condition values",
  );
});

test("plannedPriorities: a swap within a listener is allowed; a clash with an untouched rule is not", () => {
  const rules = [rule("a", "1"), rule("b", "2"), rule("c", "3")];
  const arn = (r: StoredRule) => r.rule.RuleArn!;
  assert.deepEqual(
    [
      ...plannedPriorities(
        [
          { RuleArn: arn(rules[0]!), Priority: 2 },
          { RuleArn: arn(rules[1]!), Priority: 1 },
        ],
        rules,
      ),
    ],
    [
      [arn(rules[0]!), 2],
      [arn(rules[1]!), 1],
    ],
  );
  assert.throws(
    () => plannedPriorities([{ RuleArn: arn(rules[0]!), Priority: 3 }], rules),
    (err: ElbRefusal) => err.code === "PriorityInUseException",
  );
});

test("usage: a target group is used by the listener of a default rule or by a rule, and its load balancer is derived", () => {
  const forward: Action[] = [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: tg, Weight: 1 }] } }];
  assert.equal(loadBalancerArnOfListener(listener), lb);
  assert.equal(targetGroupUser([rule("a", "1")], tg), undefined);
  assert.equal(targetGroupUser([defaultRuleOf(listener, `${listener}/d`, forward, 0)], tg), listener);
  const byRule = rule("b", "2", 0, forward);
  assert.equal(targetGroupUser([byRule], tg), byRule.rule.RuleArn);
  assert.deepEqual(loadBalancersForwardingTo([byRule, defaultRuleOf(listener, `${listener}/d`, forward, 0)], tg), [lb]);
});
