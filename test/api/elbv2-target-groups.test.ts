// ELBv2 target groups in-process: the real ELBv2 client (its Query protocol, paginators) against
// a whole control plane in this process. Listeners that make a group "used" are made through
// the API too (test/support/elbv2.ts).
import { DescribeVpcsCommand } from "@aws-sdk/client-ec2";
import {
  CreateTargetGroupCommand,
  type CreateTargetGroupInput,
  DeleteTargetGroupCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  paginateDescribeTargetGroups,
  type TargetGroup,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { expectError as refused } from "../support/assertions.js";
import { createLoadBalancer, listenerForwardingTo } from "../support/elbv2.js";
import { inProcessBerth } from "../support/in-process.js";

describe("ELBv2 target groups in-process", () => {
  const berth = inProcessBerth();
  const { elb, ec2 } = berth;
  let vpcId = "";
  after(() => berth.close());
  before(async () => {
    const { Vpcs } = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: "isDefault", Values: ["true"] }] }));
    vpcId = Vpcs![0]!.VpcId!;
  });

  const create = async (input: Partial<CreateTargetGroupInput> & { Name: string }): Promise<TargetGroup> =>
    (await elb.send(new CreateTargetGroupCommand({ Protocol: "HTTP", Port: 80, VpcId: vpcId, TargetType: "ip", ...input })))
      .TargetGroups![0]!;
  const allGroups = async () => (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  const attributesOf = async (arn: string) =>
    Object.fromEntries(
      (await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn }))).Attributes!.map((a) => [a.Key, a.Value]),
    );
  /** Runs `call`, expects ELBv2's `code`, and checks that no group changed. */
  const refusedUnchanged = async (call: () => Promise<unknown>, code: string, message?: RegExp | string) => {
    const before = await allGroups();
    await refused(call(), code, message);
    assert.deepEqual(await allGroups(), before);
  };

  test("an HTTP group takes ELB's defaults: HTTP checks of / for 200, HTTP1, and every attribute", async () => {
    const tg = await create({ Name: "web", Tags: [{ Key: "team", Value: "a" }] });
    assert.match(tg.TargetGroupArn!, new RegExp(`^arn:aws:elasticloadbalancing:us-east-1:${TEST_ACCOUNT}:targetgroup/web/[0-9a-f]{16}$`));
    assert.deepEqual(
      { ...tg, TargetGroupArn: undefined },
      {
        TargetGroupArn: undefined,
        TargetGroupName: "web",
        Protocol: "HTTP",
        Port: 80,
        VpcId: vpcId,
        HealthCheckProtocol: "HTTP",
        HealthCheckPort: "traffic-port",
        HealthCheckEnabled: true,
        HealthCheckIntervalSeconds: 30,
        HealthCheckTimeoutSeconds: 5,
        HealthyThresholdCount: 5,
        UnhealthyThresholdCount: 2,
        HealthCheckPath: "/",
        Matcher: { HttpCode: "200" },
        TargetType: "ip",
        ProtocolVersion: "HTTP1",
        IpAddressType: "ipv4",
        LoadBalancerArns: [],
      },
    );
    assert.deepEqual(await attributesOf(tg.TargetGroupArn!), {
      "deregistration_delay.timeout_seconds": "300",
      "stickiness.enabled": "false",
      "stickiness.type": "lb_cookie",
      "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
      "target_group_health.dns_failover.minimum_healthy_targets.count": "1",
      "target_group_health.dns_failover.minimum_healthy_targets.percentage": "off",
      "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count": "1",
      "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage": "off",
      "load_balancing.algorithm.type": "round_robin",
      "load_balancing.algorithm.anomaly_mitigation": "off",
      "slow_start.duration_seconds": "0",
      "stickiness.app_cookie.cookie_name": "",
      "stickiness.app_cookie.duration_seconds": "86400",
      "stickiness.lb_cookie.duration_seconds": "86400",
    });
  });

  test("a TCP group checks TCP connections; its attributes are a network group's", async () => {
    const tg = await create({ Name: "echo", Protocol: "TCP", Port: 7, TargetType: "instance" });
    assert.equal(tg.HealthCheckProtocol, "TCP");
    assert.equal(tg.HealthCheckTimeoutSeconds, 10);
    assert.equal(tg.HealthCheckIntervalSeconds, 30);
    assert.equal(tg.HealthyThresholdCount, 5);
    assert.equal(tg.UnhealthyThresholdCount, 2);
    assert.equal(tg.HealthCheckPath, undefined);
    assert.equal(tg.Matcher, undefined);
    assert.equal(tg.ProtocolVersion, undefined);
    const attrs = await attributesOf(tg.TargetGroupArn!);
    assert.equal(attrs["stickiness.type"], "source_ip");
    assert.equal(attrs["preserve_client_ip.enabled"], "true");
    assert.equal(attrs["deregistration_delay.connection_termination.enabled"], "false");
    assert.equal(attrs["proxy_protocol_v2.enabled"], "false");
    assert.equal(attrs["slow_start.duration_seconds"], undefined);
    const udp = await create({ Name: "dns", Protocol: "UDP", Port: 53, HealthCheckPort: "53" });
    assert.equal((await attributesOf(udp.TargetGroupArn!))["deregistration_delay.connection_termination.enabled"], "true");
    const http = await create({ Name: "echo-http", Protocol: "TCP", Port: 7, HealthCheckProtocol: "HTTP" });
    assert.deepEqual([http.HealthCheckPath, http.Matcher, http.HealthCheckTimeoutSeconds], ["/", { HttpCode: "200-399" }, 6]);
  });

  test("the same name with the same settings returns the existing group; other settings are a duplicate", async () => {
    const first = await create({ Name: "same", HealthCheckPath: "/health" });
    const again = await create({ Name: "same", HealthCheckPath: "/health" });
    assert.equal(again.TargetGroupArn, first.TargetGroupArn);
    await refusedUnchanged(
      () => create({ Name: "same", HealthCheckPath: "/other" }),
      "DuplicateTargetGroupNameException",
      "A target group with the same name 'same' exists, but with different settings",
    );
  });

  test("bad input is refused with ELB's errors and makes nothing", async () => {
    const cases: [Partial<CreateTargetGroupInput> & { Name: string }, string, RegExp | string][] = [
      [{ Name: "a".repeat(33) }, "ValidationError", `Target group name '${"a".repeat(33)}' cannot be longer than '32' characters`],
      [{ Name: "bad_name" }, "ValidationError", /can only contain characters that are alphanumeric characters or hyphens/],
      [{ Name: "-web" }, "ValidationError", "Target group name '-web' cannot begin or end with '-'"],
      [{ Name: "fn", TargetType: "lambda" }, "InvalidConfigurationRequestException", /target type 'lambda'/],
      [{ Name: "np", Protocol: undefined }, "ValidationError", "A protocol must be specified"],
      [{ Name: "np", Port: undefined }, "ValidationError", "A port must be specified"],
      [{ Name: "np", VpcId: undefined }, "ValidationError", "A VPC ID must be specified"],
      [{ Name: "nv", VpcId: "vpc-0123456789abcdef0" }, "ValidationError", "The VPC ID 'vpc-0123456789abcdef0' is not found"],
      [
        { Name: "to", HealthCheckIntervalSeconds: 10, HealthCheckTimeoutSeconds: 10 },
        "ValidationError",
        /interval must be greater than the timeout/,
      ],
      [{ Name: "mt", Matcher: { HttpCode: "200-600" } }, "ValidationError", /matcher HTTP code '200-600'/],
      [{ Name: "mt", Matcher: { HttpCode: "ok" } }, "ValidationError", /matcher HTTP code 'ok'/],
      [{ Name: "tp", Protocol: "TCP", HealthCheckPath: "/" }, "ValidationError", /path can only be specified for HTTP and HTTPS/],
      [{ Name: "hp", HealthCheckProtocol: "TCP" }, "ValidationError", /Health check protocol 'TCP' is not supported/],
      [{ Name: "hc", HealthCheckPort: "70000" }, "ValidationError", /Health check port '70000'/],
      [{ Name: "off", HealthCheckEnabled: false }, "ValidationError", /cannot be disabled/],
      [{ Name: "v6", IpAddressType: "ipv6" }, "InvalidConfigurationRequestException", /IPv4 only/],
      [{ Name: "gn", Protocol: "GENEVE" }, "InvalidConfigurationRequestException", /GENEVE/],
      [{ Name: "g2", ProtocolVersion: "GRPC" }, "InvalidConfigurationRequestException", /GRPC/],
      [{ Name: "tv", Protocol: "TCP", ProtocolVersion: "HTTP1" }, "ValidationError", /protocol version can only be specified/],
      [
        {
          Name: "tags",
          Tags: [
            { Key: "k", Value: "1" },
            { Key: "k", Value: "2" },
          ],
        },
        "DuplicateTagKeysException",
        "Tag key 'k' is duplicated",
      ],
    ];
    for (const [input, code, message] of cases) await refusedUnchanged(() => create(input), code, message);
  });

  test("Describe by ARN, by name, by load balancer, and page by page with the SDK's paginator", async () => {
    const made = await Promise.all(["p-1", "p-2", "p-3", "p-4", "p-5"].map((Name) => create({ Name })));
    const [one, two] = made;
    const byArn = await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [two!.TargetGroupArn!, one!.TargetGroupArn!] }));
    assert.deepEqual(byArn.TargetGroups!.map((g) => g.TargetGroupName).sort(), ["p-1", "p-2"]);
    const byName = await elb.send(new DescribeTargetGroupsCommand({ Names: ["p-3"] }));
    assert.equal(byName.TargetGroups![0]!.TargetGroupArn, made[2]!.TargetGroupArn);

    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeTargetGroups({ client: elb }, { PageSize: 2 })) {
      pages++;
      names.push(...page.TargetGroups!.map((g) => g.TargetGroupName!));
    }
    const all = (await allGroups()).map((g) => g.TargetGroupName!);
    assert.deepEqual(names, all);
    assert.equal(pages, Math.ceil(all.length / 2));

    const lbArn = await createLoadBalancer(berth, { name: "pages" });
    const listener = await listenerForwardingTo(berth, [one!.TargetGroupArn!], { loadBalancerArn: lbArn });
    const ofLb = await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lbArn }));
    assert.deepEqual(
      ofLb.TargetGroups!.map((g) => [g.TargetGroupName, g.LoadBalancerArns]),
      [["p-1", [lbArn]]],
    );
    await listener.remove();
    assert.deepEqual((await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lbArn }))).TargetGroups, []);

    const missing = one!.TargetGroupArn!.replace(/[0-9a-f]{16}$/, "0000000000000000");
    await refused(elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [missing] })), "TargetGroupNotFoundException");
    await refused(elb.send(new DescribeTargetGroupsCommand({ Names: ["nope"] })), "TargetGroupNotFoundException");
    await refused(elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: ["arn:nope"] })), "ValidationError");
    await refused(elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: "nope" })), "ValidationError");
    await refused(
      elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lbArn.replace(/[0-9a-f]{16}$/, "0000000000000000") })),
      "LoadBalancerNotFoundException",
    );
    await refused(
      elb.send(new DescribeTargetGroupsCommand({ Names: ["p-1"], TargetGroupArns: [one!.TargetGroupArn!] })),
      "ValidationError",
    );
  });

  test("ModifyTargetGroup changes the health check, checked as at creation", async () => {
    const tg = await create({ Name: "mod", Protocol: "TCP", Port: 8080 });
    const arn = tg.TargetGroupArn!;
    const modified = (
      await elb.send(
        new ModifyTargetGroupCommand({
          TargetGroupArn: arn,
          HealthCheckProtocol: "HTTP",
          HealthCheckPath: "/ping",
          HealthyThresholdCount: 3,
        }),
      )
    ).TargetGroups![0]!;
    assert.deepEqual(
      [
        modified.HealthCheckProtocol,
        modified.HealthCheckPath,
        modified.Matcher,
        modified.HealthyThresholdCount,
        modified.HealthCheckTimeoutSeconds,
      ],
      ["HTTP", "/ping", { HttpCode: "200-399" }, 3, 6],
    );
    const back = (await elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: arn, HealthCheckProtocol: "TCP" }))).TargetGroups![0]!;
    assert.deepEqual(
      [back.HealthCheckPath, back.Matcher, back.HealthCheckTimeoutSeconds, back.HealthyThresholdCount],
      [undefined, undefined, 10, 3],
    );
    await refusedUnchanged(
      () => elb.send(new ModifyTargetGroupCommand({ TargetGroupArn: arn, HealthCheckTimeoutSeconds: 40 })),
      "ValidationError",
      /interval must be greater than the timeout/,
    );
    await refusedUnchanged(
      () =>
        elb.send(
          new ModifyTargetGroupCommand({ TargetGroupArn: arn.replace(/[0-9a-f]{16}$/, "0000000000000000"), HealthyThresholdCount: 3 }),
        ),
      "TargetGroupNotFoundException",
    );
  });

  test("DeleteTargetGroup is refused while a listener forwards to the group, and succeeds again once gone", async () => {
    const tg = await create({ Name: "del" });
    const arn = tg.TargetGroupArn!;
    const listener = await listenerForwardingTo(berth, [arn]);
    const described = await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] }));
    assert.deepEqual(described.TargetGroups![0]!.LoadBalancerArns, [listener.loadBalancerArn]);
    await refusedUnchanged(
      () => elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn })),
      "ResourceInUseException",
      `Target group '${arn}' is currently in use by a listener or a rule`,
    );
    await listener.remove();
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }));
    await refused(elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] })), "TargetGroupNotFoundException");
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }));
    await refused(elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: "not-an-arn" })), "ValidationError");
  });

  test("attributes change as asked, within ELB's ranges; bad keys and values change nothing", async () => {
    const arn = (await create({ Name: "attrs" })).TargetGroupArn!;
    const changed = await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: [
          { Key: "deregistration_delay.timeout_seconds", Value: "0" },
          { Key: "slow_start.duration_seconds", Value: "30" },
          { Key: "stickiness.enabled", Value: "true" },
        ],
      }),
    );
    const asMap = Object.fromEntries(changed.Attributes!.map((a) => [a.Key, a.Value]));
    assert.equal(asMap["deregistration_delay.timeout_seconds"], "0");
    assert.deepEqual(await attributesOf(arn), asMap);
    const before = await attributesOf(arn);
    const bad: [string, string, string, RegExp | string][] = [
      ["no.such.key", "1", "ValidationError", "Target group attribute key 'no.such.key' is not recognized"],
      ["proxy_protocol_v2.enabled", "true", "InvalidConfigurationRequestException", "The provided target group attribute is not supported"],
      ["deregistration_delay.timeout_seconds", "3601", "ValidationError", /from 0 to 3600/],
      ["slow_start.duration_seconds", "10", "ValidationError", /from 30 to 900/],
      ["stickiness.lb_cookie.duration_seconds", "0", "ValidationError", /from 1 to 604800/],
      ["stickiness.enabled", "yes", "ValidationError", /'true' or 'false'/],
      ["stickiness.type", "source_ip", "ValidationError", /'lb_cookie', 'app_cookie'/],
      ["stickiness.type", "app_cookie", "InvalidConfigurationRequestException", /cookie name must be specified/],
      ["stickiness.app_cookie.cookie_name", "AWSALBAPP-1", "ValidationError", /reserved/],
    ];
    for (const [Key, Value, code, message] of bad) {
      await refused(elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key, Value }] })), code, message);
      assert.deepEqual(await attributesOf(arn), before);
    }
    await refused(
      elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: arn.replace(/[0-9a-f]{16}$/, "0000000000000000") })),
      "TargetGroupNotFoundException",
    );
  });
});
