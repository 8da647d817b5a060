// The redirect's nftables script, and the security-group table's way in for redirected traffic:
// what each says, and that nft takes them (checked, never applied, where nft is at hand).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { redirectTable, renderRedirect } from "../../src/agent/task-endpoint/index.js";
import { renderPolicy } from "../../src/agent/firewall/render.js";
import { findNft, Nft } from "../../src/agent/firewall/nft.js";

const nftBinary = findNft();

describe("task endpoint redirect", () => {
  const script = renderRedirect({ table: "berth_tmds_0badcafe", port: 40123, sources: ["10.9.0.7", "10.9.0.5"], comment: 'pid "1"' });

  test("one table replaced whole: own containers' sources first, the bridges, the host's own traffic, and the drop", () => {
    const lines = script.split("\n").map((l) => l.trim());
    assert.deepEqual(lines.slice(0, 3), [
      "add table ip berth_tmds_0badcafe",
      "delete table ip berth_tmds_0badcafe",
      "table ip berth_tmds_0badcafe {",
    ]);
    assert.ok(lines.includes("set tasks { type ipv4_addr; elements = { 10.9.0.5, 10.9.0.7 } }"));
    assert.ok(lines.includes("type nat hook prerouting priority dstnat - 1; policy accept;"));
    assert.ok(lines.includes("ip saddr @tasks ip daddr 169.254.170.2 tcp dport 80 dnat to 127.0.0.1:40123"));
    assert.ok(lines.includes('iifname "docker0" ip daddr 169.254.170.2 tcp dport 80 dnat to 127.0.0.1:40123'));
    assert.ok(lines.includes('iifname "bv-*" ip daddr 169.254.170.2 tcp dport 80 dnat to 127.0.0.1:40123'));
    assert.ok(lines.includes("type nat hook output priority -100; policy accept;"));
    assert.ok(lines.includes('iifname != "lo" ip daddr 127.0.0.0/8 tcp dport 40123 ct status dnat accept'));
    assert.ok(lines.includes('iifname != "lo" ip daddr 127.0.0.0/8 tcp dport 40123 drop'));
    assert.ok(lines.includes('comment "pid 1"'), "quotes cannot break out of the comment");
    assert.equal(renderRedirect({ table: "t", port: 1, sources: [], comment: "" }).includes("elements"), false);
  });

  test("this agent's own containers (awsvpc and bridge addresses) are matched before every berth's catch-all", () => {
    const own = renderRedirect({ table: "t", port: 40123, sources: ["172.17.0.3", "10.9.0.5"], comment: "" });
    const chain = (name: string) => own.slice(own.indexOf(`chain ${name} {`), own.indexOf("}", own.indexOf(`chain ${name} {`)));
    const priority = (name: string) => /priority ([^;]+);/.exec(chain(name))![1];
    assert.ok(own.includes("set tasks { type ipv4_addr; elements = { 10.9.0.5, 172.17.0.3 } }"));
    // dstnat is -100: the sources chain (-101) runs before the catch-all (-100) of any berth's table.
    assert.equal(priority("tasks_prerouting"), "dstnat - 1");
    assert.equal(priority("prerouting"), "dstnat");
    assert.match(chain("tasks_prerouting"), /ip saddr @tasks ip daddr 169\.254\.170\.2 tcp dport 80 dnat to 127\.0\.0\.1:40123/);
    assert.doesNotMatch(chain("prerouting"), /@tasks/, "the catch-all matches by interface, whatever the address");
    assert.equal(own.match(/dnat to/g)!.length, 4, "sources, docker0, bv-*, the host's own");
  });

  test("the table is named after the data dir: one per berth, the same across its runs", () => {
    assert.match(redirectTable("/var/lib/berth/agent"), /^berth_tmds_[0-9a-f]{8}$/);
    assert.equal(redirectTable("/a"), redirectTable("/a"));
    assert.notEqual(redirectTable("/a"), redirectTable("/b"));
  });

  test("security groups let the redirected traffic in: its original destination is the exempt endpoint", () => {
    const policy = renderPolicy(
      {
        vpcs: [{ vpcId: "vpc-1", cidr: "10.9.0.0/16", gateway: "10.9.0.1", bridge: "bv-1", others: [] }],
        interfaces: [],
        groups: [],
        members: {},
      },
      { table: "berth_0000abcd", comment: "x", exempt: ["169.254.170.2"] },
    );
    const fromBridge = policy.slice(policy.indexOf("chain from_bridge"), policy.indexOf("chain to_loopback"));
    assert.ok(fromBridge.indexOf("ct status dnat ct original ip daddr @exempt accept") < fromBridge.indexOf("ip saddr vmap @egress"));
  });

  test("nft takes the script", { skip: nftBinary ? false : "no nft on this host" }, async () => {
    await new Nft(nftBinary!).check(script);
  });
});
