// Load balancing end to end: the real binary with its HAProxy data plane, a real agent on
// Docker, the ELBv2, EC2 and ECS SDKs. An internal application load balancer in a VPC of its
// own, with a path rule sending /api/* to a second target group, in front of two FARGATE
// services; requests reach it by its DNS name on the host. Under a steady load through it, a
// rolling deployment and a scale-in drop nothing; a task whose health path fails is stopped by
// ECS and replaced; a task whose group does not admit the load balancer gets no traffic and
// shows Target.Timeout until a rule admits it, and so does one the load balancer's own egress
// rules do not reach; target group stickiness set by the AWS CLI keeps a client on one group of
// a weighted rule; a network load balancer passes TCP through; and
// the data plane keeps serving while the control plane is killed (-9) and after it is back.
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  DescribeNetworkInterfacesCommand,
  RevokeSecurityGroupEgressCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ECSClient,
  type Service,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteLoadBalancerCommand,
  DescribeTargetHealthCommand,
  ModifyRuleCommand,
  waitUntilTargetInService,
  type ElasticLoadBalancingV2Client,
  type TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { connect } from "node:net";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { startAgent, type AgentProcess } from "../support/agent-process.js";
import { startBerth, type BerthProcess } from "../support/berth-process.js";
import { availableClis, ec2SdkClient, elbSdkClient, runCli, sdkClient } from "../support/clients.js";
import { ensureBusyboxImage, removeClusterContainers } from "../support/images.js";
import { badStatuses, steadyLoad } from "../support/load.js";
import { waitFor } from "../support/wait.js";
import { fastTargetGroup, internalAlbInOwnVpc, webTaskDefinition } from "../support/web-service.js";
import { DockerDriver } from "../../src/runtime/docker/index.js";
import { vpcNetworkName } from "../../src/domain/ec2/vpc-network.js";

const run = promisify(execFile);
const CLUSTER = `lb-${process.pid}`;

describe("services behind load balancers", () => {
  let berth: BerthProcess;
  let agent: AgentProcess;
  let ecs: ECSClient;
  let ec2: EC2Client;
  let elb: ElasticLoadBalancingV2Client;
  let image = "";
  let vpcId = "";
  const subnets: string[] = [];
  let lbGroup = "";
  let taskGroup = "";
  let closedGroup = "";
  let dnsName = "";
  let lbArn = "";
  let webTg = "";
  let apiTg = "";
  let apiRule = "";
  const madeLoadBalancers: string[] = [];

  before(async () => {
    image = await ensureBusyboxImage();
    berth = await startBerth();
    agent = startAgent(berth.endpoint, { args: ["--cluster", CLUSTER, "--capacity", "fargate"] });
    ecs = sdkClient(berth.endpoint);
    ec2 = ec2SdkClient(berth.endpoint);
    elb = elbSdkClient(berth.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await agent.registered;
    const alb = await internalAlbInOwnVpc(ec2, elb, "web");
    ({ vpcId, lbGroup, taskGroup, lbArn, dnsName } = alb);
    subnets.push(...alb.subnets);
    madeLoadBalancers.push(lbArn);
    closedGroup = await alb.group("closed");
    for (const mark of ["v1", "v2"]) await ecs.send(new RegisterTaskDefinitionCommand(webTaskDefinition("lb-web", image, mark)));
    webTg = await fastTargetGroup(elb, { name: "web", vpcId, drainSeconds: 3 });
    apiTg = await fastTargetGroup(elb, { name: "api", vpcId, drainSeconds: 3 });
    const listener = await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Protocol: "HTTP",
        Port: 80,
        DefaultActions: [{ Type: "forward", TargetGroupArn: webTg }],
      }),
    );
    apiRule = (
      await elb.send(
        new CreateRuleCommand({
          ListenerArn: listener.Listeners![0]!.ListenerArn!,
          Priority: 10,
          Conditions: [{ Field: "path-pattern", Values: ["/api/*"] }],
          Actions: [{ Type: "forward", TargetGroupArn: apiTg }],
        }),
      )
    ).Rules![0]!.RuleArn!;
  });

  after(async () => {
    // Deleting the load balancers stops the data plane's HAProxy and takes their names out of /etc/hosts.
    for (const arn of madeLoadBalancers) await elb?.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: arn })).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    await agent?.kill();
    await berth?.stop();
    await removeClusterContainers(CLUSTER);
    if (vpcId) await new DockerDriver().removeNetwork(vpcNetworkName(vpcId)).catch(() => undefined);
  });

  const createService = (name: string, targetGroupArn: string, desiredCount: number, groups = [taskGroup], graceSeconds = 0) =>
    ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: name,
        taskDefinition: "lb-web:1",
        desiredCount,
        launchType: "FARGATE",
        networkConfiguration: { awsvpcConfiguration: { subnets, securityGroups: groups } },
        loadBalancers: [{ targetGroupArn, containerName: "web", containerPort: 80 }],
        healthCheckGracePeriodSeconds: graceSeconds,
        deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
      }),
    );

  const describeService = async (name: string): Promise<Service> =>
    (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }))).services![0]!;

  const targets = async (tg: string): Promise<TargetHealthDescription[]> =>
    (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions ?? [];

  const healthyCount = async (tg: string) => (await targets(tg)).filter((t) => t.TargetHealth?.State === "healthy").length;

  const get = async (path: string) => {
    const res = await fetch(`http://${dnsName}${path}`, { signal: AbortSignal.timeout(3_000) });
    return { status: res.status, body: (await res.text()).trim() };
  };

  /** Waits until the service's deployment is COMPLETED with `count` tasks healthy in its target group. */
  async function settled(name: string, tg: string, count: number): Promise<void> {
    await waitFor(
      async () => {
        const s = await describeService(name);
        const primary = s.deployments?.find((d) => d.status === "PRIMARY");
        return s.deployments?.length === 1 && primary?.rolloutState === "COMPLETED" && (await healthyCount(tg)) === count;
      },
      { message: `${name} settled with ${count} healthy targets`, timeoutMs: 120_000, intervalMs: 500 },
    );
  }

  test("an internal ALB routes by path to two FARGATE services, by its DNS name", async () => {
    await createService("web", webTg, 2);
    await createService("api", apiTg, 1);
    await waitUntilTargetInService({ client: elb, maxWaitTime: 90 }, { TargetGroupArn: webTg });
    await settled("web", webTg, 2);
    await settled("api", apiTg, 1);
    assert.deepEqual(await get("/"), { status: 200, body: "v1" });
    assert.deepEqual(await get("/api/"), { status: 200, body: "api" });
    // Registered by address: each target is a task's interface address, on port 80.
    const tasks = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: "web" }))).taskArns!;
    const described = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks }))).tasks!;
    const addresses = described.map((t) => t.attachments![0]!.details!.find((d) => d.name === "privateIPv4Address")!.value!).sort();
    assert.deepEqual((await targets(webTg)).map((t) => t.Target!.Id).sort(), addresses);
    assert.ok((await targets(webTg)).every((t) => t.Target!.Port === 80 && t.TargetHealth!.Reason === undefined));
    // The load balancer's interfaces, one per subnet, as EC2 shows them.
    const enis = (
      await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "requester-id", Values: ["amazon-elb"] }] }))
    ).NetworkInterfaces!.filter((i) => i.VpcId === vpcId);
    assert.deepEqual(enis.map((i) => i.SubnetId).sort(), [...subnets].sort());
    const web = await describeService("web");
    assert.deepEqual(web.loadBalancers, [{ targetGroupArn: webTg, containerName: "web", containerPort: 80 }]);
    assert.ok(
      web.events!.some((e) => /registered \d+ targets in \(target-group/.test(e.message ?? "")),
      JSON.stringify(web.events?.map((e) => e.message)),
    );
  });

  test("target group stickiness set by the AWS CLI keeps a client on one group of a weighted rule", async () => {
    const cli = availableClis()[0];
    assert.ok(cli, "an AWS CLI");
    const actions = [
      {
        Type: "forward",
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: webTg, Weight: 1 },
            { TargetGroupArn: apiTg, Weight: 1 },
          ],
          TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 },
        },
      },
    ];
    const modified = runCli(cli, berth.endpoint, ["elbv2", "modify-rule", "--rule-arn", apiRule, "--actions", JSON.stringify(actions)]);
    assert.equal(modified.status, 0, modified.stderr);
    /** The AWSALBTG cookie a request to the rule gets back: it names the group that answered. */
    const groupCookie = async (cookie?: string) => {
      const res = await fetch(`http://${dnsName}/api/`, { headers: cookie ? { cookie } : {}, signal: AbortSignal.timeout(3_000) });
      await res.text();
      return res.headers
        .getSetCookie()
        .find((c) => c.startsWith("AWSALBTG="))
        ?.split(";")[0];
    };
    try {
      await waitFor(() => groupCookie(), { message: "the rule's responses set AWSALBTG", timeoutMs: 15_000 });
      const seen = new Set<string>();
      // A kept-alive connection's next request may still reach the worker from before the
      // rule's reload, which answers it (without the cookie) and closes the connection.
      for (let i = 0; i < 30; i++) {
        const cookie = await groupCookie();
        if (cookie) seen.add(cookie);
      }
      assert.equal(seen.size, 2, "without the cookie, both groups by weight");
      for (const cookie of seen) for (let i = 0; i < 8; i++) assert.equal(await groupCookie(cookie), cookie, "with it, its group");
    } finally {
      await elb.send(new ModifyRuleCommand({ RuleArn: apiRule, Actions: [{ Type: "forward", TargetGroupArn: apiTg }] }));
    }
    await waitFor(async () => (await groupCookie()) === undefined, { message: "the rule back to one group" });
  });

  test("a rolling deployment and a scale-in under load drop no request", async () => {
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", desiredCount: 3 }));
    await settled("web", webTg, 3);
    const load = steadyLoad(`http://${dnsName}/`, { clients: 4, pauseMs: 5 });
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", taskDefinition: "lb-web:2" }));
    await settled("web", webTg, 3);
    await waitFor(() => load.sample().bodies.get("v2") ?? 0, { until: (n) => n > 20, message: "v2 serves", timeoutMs: 10_000 });
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", desiredCount: 1 }));
    await settled("web", webTg, 1);
    // The drained targets are gone once their delay has passed.
    await waitFor(async () => (await targets(webTg)).length === 1, { message: "drained targets gone", timeoutMs: 20_000 });
    const result = await load.stop();
    assert.ok(result.requests > 200, `only ${result.requests} requests`);
    assert.deepEqual(result.failures, []);
    assert.deepEqual(badStatuses(result), []);
    assert.ok((result.bodies.get("v1") ?? 0) > 0 && (result.bodies.get("v2") ?? 0) > 0);
  });

  test("a task failing its health path is stopped by ECS and replaced", async () => {
    const [taskArn] = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: "web" }))).taskArns!;
    const task = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn!] }))).tasks![0]!;
    await run("docker", ["exec", task.containers![0]!.runtimeId!, "rm", "/www/health"]);
    const stopped = await waitFor(
      async () => (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn!] }))).tasks![0]!,
      { until: (t) => t.desiredStatus === "STOPPED", message: "ECS stops the task", timeoutMs: 45_000 },
    );
    assert.equal(stopped.stoppedReason, `Task failed ELB health checks in (target-group ${webTg})`);
    const events = (await describeService("web")).events!.map((e) => e.message ?? "");
    const taskId = taskArn!.split("/").pop()!;
    assert.ok(
      events.some((m) =>
        m.includes(
          `(task ${taskId}) (port 80) is unhealthy in (target-group web) due to (reason Health checks failed with these codes: [404])`,
        ),
      ),
      JSON.stringify(events.slice(0, 5)),
    );
    await settled("web", webTg, 1);
    assert.deepEqual(await get("/"), { status: 200, body: "v2" });
  });

  test("a task whose group does not admit the load balancer gets no traffic until a rule does", async () => {
    const closedTg = await fastTargetGroup(elb, { name: "closed", vpcId });
    const listener = await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Protocol: "HTTP",
        Port: 8080,
        DefaultActions: [{ Type: "forward", TargetGroupArn: closedTg }],
      }),
    );
    assert.ok(listener.Listeners![0]!.ListenerArn);
    // A grace period long enough that ECS leaves the unhealthy task alone while the test looks at it.
    await createService("closed", closedTg, 1, [closedGroup], 600);
    const timedOut = await waitFor(async () => (await targets(closedTg)).find((t) => t.TargetHealth?.State === "unhealthy"), {
      message: "the blocked target unhealthy",
      timeoutMs: 60_000,
    });
    assert.equal(timedOut.TargetHealth!.Reason, "Target.Timeout");
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: closedGroup,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, UserIdGroupPairs: [{ GroupId: lbGroup }] }],
      }),
    );
    await waitFor(async () => healthyCount(closedTg), { until: (n) => n >= 1, message: "admitted and healthy", timeoutMs: 60_000 });
    const res = await fetch(`http://${dnsName}:8080/`, { signal: AbortSignal.timeout(3_000) });
    assert.equal(res.status, 200);
  });

  test("a load balancer whose group's egress does not reach a task group: Target.Timeout until a rule does", async () => {
    const closedTg = (await describeService("closed")).loadBalancers![0]!.targetGroupArn!;
    const egress = (GroupId: string) => ({
      GroupId: lbGroup,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 80, ToPort: 80, UserIdGroupPairs: [{ GroupId }] }],
    });
    // The default egress (everything) replaced by tcp/80 to the web tasks' group only.
    await ec2.send(new AuthorizeSecurityGroupEgressCommand(egress(taskGroup)));
    await ec2.send(
      new RevokeSecurityGroupEgressCommand({
        GroupId: lbGroup,
        IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      }),
    );
    const timedOut = await waitFor(async () => (await targets(closedTg)).find((t) => t.TargetHealth?.State === "unhealthy"), {
      message: "the target the load balancer may not reach unhealthy",
      timeoutMs: 60_000,
    });
    assert.equal(timedOut.TargetHealth!.Reason, "Target.Timeout");
    assert.equal(timedOut.TargetHealth!.Description, "Request timed out");
    assert.deepEqual(await get("/"), { status: 200, body: "v2" }, "the web tasks' group is still reached");
    // Without a grace period ECS replaces the task, with the event it writes for any target timing out.
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "closed", healthCheckGracePeriodSeconds: 0 }));
    await waitFor(async () => (await describeService("closed")).events!.map((e) => e.message ?? ""), {
      until: (events) => events.some((m) => /is unhealthy in \(target-group closed\) due to \(reason Request timed out\)/.test(m)),
      message: "ECS's unhealthy event",
      timeoutMs: 45_000,
    });
    await ec2.send(new AuthorizeSecurityGroupEgressCommand(egress(closedGroup)));
    await waitFor(async () => healthyCount(closedTg), { until: (n) => n >= 1, message: "reached and healthy", timeoutMs: 60_000 });
    const res = await fetch(`http://${dnsName}:8080/`, { signal: AbortSignal.timeout(3_000) });
    assert.equal(res.status, 200);
  });

  test("a network load balancer passes TCP through to a task", async () => {
    const nlb = (
      await elb.send(
        new CreateLoadBalancerCommand({ Name: "tcp", Type: "network", Scheme: "internal", Subnets: subnets, SecurityGroups: [lbGroup] }),
      )
    ).LoadBalancers![0]!;
    madeLoadBalancers.push(nlb.LoadBalancerArn!);
    assert.match(nlb.DNSName!, /^internal-tcp-[0-9a-f]{16}\.elb\.us-east-1\.amazonaws\.com$/);
    const tg = (
      await elb.send(
        new CreateTargetGroupCommand({
          Name: "tcp",
          Protocol: "TCP",
          Port: 80,
          VpcId: vpcId,
          TargetType: "ip",
          HealthCheckIntervalSeconds: 5,
          HealthCheckTimeoutSeconds: 2,
          HealthyThresholdCount: 2,
        }),
      )
    ).TargetGroups![0]!.TargetGroupArn!;
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: nlb.LoadBalancerArn!,
        Protocol: "TCP",
        Port: 7000,
        DefaultActions: [{ Type: "forward", TargetGroupArn: tg }],
      }),
    );
    await createService("tcp", tg, 1);
    await waitUntilTargetInService({ client: elb, maxWaitTime: 90 }, { TargetGroupArn: tg });
    // Bytes in, bytes out: the NLB neither reads nor adds anything (no X-Forwarded-For), so the
    // task's HTTP server answers the raw request written on the socket.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(7000, nlb.DNSName, () => socket.write("GET / HTTP/1.0\r\n\r\n"));
      let data = "";
      socket.on("data", (d: Buffer) => (data += d.toString()));
      socket.on("end", () => resolve(data));
      socket.on("error", reject);
      socket.setTimeout(5_000, () => socket.destroy(new Error("no answer")));
    });
    assert.match(answer, /^HTTP\/1\.[01] 200 OK/);
    assert.equal(answer.split("\r\n\r\n")[1]!.trim(), "v1");
  });

  test("the data plane keeps serving while the control plane is killed and after it is back", async () => {
    const load = steadyLoad(`http://${dnsName}/`, { clients: 2, pauseMs: 10 });
    await new Promise((r) => setTimeout(r, 500));
    await berth.kill9();
    await new Promise((r) => setTimeout(r, 2_000));
    const during = load.sample().requests;
    berth = await startBerth({ dataDir: berth.dataDir, port: Number(new URL(berth.endpoint).port) });
    await new Promise((r) => setTimeout(r, 2_000));
    const result = await load.stop();
    assert.ok(during > 50 && result.requests > during, `${during} then ${result.requests} requests`);
    assert.deepEqual(result.failures, []);
    assert.deepEqual(badStatuses(result), []);
    assert.deepEqual(await get("/"), { status: 200, body: "v2" });
  });
});
