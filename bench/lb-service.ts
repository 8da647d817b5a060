// A service's task behind a load balancer, end to end: the time from the task reaching RUNNING
// (its startedAt, as DescribeTasks reports it) to the first request the load balancer sends it,
// with the real binary, its HAProxy data plane, an agent on Docker and the ELBv2/ECS SDKs. The
// target group checks as often as ELB allows (interval 5 s, healthy threshold 2), so the
// issue's bound is 2 × 5 s + 1 s. Each round creates a one-task service behind an internal ALB
// and requests the load balancer's DNS name every 20 ms until the task answers; before that the
// group has no target and the load balancer answers 503. Rounds take turns with nothing else.
// Run as root: node dist/bench/lb-service.js [--quick]
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { CreateListenerCommand, DeleteLoadBalancerCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { setTimeout as sleep } from "node:timers/promises";
import { vpcNetworkName } from "../src/domain/ec2/vpc-network.js";
import { DockerDriver } from "../src/runtime/docker/index.js";
import { startAgent } from "../test/support/agent-process.js";
import { startBerth } from "../test/support/berth-process.js";
import { ec2SdkClient, elbSdkClient, sdkClient } from "../test/support/clients.js";
import { ensureBusyboxImage, removeClusterContainers } from "../test/support/images.js";
import { waitFor } from "../test/support/wait.js";
import { FAST_HEALTH_CHECK, fastTargetGroup, internalAlbInOwnVpc, webTaskDefinition } from "../test/support/web-service.js";
import { fmt, median } from "./stats.js";

const quick = process.argv.includes("--quick");
const CLUSTER = `bench-lb-service-${process.pid}`;
const BOUND_MS = (FAST_HEALTH_CHECK.HealthyThresholdCount * FAST_HEALTH_CHECK.HealthCheckIntervalSeconds + 1) * 1000;

async function main(): Promise<void> {
  const image = await ensureBusyboxImage();
  const berth = await startBerth();
  const agent = startAgent(berth.endpoint, { args: ["--cluster", CLUSTER, "--capacity", "fargate"] });
  const [ecs, ec2, elb] = [sdkClient(berth.endpoint), ec2SdkClient(berth.endpoint), elbSdkClient(berth.endpoint)];
  let vpcId = "";
  let lbArn = "";
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await agent.registered;
    await ecs.send(new RegisterTaskDefinitionCommand(webTaskDefinition("bench-web", image, "v1")));
    const alb = await internalAlbInOwnVpc(ec2, elb, "bench");
    ({ vpcId, lbArn } = alb);
    const targetGroupArn = await fastTargetGroup(elb, { name: "bench-web", vpcId, drainSeconds: 0 });
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Protocol: "HTTP",
        Port: 80,
        DefaultActions: [{ Type: "forward", TargetGroupArn: targetGroupArn }],
      }),
    );

    const times: number[] = [];
    for (let round = 0; round < (quick ? 1 : 3); round++) {
      const serviceName = `web-${round}`;
      await ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName,
          taskDefinition: "bench-web",
          desiredCount: 1,
          launchType: "FARGATE",
          networkConfiguration: { awsvpcConfiguration: { subnets: alb.subnets, securityGroups: [alb.taskGroup] } },
          loadBalancers: [{ targetGroupArn, containerName: "web", containerPort: 80 }],
        }),
      );
      const firstAnswer = await firstOk(`http://${alb.dnsName}/`);
      const taskArn = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName }))).taskArns![0]!;
      const task = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [taskArn] }))).tasks![0]!;
      times.push(firstAnswer - task.startedAt!.getTime());
      console.log(`round ${round + 1}: RUNNING → first request ${fmt(times.at(-1)!, 0)} ms`);
      await ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: serviceName, force: true }));
      // The next round starts from a group with no target: the load balancer answers 503 again.
      await waitFor(async () => (await statusOf(`http://${alb.dnsName}/`)) === 503, {
        message: `${serviceName}'s task deregistered`,
        timeoutMs: 60_000,
      });
    }
    console.log(`RUNNING → first request through the ALB ${fmt(median(times), 0)} ms median of ${times.length} (target ≤ ${BOUND_MS})`);
    console.log(JSON.stringify({ bench: "lb-service", runningToTrafficMs: median(times), boundMs: BOUND_MS, rounds: times }));
  } finally {
    if (lbArn) await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn })).catch(() => undefined);
    await agent.kill();
    await berth.stop();
    await removeClusterContainers(CLUSTER);
    if (vpcId) await new DockerDriver().removeNetwork(vpcNetworkName(vpcId)).catch(() => undefined);
  }
}

/** The status `url` answers, 0 when it does not. */
const statusOf = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(2_000) })
    .then(async (res) => (await res.arrayBuffer(), res.status))
    .catch(() => 0);

/** When `url` first answers 200 (ms since the epoch), asking every 20 ms. */
async function firstOk(url: string): Promise<number> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if ((await statusOf(url)) === 200) return Date.now();
    await sleep(20);
  }
  throw new Error(`${url} never answered 200`);
}

await main();
