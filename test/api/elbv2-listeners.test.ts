// ELBv2 listeners in-process: the real ELBv2 client (Query protocol, SigV4, paginators) against
// a whole control plane in this process, over load balancers and target groups made through
// it (test/support/elbv2.ts). Every refusal leaves the listeners and rules as they were.
import {
  CreateListenerCommand,
  type CreateListenerCommandInput,
  DeleteListenerCommand,
  DescribeListenerAttributesCommand,
  DescribeListenersCommand,
  DescribeRulesCommand,
  ModifyListenerAttributesCommand,
  ModifyListenerCommand,
  paginateDescribeListeners,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { expectError } from "../support/assertions.js";
import { createLoadBalancer, createTargetGroup } from "../support/elbv2.js";
import { putTargetGroup } from "../support/elbv2-docs.js";
import { inProcessBerth } from "../support/in-process.js";

const scope = { accountId: TEST_ACCOUNT, region: "us-east-1" };

describe("ELBv2 listeners in-process", () => {
  const berth = inProcessBerth();
  const { elb } = berth;
  let alb: string;
  let nlb: string;
  let web: string;
  let api: string;
  let tcp: string;
  let udp: string;
  let elsewhere: string;
  let tcpOnAlb: string;
  before(async () => {
    alb = await createLoadBalancer(berth, { name: "web" });
    nlb = await createLoadBalancer(berth, { name: "echo", type: "network" });
    web = await createTargetGroup(berth, { name: "web" });
    api = await createTargetGroup(berth, { name: "api", port: 8080 });
    tcp = await createTargetGroup(berth, { name: "echo", protocol: "TCP", port: 7 });
    udp = await createTargetGroup(berth, { name: "dns", protocol: "UDP", port: 53 });
    elsewhere = await putTargetGroup(berth, { name: "elsewhere", vpcId: "vpc-0123456789abcdef0" });
    tcpOnAlb = await createTargetGroup(berth, { name: "raw", protocol: "TCP" });
  });
  after(() => berth.close());

  /** Every stored listener and rule: what a refused call must leave as it was. */
  const stored = async () =>
    JSON.stringify([await berth.plane.state.elbv2.listeners.list(scope), await berth.plane.state.elbv2.rules.list(scope)]);

  /** Expects `input` refused with `code` (and `message`), and nothing stored changed. */
  async function refused(input: Promise<unknown>, code: string, message?: RegExp | string) {
    const before = await stored();
    await expectError(input, code, message);
    assert.equal(await stored(), before);
  }

  const forward = (arn: string): CreateListenerCommandInput["DefaultActions"] => [{ Type: "forward", TargetGroupArn: arn }];
  const create = (input: Partial<CreateListenerCommandInput>) =>
    elb.send(new CreateListenerCommand({ LoadBalancerArn: alb, Protocol: "HTTP", Port: 80, DefaultActions: forward(web), ...input }));

  test("an HTTP listener forwards to its target group; its default rule and attributes come with it", async () => {
    const { Listeners } = await create({ Port: 80 });
    const listener = Listeners![0]!;
    assert.match(listener.ListenerArn!, /^arn:aws:elasticloadbalancing:us-east-1:\d{12}:listener\/app\/web\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    assert.ok(listener.ListenerArn!.startsWith(alb.replace(":loadbalancer/", ":listener/") + "/"));
    assert.equal(listener.LoadBalancerArn, alb);
    assert.equal(listener.Port, 80);
    assert.equal(listener.Protocol, "HTTP");
    // ELBv2 echoes a forward by TargetGroupArn in both forms.
    assert.deepEqual(listener.DefaultActions, [
      {
        Type: "forward",
        TargetGroupArn: web,
        ForwardConfig: { TargetGroups: [{ TargetGroupArn: web, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: false } },
        Order: 1,
      },
    ]);
    const byLb = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: alb }));
    assert.deepEqual(byLb.Listeners, [listener]);
    const byArn = await elb.send(new DescribeListenersCommand({ ListenerArns: [listener.ListenerArn!] }));
    assert.deepEqual(byArn.Listeners, [listener]);

    const { Rules } = await elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn! }));
    assert.equal(Rules!.length, 1);
    assert.equal(Rules![0]!.Priority, "default");
    assert.equal(Rules![0]!.IsDefault, true);
    assert.deepEqual(Rules![0]!.Conditions, []);
    assert.deepEqual(Rules![0]!.Actions, listener.DefaultActions);

    const { Attributes } = await elb.send(new DescribeListenerAttributesCommand({ ListenerArn: listener.ListenerArn! }));
    const attrs = Object.fromEntries(Attributes!.map((a) => [a.Key, a.Value]));
    assert.equal(attrs["routing.http.response.server.enabled"], "true");
    assert.equal(attrs["routing.http.response.x_frame_options.header_value"], "");
  });

  test("a second listener on a port in use is DuplicateListener; other refusals of the port and protocol", async () => {
    await refused(
      create({ Port: 80 }),
      "DuplicateListenerException",
      `A listener already exists on this port for this load balancer '${alb}'`,
    );
    await refused(create({ Protocol: "TCP", Port: 81 }), "ValidationError", "Listener protocol 'TCP' must be one of 'HTTPS, HTTP'");
    await refused(create({ Protocol: undefined, Port: 81 }), "ValidationError", "A listener protocol must be specified");
    await refused(create({ Port: undefined }), "ValidationError", "A listener port must be specified");
    await refused(create({ Protocol: "HTTPS", Port: 443 }), "ValidationError", "A certificate must be specified for HTTPS listeners");
    const cert = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-0000-0000-000000000000";
    await refused(
      create({ Protocol: "HTTPS", Port: 443, Certificates: [{ CertificateArn: cert }] }),
      "CertificateNotFoundException",
      /^Certificate '.*' not found: berth keeps no certificates/,
    );
    await refused(create({ Port: 0 }), "ValidationError");
    await refused(
      create({ LoadBalancerArn: alb.replace(/[0-9a-f]{16}$/, "0000000000000000") }),
      "LoadBalancerNotFoundException",
      "One or more load balancers not found",
    );
  });

  test("default actions are checked: target groups that exist, in the VPC, of a matching protocol, on one load balancer", async () => {
    await refused(
      create({ Port: 82, DefaultActions: forward(web.replace(/[0-9a-f]{16}$/, "0000000000000000")) }),
      "TargetGroupNotFoundException",
      "One or more target groups not found",
    );
    await refused(
      create({ Port: 82, DefaultActions: forward(elsewhere) }),
      "InvalidConfigurationRequestException",
      `Target group '${elsewhere}' is in a different VPC than load balancer '${alb}'`,
    );
    await refused(
      create({ Port: 82, DefaultActions: forward(tcpOnAlb) }),
      "IncompatibleProtocolsException",
      /^The listener and its associated target group/,
    );
    await refused(
      elb.send(new CreateListenerCommand({ LoadBalancerArn: nlb, Protocol: "TCP", Port: 82, DefaultActions: forward(web) })),
      "IncompatibleProtocolsException",
    );
    await refused(
      elb.send(new CreateListenerCommand({ LoadBalancerArn: nlb, Protocol: "TCP", Port: 82, DefaultActions: forward(udp) })),
      "IncompatibleProtocolsException",
    );
    const other = await createLoadBalancer(berth, { name: "other" });
    await refused(
      elb.send(new CreateListenerCommand({ LoadBalancerArn: other, Protocol: "HTTP", Port: 80, DefaultActions: forward(web) })),
      "TargetGroupAssociationLimitException",
      `The following target groups cannot be associated with more than one load balancer: ${web}`,
    );
    const fixed = (ContentType: string) => [{ Type: "fixed-response" as const, FixedResponseConfig: { StatusCode: "404", ContentType } }];
    await refused(
      create({ Port: 82, DefaultActions: fixed("text/xml") }),
      "InvalidLoadBalancerActionException",
      /^The ContentType must be one of/,
    );
    await refused(
      create({ Port: 82, DefaultActions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "302" } }] }),
      "ValidationError",
    );
    await refused(
      create({ Port: 82, DefaultActions: [{ Type: "redirect", RedirectConfig: { StatusCode: "HTTP_301" } }] }),
      "InvalidLoadBalancerActionException",
    );
    await refused(
      create({ Port: 82, DefaultActions: [{ Type: "redirect", RedirectConfig: { StatusCode: "HTTP_301", Port: "70000" } }] }),
      "ValidationError",
    );
    await refused(
      elb.send(
        new CreateListenerCommand({
          LoadBalancerArn: nlb,
          Protocol: "TCP",
          Port: 83,
          DefaultActions: [{ Type: "fixed-response", FixedResponseConfig: { StatusCode: "200" } }],
        }),
      ),
      "InvalidLoadBalancerActionException",
    );
    const weighted = (weights: number[]) => [
      {
        Type: "forward" as const,
        ForwardConfig: { TargetGroups: weights.map((Weight, i) => ({ TargetGroupArn: i ? api : web, Weight })) },
      },
    ];
    await refused(create({ Port: 82, DefaultActions: weighted([1000]) }), "ValidationError", /weight/);
    await refused(
      create({
        Port: 82,
        DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: [{ TargetGroupArn: web }, { TargetGroupArn: web }] } }],
      }),
      "ValidationError",
      /specified more than once/,
    );
    const six = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => createTargetGroup(berth, { name: `six-${n}` })));
    await refused(
      create({
        Port: 82,
        DefaultActions: [{ Type: "forward", ForwardConfig: { TargetGroups: six.map((TargetGroupArn) => ({ TargetGroupArn })) } }],
      }),
      "ValidationError",
      "A forward action can have at most '5' target groups",
    );
    await refused(create({ Port: 82, DefaultActions: [] }), "ValidationError");
    await refused(
      create({
        Port: 82,
        DefaultActions: [
          {
            Type: "authenticate-oidc",
            AuthenticateOidcConfig: { Issuer: "i", AuthorizationEndpoint: "a", TokenEndpoint: "t", UserInfoEndpoint: "u", ClientId: "c" },
          },
        ],
      }),
      "InvalidLoadBalancerActionException",
    );
  });

  test("weighted forwards with stickiness, redirects and fixed responses are stored as ELBv2 echoes them", async () => {
    const weighted = await create({
      Port: 8080,
      DefaultActions: [
        {
          Type: "forward",
          ForwardConfig: {
            TargetGroups: [{ TargetGroupArn: web, Weight: 3 }, { TargetGroupArn: api }],
            TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 },
          },
        },
      ],
    });
    assert.deepEqual(weighted.Listeners![0]!.DefaultActions, [
      {
        Type: "forward",
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: web, Weight: 3 },
            { TargetGroupArn: api, Weight: 1 },
          ],
          TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 },
        },
        Order: 1,
      },
    ]);
    const redirect = await create({
      Port: 8081,
      DefaultActions: [{ Type: "redirect", RedirectConfig: { StatusCode: "HTTP_302", Port: "8080" } }],
    });
    assert.deepEqual(redirect.Listeners![0]!.DefaultActions![0]!.RedirectConfig, {
      Protocol: "#{protocol}",
      Port: "8080",
      Host: "#{host}",
      Path: "/#{path}",
      Query: "#{query}",
      StatusCode: "HTTP_302",
    });
    const fixed = await create({
      Port: 8082,
      DefaultActions: [
        { Type: "fixed-response", FixedResponseConfig: { StatusCode: "503", ContentType: "text/plain", MessageBody: "down" } },
      ],
    });
    assert.deepEqual(fixed.Listeners![0]!.DefaultActions, [
      { Type: "fixed-response", FixedResponseConfig: { StatusCode: "503", ContentType: "text/plain", MessageBody: "down" }, Order: 1 },
    ]);
  });

  test("a network load balancer's TCP listener, and its tcp.idle_timeout.seconds attribute", async () => {
    const { Listeners } = await elb.send(
      new CreateListenerCommand({ LoadBalancerArn: nlb, Protocol: "TCP", Port: 7, DefaultActions: forward(tcp) }),
    );
    const arn = Listeners![0]!.ListenerArn!;
    assert.match(arn, /:listener\/net\/echo\//);
    const before = await elb.send(new DescribeListenerAttributesCommand({ ListenerArn: arn }));
    assert.deepEqual(before.Attributes, [{ Key: "tcp.idle_timeout.seconds", Value: "350" }]);
    const after = await elb.send(
      new ModifyListenerAttributesCommand({ ListenerArn: arn, Attributes: [{ Key: "tcp.idle_timeout.seconds", Value: "600" }] }),
    );
    assert.deepEqual(after.Attributes, [{ Key: "tcp.idle_timeout.seconds", Value: "600" }]);
    const again = await elb.send(new DescribeListenerAttributesCommand({ ListenerArn: arn }));
    assert.deepEqual(again.Attributes, [{ Key: "tcp.idle_timeout.seconds", Value: "600" }]);
    await refused(
      elb.send(new ModifyListenerAttributesCommand({ ListenerArn: arn, Attributes: [{ Key: "tcp.idle_timeout.seconds", Value: "30" }] })),
      "InvalidConfigurationRequestException",
    );
    await refused(
      elb.send(
        new ModifyListenerAttributesCommand({
          ListenerArn: arn,
          Attributes: [{ Key: "routing.http.response.server.enabled", Value: "false" }],
        }),
      ),
      "InvalidConfigurationRequestException",
    );
    await refused(
      elb.send(new CreateListenerCommand({ LoadBalancerArn: nlb, Protocol: "HTTP", Port: 80, DefaultActions: forward(tcp) })),
      "ValidationError",
      "Listener protocol 'HTTP' must be one of 'TLS, TCP, TCP_UDP, UDP'",
    );
    await refused(
      elb.send(new CreateListenerCommand({ LoadBalancerArn: nlb, Protocol: "TLS", Port: 443, DefaultActions: forward(tcp) })),
      "ValidationError",
      "A certificate must be specified for TLS listeners",
    );
  });

  test("ModifyListener changes the port and default actions, keeping the default rule in step", async () => {
    const { Listeners } = await create({ Port: 9000 });
    const arn = Listeners![0]!.ListenerArn!;
    await refused(elb.send(new ModifyListenerCommand({ ListenerArn: arn, Port: 80 })), "DuplicateListenerException");
    await refused(
      elb.send(new ModifyListenerCommand({ ListenerArn: arn, DefaultActions: forward(elsewhere) })),
      "InvalidConfigurationRequestException",
    );
    await refused(elb.send(new ModifyListenerCommand({ ListenerArn: arn, Protocol: "TCP" })), "ValidationError");
    const fixed = [
      {
        Type: "fixed-response" as const,
        FixedResponseConfig: { StatusCode: "200", ContentType: "text/plain", MessageBody: "ok" },
        Order: 1,
      },
    ];
    const modified = await elb.send(new ModifyListenerCommand({ ListenerArn: arn, Port: 9001, DefaultActions: fixed }));
    assert.equal(modified.Listeners![0]!.Port, 9001);
    assert.deepEqual(modified.Listeners![0]!.DefaultActions, fixed);
    const described = await elb.send(new DescribeListenersCommand({ ListenerArns: [arn] }));
    assert.deepEqual(described.Listeners, modified.Listeners);
    const { Rules } = await elb.send(new DescribeRulesCommand({ ListenerArn: arn }));
    assert.deepEqual(Rules![0]!.Actions, fixed);
    await refused(
      elb.send(new ModifyListenerCommand({ ListenerArn: arn.replace(/[0-9a-f]{16}$/, "0000000000000000"), Port: 9002 })),
      "ListenerNotFoundException",
    );
  });

  test("DeleteListener removes it and its rules; describing it then is ListenerNotFound", async () => {
    const { Listeners } = await create({ Port: 9100 });
    const arn = Listeners![0]!.ListenerArn!;
    const rulesBefore = (await berth.plane.state.elbv2.rules.list(scope)).length;
    await elb.send(new DeleteListenerCommand({ ListenerArn: arn }));
    assert.equal((await berth.plane.state.elbv2.rules.list(scope)).length, rulesBefore - 1);
    await expectError(
      elb.send(new DescribeListenersCommand({ ListenerArns: [arn] })),
      "ListenerNotFoundException",
      "One or more listeners not found",
    );
    await expectError(elb.send(new DeleteListenerCommand({ ListenerArn: arn })), "ListenerNotFoundException");
    await expectError(elb.send(new DescribeListenerAttributesCommand({ ListenerArn: arn })), "ListenerNotFoundException");
    // As for every ELBv2 ARN: another account's is not found, a string of no listener ARN is invalid.
    const othersArn = arn.replace(`:${TEST_ACCOUNT}:`, ":210987654321:");
    await expectError(elb.send(new DescribeListenersCommand({ ListenerArns: [othersArn] })), "ListenerNotFoundException");
    await expectError(elb.send(new DeleteListenerCommand({ ListenerArn: alb })), "ValidationError", `'${alb}' is not a valid listener ARN`);
  });

  test("DescribeListeners pages with Marker and PageSize through the SDK's paginator; it needs exactly one selector", async () => {
    const lb = await createLoadBalancer(berth, { name: "paged" });
    const fixed = [{ Type: "fixed-response" as const, FixedResponseConfig: { StatusCode: "200" } }];
    const made: string[] = [];
    for (const port of [1001, 1002, 1003, 1004, 1005])
      made.push(
        (await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb, Protocol: "HTTP", Port: port, DefaultActions: fixed })))
          .Listeners![0]!.ListenerArn!,
      );
    const pages: string[][] = [];
    for await (const page of paginateDescribeListeners({ client: elb }, { LoadBalancerArn: lb, PageSize: 2 }))
      pages.push(page.Listeners!.map((l) => l.ListenerArn!));
    assert.deepEqual(
      pages.map((p) => p.length),
      [2, 2, 1],
    );
    assert.deepEqual(pages.flat(), made);
    await expectError(
      elb.send(new DescribeListenersCommand({})),
      "ValidationError",
      "You must specify either listener ARNs or a load balancer ARN",
    );
    await expectError(elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb, ListenerArns: [made[0]!] })), "ValidationError");
    await expectError(elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb, Marker: "not-a-marker" })), "ValidationError");
  });

  test("a load balancer takes at most 50 listeners", async () => {
    const lb = await createLoadBalancer(berth, { name: "many" });
    const fixed = [{ Type: "fixed-response" as const, FixedResponseConfig: { StatusCode: "200" } }];
    for (let port = 2000; port < 2050; port++)
      await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb, Protocol: "HTTP", Port: port, DefaultActions: fixed }));
    await refused(
      elb.send(new CreateListenerCommand({ LoadBalancerArn: lb, Protocol: "HTTP", Port: 2050, DefaultActions: fixed })),
      "TooManyListenersException",
    );
  });
});
