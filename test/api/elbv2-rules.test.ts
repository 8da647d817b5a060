// ELBv2 listener rules in-process: the real ELBv2 client against a whole control plane in this
// process, over load balancers and target groups made through it. Every refusal (a
// priority clash, a forward to another VPC, a 101st rule, …) leaves the rules as they were.
import {
  type Action,
  CreateListenerCommand,
  CreateRuleCommand,
  type CreateRuleCommandInput,
  DeleteRuleCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  type ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
  paginateDescribeRules,
  type RuleCondition,
  SetRulePrioritiesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { expectError } from "../support/assertions.js";
import { createLoadBalancer, createTargetGroup } from "../support/elbv2.js";
import { putTargetGroup } from "../support/elbv2-docs.js";
import { inProcessBerth } from "../support/in-process.js";

const scope = { accountId: TEST_ACCOUNT, region: "us-east-1" };

// With its Order, as ELBv2 echoes it.
const fixed = (body: string): Action[] => [
  { Type: "fixed-response", FixedResponseConfig: { StatusCode: "200", ContentType: "text/plain", MessageBody: body }, Order: 1 },
];
const path = (...values: string[]): RuleCondition[] => [{ Field: "path-pattern", PathPatternConfig: { Values: values } }];

async function newListener(
  elb: ElasticLoadBalancingV2Client,
  lb: string,
  port: number,
  actions: Action[] = fixed("default"),
): Promise<string> {
  const { Listeners } = await elb.send(
    new CreateListenerCommand({ LoadBalancerArn: lb, Protocol: "HTTP", Port: port, DefaultActions: actions }),
  );
  return Listeners![0]!.ListenerArn!;
}

describe("ELBv2 rules in-process", () => {
  const berth = inProcessBerth();
  const { elb } = berth;
  let alb: string;
  let listener: string;
  let web: string;
  let api: string;
  before(async () => {
    alb = await createLoadBalancer(berth, { name: "web" });
    web = await createTargetGroup(berth, { name: "web" });
    api = await createTargetGroup(berth, { name: "api", port: 8080 });
    listener = await newListener(elb, alb, 80, [{ Type: "forward", TargetGroupArn: web }]);
  });
  after(() => berth.close());

  const stored = async () =>
    JSON.stringify([await berth.plane.state.elbv2.listeners.list(scope), await berth.plane.state.elbv2.rules.list(scope)]);

  async function refused(input: Promise<unknown>, code: string, message?: RegExp | string) {
    const before = await stored();
    await expectError(input, code, message);
    assert.equal(await stored(), before);
  }

  const create = (input: Partial<CreateRuleCommandInput>) =>
    elb.send(
      new CreateRuleCommand({
        ListenerArn: listener,
        Priority: 10,
        Conditions: path("/api/*"),
        Actions: [{ Type: "forward", TargetGroupArn: api }],
        ...input,
      }),
    );

  const rulesOf = async (listenerArn: string) => (await elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules!;

  test("rules are described by priority, the default rule last; both condition forms are echoed with their config", async () => {
    const ten = (await create({ Priority: 10 })).Rules![0]!;
    assert.match(
      ten.RuleArn!,
      /^arn:aws:elasticloadbalancing:us-east-1:\d{12}:listener-rule\/app\/web\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/,
    );
    assert.equal(ten.Priority, "10");
    assert.equal(ten.IsDefault, false);
    assert.deepEqual(ten.Conditions, [{ Field: "path-pattern", Values: ["/api/*"], PathPatternConfig: { Values: ["/api/*"] } }]);
    assert.deepEqual(ten.Actions, [
      {
        Type: "forward",
        TargetGroupArn: api,
        ForwardConfig: { TargetGroups: [{ TargetGroupArn: api, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: false } },
        Order: 1,
      },
    ]);
    const five = (await create({ Priority: 5, Conditions: [{ Field: "host-header", Values: ["api.example.com"] }] })).Rules![0]!;
    assert.deepEqual(five.Conditions, [
      { Field: "host-header", Values: ["api.example.com"], HostHeaderConfig: { Values: ["api.example.com"] } },
    ]);
    const rules = await rulesOf(listener);
    assert.deepEqual(
      rules.map((r) => [r.Priority, r.IsDefault]),
      [
        ["5", false],
        ["10", false],
        ["default", true],
      ],
    );
    const byArn = await elb.send(new DescribeRulesCommand({ RuleArns: [ten.RuleArn!] }));
    assert.deepEqual(byArn.Rules, [ten]);
  });

  test("every condition type, in its config form", async () => {
    const conditions: RuleCondition[] = [
      { Field: "http-header", HttpHeaderConfig: { HttpHeaderName: "X-Canary", Values: ["yes"] } },
      { Field: "http-request-method", HttpRequestMethodConfig: { Values: ["GET", "HEAD"] } },
      { Field: "query-string", QueryStringConfig: { Values: [{ Key: "v", Value: "2" }] } },
      { Field: "source-ip", SourceIpConfig: { Values: ["10.0.0.0/8"] } },
    ];
    const { Rules } = await create({ Priority: 20, Conditions: conditions, Actions: fixed("conditions") });
    assert.deepEqual(Rules![0]!.Conditions, conditions);
    assert.deepEqual((await elb.send(new DescribeRulesCommand({ RuleArns: [Rules![0]!.RuleArn!] }))).Rules![0]!.Conditions, conditions);
  });

  test("a priority in use is PriorityInUse, and bad conditions are ELBv2's ValidationError; nothing changes", async () => {
    await refused(create({ Priority: 10 }), "PriorityInUseException", "Priority '10' is currently in use");
    await refused(
      create({ Priority: 30, Conditions: path("/a", "/b", "/c", "/d", "/e", "/f") }),
      "ValidationError",
      "A rule can only have '5' condition values",
    );
    await refused(create({ Priority: 30, Conditions: [] }), "ValidationError");
    await refused(
      create({ Priority: 30, Conditions: [{ Field: "cookie", Values: ["x"] }] }),
      "ValidationError",
      /^Condition field 'cookie' must be one of/,
    );
    await refused(
      create({ Priority: 30, Conditions: [{ Field: "path-pattern", Values: ["/a", "/b"] }] }),
      "ValidationError",
      /too many values; the limit is '1'/,
    );
    await refused(
      create({ Priority: 30, Conditions: [{ Field: "path-pattern", Values: ["/a"], PathPatternConfig: { Values: ["/b"] } }] }),
      "ValidationError",
      /You cannot provide both Values and 'PathPatternConfig'/,
    );
    await refused(create({ Priority: 30, Conditions: [{ Field: "source-ip", Values: ["10.0.0.0/8"] }] }), "ValidationError");
    await refused(
      create({ Priority: 30, Conditions: [{ Field: "source-ip", SourceIpConfig: { Values: ["10.0.0.300/8"] } }] }),
      "ValidationError",
    );
    await refused(
      create({ Priority: 30, Conditions: [{ Field: "http-request-method", HttpRequestMethodConfig: { Values: ["get"] } }] }),
      "ValidationError",
    );
    await refused(
      create({ Priority: 30, Conditions: [{ Field: "host-header", HostHeaderConfig: { Values: ["a b"] } }] }),
      "ValidationError",
    );
    await refused(
      create({ Priority: 30, Conditions: [...path("/a"), ...path("/b")] }),
      "ValidationError",
      "A rule can only have one 'path-pattern' condition",
    );
    await refused(create({ Priority: 30, Conditions: path("/*/*/*", "/?/?/?") }), "ValidationError", "A rule can only have '5' wildcards");
    await refused(
      create({ Priority: 30, ListenerArn: listener.replace(/[0-9a-f]{16}$/, "0000000000000000") }),
      "ListenerNotFoundException",
    );
    await refused(create({ Priority: 50001 }), "ValidationError");
  });

  test("a rule forwarding to a target group of another VPC, or to one that does not exist, is refused", async () => {
    const elsewhere = await putTargetGroup(berth, { name: "elsewhere", vpcId: "vpc-0123456789abcdef0" });
    await refused(
      create({ Priority: 40, Actions: [{ Type: "forward", TargetGroupArn: elsewhere }] }),
      "InvalidConfigurationRequestException",
      `Target group '${elsewhere}' is in a different VPC than load balancer '${alb}'`,
    );
    await refused(
      create({ Priority: 40, Actions: [{ Type: "forward", TargetGroupArn: elsewhere.replace("elsewhere", "nowhere") }] }),
      "TargetGroupNotFoundException",
    );
  });

  test("a network load balancer's listeners have only their default rule", async () => {
    const nlb = await createLoadBalancer(berth, { name: "echo", type: "network" });
    const tcp = await createTargetGroup(berth, { name: "echo", protocol: "TCP", port: 7 });
    const { Listeners } = await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: nlb,
        Protocol: "TCP",
        Port: 7,
        DefaultActions: [{ Type: "forward", TargetGroupArn: tcp }],
      }),
    );
    const arn = Listeners![0]!.ListenerArn!;
    await refused(
      create({ ListenerArn: arn, Priority: 1, Actions: [{ Type: "forward", TargetGroupArn: tcp }] }),
      "UnsupportedProtocolException",
    );
    assert.deepEqual(
      (await rulesOf(arn)).map((r) => r.Priority),
      ["default"],
    );
  });

  test("ModifyRule changes conditions and actions; a default rule's actions only, in step with its listener", async () => {
    const made = (await create({ Priority: 50, Conditions: path("/old/*"), Actions: fixed("old") })).Rules![0]!;
    const modified = await elb.send(new ModifyRuleCommand({ RuleArn: made.RuleArn!, Conditions: path("/new/*"), Actions: fixed("new") }));
    assert.deepEqual(modified.Rules![0]!.Conditions, [
      { Field: "path-pattern", Values: ["/new/*"], PathPatternConfig: { Values: ["/new/*"] } },
    ]);
    assert.deepEqual(modified.Rules![0]!.Actions, fixed("new"));
    assert.equal(modified.Rules![0]!.Priority, "50");
    await refused(
      elb.send(new ModifyRuleCommand({ RuleArn: made.RuleArn!, Conditions: path("/a", "/b", "/c", "/d", "/e", "/f") })),
      "ValidationError",
    );
    await refused(elb.send(new ModifyRuleCommand({ RuleArn: made.RuleArn! })), "ValidationError");
    await refused(
      elb.send(new ModifyRuleCommand({ RuleArn: made.RuleArn!.replace(/[0-9a-f]{16}$/, "0000000000000000"), Actions: fixed("x") })),
      "RuleNotFoundException",
    );

    const other = await newListener(elb, alb, 8080);
    const defaultRule = (await rulesOf(other)).find((r) => r.IsDefault)!;
    await refused(
      elb.send(new ModifyRuleCommand({ RuleArn: defaultRule.RuleArn!, Conditions: path("/x") })),
      "OperationNotPermittedException",
    );
    await elb.send(new ModifyRuleCommand({ RuleArn: defaultRule.RuleArn!, Actions: fixed("changed") }));
    const { Listeners } = await elb.send(new DescribeListenersCommand({ ListenerArns: [other] }));
    assert.deepEqual(Listeners![0]!.DefaultActions, fixed("changed"));
  });

  test("DeleteRule removes a rule; a default rule cannot be deleted", async () => {
    const made = (await create({ Priority: 60, Actions: fixed("doomed") })).Rules![0]!;
    await elb.send(new DeleteRuleCommand({ RuleArn: made.RuleArn! }));
    await expectError(
      elb.send(new DescribeRulesCommand({ RuleArns: [made.RuleArn!] })),
      "RuleNotFoundException",
      "One or more rules not found",
    );
    await expectError(elb.send(new DeleteRuleCommand({ RuleArn: made.RuleArn! })), "RuleNotFoundException");
    const defaultRule = (await rulesOf(listener)).find((r) => r.IsDefault)!;
    await refused(elb.send(new DeleteRuleCommand({ RuleArn: defaultRule.RuleArn! })), "OperationNotPermittedException");
  });

  test("SetRulePriorities swaps priorities atomically; a clash, a default rule or an unknown rule changes nothing", async () => {
    const lb = await createLoadBalancer(berth, { name: "swap" });
    const arn = await newListener(elb, lb, 80);
    const [a, b, c] = (await Promise.all(
      [1, 2, 3].map(
        async (p) =>
          (await elb.send(new CreateRuleCommand({ ListenerArn: arn, Priority: p, Conditions: path(`/${p}`), Actions: fixed(`${p}`) })))
            .Rules![0]!.RuleArn!,
      ),
    )) as [string, string, string];
    const swapped = await elb.send(
      new SetRulePrioritiesCommand({
        RulePriorities: [
          { RuleArn: a, Priority: 2 },
          { RuleArn: b, Priority: 1 },
        ],
      }),
    );
    assert.deepEqual(
      swapped.Rules!.map((r) => [r.RuleArn, r.Priority]),
      [
        [a, "2"],
        [b, "1"],
      ],
    );
    assert.deepEqual(
      (await rulesOf(arn)).map((r) => r.RuleArn),
      [b, a, c, (await rulesOf(arn)).at(-1)!.RuleArn],
    );
    await refused(
      elb.send(
        new SetRulePrioritiesCommand({
          RulePriorities: [
            { RuleArn: a, Priority: 7 },
            { RuleArn: b, Priority: 3 },
          ],
        }),
      ),
      "PriorityInUseException",
      "Priority '3' is currently in use",
    );
    await refused(
      elb.send(
        new SetRulePrioritiesCommand({
          RulePriorities: [
            { RuleArn: a, Priority: 8 },
            { RuleArn: b, Priority: 8 },
          ],
        }),
      ),
      "ValidationError",
      "Priority '8' was provided multiple times",
    );
    const defaultRule = (await rulesOf(arn)).find((r) => r.IsDefault)!;
    await refused(
      elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: defaultRule.RuleArn!, Priority: 9 }] })),
      "OperationNotPermittedException",
    );
    await refused(
      elb.send(
        new SetRulePrioritiesCommand({
          RulePriorities: [
            { RuleArn: a, Priority: 9 },
            { RuleArn: c.replace(/[0-9a-f]{16}$/, "0000000000000000"), Priority: 10 },
          ],
        }),
      ),
      "RuleNotFoundException",
    );
  });

  test("DescribeRules pages with Marker and PageSize through the SDK's paginator; it needs exactly one selector", async () => {
    const lb = await createLoadBalancer(berth, { name: "paged" });
    const arn = await newListener(elb, lb, 80);
    for (const p of [5, 3, 4, 1, 2])
      await elb.send(new CreateRuleCommand({ ListenerArn: arn, Priority: p, Conditions: path(`/${p}`), Actions: fixed(`${p}`) }));
    const pages: string[][] = [];
    for await (const page of paginateDescribeRules({ client: elb }, { ListenerArn: arn, PageSize: 2 }))
      pages.push(page.Rules!.map((r) => r.Priority!));
    assert.deepEqual(pages, [
      ["1", "2"],
      ["3", "4"],
      ["5", "default"],
    ]);
    await expectError(
      elb.send(new DescribeRulesCommand({})),
      "ValidationError",
      "You must specify either listener rule ARNs or a listener ARN",
    );
    await expectError(
      elb.send(
        new DescribeRulesCommand({ ListenerArn: arn, RuleArns: [arn.replace(":listener/", ":listener-rule/") + "/0000000000000000"] }),
      ),
      "ValidationError",
    );
  });

  test("a load balancer holds at most 100 rules besides its default rules: the 101st is TooManyRules", async () => {
    const lb = await createLoadBalancer(berth, { name: "full" });
    const first = await newListener(elb, lb, 80);
    const second = await newListener(elb, lb, 81);
    for (let p = 1; p <= 100; p++)
      await elb.send(
        new CreateRuleCommand({ ListenerArn: p <= 50 ? first : second, Priority: p, Conditions: path(`/${p}`), Actions: fixed(`${p}`) }),
      );
    await refused(
      elb.send(new CreateRuleCommand({ ListenerArn: second, Priority: 101, Conditions: path("/101"), Actions: fixed("101") })),
      "TooManyRulesException",
      `The maximum number of rules on load balancer '${lb}' ('100') has been reached`,
    );
    // Another load balancer's rules are counted apart.
    await create({ Priority: 101, Actions: fixed("elsewhere") });
  });
});
