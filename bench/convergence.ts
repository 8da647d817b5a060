// Service convergence with simulated agents: the real berth server, N test-double agents
// (test/support/simulated-agent.ts, in a worker thread: bench/agent-fleet.ts) that
// acknowledge assignments at once, a service scaled to 500 and then 5,000 tasks, and 10% of
// the agents vanishing for good. Time is CreateService / UpdateService → DescribeServices
// shows runningCount == desiredCount (polled every 100 ms), beside ECS's published service
// launch rate of 500 tasks per minute measured as tasks/s. Vanished hosts are retired after
// BERTH_HOST_LOST_SECONDS (set short here), as ECS retires terminated instances, and the
// service replaces their tasks: recovery is timed from the vanishing and from the retirement.
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
import { AgentFleet } from "./agent-fleet.js";
import { fmt } from "./stats.js";
import { benchClient } from "./client.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const quick = process.argv.includes("--quick");
const agentsArg = process.argv.indexOf("--agents");
const AGENTS = agentsArg > 0 ? Number(process.argv[agentsArg + 1]) : quick ? 20 : 1000;
const FIRST = quick ? 20 : 500;
const SECOND = 5000;
const AGENT_TIMEOUT_S = 10;
const HOST_LOST_S = 20;
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
async function converge(
  ecs: ECSClient,
  desired: number,
  startedAt: number,
  limitMs: number,
  minSeen?: { min: number },
): Promise<Convergence> {
  for (;;) {
    const out = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }));
    const s = out.services![0]!;
    const running = s.runningCount ?? 0;
    if (minSeen) minSeen.min = Math.min(minSeen.min, running);
    const elapsed = performance.now() - startedAt;
    if (running === desired && s.desiredCount === desired)
      return { desired, converged: true, seconds: elapsed / 1000, runningCount: running, tasksPerSecond: 0 };
    if (elapsed > limitMs) return { desired, converged: false, seconds: elapsed / 1000, runningCount: running, tasksPerSecond: 0 };
    await sleep(100);
  }
}

function report(label: string, c: Convergence, launched: number, targetS?: number): void {
  c.tasksPerSecond = launched / c.seconds;
  const verdict = targetS === undefined ? "" : `  target ≤ ${targetS} s → ${c.converged && c.seconds <= targetS ? "met" : "MISSED"}`;
  if (c.converged) {
    console.log(
      `  ${label.padEnd(28)} ${fmt(c.seconds, 2).padStart(7)} s  ${fmt(c.tasksPerSecond, 0).padStart(6)} tasks/s = ${fmt(c.tasksPerSecond / ECS_RATE, 0)}× ECS's ${fmt(ECS_RATE)}/s${verdict}`,
    );
  } else {
    console.log(`  ${label.padEnd(28)} did not converge in ${fmt(c.seconds, 0)} s: runningCount ${c.runningCount}/${c.desired}${verdict}`);
  }
}

let berth: BerthProcess | undefined;
let fleet: AgentFleet | undefined;

async function main(): Promise<void> {
  berth = await startBerth({ env: { BERTH_AGENT_TIMEOUT_SECONDS: String(AGENT_TIMEOUT_S), BERTH_HOST_LOST_SECONDS: String(HOST_LOST_S) } });
  const ecs = client(berth.endpoint);
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));

  const agentsStarted = performance.now();
  fleet = await AgentFleet.start({
    endpoint: berth.endpoint,
    cluster: CLUSTER,
    count: AGENTS,
    zones: ["us-east-1a", "us-east-1b", "us-east-1c"],
    cpu: 4096,
    memory: 8192,
  });
  const agentSeconds = (performance.now() - agentsStarted) / 1000;
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "converge",
      containerDefinitions: [{ name: "app", image: "busybox", memory: 16, cpu: 8 }],
    }),
  );
  console.log(
    `convergence: ${AGENTS} simulated agents in a worker thread (3 AZs, registered in ${fmt(agentSeconds, 1)} s), agent timeout ${AGENT_TIMEOUT_S} s, hosts lost after ${HOST_LOST_S} s`,
  );
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

  // 10% of the agents vanish for good. Berth shows them disconnected after the agent
  // timeout and retires them (INACTIVE, tasks STOPPED) after the lost-host timeout.
  const vanishing = Math.max(1, Math.floor(AGENTS / 10));
  const before = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0]!;
  const known = new Set((before.events ?? []).map((e) => e.id));
  t = performance.now();
  const gone = await fleet.vanish(vanishing);
  // Replacement has begun when a new "has started" event appears (the simulated agents
  // acknowledge so fast that runningCount may never be seen dropping); recovered when
  // after that every desired task is RUNNING and none is pending.
  let replacingAt = -1;
  let backAt = -1;
  let replaced = 0;
  const windowMs = (HOST_LOST_S + (quick ? 20 : 60)) * 1000;
  while (performance.now() - t < windowMs) {
    const s = (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0]!;
    const started = (s.events ?? []).filter((e) => !known.has(e.id) && / has started \d+ tasks/.test(e.message ?? ""));
    if (started.length && replacingAt < 0) replacingAt = performance.now();
    replaced = started.reduce((n, e) => n + Number(/ has started (\d+) tasks/.exec(e.message!)![1]), 0);
    if (replacingAt >= 0 && s.runningCount === desired && s.pendingCount === 0) {
      backAt = performance.now();
      break;
    }
    await sleep(100);
  }
  const ci = await ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: gone.slice(0, 100) }));
  const retired = (ci.containerInstances ?? []).filter((c) => c.status === "INACTIVE").length;
  let onGone = 0;
  for (const arn of gone) {
    let token: string | undefined;
    do {
      const out = await ecs.send(
        new ListTasksCommand({ cluster: CLUSTER, containerInstance: arn, desiredStatus: "RUNNING", nextToken: token }),
      );
      onGone += out.taskArns?.length ?? 0;
      token = out.nextToken;
    } while (token);
  }
  console.log(
    `  ${gone.length} agents vanish: ${retired}/${Math.min(100, gone.length)} sampled retired (INACTIVE); ${onGone} tasks still RUNNING on them; ${replaced} replaced`,
  );
  const detectS = replacingAt >= 0 ? (replacingAt - t) / 1000 : null;
  const recoveryS = backAt >= 0 ? (backAt - t) / 1000 : null;
  if (detectS !== null && recoveryS !== null) {
    console.log(
      `  retired after ${fmt(detectS, 1)} s (lost-host timeout ${HOST_LOST_S} s); ${replaced} replacements RUNNING ${fmt(recoveryS - detectS, 2)} s later; recovered ${fmt(recoveryS, 1)} s after the vanishing`,
    );
  } else {
    console.log(
      `  recovery: not complete ${fmt(windowMs / 1000, 0)} s after the vanishing (replacement ${detectS === null ? "never began" : `began after ${fmt(detectS, 1)} s`})`,
    );
  }
  summary.failure = {
    vanished: gone.length,
    retiredSampled: retired,
    tasksOnVanished: onGone,
    replaced,
    detectSeconds: detectS,
    replaceSeconds: recoveryS !== null && detectS !== null ? recoveryS - detectS : null,
    recoverySeconds: recoveryS,
  };
  console.log(JSON.stringify({ bench: "convergence", ...summary }));
}

for (const sig of ["SIGINT", "SIGTERM"] as const)
  process.once(sig, () => {
    berth?.child.kill("SIGKILL");
    process.exit(1);
  });
main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    await fleet?.close().catch(() => undefined);
    await berth?.kill9();
    process.exit();
  });
