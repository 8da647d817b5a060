// Two berth agents on one host, each with a bridge task: both tables' catch-alls take whatever
// comes from docker0, so only the per-container source set lets each task reach the agent that
// runs it (its metadata, and its role's credentials, which the other agent does not hold).
import { CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, type Task } from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { startAgent, type AgentProcess } from "../support/agent-process.js";
import { startBerth, type BerthProcess } from "../support/berth-process.js";
import { sdkClient } from "../support/clients.js";
import { ensureBusyboxImage, removeClusterContainers } from "../support/images.js";
import { waitFor } from "../support/wait.js";

const run = promisify(execFile);
const CLUSTERS = [`tmds2a-${process.pid}`, `tmds2b-${process.pid}`];
const roleOf = (cluster: string) => `arn:aws:iam::123456789012:role/${cluster}`;

async function readInside(task: Task, url: string): Promise<Record<string, unknown>> {
  const { stdout } = await run("docker", ["exec", task.containers![0]!.runtimeId!, "sh", "-c", `timeout 5 wget -qO- "${url}"`]);
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe("task endpoint with two agents on one host", () => {
  let berth: BerthProcess;
  const agents: AgentProcess[] = [];
  const tasks: Task[] = [];

  before(async () => {
    const image = await ensureBusyboxImage();
    berth = await startBerth();
    const ecs = sdkClient(berth.endpoint);
    for (const cluster of CLUSTERS) {
      await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
      const agent = startAgent(berth.endpoint, { args: ["--cluster", cluster, "--task-endpoint-port", "0"] });
      agents.push(agent);
      await agent.registered;
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: cluster,
          networkMode: "bridge",
          taskRoleArn: roleOf(cluster),
          containerDefinitions: [{ name: "app", image, memory: 64, stopTimeout: 2, command: ["sleep", "3600"] }],
        }),
      );
    }
    for (const cluster of CLUSTERS) {
      const out = await ecs.send(new RunTaskCommand({ cluster, taskDefinition: cluster, launchType: "EC2" }));
      assert.deepEqual(out.failures, [], JSON.stringify(out.failures));
      const arn = out.tasks![0]!.taskArn!;
      const task = await waitFor(async () => (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0]!, {
        until: (t) => t.lastStatus === "RUNNING" || t.lastStatus === "STOPPED",
        message: `${cluster} running`,
        timeoutMs: 60_000,
      });
      assert.equal(task.lastStatus, "RUNNING", task.stoppedReason);
      tasks.push(task);
    }
  });

  after(async () => {
    await Promise.all(agents.map((a) => a.kill()));
    await berth?.stop();
    for (const cluster of CLUSTERS) await removeClusterContainers(cluster);
  });

  test("each bridge task reads its own metadata and its own role's credentials", async () => {
    for (const [i, task] of tasks.entries()) {
      // Its first moments may go to a catch-all; once its agent has its address, it is that agent's.
      const metadata = await waitFor(() => readInside(task, "$ECS_CONTAINER_METADATA_URI_V4/task"), {
        retryErrors: true,
        timeoutMs: 15_000,
      });
      assert.equal(metadata.TaskARN, task.taskArn);
      const creds = await readInside(task, "http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
      assert.equal(creds.RoleArn, roleOf(CLUSTERS[i]!));
    }
  });
});
