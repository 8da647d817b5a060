// The data plane's controller on a real store and a real HAProxy: no proxy until the first load
// balancer, the configuration following the documents, health on the board, drained targets
// removed from their group, the load balancer's name in a hosts file and its interface
// address on lo, and everything gone with the last load balancer.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { listenerArn, loadBalancerArn, ruleArn, targetGroupArn } from "../../src/domain/elbv2/arns.js";
import { healthKey, TargetHealthBoard } from "../../src/domain/elbv2/target-health.js";
import { DataPlaneController } from "../../src/dataplane/controller.js";
import { ecsState } from "../../src/state/ecs-state.js";
import type { StoredListener, StoredLoadBalancer, StoredRule, StoredTargetGroup } from "../../src/state/elbv2-state.js";
import { openSqliteStore } from "../../src/state/sqlite/sqlite-store.js";
import { silentLog } from "../support/log.js";
import { waitFor } from "../support/wait.js";
import { addressBlock, get, httpTarget, tempDir } from "./support.js";

const scope = { accountId: "123456789012", region: "us-east-1" };

describe("data plane controller", () => {
  const at = addressBlock();
  const dataDir = tempDir("controller");
  const hostsFile = join(dataDir, "hosts");
  writeFileSync(hostsFile, "127.0.0.1 localhost\n");
  const store = openSqliteStore(join(dataDir, "berth.sqlite"));
  const state = ecsState(store).elbv2;
  const health = new TargetHealthBoard();
  const newController = () =>
    new DataPlaneController({
      state,
      scopes: () => store.scopes(),
      health,
      dataDir,
      log: silentLog,
      hostsFile,
      loopback: true,
    });
  let controller = newController();
  const targets: Awaited<ReturnType<typeof httpTarget>>[] = [];
  after(async () => {
    await controller.stop();
    for (const t of targets) await t.close();
    await store.close();
  });

  const [lbId, tgId, listenerId, ruleId] = ["1111111111111111", "2222222222222222", "3333333333333333", "4444444444444444"];
  const lbArn = loadBalancerArn(scope, "app", "web", lbId);
  const tgArn = targetGroupArn(scope, "web", tgId);
  const lArn = listenerArn(lbArn, listenerId);
  const dnsName = `internal-web-${at(1).replace(/\./g, "")}.us-east-1.elb.amazonaws.com`;
  const lb: StoredLoadBalancer = {
    loadBalancer: { LoadBalancerArn: lbArn, LoadBalancerName: "web", DNSName: dnsName, Type: "application", State: { Code: "active" } },
    attributes: [{ Key: "idle_timeout.timeout_seconds", Value: "60" }],
    tags: [],
    interfaces: [
      {
        networkInterfaceId: "eni-1",
        subnetId: "subnet-1",
        availabilityZone: "us-east-1a",
        privateIpAddress: at(2),
        macAddress: "02:00:00:00:00:01",
      },
    ],
    loopbackAddress: at(1),
    createdAt: 1,
  };
  const group: StoredTargetGroup = {
    targetGroup: {
      TargetGroupArn: tgArn,
      TargetGroupName: "web",
      Protocol: "HTTP",
      Port: 8080,
      TargetType: "ip",
      HealthCheckPath: "/health",
      HealthCheckIntervalSeconds: 1,
      HealthCheckTimeoutSeconds: 1,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: "200" },
    },
    attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "1" }],
    tags: [],
    targets: [{ id: at(10), port: 8080, address: at(10), availabilityZone: "us-east-1a", registeredAt: 1 }],
    createdAt: 1,
  };
  const listener: StoredListener = {
    listener: {
      ListenerArn: lArn,
      LoadBalancerArn: lbArn,
      Port: 8000,
      Protocol: "HTTP",
      DefaultActions: [{ Type: "forward", TargetGroupArn: tgArn }],
    },
    tags: [],
    createdAt: 1,
  };
  const rule: StoredRule = {
    rule: {
      RuleArn: ruleArn(lArn, ruleId),
      Priority: "default",
      IsDefault: true,
      Conditions: [],
      Actions: [{ Type: "forward", TargetGroupArn: tgArn }],
    },
    listenerArn: lArn,
    tags: [],
    createdAt: 1,
  };
  const onLo = () => execFileSync("ip", ["-o", "-4", "addr", "show", "dev", "lo"], { encoding: "utf8" }).includes(`${at(2)}/32`);

  test("no proxy runs while there is no load balancer", async () => {
    await controller.start();
    assert.equal(existsSync(join(dataDir, "haproxy", "haproxy.pid")), false);
  });

  test("a load balancer is served, named in the hosts file, and its target's health reaches the board", async () => {
    targets.push(await httpTarget(at(10), 8080, "web"));
    await state.transact((tx) => {
      tx.put(state.targetGroups, scope, tgId, group);
      tx.put(state.loadBalancers, scope, lbId, lb);
      tx.put(state.listeners, scope, listenerId, listener);
      tx.put(state.rules, scope, ruleId, rule);
    });
    await controller.settled();
    await waitFor(() => health.get(healthKey(tgId, at(10), 8080))?.status === "healthy", { message: "healthy on the board" });
    assert.equal((await get(`http://${at(1)}:8000/hello`)).body, "web /hello");
    assert.match(
      readFileSync(hostsFile, "utf8"),
      new RegExp(`^127\\.0\\.0\\.1 localhost\\n# berth ${dataDir} begin\\n${at(1)} ${dnsName}\\n# berth ${dataDir} end\\n$`),
    );
    assert.ok(onLo(), "the interface address is on lo");
  });

  test("a closed controller leaves the proxy serving; the next one adopts it", async () => {
    const pid = readFileSync(join(dataDir, "haproxy", "haproxy.pid"), "utf8");
    await controller.close();
    assert.equal((await get(`http://${at(1)}:8000/while-down`)).body, "web /while-down");
    controller = newController();
    await controller.start();
    assert.equal(readFileSync(join(dataDir, "haproxy", "haproxy.pid"), "utf8"), pid, "the same HAProxy");
    assert.equal((await get(`http://${at(1)}:8000/after`)).body, "web /after");
    await waitFor(() => health.get(healthKey(tgId, at(10), 8080))?.status !== undefined, { message: "reported again" });
  });

  test("a deregistered target drains, then leaves its group's document and the board", async () => {
    const now = Date.now();
    await state.targetGroups.write(scope, tgId, (g) => ({
      ...g!,
      targets: g!.targets.map((t) => ({ ...t, draining: { since: now, until: now + 1_000 } })),
    }));
    await waitFor(async () => (await state.targetGroups.get(scope, tgId))?.targets.length === 0, {
      message: "drained target removed",
      timeoutMs: 5_000,
    });
    await controller.settled();
    await waitFor(() => health.get(healthKey(tgId, at(10), 8080)) === undefined, { message: "off the board" });
  });

  test("with the last load balancer gone, the proxy stops, the name and the address go", async () => {
    await state.transact((tx) => {
      tx.remove(state.rules, scope, ruleId);
      tx.remove(state.listeners, scope, listenerId);
      tx.remove(state.loadBalancers, scope, lbId);
    });
    await controller.settled();
    assert.equal(existsSync(join(dataDir, "haproxy", "haproxy.pid")), false);
    assert.equal(readFileSync(hostsFile, "utf8"), "127.0.0.1 localhost\n");
    assert.equal(onLo(), false);
    await assert.rejects(get(`http://${at(1)}:8000/`));
  });
});
