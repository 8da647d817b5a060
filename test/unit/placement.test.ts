// Task placement: each filter and strategy on small tables, then invariants over random
// clusters checked against a naive re-implementation, then a throughput sanity check.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  FailureReason,
  type InstanceView,
  PlacementError,
  type PlacementRequest,
  QueryError,
  type TaskNeeds,
  checkInstance,
  matches,
  parseExpression,
  place,
} from "../../src/scheduler/placement/index.js";
import { mulberry32 } from "../support/random.js";

const AZ = "ecs.availability-zone";

function instance(id: string, overrides: Partial<InstanceView> = {}): InstanceView {
  return {
    arn: `arn:aws:ecs:us-east-1:123456789012:container-instance/default/${id}`,
    ec2InstanceId: `i-${id}`,
    status: "ACTIVE",
    agentConnected: true,
    registeredAt: new Date("2024-01-01T00:00:00Z"),
    attributes: { [AZ]: "us-east-1a", "ecs.instance-type": "t3.large", "ecs.os-type": "linux" },
    remaining: { cpu: 2048, memory: 4096, ports: [22, 2375, 2376, 51678, 51679], portsUdp: [] },
    tasks: [],
    ...overrides,
  };
}

function needs(overrides: Partial<TaskNeeds> = {}): TaskNeeds {
  return { cpu: 256, memory: 512, hostPorts: [], requiresAttributes: [], group: "family:web", family: "web", ...overrides };
}

function request(overrides: Partial<PlacementRequest> = {}, need: Partial<TaskNeeds> = {}): PlacementRequest {
  return { count: 1, needs: needs(need), strategy: [], constraints: [], ...overrides };
}

const firstTie = () => 0;
const ids = (arns: readonly string[]) => arns.map((arn) => arn.slice(arn.lastIndexOf("/") + 1));
const reasons = (failures: readonly { arn: string; reason: string }[]) =>
  Object.fromEntries(failures.map((f) => [f.arn.slice(f.arn.lastIndexOf("/") + 1), f.reason]));

describe("placement: filters", () => {
  test("a disconnected agent is AGENT", () => {
    const result = place([instance("a", { agentConnected: false })], request(), firstTie);
    assert.deepEqual(result.placements, []);
    assert.deepEqual(result.failures, [{ arn: instance("a").arn, reason: "AGENT" }]);
  });

  test("requiresAttributes: present, and equal when a value is given, else ATTRIBUTE", () => {
    const cap = "com.amazonaws.ecs.capability.docker-remote-api.1.18";
    const cluster = [
      instance("none"),
      instance("cap", { attributes: { [cap]: undefined } }),
      instance("arm", { attributes: { [cap]: undefined, "ecs.cpu-architecture": "arm64" } }),
      instance("x86", { attributes: { [cap]: undefined, "ecs.cpu-architecture": "x86_64" } }),
    ];
    const onlyCap = place(cluster, request({ count: 4 }, { requiresAttributes: [{ name: cap }], cpu: 2048 }), firstTie);
    assert.deepEqual(ids(onlyCap.placements).sort(), ["arm", "cap", "x86"]);
    assert.equal(reasons(onlyCap.failures).none, "ATTRIBUTE");
    const x86 = place(
      cluster,
      request({ count: 2 }, { requiresAttributes: [{ name: cap }, { name: "ecs.cpu-architecture", value: "x86_64" }] }),
      firstTie,
    );
    assert.deepEqual(ids(x86.placements), ["x86", "x86"]);
    assert.deepEqual(reasons(x86.failures), {});
  });

  test("CPU, then memory, then TCP ports, then UDP ports", () => {
    const cluster = [
      instance("cpu", { remaining: { cpu: 100, memory: 100, ports: [80], portsUdp: [53] } }),
      instance("mem", { remaining: { cpu: 1000, memory: 100, ports: [80], portsUdp: [53] } }),
      instance("tcp", { remaining: { cpu: 1000, memory: 1000, ports: [80], portsUdp: [53] } }),
      instance("udp", { remaining: { cpu: 1000, memory: 1000, ports: [53], portsUdp: [53] } }),
    ];
    const ports = [
      { port: 80, protocol: "tcp" as const },
      { port: 53, protocol: "udp" as const },
    ];
    const result = place(cluster, request({}, { cpu: 512, memory: 512, hostPorts: ports }), firstTie);
    assert.deepEqual(reasons(result.failures), {
      cpu: "RESOURCE:CPU",
      mem: "RESOURCE:MEMORY",
      tcp: "RESOURCE:PORTS",
      udp: "RESOURCE:PORTS_UDP",
    });
  });

  test("a TCP port in use does not block the same UDP port", () => {
    const cluster = [instance("a", { remaining: { cpu: 1000, memory: 1000, ports: [53], portsUdp: [] } })];
    const result = place(cluster, request({}, { hostPorts: [{ port: 53, protocol: "udp" }] }), firstTie);
    assert.deepEqual(ids(result.placements), ["a"]);
  });

  test("each placed task consumes CPU, memory and ports before the next is placed", () => {
    const byCpu = place(
      [instance("a", { remaining: { cpu: 1000, memory: 10_000, ports: [], portsUdp: [] } })],
      request({ count: 5 }, { cpu: 300 }),
      firstTie,
    );
    assert.equal(byCpu.placements.length, 3);
    assert.deepEqual(reasons(byCpu.failures), { a: "RESOURCE:CPU" });
    const byMemory = place(
      [instance("a", { remaining: { cpu: 10_000, memory: 1000, ports: [], portsUdp: [] } })],
      request({ count: 5 }, { memory: 500 }),
      firstTie,
    );
    assert.equal(byMemory.placements.length, 2);
    assert.deepEqual(reasons(byMemory.failures), { a: "RESOURCE:MEMORY" });
    const byPort = place([instance("a"), instance("b")], request({ count: 3 }, { hostPorts: [{ port: 8080, protocol: "tcp" }] }), firstTie);
    assert.deepEqual(ids(byPort.placements).sort(), ["a", "b"]);
    assert.deepEqual(reasons(byPort.failures), { a: "RESOURCE:PORTS", b: "RESOURCE:PORTS" });
  });

  test("a task that reserves nothing fits on a full instance", () => {
    const full = instance("a", { remaining: { cpu: 0, memory: 0, ports: [], portsUdp: [] } });
    assert.equal(place([full], request({ count: 3 }, { cpu: 0, memory: 0 }), firstTie).placements.length, 3);
  });

  test("memberOf rules instances out with the ECS constraint message", () => {
    const cluster = [
      instance("t2", { attributes: { "ecs.instance-type": "t2.small" } }),
      instance("m5", { attributes: { "ecs.instance-type": "m5.large" } }),
    ];
    const result = place(
      cluster,
      request({ count: 3, constraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type =~ t2.*" }] }),
      firstTie,
    );
    assert.deepEqual(ids(result.placements), ["t2", "t2", "t2"]);
    assert.deepEqual(result.failures, []);
    const none = place(
      cluster,
      request({ constraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type == c5.large" }] }),
      firstTie,
    );
    assert.deepEqual(reasons(none.failures), {
      t2: "MemberOf placement constraint unsatisfied.",
      m5: "MemberOf placement constraint unsatisfied.",
    });
  });

  test("resources are reported before memberOf", () => {
    const cluster = [instance("a", { remaining: { cpu: 0, memory: 0, ports: [], portsUdp: [] } })];
    const result = place(cluster, request({ constraints: [{ type: "memberOf", expression: "attribute:nope exists" }] }), firstTie);
    assert.deepEqual(reasons(result.failures), { a: "RESOURCE:CPU" });
  });

  test("all memberOf constraints must hold (request and task definition together)", () => {
    const cluster = [
      instance("a", { attributes: { [AZ]: "us-east-1a", stack: "prod" } }),
      instance("b", { attributes: { [AZ]: "us-east-1b", stack: "prod" } }),
      instance("c", { attributes: { [AZ]: "us-east-1a", stack: "dev" } }),
    ];
    const constraints = [
      { type: "memberOf" as const, expression: "attribute:stack == prod" },
      { type: "memberOf" as const, expression: `attribute:${AZ} in [us-east-1a]` },
    ];
    assert.deepEqual(ids(place(cluster, request({ count: 2, constraints }), firstTie).placements), ["a", "a"]);
  });

  test("memberOf verdicts follow an instance's new attributes and its other fields from call to call", () => {
    const expression = "attribute:stack == prod";
    const prod = { stack: "prod" };
    const a = instance("a", { attributes: prod });
    const b = instance("b", { attributes: { stack: "dev" } });
    const byAttribute = request({ constraints: [{ type: "memberOf", expression }] });
    assert.deepEqual(ids(place([a, b], byAttribute, firstTie).placements), ["a"]);
    // The same instances, a's attributes changed (a new record): the next call sees it.
    const a2 = { ...a, attributes: { stack: "dev" } };
    const b2 = { ...b, attributes: prod };
    assert.deepEqual(ids(place([a2, b2], byAttribute, firstTie).placements), ["b"]);
    // An expression on more than attributes is judged afresh every call.
    const busy = request({ constraints: [{ type: "memberOf", expression: "attribute:stack == prod and runningTasksCount < 2" }] });
    assert.deepEqual(ids(place([a, b], busy, firstTie).placements), ["a"]);
    assert.deepEqual(ids(place([{ ...a, runningTasksCount: 5 }, b], busy, firstTie).placements), []);
  });

  test("task:group affinity follows the tasks this request places", () => {
    const cluster = [instance("a"), instance("b", { tasks: [{ group: "service:db", family: "db" }] }), instance("c")];
    const affinity = place(
      cluster,
      request({ count: 3, constraints: [{ type: "memberOf", expression: "task:group == service:db" }] }),
      firstTie,
    );
    assert.deepEqual(ids(affinity.placements), ["b", "b", "b"]);
    // Anti-affinity with the request's own group keeps one task per instance.
    const anti = place(
      cluster,
      request({ count: 3, constraints: [{ type: "memberOf", expression: "not(task:group == family:web)" }] }),
      mulberry32(1),
    );
    assert.deepEqual(ids(anti.placements).sort(), ["a", "b", "c"]);
    const tooMany = place(
      cluster,
      request({ count: 4, constraints: [{ type: "memberOf", expression: "not(task:group == family:web)" }] }),
      mulberry32(1),
    );
    assert.equal(tooMany.placements.length, 3);
    assert.ok(tooMany.failures.every((f) => f.reason === "MemberOf placement constraint unsatisfied."));
  });

  test("distinctInstance: one task of the group per instance, counting tasks already there", () => {
    const cluster = [
      instance("a"),
      instance("b", { tasks: [{ group: "family:web", family: "web" }] }),
      instance("c", { tasks: [{ group: "family:other", family: "other" }] }),
    ];
    const result = place(cluster, request({ count: 3, constraints: [{ type: "distinctInstance" }] }), mulberry32(7));
    assert.deepEqual(ids(result.placements).sort(), ["a", "c"]);
    assert.deepEqual(reasons(result.failures), {
      a: "DistinctInstance placement constraint unsatisfied.",
      b: "DistinctInstance placement constraint unsatisfied.",
      c: "DistinctInstance placement constraint unsatisfied.",
    });
  });

  test("a caller's tasksByGroup count gives the plan that counting tasks gives", () => {
    const rng = mulberry32(5);
    const groups = ["family:web", "service:a", "service:b"];
    const cluster = Array.from({ length: 30 }, (_, i) =>
      instance(`i${i}`, {
        tasks: Array.from({ length: Math.floor(rng() * 4) }, () => ({ group: groups[Math.floor(rng() * 3)]!, family: "x" })),
      }),
    );
    const counted = cluster.map((c) => ({
      ...c,
      tasksByGroup: c.tasks.reduce((m, t) => m.set(t.group, (m.get(t.group) ?? 0) + 1), new Map<string, number>()),
    }));
    for (const req of [
      request({ count: 12, constraints: [{ type: "distinctInstance" }] }),
      request({ count: 20, strategy: [{ type: "spread", field: "instanceId" }] }),
    ]) {
      assert.deepEqual(place(counted, req, mulberry32(3)), place(cluster, req, mulberry32(3)));
    }
  });

  test("only ACTIVE instances are candidates; none at all is noContainerInstances", () => {
    const cluster = [instance("d", { status: "DRAINING" }), instance("i", { status: "INACTIVE" }), instance("a")];
    const result = place(cluster, request({ count: 2 }), firstTie);
    assert.deepEqual(ids(result.placements), ["a", "a"]);
    assert.deepEqual(result.placedAt, [2, 2], "indexes into the instances given, not into the ACTIVE ones");
    const failing = place(cluster, request({ count: 1 }, { cpu: 99_999 }), firstTie);
    assert.deepEqual(reasons(failing.failures), { a: "RESOURCE:CPU" }, "failures list ACTIVE instances only");
    for (const instances of [[], [instance("d", { status: "DRAINING" })]]) {
      const empty = place(instances, request(), firstTie);
      assert.deepEqual(empty, { placements: [], placedAt: [], failures: [], noContainerInstances: true });
    }
  });

  test("failures are empty when every task is placed, and count 0 places nothing", () => {
    assert.deepEqual(place([instance("a")], request({ count: 2 }), firstTie).failures, []);
    assert.deepEqual(place([instance("a")], request({ count: 0 }), firstTie), {
      placements: [],
      placedAt: [],
      failures: [],
      noContainerInstances: false,
    });
  });

  test("checkInstance answers for one named instance (StartTask)", () => {
    assert.equal(checkInstance(instance("a"), request()), undefined);
    assert.equal(checkInstance(instance("a", { status: "INACTIVE" }), request()), FailureReason.inactive);
    assert.equal(checkInstance(instance("a", { status: "DRAINING" }), request()), "INACTIVE");
    assert.equal(checkInstance(instance("a", { agentConnected: false }), request()), "AGENT");
    assert.equal(checkInstance(instance("a"), request({}, { memory: 1e9 })), "RESOURCE:MEMORY");
  });

  test("the input is never mutated", () => {
    const cluster = [instance("a"), instance("b")];
    const before = JSON.stringify(cluster);
    place(
      cluster,
      request({ count: 6, strategy: [{ type: "binpack", field: "memory" }] }, { hostPorts: [{ port: 80, protocol: "tcp" }] }),
      firstTie,
    );
    assert.equal(JSON.stringify(cluster), before);
  });
});

describe("placement: strategies", () => {
  const sized = (id: string, cpu: number, memory: number, az = "us-east-1a") =>
    instance(id, { remaining: { cpu, memory, ports: [], portsUdp: [] }, attributes: { [AZ]: az } });

  test("binpack memory fills the fullest instance that still fits", () => {
    const cluster = [sized("big", 4096, 8192), sized("small", 4096, 1024), sized("tiny", 4096, 256)];
    const result = place(cluster, request({ count: 4, strategy: [{ type: "binpack", field: "memory" }] }), firstTie);
    assert.deepEqual(ids(result.placements), ["small", "small", "big", "big"]);
  });

  test("binpack cpu fills the instance with the least CPU left", () => {
    const cluster = [sized("a", 2048, 4096), sized("b", 512, 4096), sized("c", 1024, 4096)];
    const result = place(cluster, request({ count: 4, strategy: [{ type: "binpack", field: "CPU" }] }, { cpu: 256 }), firstTie);
    assert.deepEqual(ids(result.placements), ["b", "b", "c", "c"]);
  });

  test("spread instanceId (and host) places one per instance before doubling up", () => {
    for (const field of ["instanceId", "host"]) {
      const cluster = [sized("a", 4096, 8192), sized("b", 4096, 8192), sized("c", 4096, 8192)];
      const result = place(cluster, request({ count: 6, strategy: [{ type: "spread", field }] }), mulberry32(3));
      const counts = new Map<string, number>();
      for (const id of ids(result.placements)) counts.set(id, (counts.get(id) ?? 0) + 1);
      assert.deepEqual([...counts.values()], [2, 2, 2]);
      assert.deepEqual(new Set(ids(result.placements).slice(0, 3)), new Set(["a", "b", "c"]));
    }
  });

  test("spread counts the group's tasks already running", () => {
    const cluster = [
      instance("a", {
        tasks: [
          { group: "family:web", family: "web" },
          { group: "family:web", family: "web" },
        ],
      }),
      instance("b", { tasks: [{ group: "family:other", family: "other" }] }),
    ];
    const result = place(cluster, request({ count: 2, strategy: [{ type: "spread", field: "instanceId" }] }), firstTie);
    assert.deepEqual(ids(result.placements), ["b", "b"]);
  });

  test("spread on an attribute balances across its values, then the next strategy decides", () => {
    const cluster = [
      sized("a1", 4096, 8192, "us-east-1a"),
      sized("a2", 4096, 1024, "us-east-1a"),
      sized("b1", 4096, 2048, "us-east-1b"),
      sized("c1", 4096, 8192, "us-east-1c"),
    ];
    const strategy = [
      { type: "spread" as const, field: `attribute:${AZ}` },
      { type: "binpack" as const, field: "memory" },
    ];
    const result = place(cluster, request({ count: 6, strategy }), firstTie);
    const perAz = new Map<string, number>();
    for (const id of ids(result.placements)) perAz.set(id[0]!, (perAz.get(id[0]!) ?? 0) + 1);
    assert.deepEqual([...perAz.entries()].sort(), [
      ["a", 2],
      ["b", 2],
      ["c", 2],
    ]);
    // Inside us-east-1a, binpack on memory picks a2 (least memory) first.
    assert.equal(
      ids(result.placements).find((id) => id.startsWith("a")),
      "a2",
    );
  });

  test("instances without the spread attribute form a bucket of their own", () => {
    const cluster = [sized("a", 4096, 8192, "us-east-1a"), instance("x", { attributes: {} })];
    const result = place(cluster, request({ count: 4, strategy: [{ type: "spread", field: `attribute:${AZ}` }] }), firstTie);
    assert.deepEqual(ids(result.placements).sort(), ["a", "a", "x", "x"]);
  });

  test("random uses the injected rng, and no strategy means random", () => {
    const cluster = [sized("a", 4096, 8192), sized("b", 4096, 8192), sized("c", 4096, 8192)];
    for (const strategy of [[], [{ type: "random" as const }]]) {
      assert.deepEqual(ids(place(cluster, request({ strategy }), () => 0).placements), ["a"]);
      assert.deepEqual(ids(place(cluster, request({ strategy }), () => 0.5).placements), ["b"]);
      assert.deepEqual(ids(place(cluster, request({ strategy }), () => 0.9999).placements), ["c"]);
      assert.deepEqual(ids(place(cluster, request({ strategy }), () => 1).placements), ["c"], "an rng that returns 1 stays in range");
    }
  });

  test("random draws from everything feasible over many picks", () => {
    const cluster = Array.from({ length: 5 }, (_, i) => sized(`n${i}`, 1e6, 1e6));
    const result = place(cluster, request({ count: 500 }), mulberry32(42));
    const seen = new Map<string, number>();
    for (const id of ids(result.placements)) seen.set(id, (seen.get(id) ?? 0) + 1);
    assert.equal(seen.size, 5);
    for (const n of seen.values()) assert.ok(n > 60 && n < 140, `roughly uniform: ${n}`);
  });

  test("strategies after random are ignored; ties after the last strategy go to the rng", () => {
    const cluster = [sized("a", 4096, 1024), sized("b", 4096, 8192)];
    const randomFirst = [{ type: "random" as const }, { type: "binpack" as const, field: "memory" }];
    assert.deepEqual(ids(place(cluster, request({ strategy: randomFirst }), () => 0.99).placements), ["b"]);
    const tied = [sized("a", 4096, 4096), sized("b", 4096, 4096)];
    const binpack = [{ type: "binpack" as const, field: "memory" }];
    assert.deepEqual(ids(place(tied, request({ strategy: binpack }), () => 0.99).placements), ["b"]);
  });

  test("the same rng gives the same plan", () => {
    const cluster = Array.from({ length: 20 }, (_, i) => sized(`n${i}`, 4096, 8192, `az${i % 3}`));
    const req = request({ count: 30, strategy: [{ type: "spread", field: `attribute:${AZ}` }] });
    assert.deepEqual(place(cluster, req, mulberry32(9)), place(cluster, req, mulberry32(9)));
  });
});

describe("placement: invalid requests", () => {
  const cases: [string, Partial<PlacementRequest>, new (...args: never[]) => Error, RegExp][] = [
    ["binpack on disk", { strategy: [{ type: "binpack", field: "disk" }] }, PlacementError, /cpu or memory/],
    ["binpack without field", { strategy: [{ type: "binpack" }] }, PlacementError, /cpu or memory/],
    ["spread without field", { strategy: [{ type: "spread" }] }, PlacementError, /requires a field/],
    ["spread on nonsense", { strategy: [{ type: "spread", field: "zone" }] }, PlacementError, /instanceId, host or attribute/],
    ["memberOf without expression", { constraints: [{ type: "memberOf" }] }, PlacementError, /requires an expression/],
    [
      "distinctInstance with expression",
      { constraints: [{ type: "distinctInstance", expression: "x" }] },
      PlacementError,
      /cannot have an expression/,
    ],
    ["bad expression", { constraints: [{ type: "memberOf", expression: "attribute:x ==" }] }, QueryError, /expected a value/],
  ];
  for (const [name, overrides, type, message] of cases) {
    test(name, () =>
      assert.throws(
        () => place([instance("a")], request(overrides), firstTie),
        (err: unknown) => err instanceof type && message.test(err.message),
      ),
    );
  }
});

// ---- property tests ---------------------------------------------------------------

const GROUPS = ["family:web", "service:api", "family:db"];
const TYPES = ["t2.small", "t3.large", "m5.xlarge"];
const MEMBER_OF = [
  "attribute:ecs.instance-type =~ t.*",
  `attribute:${AZ} in [us-east-1a, us-east-1b]`,
  "not(task:group == family:db)",
  "task:group == service:api or attribute:ecs.instance-type == m5.xlarge",
  "not(task:group == family:web)",
  "runningTasksCount <= 3",
  "attribute:stack exists",
];

function randomCase(rng: () => number): { cluster: InstanceView[]; req: PlacementRequest } {
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)]!;
  const azs = int(1, 4);
  const cluster = Array.from({ length: int(0, 25) }, (_, i) => {
    const tasks = Array.from({ length: int(0, 4) }, () => {
      const group = pick(GROUPS);
      return { group, family: group.split(":")[1]! };
    });
    const attributes: Record<string, string | undefined> = { [AZ]: `us-east-1${"abcd"[i % azs]}`, "ecs.instance-type": pick(TYPES) };
    if (rng() < 0.5) attributes.stack = "prod";
    if (rng() < 0.3) attributes["ecs.capability.x"] = undefined;
    return instance(`n${i}`, {
      status: rng() < 0.9 ? "ACTIVE" : pick(["DRAINING", "INACTIVE"] as const),
      agentConnected: rng() < 0.92,
      attributes,
      remaining: {
        cpu: int(0, 8) * 256,
        memory: int(0, 16) * 256,
        ports: [80, 443, 8080].filter(() => rng() < 0.2),
        portsUdp: [53, 8125].filter(() => rng() < 0.2),
      },
      tasks,
      runningTasksCount: int(0, tasks.length),
    });
  });
  const group = pick(GROUPS);
  const req: PlacementRequest = {
    count: int(0, 20),
    needs: needs({
      cpu: int(0, 4) * 128,
      memory: int(0, 4) * 256,
      hostPorts: [
        ...[80, 8080].filter(() => rng() < 0.15).map((port) => ({ port, protocol: "tcp" as const })),
        ...[53].filter(() => rng() < 0.1).map((port) => ({ port, protocol: "udp" as const })),
      ],
      requiresAttributes: rng() < 0.2 ? [{ name: "ecs.capability.x" }] : rng() < 0.1 ? [{ name: "stack", value: "prod" }] : [],
      group,
      family: group.split(":")[1]!,
    }),
    strategy: Array.from({ length: int(0, 3) }, () =>
      pick([
        { type: "binpack" as const, field: "cpu" },
        { type: "binpack" as const, field: "memory" },
        { type: "spread" as const, field: "instanceId" },
        { type: "spread" as const, field: `attribute:${AZ}` },
        { type: "spread" as const, field: "attribute:ecs.instance-type" },
        { type: "random" as const },
      ]),
    ),
    constraints: [
      ...(rng() < 0.25 ? [{ type: "distinctInstance" as const }] : []),
      ...MEMBER_OF.filter(() => rng() < 0.15).map((expression) => ({ type: "memberOf" as const, expression })),
    ],
  };
  return { cluster, req };
}

/** An independent, slow model of the rules: what may instance x take after `placed[x]` tasks? */
function naive(cluster: InstanceView[], req: PlacementRequest) {
  const active = cluster.filter((i) => i.status === "ACTIVE");
  const placed = new Map<string, number>(active.map((i) => [i.arn, 0]));
  const { needs: n } = req;
  const exprs = req.constraints.filter((c) => c.type === "memberOf").map((c) => parseExpression(c.expression!));
  const distinct = req.constraints.some((c) => c.type === "distinctInstance");
  const groupOn = (i: InstanceView) => i.tasks.filter((t) => t.group === n.group).length + placed.get(i.arn)!;

  function reason(i: InstanceView): string | undefined {
    const k = placed.get(i.arn)!;
    if (!i.agentConnected) return "AGENT";
    for (const r of n.requiresAttributes) {
      if (!(r.name in i.attributes) || (r.value !== undefined && i.attributes[r.name] !== r.value)) return "ATTRIBUTE";
    }
    if (i.remaining.cpu - k * n.cpu < n.cpu) return "RESOURCE:CPU";
    if (i.remaining.memory - k * n.memory < n.memory) return "RESOURCE:MEMORY";
    for (const [protocol, inUse, code] of [
      ["tcp", i.remaining.ports, "RESOURCE:PORTS"],
      ["udp", i.remaining.portsUdp, "RESOURCE:PORTS_UDP"],
    ] as const) {
      const mine = n.hostPorts.filter((p) => p.protocol === protocol);
      if (mine.length > 0 && (k > 0 || mine.some((p) => inUse.includes(p.port)))) return code;
    }
    const now: InstanceView = {
      ...i,
      tasks: [...i.tasks, ...Array.from({ length: k }, () => ({ group: n.group, family: n.family }))],
      runningTasksCount: i.runningTasksCount ?? i.tasks.length,
    };
    if (!exprs.every((e) => matches(e, now))) return "MemberOf placement constraint unsatisfied.";
    if (distinct && groupOn(i) > 0) return "DistinctInstance placement constraint unsatisfied.";
    return undefined;
  }

  function keys(i: InstanceView): number[] {
    const out: number[] = [];
    for (const s of req.strategy) {
      if (s.type === "random") break;
      const k = placed.get(i.arn)!;
      if (s.type === "binpack") out.push(s.field === "cpu" ? i.remaining.cpu - k * n.cpu : i.remaining.memory - k * n.memory);
      else if (s.field === "instanceId") out.push(groupOn(i));
      else {
        const name = s.field!.slice("attribute:".length);
        const value = (j: InstanceView) => (name in j.attributes ? (j.attributes[name] ?? "") : undefined);
        out.push(active.filter((j) => value(j) === value(i)).reduce((sum, j) => sum + groupOn(j), 0));
      }
    }
    return out;
  }

  return { active, placed, reason, keys };
}

const lexCompare = (a: number[], b: number[]) => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
};

describe("placement: properties over random clusters", () => {
  test("every pick is feasible and best-ranked; failures explain every instance", () => {
    let placedTotal = 0;
    let failedCases = 0;
    for (let seed = 1; seed <= 600; seed++) {
      const rng = mulberry32(seed);
      const { cluster, req } = randomCase(rng);
      const result = place(cluster, req, mulberry32(seed * 7919));
      const model = naive(cluster, req);
      const byArn = new Map(model.active.map((i) => [i.arn, i]));
      const where = `seed ${seed}`;

      if (model.active.length === 0) {
        assert.deepEqual(result, { placements: [], placedAt: [], failures: [], noContainerInstances: true }, where);
        continue;
      }
      assert.equal(result.noContainerInstances, false, where);
      assert.ok(result.placements.length <= req.count, where);
      assert.deepEqual(
        result.placedAt.map((i) => cluster[i]!.arn),
        result.placements,
        `${where}: placedAt points at each placement's instance`,
      );
      for (const arn of result.placements) {
        const chosen = byArn.get(arn);
        assert.ok(chosen, `${where}: placed on an ACTIVE instance`);
        // Never over-commit, constraints hold, distinctInstance holds: the naive model agrees.
        assert.equal(model.reason(chosen), undefined, `${where}: ${arn} was feasible`);
        // Strategies: nothing feasible ranked strictly better (binpack packs, spread balances).
        const feasible = model.active.filter((i) => model.reason(i) === undefined);
        const best = model.keys(chosen);
        for (const other of feasible)
          assert.ok(lexCompare(model.keys(other), best) >= 0, `${where}: ${other.arn} ranked better than ${arn}`);
        model.placed.set(arn, model.placed.get(arn)! + 1);
      }
      placedTotal += result.placements.length;
      if (result.placements.length < req.count) {
        failedCases++;
        assert.deepEqual(
          result.failures,
          model.active.map((i) => ({ arn: i.arn, reason: model.reason(i) })),
          `${where}: one failure per ACTIVE instance, first refusing rule`,
        );
        assert.ok(
          result.failures.every((f) => f.reason !== undefined),
          `${where}: nothing was still feasible`,
        );
      } else {
        assert.deepEqual(result.failures, [], where);
      }
      // Resources, directly: what was placed fits in what was remaining.
      for (const i of model.active) {
        const k = model.placed.get(i.arn)!;
        assert.ok(k * req.needs.cpu <= i.remaining.cpu && k * req.needs.memory <= i.remaining.memory, `${where}: over-commit on ${i.arn}`);
        if (req.needs.hostPorts.length > 0) assert.ok(k <= 1, `${where}: static port used twice on ${i.arn}`);
      }
    }
    assert.ok(placedTotal > 500 && failedCases > 50, `the generator exercises both outcomes (${placedTotal} placed, ${failedCases} short)`);
  });

  test("spread by AZ keeps per-AZ counts within one when capacity allows", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rng = mulberry32(seed);
      const azs = 1 + Math.floor(rng() * 4);
      const n = azs + Math.floor(rng() * 20);
      const cluster = Array.from({ length: n }, (_, i) =>
        instance(`n${i}`, { attributes: { [AZ]: `az${i % azs}` }, remaining: { cpu: 1e6, memory: 1e6, ports: [], portsUdp: [] } }),
      );
      const count = 1 + Math.floor(rng() * 60);
      const strategy = [
        { type: "spread" as const, field: `attribute:${AZ}` },
        ...(rng() < 0.5 ? [{ type: "spread" as const, field: "instanceId" }] : []),
      ];
      const result = place(cluster, request({ count, strategy }), rng);
      assert.equal(result.placements.length, count);
      const perAz = new Array<number>(azs).fill(0);
      for (const id of ids(result.placements)) perAz[Number(id.slice(1)) % azs]! += 1;
      assert.ok(Math.max(...perAz) - Math.min(...perAz) <= 1, `seed ${seed}: ${perAz.join(", ")}`);
    }
  });

  test("distinctInstance never doubles up, over random clusters", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { cluster, req } = randomCase(mulberry32(seed));
      const withDistinct = { ...req, constraints: [...req.constraints, { type: "distinctInstance" as const }] };
      const result = place(cluster, withDistinct, mulberry32(seed));
      assert.equal(new Set(result.placements).size, result.placements.length, `seed ${seed}`);
      for (const arn of result.placements) {
        const i = cluster.find((c) => c.arn === arn)!;
        assert.ok(!i.tasks.some((t) => t.group === req.needs.group), `seed ${seed}: group already on ${arn}`);
      }
    }
  });
});

// How fast is bench/placement.ts's to say (placements/s against a first-fit baseline); this checks
// that every strategy places a service-sized count at that scale.
describe("placement: at scale", () => {
  test("10,000 tasks over 1,000 instances, in one call for each strategy", () => {
    const rng = mulberry32(2024);
    const cluster = Array.from({ length: 1000 }, (_, i) =>
      instance(`n${i}`, {
        attributes: { [AZ]: `us-east-1${"abc"[i % 3]}`, "ecs.instance-type": TYPES[i % 3]! },
        remaining: { cpu: 16_384 + Math.floor(rng() * 8) * 1024, memory: 65_536, ports: [22], portsUdp: [] },
        tasks: Array.from({ length: i % 4 }, () => ({ group: "service:web", family: "web" })),
      }),
    );
    const runs: [string, PlacementRequest["strategy"], PlacementRequest["constraints"]][] = [
      ["random", [], []],
      ["binpack memory", [{ type: "binpack", field: "memory" }], []],
      [
        "spread AZ + instanceId",
        [
          { type: "spread", field: `attribute:${AZ}` },
          { type: "spread", field: "instanceId" },
        ],
        [],
      ],
      [
        "spread AZ + binpack cpu + memberOf",
        [
          { type: "spread", field: `attribute:${AZ}` },
          { type: "binpack", field: "cpu" },
        ],
        [{ type: "memberOf", expression: "attribute:ecs.instance-type =~ t.*" }],
      ],
    ];
    for (const [name, strategy, constraints] of runs) {
      const req = request({ count: 10_000, strategy, constraints }, { cpu: 256, memory: 512, group: "service:web" });
      const result = place(cluster, req, mulberry32(1));
      assert.equal(result.placements.length, 10_000, name);
    }
  });
});
