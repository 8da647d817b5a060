// The address space hosts already use, which a new VPC's CIDR must not overlap: CIDR arithmetic,
// and what agents report (their Docker networks' pools and their hosts' routes).
import assert from "node:assert/strict";
import { test } from "node:test";
import { cidrsOverlap, parseCidr, parseRouteTable } from "../../src/ipv4-cidr.js";
import { hostRoutes } from "../../src/runtime/host-routes.js";
import { OccupiedPools } from "../../src/services/ecs/agent-channel/occupied-pools.js";

test("parseCidr: a range of unsigned 32-bit numbers, host bits ignored; anything else is undefined", () => {
  assert.deepEqual(parseCidr("10.211.3.0/24"), { first: 0x0ad30300, last: 0x0ad303ff });
  assert.deepEqual(parseCidr("10.211.3.77/24"), { first: 0x0ad30300, last: 0x0ad303ff });
  assert.deepEqual(parseCidr("255.255.255.255/32"), { first: 0xffffffff, last: 0xffffffff });
  assert.deepEqual(parseCidr("0.0.0.0/0"), { first: 0, last: 0xffffffff });
  for (const bad of ["", "10.211.3.0", "10.211.3.0/33", "10.256.0.0/16", "fd00::/64", "10.211.3/24", " 10.0.0.0/8"]) {
    assert.equal(parseCidr(bad), undefined, bad);
  }
});

test("cidrsOverlap: shared addresses, either way round; non-CIDRs overlap nothing", () => {
  assert.equal(cidrsOverlap("10.211.0.0/24", "10.211.0.0/24"), true);
  assert.equal(cidrsOverlap("10.211.0.0/16", "10.211.7.0/24"), true);
  assert.equal(cidrsOverlap("10.211.7.0/24", "10.211.0.0/16"), true);
  assert.equal(cidrsOverlap("10.211.7.128/25", "10.211.7.0/24"), true);
  assert.equal(cidrsOverlap("10.211.6.0/24", "10.211.7.0/24"), false);
  assert.equal(cidrsOverlap("10.211.7.0/25", "10.211.7.128/25"), false);
  assert.equal(cidrsOverlap("172.17.0.0/16", "10.211.0.0/24"), false);
  assert.equal(cidrsOverlap("fd00::/8", "10.211.0.0/24"), false);
});

test("OccupiedPools: each host's last report replaces its one before; all() is every host's, of any scope", () => {
  const pools = new OccupiedPools();
  const east = { accountId: "123456789012", region: "us-east-1" };
  const west = { accountId: "123456789012", region: "us-west-2" };
  assert.deepEqual(pools.all(), []);
  pools.set(east, "h1", ["10.211.0.0/24", "172.17.0.0/16"]);
  pools.set(west, "h1", ["10.211.0.0/24", "10.211.9.0/24"]);
  assert.deepEqual(pools.all().sort(), ["10.211.0.0/24", "10.211.9.0/24", "172.17.0.0/16"]);
  pools.set(east, "h1", ["10.211.3.0/24"]);
  assert.deepEqual(pools.all().sort(), ["10.211.0.0/24", "10.211.3.0/24", "10.211.9.0/24"]);
  // An agent's report is checked at the edge: what is no IPv4 CIDR is dropped.
  pools.set(west, "h1", ["10.211.4.0/24", "fd00::/64", 42, "nonsense"]);
  pools.set(east, "h1", "not a list");
  assert.deepEqual(pools.all(), ["10.211.4.0/24"]);
});

test("parseRouteTable: Linux's little-endian routes as CIDRs with their interface, the default route and junk left out", () => {
  const table = [
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
    "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
    "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0",
    "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
    "wg0\t0000080A\t00000000\t0001\t0\t0\t0\t00F0FFFF\t0\t0\t0",
    "tun0\t0100000A\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0",
    "odd\t0000000A\t00000000\t0001\t0\t0\t0\t00FF00FF\t0\t0\t0",
    "short line",
    "",
  ].join("\n");
  assert.deepEqual(parseRouteTable(table), [
    { iface: "docker0", cidr: "172.17.0.0/16" },
    { iface: "eth0", cidr: "192.0.2.0/24" },
    { iface: "wg0", cidr: "10.8.0.0/20" },
    { iface: "tun0", cidr: "10.0.0.1/32" },
  ]);
});

test("hostRoutes: this host's table read, or none where there is none", () => {
  assert.deepEqual(hostRoutes("/nonexistent/route"), []);
  for (const r of hostRoutes()) assert.ok(parseCidr(r.cidr) && r.iface, JSON.stringify(r));
});
