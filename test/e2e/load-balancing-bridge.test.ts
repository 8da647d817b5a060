// A bridge-mode service behind an application load balancer, end to end: the real binary with
// its HAProxy data plane, a container instance (EC2 capacity) on Docker, the ELBv2, EC2 and ECS
// SDKs. The target group's type is instance, so ECS registers each task as the container
// instance's EC2 instance id on the task's dynamic host port; both become healthy, requests by
// the load balancer's DNS name reach both, and scaling the service to zero drains them away.
import { CreateSecurityGroupCommand, type EC2Client } from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeTasksCommand,
  ListContainerInstancesCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ECSClient,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DeleteLoadBalancerCommand,
  DescribeTargetHealthCommand,
  ModifyTargetGroupAttributesCommand,
  waitUntilLoadBalancerAvailable,
  waitUntilTargetInService,
  type ElasticLoadBalancingV2Client,
  type TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startAgent, type AgentProcess } from "../support/agent-process.js";
import { startBerth, type BerthProcess } from "../support/berth-process.js";
import { ec2SdkClient, elbSdkClient, sdkClient } from "../support/clients.js";
import { ensureBusyboxImage, removeClusterContainers } from "../support/images.js";
import { waitFor } from "../support/wait.js";
import { vpcOfItsOwn } from "../support/vpc.js";

const CLUSTER = `lb-bridge-${process.pid}`;

describe("a bridge-mode service behind an ALB", () => {
  let berth: BerthProcess;
  let agent: AgentProcess;
  let ecs: ECSClient;
  let ec2: EC2Client;
  let elb: ElasticLoadBalancingV2Client;
  let vpcId = "";
  let lbArn = "";
  let dnsName = "";
  let tgArn = "";

  before(async () => {
    const image = await ensureBusyboxImage();
    berth = await startBerth();
    ecs = sdkClient(berth.endpoint);
    ec2 = ec2SdkClient(berth.endpoint);
    elb = elbSdkClient(berth.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    agent = startAgent(berth.endpoint, { args: ["--cluster", CLUSTER, "--capacity", "ec2"] });
    await agent.registered;
    // A VPC of its own for the load balancer, so this test need not wait for the default VPC's range.
    const { vpcId: madeVpc, subnets } = await vpcOfItsOwn(ec2);
    vpcId = madeVpc;
    const lbGroup = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "lb", Description: "lb" }))).GroupId!;
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "bridge-web",
        networkMode: "bridge",
        containerDefinitions: [
          {
            name: "web",
            image,
            memory: 32,
            stopTimeout: 2,
            // Each task answers with its own hostname (its container id), so answers tell tasks apart.
            command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www"],
            portMappings: [{ containerPort: 80, hostPort: 0 }],
          },
        ],
      }),
    );
    const lb = (
      await elb.send(new CreateLoadBalancerCommand({ Name: "bridge", Scheme: "internal", Subnets: subnets, SecurityGroups: [lbGroup] }))
    ).LoadBalancers![0]!;
    lbArn = lb.LoadBalancerArn!;
    dnsName = lb.DNSName!;
    await waitUntilLoadBalancerAvailable({ client: elb, maxWaitTime: 30 }, { LoadBalancerArns: [lbArn] });
    tgArn = (
      await elb.send(
        new CreateTargetGroupCommand({
          Name: "bridge-web",
          Protocol: "HTTP",
          Port: 80,
          VpcId: vpcId,
          TargetType: "instance",
          HealthCheckIntervalSeconds: 5,
          HealthCheckTimeoutSeconds: 2,
          HealthyThresholdCount: 2,
        }),
      )
    ).TargetGroups![0]!.TargetGroupArn!;
    await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: tgArn,
        Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "2" }],
      }),
    );
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Protocol: "HTTP",
        Port: 80,
        DefaultActions: [{ Type: "forward", TargetGroupArn: tgArn }],
      }),
    );
  });

  after(async () => {
    // Deleting the load balancer stops the data plane's HAProxy and takes its name out of /etc/hosts.
    if (lbArn) await elb?.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn })).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    await agent?.kill();
    await berth?.stop();
    await removeClusterContainers(CLUSTER);
  });

  const targets = async (): Promise<TargetHealthDescription[]> =>
    (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions ?? [];

  test("tasks are registered by instance id on their dynamic host ports, and both serve", async () => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: "web",
        taskDefinition: "bridge-web:1",
        desiredCount: 2,
        launchType: "EC2",
        loadBalancers: [{ targetGroupArn: tgArn, containerName: "web", containerPort: 80 }],
      }),
    );
    await waitFor(async () => (await targets()).length, { until: (n) => n === 2, message: "two targets registered", timeoutMs: 60_000 });
    await waitUntilTargetInService({ client: elb, maxWaitTime: 90 }, { TargetGroupArn: tgArn });
    await waitFor(async () => (await targets()).filter((t) => t.TargetHealth?.State === "healthy").length, {
      until: (n) => n === 2,
      message: "both targets healthy",
      timeoutMs: 60_000,
    });

    const instanceArns = (await ecs.send(new ListContainerInstancesCommand({ cluster: CLUSTER }))).containerInstanceArns!;
    const instance = (await ecs.send(new DescribeContainerInstancesCommand({ cluster: CLUSTER, containerInstances: instanceArns })))
      .containerInstances![0]!;
    assert.match(instance.ec2InstanceId!, /^i-[0-9a-f]+$/);
    const taskArns = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: "web" }))).taskArns!;
    const tasks = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: taskArns }))).tasks!;
    assert.equal(tasks.length, 2);
    const hostPorts = tasks.map((t) => t.containers![0]!.networkBindings![0]!.hostPort!).sort((a, b) => a - b);
    assert.ok(hostPorts.every((p) => p !== 80 && p > 0) && hostPorts[0] !== hostPorts[1], `host ports ${hostPorts.join(", ")}`);

    const described = await targets();
    assert.deepEqual(
      described.map((t) => t.Target!.Id),
      [instance.ec2InstanceId, instance.ec2InstanceId],
    );
    assert.deepEqual(
      described.map((t) => t.Target!.Port).sort((a, b) => a! - b!),
      hostPorts,
    );
    assert.ok(
      described.every((t) => t.TargetHealth!.State === "healthy" && t.TargetHealth!.Reason === undefined),
      JSON.stringify(described),
    );

    // Through the load balancer by its DNS name: both tasks answer, each with its own hostname.
    const answers = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`http://${dnsName}/`, { signal: AbortSignal.timeout(3_000) });
      assert.equal(res.status, 200);
      answers.add((await res.text()).trim());
    }
    assert.equal(answers.size, 2, [...answers].join(", "));
  });

  test("scaled to zero, its targets drain and are gone", async () => {
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", desiredCount: 0 }));
    await waitFor(async () => (await targets()).some((t) => t.TargetHealth?.State === "draining"), {
      message: "targets draining",
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    await waitFor(async () => (await targets()).length, { until: (n) => n === 0, message: "targets gone", timeoutMs: 30_000 });
    await waitFor(async () => (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: "web" }))).taskArns!.length, {
      until: (n) => n === 0,
      message: "tasks stopped",
      timeoutMs: 30_000,
    });
  });
});
