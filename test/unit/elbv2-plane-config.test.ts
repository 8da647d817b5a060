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
import { matcherRegex, renderConfig, sourceFor } from "../../src/dataplane/haproxy/render.js";
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
