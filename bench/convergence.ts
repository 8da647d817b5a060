// Service convergence with simulated agents: the real berth server, N test-double agents
// (test/support/simulated-agent.ts) that acknowledge assignments at once, a service scaled
// to 500 and then 5,000 tasks, and 10% of the agents vanishing. Time is CreateService /
// UpdateService → DescribeServices shows runningCount == desiredCount (polled every 100 ms),
// beside ECS's published service launch rate of 500 tasks per minute measured as tasks/s.
// Run: node dist/bench/convergence.js [--quick] [--agents N]
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  ECSClient,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { startBerth, type BerthProcess } from "../test/support/berth-process.js";
import { SimulatedAgent } from "../test/support/simulated-agent.js";
import { fmt } from "./stats.js";
import { benchClient } from "./client.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const quick = process.argv.includes("--quick");
const agentsArg = process.argv.indexOf("--agents");
const AGENTS = agentsArg > 0 ? Number(process.argv[agentsArg + 1]) : quick ? 20 : 1000;
const FIRST = quick ? 20 : 500;
const SECOND = 5000;
const AGENT_TIMEOUT_S = 3;
const ECS_RATE = 500 / 60; // ECS's published service launch rate: 500 tasks per minute.
const CLUSTER = "bench";
const SERVICE = "converge";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const client = (endpoint: string) => benchClient(endpoint, 16);

interface Convergence {
  desired: number;
  converged: boolean;
  seconds: number;
  runningCount: number;
  tasksPerSecond: number;
}

/** Polls DescribeServices every 100 ms until runningCount == desired or `limitMs` passes. */
async function converge(ecs: ECSClient, desired: number, startedAt: number, limitMs: number, minSeen?: { min: number }): Promise<Convergence> {
  let running = 0;
  for (;;) {
    const out = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }));
    const s = out.services![0]!;
    running = s.runningCount ?? 0;
    if (minSeen) minSeen.min = Math.min(minSeen.min, running);
    const elapsed = performance.now() - startedAt;
    if (running === desired && s.desiredCount === desired) return { desired, converged: true, seconds: elapsed / 1000, runningCount: running, tasksPerSecond: 0 };
    if (elapsed > limitMs) return { desired, converged: false, seconds: elapsed / 1000, runningCount: running, tasksPerSecond: 0 };
    await sleep(100);
  }
}

function report(label: string, c: Convergence, launched: number, targetS?: number): void {
  c.tasksPerSecond = launched / c.seconds;
  const verdict = targetS === undefined ? "" : `  target ≤ ${targetS} s → ${c.converged && c.seconds <= targetS ? "met" : "MISSED"}`;
  if (c.converged) {
    console.log(`  ${label.padEnd(28)} ${fmt(c.seconds, 2).padStart(7)} s  ${fmt(c.tasksPerSecond, 0).padStart(6)} tasks/s = ${fmt(c.tasksPerSecond / ECS_RATE, 0)}× ECS's ${fmt(ECS_RATE)}/s${verdict}`);
  } else {
    console.log(`  ${label.padEnd(28)} did not converge in ${fmt(c.seconds, 0)} s: runningCount ${c.runningCount}/${c.desired}${verdict}`);
  }
}

let berth: BerthProcess | undefined;
const agents: SimulatedAgent[] = [];

async function main(): Promise<void> {
  berth = await startBerth({ env: { BERTH_AGENT_TIMEOUT_SECONDS: String(AGENT_TIMEOUT_S) } });
  const ecs = client(berth.endpoint);
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));

  const agentsStarted = performance.now();
  for (let i = 0; i < AGENTS; i += 50) {
    const batch = Array.from({ length: Math.min(50, AGENTS - i) }, (_, j) =>
      new SimulatedAgent(berth!.endpoint, { cluster: CLUSTER, az: `us-east-1${"abc"[(i + j) % 3]}`, cpu: 4096, memory: 8192 }).start());
    agents.push(...(await Promise.all(batch)));
  }
  const agentSeconds = (performance.now() - agentsStarted) / 1000;
  await ecs.send(new RegisterTaskDefinitionCommand({ family: "converge", containerDefinitions: [{ name: "app", image: "busybox", memory: 16, cpu: 8 }] }));
  console.log(`convergence: ${AGENTS} simulated agents in one Node process (3 AZs, registered in ${fmt(agentSeconds, 1)} s), agent timeout ${AGENT_TIMEOUT_S} s`);
  console.log(`  baseline: ECS's published service launch rate, 500 tasks/min = ${fmt(ECS_RATE)} tasks/s`);

  const summary: Record<string, unknown> = { agents: AGENTS, ecsTasksPerSecond: ECS_RATE };
  let t = performance.now();
  await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: SERVICE, taskDefinition: "converge", desiredCount: FIRST }));
  const first = await converge(ecs, FIRST, t, quick ? 30_000 : 120_000);
  report(`CreateService → ${FIRST} RUNNING`, first, FIRST, quick ? undefined : 2);
  summary.create = first;
  let desired = FIRST;

  if (!quick && first.converged) {
    t = performance.now();
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, desiredCount: SECOND }));
    const second = await converge(ecs, SECOND, t, 120_000);
    report(`UpdateService → ${SECOND} RUNNING`, second, SECOND - FIRST, 20);
    summary.scaleUp = second;
    if (second.converged) desired = SECOND;
    else {
      // Bring it back to a steady state before the failure step.
      await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, desiredCount: FIRST }));
      await converge(ecs, FIRST, performance.now(), 60_000);
    }
  } else if (!quick) {
    console.log(`  UpdateService → ${SECOND}: skipped (the first step did not converge)`);
  }

  // 10% of the agents vanish. Berth notices after the agent timeout (agentConnected: false).
  const gone = agents.splice(0, Math.max(1, Math.floor(AGENTS / 10)));
  t = performance.now();
  await Promise.all(gone.map((a) => a.stop()));
  const seen = { min: desired };
  const windowMs = (AGENT_TIMEOUT_S + (quick ? 5 : 12)) * 1000;
  // Watch for the window: does runningCount drop, and does it come back?
  let dropAt = -1;
  let back: Convergence | undefined;
  for (;;) {
    const c = await converge(ecs, desired, t, 0, seen);
    if (c.runningCount < desired && dropAt < 0) dropAt = performance.now();
    if (dropAt >= 0 && c.converged) { back = c; break; }
    if (performance.now() - t > windowMs) break;
    await sleep(100);
  }
  const ci = await ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: gone.slice(0, 100).map((a) => a.arn) }));
  const disconnected = (ci.containerInstances ?? []).filter((c) => c.agentConnected === false).length;
  let onGone = 0;
  for (const a of gone) {
    let token: string | undefined;
    do {
      const out = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, containerInstance: a.arn, desiredStatus: "RUNNING", nextToken: token }));
      onGone += out.taskArns?.length ?? 0;
      token = out.nextToken;
    } while (token);
  }
  console.log(`  ${gone.length} agents vanish: ${disconnected}/${Math.min(100, gone.length)} sampled show agentConnected false; ${onGone} tasks still RUNNING (desired) on them`);
  if (back) {
    report(`recovery to ${desired} RUNNING`, back, desired - seen.min);
  } else if (dropAt < 0) {
    console.log(`  recovery: runningCount never dropped below ${desired} in ${fmt(windowMs / 1000, 0)} s — as in ECS's model, tasks on vanished agents stay RUNNING, so nothing was replaced; no recovery time to report`);
  } else {
    console.log(`  recovery: runningCount dropped to ${seen.min} and was not back at ${desired} after ${fmt(windowMs / 1000, 0)} s`);
  }
  summary.failure = { vanished: gone.length, disconnected, tasksOnVanished: onGone, minRunning: seen.min, dropped: dropAt >= 0, recoverySeconds: back?.seconds ?? null };
  console.log(JSON.stringify({ bench: "convergence", ...summary }));
}

for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => { berth?.child.kill("SIGKILL"); process.exit(1); });
main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    await Promise.all(agents.map((a) => a.stop().catch(() => undefined)));
    await berth?.kill9();
    process.exit();
  });
