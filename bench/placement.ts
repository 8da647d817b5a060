// Placement throughput of the pure placement code: 1,000 simulated container instances
// (mixed sizes, three availability zones) taking 10,000 tasks, against a naive first-fit
// loop over the same data measured in the same run, with the published anchors beside it;
// then end to end, RunTask into the server and its store (bench/run-task-throughput.ts).
// Run: node dist/bench/placement.js [--quick]
import { place, type InstanceView, type PlacementRequest } from "../src/scheduler/placement/index.js";
import { mulberry32 } from "../test/support/random.js";
import { printRunTaskThroughput, runTaskThroughput } from "./run-task-throughput.js";
import { fmt, median } from "./stats.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const quick = process.argv.includes("--quick");
const INSTANCES = 1000;
const TASKS = quick ? 1000 : 10_000;

function cluster(rng: () => number): InstanceView[] {
  const sizes = [
    { cpu: 2048, memory: 4096 },
    { cpu: 4096, memory: 16384 },
    { cpu: 8192, memory: 32768 },
  ];
  return Array.from({ length: INSTANCES }, (_, i) => {
    const size = sizes[Math.floor(rng() * sizes.length)]!;
    return {
      arn: `arn:aws:ecs:us-east-1:000000000000:container-instance/bench/${i.toString(16).padStart(32, "0")}`,
      ec2InstanceId: `i-${i.toString(16).padStart(17, "0")}`,
      status: "ACTIVE",
      agentConnected: true,
      registeredAt: new Date(0),
      attributes: { "ecs.availability-zone": `us-east-1${"abc"[i % 3]}`, "ecs.instance-type": size.cpu > 2048 ? "m5.xlarge" : "t3.medium" },
      remaining: { ...size, ports: [], portsUdp: [] },
      tasks: [],
      // As berth's own views carry it (from what each host holds): tasks per group.
      tasksByGroup: new Map<string, number>(),
    };
  });
}

const scenarios: Record<string, Omit<PlacementRequest, "count" | "needs">> = {
  "binpack memory": { strategy: [{ type: "binpack", field: "memory" }], constraints: [] },
  "spread AZ + instanceId": {
    strategy: [
      { type: "spread", field: "attribute:ecs.availability-zone" },
      { type: "spread", field: "instanceId" },
    ],
    constraints: [],
  },
  "spread AZ + memberOf": {
    strategy: [{ type: "spread", field: "attribute:ecs.availability-zone" }],
    constraints: [{ type: "memberOf", expression: "attribute:ecs.instance-type =~ m5.*" }],
  },
  "random + distinctInstance": { strategy: [{ type: "random" }], constraints: [{ type: "distinctInstance" }] },
};

/** Places `TASKS` tasks in RunTask-sized calls, applying each placement to the snapshot. */
function run(name: string, scenario: Omit<PlacementRequest, "count" | "needs">, seed: number, BATCH: number): number {
  const rng = mulberry32(seed);
  const instances = cluster(rng);
  const byArn = new Map(instances.map((i) => [i.arn, i] as const));
  const needs = { cpu: 128, memory: 256, hostPorts: [], requiresAttributes: [], group: `family:${name}`, family: name };
  const started = performance.now();
  let placed = 0;
  for (let batch = 0; placed < TASKS && batch < TASKS; batch++) {
    const group = scenario.constraints.some((c) => c.type === "distinctInstance") ? `g${batch}` : needs.group;
    const result = place(instances, { ...scenario, count: Math.min(BATCH, TASKS - placed), needs: { ...needs, group } }, rng);
    for (const arn of result.placements) {
      const inst = byArn.get(arn)!;
      inst.remaining.cpu -= needs.cpu;
      inst.remaining.memory -= needs.memory;
      inst.tasks.push({ group, family: name });
      (inst.tasksByGroup as Map<string, number>).set(group, (inst.tasksByGroup!.get(group) ?? 0) + 1);
    }
    placed += result.placements.length;
    if (!result.placements.length) break;
  }
  return placed / ((performance.now() - started) / 1000);
}

/** The baseline: first instance with room, no strategies, no constraints. */
function firstFit(seed: number): number {
  const instances = cluster(mulberry32(seed));
  const started = performance.now();
  for (let t = 0; t < TASKS; t++) {
    const inst = instances.find((i) => i.remaining.cpu >= 128 && i.remaining.memory >= 256)!;
    inst.remaining.cpu -= 128;
    inst.remaining.memory -= 256;
  }
  return TASKS / ((performance.now() - started) / 1000);
}

const repeats = quick ? 1 : 5;
const baseline = median(Array.from({ length: repeats }, (_, i) => firstFit(i + 1)));
console.log(`placement: ${TASKS} tasks over ${INSTANCES} instances, median of ${repeats}`);
console.log(`  naive first-fit baseline  ${fmt(baseline, 0)} placements/s`);
const summary: Record<string, number> = { baseline };
// One call for all tasks (a service scaling out), and RunTask-sized calls of 10.
for (const [batchName, batch] of [
  ["one call", TASKS],
  ["calls of 10", 10],
] as const)
  for (const [scenarioName, scenario] of Object.entries(scenarios)) {
    const name = `${scenarioName}, ${batchName}`;
    run(name, scenario, 99, batch); // warm-up
    const rate = median(Array.from({ length: repeats }, (_, i) => run(name, scenario, i + 1, batch)));
    summary[name] = rate;
    console.log(
      `  ${name.padEnd(40)} ${fmt(rate, 0).padStart(8)} placements/s  ${fmt(rate / baseline, 2)}× first-fit  ${fmt(rate / 270, 0)}× kube-scheduler's 270/s  ${fmt(rate / 3750, 1)}× Nomad C1M 3,750/s  target 20,000: ${rate >= 20000 ? "met" : "MISSED"}`,
    );
  }
// End to end: RunTask into the store, simulated agents acknowledging.
const e2e = quick
  ? { agents: 20, callsPerRound: 20, rounds: 1, concurrency: 8 }
  : { agents: 1000, callsPerRound: 500, rounds: 3, concurrency: 16 };
const endToEnd = await runTaskThroughput(e2e);
printRunTaskThroughput(endToEnd, e2e.concurrency);
console.log(JSON.stringify({ bench: "placement", ...summary, endToEnd }));
