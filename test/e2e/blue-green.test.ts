// ECS native blue/green deployments end to end: the real binary with its HAProxy data plane, a
// real agent on Docker, the ECS and ELBv2 SDKs. An internal application load balancer in a VPC
// of its own has a production listener (:80) whose rule weighs two target groups, blue and
// green, and a test listener (:8080) whose rule ECS points at the new revision first. Under a
// steady load through the load balancer's DNS name, a deployment paused after its test traffic
// shift serves the new revision on :8080 only and the old one on :80 only, then moves production
// to it and stops the old tasks; a second one, paused after its production traffic shift, is
// rolled back with StopServiceDeployment; a LINEAR one moves production in two steps. Not one
// request fails or answers 5xx.
import type { EC2Client } from "@aws-sdk/client-ec2";
import {
  ContinueServiceDeploymentCommand,
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListServiceDeploymentsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  waitUntilServicesStable,
  type DeploymentConfiguration,
  type ECSClient,
  type Service,
  type ServiceDeployment,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateRuleCommand,
  DeleteLoadBalancerCommand,
  DescribeRulesCommand,
  DescribeTargetHealthCommand,
  type Action,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import assert from "node:assert/strict";
import { get as httpGet } from "node:http";
import { after, before, describe, test } from "node:test";
import { startAgent, type AgentProcess } from "../support/agent-process.js";
import { startBerth, TEST_ACCOUNT, type BerthProcess } from "../support/berth-process.js";
import { ec2SdkClient, elbSdkClient, sdkClient } from "../support/clients.js";
import { ensureBusyboxImage, removeClusterContainers } from "../support/images.js";
import { badStatuses, steadyLoad, type Load, type LoadResult } from "../support/load.js";
import { waitFor, type WaitOptions } from "../support/wait.js";
import { fastTargetGroup, internalAlbInOwnVpc, webTaskDefinition } from "../support/web-service.js";
import { DockerDriver } from "../../src/runtime/docker/index.js";
import { vpcNetworkName } from "../../src/domain/ec2/vpc-network.js";

const CLUSTER = `bg-${process.pid}`;
const SERVICE = "web";
const FAMILY = "bg-web";
const ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/ecsInfrastructureRole`;
/** Requests no rule matches: every answer the tests count comes through a blue/green rule. */
const NO_RULE: Action = {
  Type: "fixed-response",
  FixedResponseConfig: { StatusCode: "404", ContentType: "text/plain", MessageBody: "no rule" },
};

const blueGreen = (stage: "POST_TEST_TRAFFIC_SHIFT" | "POST_PRODUCTION_TRAFFIC_SHIFT"): DeploymentConfiguration => ({
  strategy: "BLUE_GREEN",
  bakeTimeInMinutes: 0,
  lifecycleHooks: [{ targetType: "PAUSE", lifecycleStages: [stage] }],
});

/** The statuses of a service deployment that has not ended yet. */
const UNDER_WAY = new Set(["PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"]);

interface RunningTask {
  arn: string;
  /** The revision it serves: "v1", "v2", … */
  mark: string;
  address: string;
}

describe("blue/green deployments behind an ALB", () => {
  let berth: BerthProcess;
  let agent: AgentProcess;
  let ecs: ECSClient;
  let ec2: EC2Client;
  let elb: ElasticLoadBalancingV2Client;
  let vpcId = "";
  let lbArn = "";
  let dnsName = "";
  let blueTg = "";
  let greenTg = "";
  let productionRule = "";
  let testRule = "";
  /** The task definition ARN of each revision mark. */
  const revisions = new Map<string, string>();
  let load: Load | undefined;

  before(async () => {
    const image = await ensureBusyboxImage();
    berth = await startBerth();
    agent = startAgent(berth.endpoint, { args: ["--cluster", CLUSTER, "--capacity", "fargate"] });
    ecs = sdkClient(berth.endpoint);
    ec2 = ec2SdkClient(berth.endpoint);
    elb = elbSdkClient(berth.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await agent.registered;
    const alb = await internalAlbInOwnVpc(ec2, elb, "bg");
    ({ vpcId, lbArn, dnsName } = alb);
    for (const mark of ["v1", "v2", "v3"]) {
      const td = await ecs.send(new RegisterTaskDefinitionCommand(webTaskDefinition(FAMILY, image, mark)));
      revisions.set(td.taskDefinition!.taskDefinitionArn!, mark);
    }
    blueTg = await fastTargetGroup(elb, { name: "blue-tg", vpcId, drainSeconds: 5 });
    greenTg = await fastTargetGroup(elb, { name: "green-tg", vpcId, drainSeconds: 5 });
    productionRule = await ruleOnNewListener(80, {
      Type: "forward",
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: blueTg, Weight: 100 },
          { TargetGroupArn: greenTg, Weight: 0 },
        ],
      },
    });
    testRule = await ruleOnNewListener(8080, { Type: "forward", TargetGroupArn: blueTg });

    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: SERVICE,
        taskDefinition: `${FAMILY}:1`,
        desiredCount: 2,
        launchType: "FARGATE",
        networkConfiguration: { awsvpcConfiguration: { subnets: alb.subnets, securityGroups: [alb.taskGroup] } },
        loadBalancers: [
          {
            targetGroupArn: blueTg,
            containerName: "web",
            containerPort: 80,
            advancedConfiguration: {
              alternateTargetGroupArn: greenTg,
              productionListenerRule: productionRule,
              testListenerRule: testRule,
              roleArn: ROLE,
            },
          },
        ],
        deploymentConfiguration: blueGreen("POST_TEST_TRAFFIC_SHIFT"),
      }),
    );
    // A service's first deployment runs no hook: it goes through on its own, into the primary group.
    const first = (await describeService()).currentServiceDeployment!;
    await ended(first, "SUCCESSFUL");
    await answersOnly(80, "v1");
  });

  after(async () => {
    await load?.stop();
    // Deleting the load balancer stops the data plane's HAProxy and takes its name out of /etc/hosts.
    if (lbArn) await elb?.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn })).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    await agent?.kill();
    await berth?.stop();
    await removeClusterContainers(CLUSTER);
    if (vpcId) await new DockerDriver().removeNetwork(vpcNetworkName(vpcId)).catch(() => undefined);
  });

  /** An HTTP listener on `port` answering NO_RULE, with a rule (priority 1, every path) taking `action`; the rule's ARN. */
  async function ruleOnNewListener(port: number, action: Action): Promise<string> {
    const listener = await elb.send(
      new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: "HTTP", Port: port, DefaultActions: [NO_RULE] }),
    );
    const rule = await elb.send(
      new CreateRuleCommand({
        ListenerArn: listener.Listeners![0]!.ListenerArn!,
        Priority: 1,
        Conditions: [{ Field: "path-pattern", Values: ["/*"] }],
        Actions: [action],
      }),
    );
    return rule.Rules![0]!.RuleArn!;
  }

  const describeService = async (): Promise<Service> =>
    (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }))).services![0]!;

  const describeDeployment = async (arn: string): Promise<ServiceDeployment> =>
    (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments![0]!;

  /** The weight the rule's forward action gives each group, by colour. */
  async function weights(ruleArn: string): Promise<{ blue?: number; green?: number }> {
    const rule = (await elb.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }))).Rules![0]!;
    const action = rule.Actions!.find((a) => a.Type === "forward")!;
    const groups = action.ForwardConfig?.TargetGroups ?? [{ TargetGroupArn: action.TargetGroupArn, Weight: 1 }];
    const weightOf = (arn: string) => groups.find((g) => g.TargetGroupArn === arn)?.Weight;
    return { blue: weightOf(blueTg), green: weightOf(greenTg) };
  }

  /** The addresses of a group's healthy targets, sorted. */
  const healthyIn = async (tg: string): Promise<string[]> =>
    ((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions ?? [])
      .filter((t) => t.TargetHealth?.State === "healthy")
      .map((t) => t.Target!.Id!)
      .sort();

  /** The service's tasks meant to run, with the revision each serves. */
  async function runningTasks(): Promise<RunningTask[]> {
    const arns = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: SERVICE, desiredStatus: "RUNNING" }))).taskArns!;
    if (arns.length === 0) return [];
    const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks!;
    return tasks.map((t) => ({
      arn: t.taskArn!,
      mark: revisions.get(t.taskDefinitionArn!) ?? t.taskDefinitionArn!,
      address: t.attachments?.[0]?.details?.find((d) => d.name === "privateIPv4Address")?.value ?? "",
    }));
  }

  const addressesOf = (tasks: RunningTask[], mark: string) =>
    tasks
      .filter((t) => t.mark === mark)
      .map((t) => t.address)
      .sort();

  /** What berth shows of the service, its deployments, rules and groups: printed when a wait times out. */
  async function diagnostics(): Promise<string> {
    const service = await describeService();
    const listed = await ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service: SERVICE }));
    const arns = (listed.serviceDeployments ?? []).map((d) => d.serviceDeploymentArn!);
    const deployments = arns.length
      ? (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: arns }))).serviceDeployments!
      : [];
    const seen = {
      deployments: service.deployments?.map((d) => [d.status, d.rolloutState, d.taskDefinition, d.runningCount, d.desiredCount]),
      serviceDeployments: deployments.map((d) => [d.status, d.lifecycleStage, d.lifecycleHookDetails]),
      productionRule: await weights(productionRule),
      testRule: await weights(testRule),
      blueHealthy: await healthyIn(blueTg),
      greenHealthy: await healthyIn(greenTg),
      tasks: await runningTasks(),
    };
    const events = (service.events ?? []).slice(0, 20).map((e) => `  ${e.message}`);
    return [`events:`, ...events, ...Object.entries(seen).map(([key, value]) => `${key}: ${JSON.stringify(value)}`)].join("\n");
  }

  /** Fails with `message` and berth's view of the service. */
  async function fail(message: string): Promise<never> {
    const seen = await diagnostics().catch((e: Error) => `(no diagnostics: ${e.message})`);
    throw new Error(`${message}\n${seen}`);
  }

  /** Awaits `work`; if it fails (a wait timed out), fails with berth's view of the service added. */
  async function explained<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } catch (err) {
      return fail((err as Error).message);
    }
  }

  const waitExplained = <T>(probe: () => Promise<T>, opts: WaitOptions & { until: (value: T) => boolean }) =>
    explained(waitFor(probe, { intervalMs: 250, ...opts }));

  const untilDeployment = (arn: string, what: string, ok: (d: ServiceDeployment) => boolean) =>
    waitExplained(() => describeDeployment(arn), { until: ok, message: what, timeoutMs: 120_000 });

  /** Waits until the deployment `arn` has ended, and fails unless it ended `status`. */
  async function ended(arn: string, status: string): Promise<ServiceDeployment> {
    const seen = await untilDeployment(arn, `the deployment ${status}`, (d) => !UNDER_WAY.has(d.status!));
    if (seen.status !== status) await fail(`the deployment ended ${seen.status} at ${seen.lifecycleStage}, not ${status}`);
    return seen;
  }

  /** Waits until the deployment `arn` waits at a PAUSE hook of `stage`; fails at once if it ends instead. */
  async function pausedAt(arn: string, stage: string): Promise<ServiceDeployment> {
    const paused = (d: ServiceDeployment) =>
      d.lifecycleStage === stage && d.lifecycleHookDetails?.some((h) => h.status === "AWAITING_ACTION") === true;
    const seen = await untilDeployment(arn, `paused at ${stage}`, (d) => paused(d) || !UNDER_WAY.has(d.status!));
    if (!paused(seen)) await fail(`the deployment ended ${seen.status} at ${seen.lifecycleStage} before pausing at ${stage}`);
    return seen;
  }

  /** One GET / on its own connection to the load balancer's `port`: the body, or the status when not 200. */
  const answer = (port: number) =>
    new Promise<string>((resolve, reject) => {
      const req = httpGet({ host: dnsName, port, path: "/", agent: false, timeout: 3_000 }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve(res.statusCode === 200 ? body.trim() : `HTTP ${res.statusCode}`));
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new Error("timed out")));
      req.on("error", reject);
    });

  /**
   * Waits until ten requests in a row to `port` all answer `mark`: the data plane applies a rule
   * change a moment after the API wrote it, so the first requests may still see the one before.
   */
  const answersOnly = (port: number, mark: string) =>
    waitExplained(
      async () => {
        const seen: string[] = [];
        for (let i = 0; i < 10; i++) seen.push(await answer(port));
        return seen;
      },
      { until: (seen) => seen.every((s) => s === mark), message: `:${port} answering ${mark} only`, timeoutMs: 15_000 },
    );

  /** The tasks `arns` all STOPPED. */
  const stopped = (arns: string[], what: string) =>
    waitExplained(async () => (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns }))).tasks!, {
      until: (tasks) => tasks.every((t) => t.lastStatus === "STOPPED"),
      message: what,
      timeoutMs: 60_000,
    });

  const servicesStable = () =>
    explained(
      waitUntilServicesStable({ client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { cluster: CLUSTER, services: [SERVICE] }),
    );

  /** Asserts the service's events include each of `messages`. */
  function assertEvents(service: Service, messages: string[]) {
    const events = (service.events ?? []).map((e) => e.message);
    for (const message of messages) assert.ok(events.includes(message), `no event "${message}" in ${JSON.stringify(events.slice(0, 12))}`);
  }

  /** Asserts a load's run saw enough requests, every one answered 2xx. */
  function assertNothingDropped(result: LoadResult) {
    assert.ok(result.requests > 200, `only ${result.requests} requests`);
    assert.deepEqual(result.failures, []);
    assert.deepEqual(badStatuses(result), []);
  }

  /**
   * How each deployment ends: two `to` tasks run, and the load that ran through it, stopped now,
   * lost no request and was answered by both `from` and `to`.
   */
  async function endedUnderLoad(from: string, to: string) {
    assert.deepEqual(
      (await runningTasks()).map((t) => t.mark),
      [to, to],
    );
    const result = await load!.stop();
    load = undefined;
    assertNothingDropped(result);
    assert.ok((result.bodies.get(from) ?? 0) > 0 && (result.bodies.get(to) ?? 0) > 0, JSON.stringify([...result.bodies]));
  }

  test("a blue/green deployment under load: test traffic first, a pause, then production", async () => {
    const blue = await runningTasks();
    assert.deepEqual(
      blue.map((t) => t.mark),
      ["v1", "v1"],
    );
    assert.deepEqual(await healthyIn(blueTg), addressesOf(blue, "v1"), "the first deployment registered in the primary group");
    load = steadyLoad(`http://${dnsName}/`, { clients: 4, pauseMs: 5 });

    const arn = (await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: SERVICE, taskDefinition: `${FAMILY}:2` }))).service!
      .currentServiceDeployment!;
    const paused = await pausedAt(arn, "POST_TEST_TRAFFIC_SHIFT");
    assert.equal(paused.status, "IN_PROGRESS");
    await answersOnly(8080, "v2");
    await answersOnly(80, "v1");
    assert.equal(load.sample().bodies.get("v2") ?? 0, 0, "no production request reached green before its shift");
    const during = await runningTasks();
    assert.equal(addressesOf(during, "v2").length, 2, JSON.stringify(during));
    assert.deepEqual(await healthyIn(greenTg), addressesOf(during, "v2"), "green registered and healthy in the alternate group");
    assert.deepEqual(await healthyIn(blueTg), addressesOf(blue, "v1"), "blue untouched in the primary group");
    assert.deepEqual(await weights(productionRule), { blue: 100, green: 0 });
    const testWeights = await weights(testRule);
    assert.ok(!testWeights.blue && (testWeights.green ?? 0) > 0, `the test rule forwards to green only: ${JSON.stringify(testWeights)}`);

    const hook = paused.lifecycleHookDetails!.find((h) => h.status === "AWAITING_ACTION")!;
    await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: hook.hookId!, action: "CONTINUE" }));
    const done = await ended(arn, "SUCCESSFUL");
    assert.ok(
      done.lifecycleHookDetails!.every((h) => h.status === "SUCCEEDED"),
      JSON.stringify(done.lifecycleHookDetails),
    );
    await servicesStable();
    await answersOnly(80, "v2");
    assert.deepEqual(await weights(productionRule), { blue: 0, green: 100 });
    await stopped(
      blue.map((t) => t.arn),
      "the blue tasks stopped",
    );
    const service = await describeService();
    const id = service.deployments!.find((d) => d.status === "PRIMARY")!.id!;
    assertEvents(service, [
      `(service ${SERVICE}) (deployment ${id}) is now receiving 100% of test traffic.`,
      `(service ${SERVICE}) (deployment ${id}) is now receiving 100.0% of production traffic.`,
    ]);
    await endedUnderLoad("v1", "v2");
  });

  test("StopServiceDeployment rolls a deployment back after its production traffic shift", async () => {
    const v2 = await runningTasks();
    assert.deepEqual(await healthyIn(greenTg), addressesOf(v2, "v2"), "v2 serves from the alternate group");
    load = steadyLoad(`http://${dnsName}/`, { clients: 4, pauseMs: 5 });

    const arn = (
      await ecs.send(
        new UpdateServiceCommand({
          cluster: CLUSTER,
          service: SERVICE,
          taskDefinition: `${FAMILY}:3`,
          deploymentConfiguration: blueGreen("POST_PRODUCTION_TRAFFIC_SHIFT"),
        }),
      )
    ).service!.currentServiceDeployment!;
    await pausedAt(arn, "POST_PRODUCTION_TRAFFIC_SHIFT");
    await answersOnly(80, "v3");
    const during = await runningTasks();
    const v3 = during.filter((t) => t.mark === "v3");
    assert.equal(v3.length, 2, JSON.stringify(during));
    assert.deepEqual(await healthyIn(blueTg), addressesOf(during, "v3"), "v3 registered in the group v2 is not in");
    assert.deepEqual(await weights(productionRule), { blue: 100, green: 0 });

    await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: "ROLLBACK" }));
    await ended(arn, "ROLLBACK_SUCCESSFUL");
    await answersOnly(80, "v2");
    assert.deepEqual(await weights(productionRule), { blue: 0, green: 100 }, "production back on the v2 group");
    await stopped(
      v3.map((t) => t.arn),
      "the v3 tasks stopped",
    );
    await servicesStable();
    assert.equal((await describeService()).taskDefinition, [...revisions].find(([, mark]) => mark === "v2")![0]);
    await endedUnderLoad("v3", "v2");
  });

  test("a LINEAR deployment shifts production in steps and completes under load", async () => {
    load = steadyLoad(`http://${dnsName}/`, { clients: 4, pauseMs: 5 });
    const arn = (
      await ecs.send(
        new UpdateServiceCommand({
          cluster: CLUSTER,
          service: SERVICE,
          taskDefinition: `${FAMILY}:3`,
          deploymentConfiguration: {
            strategy: "LINEAR",
            linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 0 },
            bakeTimeInMinutes: 0,
            lifecycleHooks: [],
          },
        }),
      )
    ).service!.currentServiceDeployment!;
    await ended(arn, "SUCCESSFUL");
    await servicesStable();
    await answersOnly(80, "v3");
    assert.deepEqual(await weights(productionRule), { blue: 100, green: 0 });
    const service = await describeService();
    const id = service.deployments!.find((d) => d.status === "PRIMARY")!.id!;
    assertEvents(service, [
      `(service ${SERVICE}) (deployment ${id}) is now receiving 50.0% of production traffic.`,
      `(service ${SERVICE}) (deployment ${id}) is now receiving 100.0% of production traffic.`,
    ]);
    await endedUnderLoad("v2", "v3");
  });
});
