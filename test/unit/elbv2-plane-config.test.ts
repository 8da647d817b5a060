// The data plane's configuration from ELBv2's documents, and its HAProxy rendering's pure
// parts: rule order, forwards and weights, drained targets, wildcards, matchers, sources,
// unsupported listeners, and the hosts file's block.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { listenerArn, loadBalancerArn, ruleArn, targetGroupArn } from "../../src/domain/elbv2/arns.js";
import { dataPlaneConfig } from "../../src/domain/elbv2/plane-config.js";
import { orderedRules } from "../../src/domain/elbv2/rule-order.js";
import type { StoredListener, StoredLoadBalancer, StoredRule, StoredTargetGroup } from "../../src/domain/elbv2/documents.js";
import { wildcardRegex } from "../../src/dataplane/haproxy/conditions.js";
import type { DataPlaneConfig, PlaneStickiness } from "../../src/domain/elbv2/data-plane.js";
import { groupToken, matcherRegex, renderConfig, sourceFor } from "../../src/dataplane/haproxy/render.js";
import { withBlock } from "../../src/dataplane/hosts-file.js";

const scope = { accountId: "123456789012", region: "us-east-1" };
const lbArn = loadBalancerArn(scope, "app", "web", "00000000000000a1");
const lArn = listenerArn(lbArn, "00000000000000b1");
const tg = (id: string): StoredTargetGroup => ({
  targetGroup: { TargetGroupArn: targetGroupArn(scope, `g${id}`, id), Protocol: "HTTP", Port: 80, TargetType: "ip" },
  attributes: [],
  tags: [],
  targets: [],
  createdAt: 1,
});
const lb = (code = "active"): StoredLoadBalancer => ({
  loadBalancer: { LoadBalancerArn: lbArn, Type: "application", State: { Code: code as "active" } },
  attributes: [{ Key: "idle_timeout.timeout_seconds", Value: "30" }],
  tags: [],
  interfaces: [
    { networkInterfaceId: "eni-a", subnetId: "s-a", availabilityZone: "us-east-1a", privateIpAddress: "172.31.0.5", macAddress: "" },
    { networkInterfaceId: "eni-b", subnetId: "s-b", availabilityZone: "us-east-1b", privateIpAddress: "172.31.16.5", macAddress: "" },
  ],
  loopbackAddress: "127.64.0.9",
  createdAt: 1,
});
const listener = (protocol = "HTTP"): StoredListener => ({
  listener: { ListenerArn: lArn, LoadBalancerArn: lbArn, Port: 80, Protocol: protocol as "HTTP" },
  tags: [],
  createdAt: 1,
});
const rule = (id: string, priority: string, actions: StoredRule["rule"]["Actions"]): StoredRule => ({
  rule: { RuleArn: ruleArn(lArn, id), Priority: priority, IsDefault: priority === "default", Conditions: [], Actions: actions },
  listenerArn: lArn,
  tags: [],
  createdAt: 1,
});
const forward = (id: string) => [{ Type: "forward" as const, TargetGroupArn: targetGroupArn(scope, `g${id}`, id) }];

describe("dataPlaneConfig", () => {
  test("rules by ascending priority, the default last; only groups in use", () => {
    const rules = [rule("r0", "default", forward("1")), rule("r1", "10", forward("2")), rule("r2", "2", forward("1"))];
    assert.deepEqual(
      orderedRules(rules).map((r) => r.rule.Priority),
      ["2", "10", "default"],
    );
    const config = dataPlaneConfig({ loadBalancers: [lb()], listeners: [listener()], rules, targetGroups: [tg("1"), tg("2"), tg("3")] }, 0);
    assert.deepEqual(
      config.loadBalancers[0]!.listeners[0]!.rules.map((r) => r.priority),
      [2, 10, "default"],
    );
    assert.deepEqual(
      config.targetGroups.map((g) => g.id),
      ["1", "2"],
    );
    assert.equal(config.loadBalancers[0]!.idleTimeoutSeconds, 30);
  });

  test("weighted forwards and stickiness come from ForwardConfig", () => {
    const weighted = rule("r0", "default", [
      {
        Type: "forward",
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: targetGroupArn(scope, "g1", "1"), Weight: 80 },
            { TargetGroupArn: targetGroupArn(scope, "g2", "2"), Weight: 20 },
          ],
          TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 },
        },
      },
    ]);
    const config = dataPlaneConfig(
      { loadBalancers: [lb()], listeners: [listener()], rules: [weighted], targetGroups: [tg("1"), tg("2")] },
      0,
    );
    assert.deepEqual(config.loadBalancers[0]!.listeners[0]!.rules[0]!.action, {
      type: "forward",
      targetGroups: [
        { id: "1", weight: 80 },
        { id: "2", weight: 20 },
      ],
      stickiness: { durationSeconds: 60 },
    });
  });

  test("a target group's stickiness by its type: lb_cookie, app_cookie, source_ip; none when disabled", () => {
    const withAttributes = (id: string, protocol: string, attributes: Record<string, string>): StoredTargetGroup => ({
      ...tg(id),
      targetGroup: { ...tg(id).targetGroup, Protocol: protocol as "HTTP" },
      attributes: Object.entries(attributes).map(([Key, Value]) => ({ Key, Value })),
    });
    const groups = [
      withAttributes("1", "HTTP", {
        "stickiness.enabled": "true",
        "stickiness.type": "lb_cookie",
        "stickiness.lb_cookie.duration_seconds": "60",
      }),
      withAttributes("2", "HTTP", {
        "stickiness.enabled": "true",
        "stickiness.type": "app_cookie",
        "stickiness.app_cookie.cookie_name": "SESSION",
        "stickiness.app_cookie.duration_seconds": "90",
      }),
      withAttributes("3", "TCP", { "stickiness.enabled": "true", "stickiness.type": "source_ip" }),
      withAttributes("4", "HTTP", {
        "stickiness.enabled": "false",
        "stickiness.type": "app_cookie",
        "stickiness.app_cookie.cookie_name": "S",
      }),
    ];
    const rules = groups.map((g, i) => rule(`r${i}`, i === 0 ? "default" : String(i), forward(String(i + 1))));
    const config = dataPlaneConfig({ loadBalancers: [lb()], listeners: [listener()], rules, targetGroups: groups }, 0);
    assert.deepEqual(
      config.targetGroups.map((g) => g.stickiness),
      [
        { type: "lb_cookie", durationSeconds: 60 },
        { type: "app_cookie", cookieName: "SESSION", durationSeconds: 90 },
        { type: "source_ip" },
        undefined,
      ],
    );
  });

  test("drained targets are left out, draining ones marked; load balancers being deleted are not served", () => {
    const group = {
      ...tg("1"),
      targets: [
        { id: "10.0.0.1", port: 80, address: "10.0.0.1", registeredAt: 1 },
        { id: "10.0.0.2", port: 80, address: "10.0.0.2", registeredAt: 1, draining: { since: 1, until: 100 } },
        { id: "10.0.0.3", port: 80, address: "10.0.0.3", registeredAt: 1, draining: { since: 1, until: 50 } },
      ],
    };
    const docs = { loadBalancers: [lb()], listeners: [listener()], rules: [rule("r0", "default", forward("1"))], targetGroups: [group] };
    const targets = dataPlaneConfig(docs, 50).targetGroups[0]!.targets;
    assert.deepEqual(
      targets.map((t) => [t.id, t.drainUntil]),
      [
        ["10.0.0.1", undefined],
        ["10.0.0.2", 100],
      ],
    );
    assert.deepEqual(dataPlaneConfig({ ...docs, loadBalancers: [lb("failed")] }, 0).loadBalancers, []);
  });
});

describe("HAProxy rendering", () => {
  test("wildcards, matchers and sources", () => {
    assert.equal(wildcardRegex("/api/*.json?"), "^\\/api\\/.*\\.json.$");
    assert.equal(matcherRegex("200-202,204"), "^(200|201|202|204)$");
    const config = dataPlaneConfig(
      { loadBalancers: [lb()], listeners: [listener()], rules: [rule("r0", "default", forward("1"))], targetGroups: [tg("1")] },
      0,
    );
    const plane = config.loadBalancers[0]!;
    assert.equal(sourceFor(plane, { id: "x", address: "x", port: 1, registeredAt: 0, zone: "us-east-1b" }), "172.31.16.5");
    assert.equal(sourceFor(plane, { id: "x", address: "x", port: 1, registeredAt: 0 }), "172.31.0.5");
  });

  const hc = { enabled: true, protocol: "HTTP" as const, port: "traffic-port" as const, intervalSeconds: 5, timeoutSeconds: 2 };
  const planeGroup = (id: string, stickiness?: PlaneStickiness, protocol: "HTTP" | "TCP" = "HTTP") => ({
    id,
    protocol,
    targetType: "ip" as const,
    ...(stickiness ? { stickiness } : {}),
    healthCheck: { ...hc, healthyThreshold: 2, unhealthyThreshold: 2 },
    deregistrationDelaySeconds: 0,
    slowStartSeconds: 0,
    targets: [{ id: "10.0.0.1", address: "10.0.0.1", port: 80, registeredAt: 0 }],
  });
  const oneListener = (
    protocol: "HTTP" | "TCP",
    action: DataPlaneConfig["loadBalancers"][0]["listeners"][0]["rules"][0]["action"],
    groups: ReturnType<typeof planeGroup>[],
  ): string => {
    const config: DataPlaneConfig = {
      loadBalancers: [
        {
          id: "lb",
          type: protocol === "HTTP" ? "application" : "network",
          address: "127.64.0.9",
          interfaces: [{ zone: "us-east-1a", address: "172.31.0.5" }],
          idleTimeoutSeconds: 60,
          listeners: [{ id: "l", port: 80, protocol, rules: [{ priority: "default", conditions: [], action }] }],
        },
      ],
      targetGroups: groups,
    };
    return renderConfig(config, { dir: "/tmp/x", hardStopAfterSeconds: 30, threads: 1 }).structure;
  };
  const backendOf = (structure: string, name: string) => structure.split(/\n(?=\S)/).find((s) => s.startsWith(`backend ${name}\n`)) ?? "";

  test("target group stickiness: its cookies pick a group of the rule, weight 0 included, and are set on its responses", () => {
    const sticky = oneListener(
      "HTTP",
      {
        type: "forward",
        targetGroups: [
          { id: "blue", weight: 0 },
          { id: "green", weight: 100 },
        ],
        stickiness: { durationSeconds: 300 },
      },
      [planeGroup("blue"), planeGroup("green")],
    );
    const blue = groupToken("blue");
    assert.notEqual(blue, groupToken("green"));
    assert.doesNotMatch(blue, /blue/, "the token does not show the id");
    for (const cookie of ["AWSALBTG", "AWSALBTGCORS"]) {
      assert.match(sticky, new RegExp(`set-var\\(txn.tg\\) int\\(0\\) if .* \\{ req.cook\\(${cookie}\\) -m str ${blue} \\}`));
    }
    const cookieLine = sticky.indexOf("req.cook(AWSALBTG)");
    const weightLine = sticky.indexOf("set-var(txn.tg) int(1) if { var(txn.rule) -m int 0 } !{ var(txn.tg) -m found }");
    assert.ok(cookieLine >= 0 && weightLine > cookieLine, "the cookie is read before the weights choose");
    assert.match(
      sticky,
      /use_backend b_lb_blue if \{ var\(txn.rule\) -m int 0 \} \{ var\(txn.tg\) -m int 0 \} \{ nbsrv\(b_lb_blue\) gt 0 \}/,
    );
    assert.match(sticky, /use_backend a_lb_blue if \{ var\(txn.rule\) -m int 0 \} \{ var\(txn.tg\) -m int 0 \}$/m);
    assert.match(
      sticky,
      new RegExp(
        `http-response add-header Set-Cookie "AWSALBTG=${blue}; Expires=%\\[date\\(300\\),http_date\\]; Path=/" if .* \\{ var\\(txn.tg\\) -m int 0 \\}`,
      ),
    );
    assert.match(
      sticky,
      new RegExp(`"AWSALBTGCORS=${groupToken("green")}; Expires=%\\[date\\(300\\),http_date\\]; Path=/; SameSite=None; Secure"`),
    );

    const plain = oneListener(
      "HTTP",
      {
        type: "forward",
        targetGroups: [
          { id: "blue", weight: 0 },
          { id: "green", weight: 100 },
        ],
      },
      [planeGroup("blue"), planeGroup("green")],
    );
    assert.doesNotMatch(plain, /AWSALBTG|http-response/, "no stickiness: no cookie");
    assert.doesNotMatch(plain, /use_backend [ab]_lb_blue/, "no stickiness: a group of weight 0 takes nothing");
  });

  test("group stickiness by type: AWSALB cookie, a table on the application's cookie, a table on the source address", () => {
    const forwardTo = (id: string) => ({ type: "forward" as const, targetGroups: [{ id, weight: 1 }] });
    const lbCookie = oneListener("HTTP", forwardTo("g"), [planeGroup("g", { type: "lb_cookie", durationSeconds: 60 })]);
    assert.match(backendOf(lbCookie, "b_lb_g"), /^ {2}cookie AWSALB insert indirect nocache maxlife 60s$/m);
    assert.match(backendOf(lbCookie, "b_lb_g"), /^ {2}# sticky servers: s_10\.0\.0\.1_80$/m);

    const name = "s#id'$x";
    const app = oneListener("HTTP", forwardTo("g"), [planeGroup("g", { type: "app_cookie", cookieName: name, durationSeconds: 90 })]);
    for (const backend of ["b_lb_g", "a_lb_g"]) {
      const text = backendOf(app, backend);
      assert.match(text, /^ {2}stick-table type string len 256 size 100k expire 90s$/m, backend);
      assert.ok(text.includes(`  stick match "req.cook(s#id\\\\'\\$x)"`), text);
      assert.ok(text.includes(`  stick store-request "req.cook(s#id\\\\'\\$x)"`), text);
      assert.ok(text.includes(`  stick store-response "res.cook(s#id\\\\'\\$x)"`), text);
      assert.doesNotMatch(text, /cookie AWSALB|sticky servers/, "targets change at run time");
    }

    const tcp = oneListener("TCP", forwardTo("t"), [planeGroup("t", { type: "source_ip" }, "TCP")]);
    assert.match(backendOf(tcp, "b_lb_t"), /^ {2}stick-table type ip size 100k expire 24h\n {2}stick on src$/m);
    assert.match(backendOf(tcp, "a_lb_t"), /^ {2}stick on src$/m);
    assert.doesNotMatch(tcp, /AWSALBTG/);

    const none = oneListener("HTTP", forwardTo("g"), [planeGroup("g")]);
    assert.doesNotMatch(none, /stick|cookie/);
  });

  test("UDP listeners are reported as not served, not silently dropped", () => {
    const config = dataPlaneConfig(
      { loadBalancers: [lb()], listeners: [listener("UDP")], rules: [rule("r0", "default", forward("1"))], targetGroups: [tg("1")] },
      0,
    );
    const rendered = renderConfig(config, { dir: "/tmp/x", hardStopAfterSeconds: 30, threads: 3 });
    assert.deepEqual(rendered.unsupported, ["00000000000000a1:80/UDP"]);
    assert.doesNotMatch(rendered.structure, /frontend/);
    assert.match(rendered.structure, /^ {2}nbthread 3$/m, "the threads it is given");
  });
});

describe("hosts file block", () => {
  test("written, replaced and removed, other lines and blocks untouched", () => {
    const base = "127.0.0.1 localhost\n# berth /other begin\n127.64.0.2 b.example\n# berth /other end\n";
    const one = withBlock(base, "/d", [{ address: "127.64.0.1", name: "a.example" }]);
    assert.equal(one, `${base}# berth /d begin\n127.64.0.1 a.example\n# berth /d end\n`);
    const two = withBlock(one, "/d", [{ address: "127.64.0.3", name: "c.example" }]);
    assert.equal(two, `${base}# berth /d begin\n127.64.0.3 c.example\n# berth /d end\n`);
    assert.equal(withBlock(two, "/d", []), base);
  });
});
