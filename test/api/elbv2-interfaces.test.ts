// Load balancers and awsvpc tasks share their subnets' addresses: a control plane listening on
// loopback, a simulated agent running the tasks, the real ECS, EC2 and ELBv2 clients.
import { DescribeNetworkInterfacesCommand, DescribeSubnetsCommand, type Subnet } from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { CreateLoadBalancerCommand, DeleteLoadBalancerCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { capabilityAttributes } from "../../src/agent/capabilities.js";
import { startControlPlane, type RunningControlPlane } from "../../src/cli/control-plane.js";
import { testPlaneOptions } from "../support/in-process.js";
import { ec2SdkClient, elbSdkClient, sdkClient } from "../support/clients.js";
import { SimulatedAgent } from "../support/simulated-agent.js";
import { waitFor } from "../support/wait.js";

describe("load balancers' and tasks' addresses", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "berth-elb-eni-"));
  let plane: RunningControlPlane;
  let agent: SimulatedAgent;
  let subnets: Subnet[];
  const ecs = () => sdkClient(plane.endpoint);
  const ec2 = () => ec2SdkClient(plane.endpoint);
  const elb = () => elbSdkClient(plane.endpoint);

  before(async () => {
    plane = await startControlPlane({ ...testPlaneOptions(dataDir), host: "127.0.0.1", port: 0 });
    await ecs().send(new CreateClusterCommand({ clusterName: "lb" }));
    agent = await new SimulatedAgent(plane.endpoint, {
      cluster: "lb",
      az: "us-east-1a",
      attributes: capabilityAttributes().map((a) => ({ name: a.name!, value: a.value })),
    }).start();
    await ecs().send(
      new RegisterTaskDefinitionCommand({
        family: "web",
        networkMode: "awsvpc",
        containerDefinitions: [{ name: "app", image: "busybox", memory: 32 }],
      }),
    );
    subnets = (await ec2().send(new DescribeSubnetsCommand({}))).Subnets!.sort((a, b) =>
      a.AvailabilityZone! < b.AvailabilityZone! ? -1 : 1,
    );
  });
  after(async () => {
    await agent.stop();
    await plane.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("a task placed after a load balancer skips its address, and a load balancer made after the task skips the task's", async () => {
    const [a, b] = [subnets[0]!.SubnetId!, subnets[1]!.SubnetId!];
    const first = (await elb().send(new CreateLoadBalancerCommand({ Name: "first", Subnets: [a, b] }))).LoadBalancers![0]!;
    const run = await ecs().send(
      new RunTaskCommand({ cluster: "lb", taskDefinition: "web", networkConfiguration: { awsvpcConfiguration: { subnets: [a] } } }),
    );
    assert.deepEqual(run.failures, []);
    const taskArn = run.tasks![0]!.taskArn!;
    const task = await waitFor(async () => (await ecs().send(new DescribeTasksCommand({ cluster: "lb", tasks: [taskArn] }))).tasks![0]!, {
      until: (t) => t.lastStatus === "RUNNING",
    });
    const taskIp = task.attachments![0]!.details!.find((d) => d.name === "privateIPv4Address")!.value;
    assert.equal(taskIp, "172.31.0.5", "the load balancer holds 172.31.0.4");
    const second = (await elb().send(new CreateLoadBalancerCommand({ Name: "second", Subnets: [a, b] }))).LoadBalancers![0]!;
    const addresses = async (Name: string, Values: string[]) =>
      (await ec2().send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name, Values }] })))
        .NetworkInterfaces!.map((n) => n.PrivateIpAddress)
        .sort();
    assert.deepEqual(await addresses("subnet-id", [a]), ["172.31.0.4", "172.31.0.5", "172.31.0.6"]);
    assert.deepEqual(await addresses("requester-id", ["amazon-elb"]), ["172.31.0.4", "172.31.0.6", "172.31.16.4", "172.31.16.5"]);
    await ecs().send(new StopTaskCommand({ cluster: "lb", task: taskArn }));
    for (const lb of [first, second]) await elb().send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lb.LoadBalancerArn! }));
    assert.deepEqual(await addresses("requester-id", ["amazon-elb"]), []);
  });
});
