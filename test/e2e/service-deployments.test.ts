// Service history against a running server, read with the AWS CLI (the `aws` on PATH: v1,
// whose botocore knows the service deployment commands; Debian's v2.9 predates them): a
// deployment that completes is SUCCESSFUL, a circuit-breaker rollback and a
// StopServiceDeployment rollback end ROLLBACK_SUCCESSFUL, and the history survives a crash.
// Simulated agents run the tasks (no containers).
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ECSClient,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startBerth, type BerthProcess } from "../support/berth-process.js";
import { availableClis, runCli, sdkClient, type AwsCli } from "../support/clients.js";
import { SimulatedAgent } from "../support/simulated-agent.js";
import { waitFor } from "../support/wait.js";

const CLUSTER = "history";

interface Brief {
  serviceDeploymentArn: string;
  status: string;
  targetServiceRevisionArn: string;
}

describe("service deployments (AWS CLI, simulated agent)", () => {
  let berth: BerthProcess;
  let ecs: ECSClient;
  let agent: SimulatedAgent | undefined;
  // The CLI whose botocore has ListServiceDeployments.
  const cli: AwsCli | undefined = availableClis().find(
    (c) => runCli(c, "http://127.0.0.1:1", ["ecs", "list-service-deployments", "help"]).status === 0,
  );

  const aws = (...args: string[]) => {
    const r = runCli(cli!, berth.endpoint, ["ecs", ...args]);
    assert.equal(r.status, 0, r.stderr);
    return r.json;
  };
  const list = (service: string): Brief[] => aws("list-service-deployments", "--cluster", CLUSTER, "--service", service).serviceDeployments;
  const newest = (service: string, status: string) =>
    waitFor(() => list(service)[0]!, {
      until: (d) => d.status === status,
      message: `${service}'s newest deployment ${status}`,
      timeoutMs: 60_000,
    });
  const taskDef = async (image: string) =>
    (await ecs.send(new RegisterTaskDefinitionCommand({ family: "hist", containerDefinitions: [{ name: "app", image, memory: 64 }] })))
      .taskDefinition!.taskDefinitionArn!;

  before(async () => {
    assert.ok(cli, "an AWS CLI that knows list-service-deployments");
    berth = await startBerth();
    ecs = sdkClient(berth.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    agent = await new SimulatedAgent(berth.endpoint, {
      cluster: CLUSTER,
      outcome: (a) => (a.taskDefinition.containerDefinitions![0]!.image === "broken:1" ? "fail" : "run"),
    }).start();
  });
  after(async () => {
    await agent?.stop();
    await berth?.stop();
  });

  test("completed, circuit-breaker rollback, stopped rollback; kept across a crash", async () => {
    const good = await taskDef("app:1");
    const broken = await taskDef("broken:1");
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: "web",
        taskDefinition: good,
        desiredCount: 1,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
    const created = await newest("web", "SUCCESSFUL");
    const [done] = aws("describe-service-deployments", "--service-deployment-arns", created.serviceDeploymentArn).serviceDeployments;
    assert.equal(done.targetServiceRevision.runningTaskCount, 1);
    assert.ok(done.finishedAt);
    assert.equal(done.deploymentCircuitBreaker.status, "MONITORING_COMPLETE");

    // A revision whose tasks fail to start: the circuit breaker rolls it back.
    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", taskDefinition: broken }));
    const tripped = await newest("web", "ROLLBACK_SUCCESSFUL");
    const [rolledBack] = aws("describe-service-deployments", "--service-deployment-arns", tripped.serviceDeploymentArn).serviceDeployments;
    assert.equal(rolledBack.rollback.serviceRevisionArn, created.targetServiceRevisionArn);
    assert.equal(rolledBack.deploymentCircuitBreaker.status, "TRIGGERED");
    assert.ok(rolledBack.deploymentCircuitBreaker.failureCount >= 3);

    // Without the circuit breaker the broken revision would retry for ever: stop it.
    await ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: "web",
        taskDefinition: broken,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false } },
      }),
    );
    const stuck = await newest("web", "IN_PROGRESS");
    assert.equal(
      aws("stop-service-deployment", "--service-deployment-arn", stuck.serviceDeploymentArn).serviceDeploymentArn,
      stuck.serviceDeploymentArn,
    );
    const stopped = await newest("web", "ROLLBACK_SUCCESSFUL");
    assert.equal(stopped.serviceDeploymentArn, stuck.serviceDeploymentArn);
    const [revision] = aws("describe-service-revisions", "--service-revision-arns", created.targetServiceRevisionArn).serviceRevisions;
    assert.equal(revision.taskDefinition, good);
    const web = aws("describe-services", "--cluster", CLUSTER, "--services", "web").services[0];
    assert.equal(web.taskDefinition, good);

    const before = list("web");
    assert.deepEqual(
      before.map((d) => d.status),
      ["ROLLBACK_SUCCESSFUL", "ROLLBACK_SUCCESSFUL", "SUCCESSFUL"],
    );
    const dataDir = berth.dataDir;
    await agent!.stop();
    agent = undefined;
    await berth.kill9();
    berth = await startBerth({ dataDir });
    assert.deepEqual(list("web"), before);
  });
});
