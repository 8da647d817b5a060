// Control-plane footprint holding state: berth loaded with 1,000 container instances, 500
// services and 10,000 tasks, its resident memory (VmRSS) and the time to restart on that data
// dir (spawn → first answered request), beside moto_server (the machine's Python moto) loaded
// with the same state in the same run. Run: node dist/bench/footprint.js [--quick]
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTasksCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} from "@aws-sdk/client-ecs";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TEST_ACCESS_KEY } from "../test/support/berth-process.js";
import { freePort } from "../test/support/ports.js";
import { fmt } from "./stats.js";
import { benchClient, berthServerArgs } from "./client.js";
import { motoEc2Instances } from "./moto.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const quick = process.argv.includes("--quick");
const FULL = { instances: 1000, services: 500, tasks: 10_000 };
const scaleArg = process.argv.indexOf("--scale");
const SCALE = scaleArg > 0 ? Number(process.argv[scaleArg + 1]) : 1;
const STATE = quick
  ? { instances: 10, services: 5, tasks: 50 }
  : { instances: Math.round(FULL.instances * SCALE), services: Math.round(FULL.services * SCALE), tasks: Math.round(FULL.tasks * SCALE) };
// --tasks N loads fewer tasks and extrapolates the RSS growth per task to FULL.tasks (moto's
// RunTask slows as tasks accumulate; berth's does not since it indexes tasks by host).
const tasksArg = process.argv.indexOf("--tasks");
if (!quick && tasksArg > 0) STATE.tasks = Number(process.argv[tasksArg + 1]);
const verbose = process.argv.includes("--verbose");
const phase = (name: string, t: number) => verbose && console.error(`  [${name} ${fmt((performance.now() - t) / 1000, 1)} s]`);
const CLUSTER = "bench";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const client = (endpoint: string) => benchClient(endpoint, 16);

/** Runs `total` numbered jobs with `concurrency` in flight. */
async function pool(total: number, concurrency: number, job: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await job(next++);
    }),
  );
}

/** Loads the state through the ECS API; returns the seconds it took. */
async function load(ecs: ECSClient, state: typeof FULL, ec2Ids: string[] | undefined, beforeTasks: () => void): Promise<number> {
  const started = performance.now();
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  await pool(state.instances, 16, (i) =>
    ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: CLUSTER,
        instanceIdentityDocument: JSON.stringify({
          instanceId: ec2Ids?.[i] ?? `i-${i.toString(16).padStart(17, "0")}`,
          availabilityZone: `us-east-1${"abc"[i % 3]}`,
          instanceType: "m5.xlarge",
        }),
        totalResources: [
          { name: "CPU", type: "INTEGER", integerValue: 4096 },
          { name: "MEMORY", type: "INTEGER", integerValue: 16384 },
        ],
      }),
    ),
  );
  phase("instances", started);
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "footprint",
      containerDefinitions: [{ name: "app", image: "busybox", memory: 16, cpu: 8 }],
    }),
  );
  await pool(state.services, 16, (i) =>
    ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: `svc-${i}`, taskDefinition: "footprint", desiredCount: 0 })),
  );
  phase("services", started);
  beforeTasks();
  let placed = 0;
  await pool(Math.ceil(state.tasks / 10), 8, async (i) => {
    const out = await ecs.send(
      new RunTaskCommand({ cluster: CLUSTER, taskDefinition: "footprint", count: Math.min(10, state.tasks - i * 10) }),
    );
    placed += out.tasks?.length ?? 0;
  });
  phase("tasks", started);
  if (placed !== state.tasks) throw new Error(`only ${placed} of ${state.tasks} tasks were placed`);
  return (performance.now() - started) / 1000;
}

/** Lists and describes every container instance, service and task once; returns how many. */
async function readEverything(ecs: ECSClient): Promise<number> {
  let count = 0;
  const pages = async <T>(
    list: (token?: string) => Promise<{ arns: string[]; next?: string }>,
    describe: (arns: string[]) => Promise<T>,
    size: number,
  ) => {
    let token: string | undefined;
    do {
      const page = await list(token);
      for (let i = 0; i < page.arns.length; i += size) await describe(page.arns.slice(i, i + size));
      count += page.arns.length;
      token = page.next;
    } while (token);
  };
  await pages(
    async (nextToken) => {
      const out = await ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER, nextToken }));
      return { arns: out.containerInstanceArns ?? [], next: out.nextToken };
    },
    (arns) => ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: arns })),
    100,
  );
  await pages(
    async (nextToken) => {
      const out = await ecs.send(new ListServicesCommand({ cluster: CLUSTER, nextToken }));
      return { arns: out.serviceArns ?? [], next: out.nextToken };
    },
    (arns) => ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: arns })),
    10,
  );
  await pages(
    async (nextToken) => {
      const out = await ecs.send(new ListTasksCommand({ cluster: CLUSTER, nextToken }));
      return { arns: out.taskArns ?? [], next: out.nextToken };
    },
    (arns) => ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns })),
    100,
  );
  return count;
}

/** Resident memory in MB of a process and its descendants (moto_server may sit behind a shim). */
function rssMb(pid: number): number {
  let kb: number;
  try {
    kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  } catch {
    return 0;
  }
  let children: number[] = [];
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      children.push(...readFileSync(`/proc/${pid}/task/${t}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number));
    }
  } catch {
    children = [];
  }
  return kb / 1024 + children.reduce((sum, c) => sum + rssMb(c), 0);
}

async function answered(ask: () => Promise<unknown>, started: number, limitMs = 30_000): Promise<number> {
  for (;;) {
    try {
      await ask();
      return performance.now() - started;
    } catch {
      if (performance.now() - started > limitMs) throw new Error(`no answer within ${limitMs} ms`);
      await sleep(2);
    }
  }
}

const children: ChildProcess[] = [];
// Registered instances have no agent behind them; a long agent timeout keeps them eligible for RunTask.
const berthEnv = { ...process.env, BERTH_AGENT_TIMEOUT_SECONDS: "86400" };

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await Promise.race([exited, sleep(10_000)]);
  child.kill("SIGKILL");
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "berth-bench-"));
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let berth = spawn(process.execPath, berthServerArgs(port, dataDir), { stdio: "ignore", env: berthEnv });
  children.push(berth);
  const ecs = client(endpoint);
  await answered(() => ecs.send(new ListClustersCommand({})), performance.now());
  const emptyRss = rssMb(berth.pid!);
  let berthNoTasks = 0;
  const berthLoad = await load(ecs, STATE, undefined, () => (berthNoTasks = rssMb(berth.pid!)));
  await sleep(1000);
  const berthRss = rssMb(berth.pid!);
  const extrapolate = (loaded: number, noTasks: number) => noTasks + ((loaded - noTasks) / STATE.tasks) * FULL.tasks;
  const berthAtFull = STATE.tasks < FULL.tasks && !quick ? extrapolate(berthRss, berthNoTasks) : berthRss;
  console.log(
    `footprint: ${STATE.instances} container instances, ${STATE.services} services (desiredCount 0), ${STATE.tasks} tasks (RunTask, count 10)`,
  );
  console.log(
    `  berth loaded in ${fmt(berthLoad, 1)} s; VmRSS empty ${fmt(emptyRss, 0)} MB, loaded ${fmt(berthRss, 0)} MB (${fmt(berthNoTasks, 0)} before the tasks)`,
  );
  if (berthAtFull !== berthRss) console.log(`  EXTRAPOLATED to ${FULL.tasks} tasks (linear in tasks): ${fmt(berthAtFull, 0)} MB`);
  console.log(`  target ≤ 150 MB → ${berthAtFull <= 150 ? "met" : "MISSED"}`);

  // Restart on the same data dir: spawn → first answered request.
  await stop(berth);
  const restarted = performance.now();
  berth = spawn(process.execPath, berthServerArgs(port, dataDir), { stdio: "ignore", env: berthEnv });
  children.push(berth);
  const restartMs = await answered(() => ecs.send(new ListClustersCommand({})), restarted);
  const after = (await ecs.send(new DescribeClustersCommand({ clusters: [CLUSTER] }))).clusters?.[0];
  const restartRss = rssMb(berth.pid!);
  console.log(
    `  restart on that state: first answer after ${fmt(restartMs, 0)} ms  target ≤ 1000 ms → ${restartMs <= 1000 ? "met" : "MISSED"}; ` +
      `then ${after?.registeredContainerInstancesCount} instances, ${after?.activeServicesCount} services, ${(after?.runningTasksCount ?? 0) + (after?.pendingTasksCount ?? 0)} tasks; VmRSS ${fmt(restartRss, 0)} MB`,
  );
  // The steady state of a long-running control plane: every document read once since the start.
  const described = await readEverything(ecs);
  await sleep(1000);
  const warmRss = rssMb(berth.pid!);
  console.log(
    `  restarted and every instance, service and task described once (${described} resources): VmRSS ${fmt(warmRss, 0)} MB  target ≤ 150 MB → ${warmRss <= 150 ? "met" : "MISSED"}`,
  );
  await stop(berth);

  // Baseline: moto_server holding the same state.
  const motoPort = await freePort();
  const moto = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(motoPort)], { stdio: "ignore" });
  children.push(moto);
  const mecs = client(`http://127.0.0.1:${motoPort}`);
  await answered(() => mecs.send(new ListClustersCommand({})), performance.now());
  const motoEmpty = rssMb(moto.pid!);
  const ec2Ids = await motoEc2Instances(`http://127.0.0.1:${motoPort}`, TEST_ACCESS_KEY, STATE.instances);
  let motoNoTasks = 0;
  const motoLoad = await load(mecs, STATE, ec2Ids, () => (motoNoTasks = rssMb(moto.pid!)));
  await sleep(1000);
  const motoRss = rssMb(moto.pid!);
  console.log(
    `  moto_server loaded the same in ${fmt(motoLoad, 1)} s (plus ${STATE.instances} EC2 instances it needs behind them); VmRSS empty ${fmt(motoEmpty, 0)} MB, loaded ${fmt(motoRss, 0)} MB`,
  );
  const motoAtFull = STATE.tasks < FULL.tasks && !quick ? extrapolate(motoRss, motoNoTasks) : motoRss;
  if (motoAtFull !== motoRss)
    console.log(
      `  moto EXTRAPOLATED to ${FULL.tasks} tasks: ${fmt(motoAtFull, 0)} MB; ratio berth/moto ${fmt(berthAtFull / motoAtFull, 2)}×`,
    );
  console.log(
    `  ratio berth/moto RSS loaded ${fmt(berthRss / motoRss, 2)}×, growth ${fmt((berthRss - emptyRss) / Math.max(1, motoRss - motoEmpty), 2)}× (moto holds no restartable state)`,
  );
  console.log(
    JSON.stringify({
      bench: "footprint",
      state: STATE,
      berth: {
        loadSeconds: berthLoad,
        rssEmptyMb: emptyRss,
        rssBeforeTasksMb: berthNoTasks,
        rssMb: berthRss,
        rssExtrapolatedMb: berthAtFull,
        restartMs,
        restartRssMb: restartRss,
        warmRssMb: warmRss,
      },
      moto: { loadSeconds: motoLoad, rssEmptyMb: motoEmpty, rssBeforeTasksMb: motoNoTasks, rssMb: motoRss, rssExtrapolatedMb: motoAtFull },
      ratioRss: berthRss / motoRss,
    }),
  );
}

for (const sig of ["SIGINT", "SIGTERM"] as const)
  process.once(sig, () => {
    for (const c of children) c.kill("SIGKILL");
    process.exit(1);
  });
main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill("SIGKILL");
  });
