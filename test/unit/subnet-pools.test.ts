// Choosing a new subnet's address pool: the lowest 10.211.n.0/24 that overlaps neither the pools
// planned before it nor those Docker networks hold on the hosts (as their agents report them).
import assert from "node:assert/strict";
import { test } from "node:test";
import { cidrsOverlap, parseCidr } from "../../src/ipv4-cidr.js";
import { planSubnet } from "../../src/domain/task/network.js";
import { OccupiedPools } from "../../src/services/ecs/agent-channel/occupied-pools.js";
import { mulberry32 } from "../support/random.js";

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

test("planSubnet: with nothing taken, the first subnet gets 10.211.0.0/24, as before", () => {
  assert.deepEqual(planSubnet("subnet-abc", []), { networkName: "berth-subnet-abc", cidr: "10.211.0.0/24", gateway: "10.211.0.1" });
});

test("planSubnet: the n-th subnet of a region gets 10.211.n.0/24 while no host network is in the way", () => {
  const planned: string[] = [];
  for (let n = 0; n < 5; n++) planned.push(planSubnet(`subnet-${n}`, planned).cidr);
  assert.deepEqual(planned, ["10.211.0.0/24", "10.211.1.0/24", "10.211.2.0/24", "10.211.3.0/24", "10.211.4.0/24"]);
});

test("planSubnet: pools held on hosts are skipped, however they are cut", () => {
  // A leftover of another berth on 10.211.0.0/24, a foreign /23 over pools 2 and 3, and a /26 inside pool 5.
  const taken = ["10.211.0.0/24", "10.211.1.0/24", "10.211.2.0/23", "172.17.0.0/16", "10.211.4.0/24", "10.211.5.64/26"];
  assert.deepEqual(planSubnet("subnet-x", taken), { networkName: "berth-subnet-x", cidr: "10.211.6.0/24", gateway: "10.211.6.1" });
  assert.equal(planSubnet("subnet-x", ["10.211.1.0/24"]).cidr, "10.211.0.0/24", "a gap below is used");
});

test("planSubnet: nothing left in 10.211.0.0/16 is InvalidParameterException", () => {
  assert.throws(() => planSubnet("subnet-x", ["10.0.0.0/8"]), {
    name: "InvalidParameterException",
    message: /at most 256 distinct subnets/,
  });
  const all = Array.from({ length: 256 }, (_, n) => `10.211.${n}.0/24`);
  assert.throws(() => planSubnet("subnet-x", all), { name: "InvalidParameterException" });
  const allButLast = all.slice(0, 255);
  assert.equal(planSubnet("subnet-x", allButLast).cidr, "10.211.255.0/24");
});

test("planSubnet: random taken pools; the choice overlaps none of them and is the lowest that does not", () => {
  const next = mulberry32(7);
  const random = (n: number) => Math.floor(next() * n);
  for (let round = 0; round < 300; round++) {
    const taken = Array.from({ length: random(12) }, () => {
      const bits = 20 + random(9);
      return `10.211.${random(256)}.${random(256)}/${bits}`;
    });
    let chosen: string | undefined;
    try {
      chosen = planSubnet("subnet-r", taken).cidr;
    } catch {
      chosen = undefined;
    }
    const free = Array.from({ length: 256 }, (_, n) => `10.211.${n}.0/24`).filter((p) => !taken.some((t) => cidrsOverlap(t, p)));
    assert.equal(chosen, free[0], JSON.stringify(taken));
  }
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
