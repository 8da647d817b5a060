// The task endpoint at 169.254.170.2, end to end: the real binary, a real agent on Docker, and
// containers that read their metadata from inside with busybox wget, as an application reads
// ECS_CONTAINER_METADATA_URI(_V4): a bridge task and a host-network task (EC2), and an awsvpc
// task (FARGATE) whose security group admits nothing, in or out; the endpoint still answers
// once the control plane is killed (-9), credentials included; the agent's redirect table is made once, kept through
// its kill -9, rebuilt (not doubled) when it is back, and removed when it stops cleanly.
import {
  CreateSecurityGroupCommand,
  RevokeSecurityGroupEgressCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  TagResourceCommand,
  type ECSClient,
  type Task,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { startAgent, type AgentProcess } from "../support/agent-process.js";
import { startBerth, type BerthProcess } from "../support/berth-process.js";
import { ec2SdkClient, sdkClient } from "../support/clients.js";
import { ensureBusyboxImage, removeClusterContainers } from "../support/images.js";
import { waitFor } from "../support/wait.js";
import { vpcOfItsOwn } from "../support/vpc.js";
import { DockerDriver } from "../../src/runtime/docker/index.js";
import { vpcNetworkName } from "../../src/domain/ec2/vpc-network.js";
import { redirectTable } from "../../src/agent/task-endpoint/index.js";

const run = promisify(execFile);
const CLUSTER = `tmds-${process.pid}`;
const ROLE_PREFIX = "arn:aws:iam::123456789012:role/app-";

type Json = Record<string, unknown>;
const bridgeAddressOf = async (t: Task) =>
  (await run("docker", ["inspect", "-f", "{{.NetworkSettings.Networks.bridge.IPAddress}}", t.containers![0]!.runtimeId!])).stdout.trim();
const addressOf = (t: Task) => t.attachments![0]!.details!.find((d) => d.name === "privateIPv4Address")!.value!;

/** What a container's `wget -qO- <url>` prints, the url built inside the container from its environment. */
async function readInside(task: Task, url: string): Promise<Json> {
  const { stdout } = await run("docker", ["exec", task.containers![0]!.runtimeId!, "sh", "-c", `timeout 5 wget -qO- "${url}"`]);
  return JSON.parse(stdout) as Json;
}

async function nftTable(table: string): Promise<string | undefined> {
  return run("nft", ["list", "table", "ip", table]).then(
    ({ stdout }) => stdout,
    () => undefined,
  );
}

describe("task metadata endpoint, from inside containers", () => {
  let berth: BerthProcess;
  let agent: AgentProcess;
  let ecs: ECSClient;
  let ec2: EC2Client;
  let vpcId = "";
  let bridgeTask: Task;
  let hostTask: Task;
  let vpcTask: Task;
  let otherVpcTask: Task;

  before(async () => {
    const image = await ensureBusyboxImage();
    berth = await startBerth();
    agent = startAgent(berth.endpoint, {
      args: ["--cluster", CLUSTER, "--capacity", "both", "--task-endpoint-port", "0"],
      registrations: 2,
    });
    ecs = sdkClient(berth.endpoint);
    ec2 = ec2SdkClient(berth.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await agent.registered;
    const sleeper = (family: string, networkMode: "bridge" | "host" | "awsvpc") =>
      ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          networkMode,
          // The bridge and awsvpc tasks have a task role: their containers get its credentials.
          ...(networkMode === "host" ? {} : { taskRoleArn: `${ROLE_PREFIX}${networkMode}` }),
          ...(networkMode === "awsvpc" ? { requiresCompatibilities: ["FARGATE"], cpu: "256", memory: "512" } : {}),
          containerDefinitions: [
            { name: "app", image, memory: networkMode === "awsvpc" ? undefined : 64, stopTimeout: 2, command: ["sleep", "3600"] },
          ],
        }),
      );
    await sleeper(`${CLUSTER}-bridge`, "bridge");
    await sleeper(`${CLUSTER}-host`, "host");
    await sleeper(`${CLUSTER}-vpc`, "awsvpc");
    const vpc = await vpcOfItsOwn(ec2);
    vpcId = vpc.vpcId;
    // A group that admits nothing: no ingress rule, and its default egress revoked.
    const group = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "nothing", Description: "admits nothing" })))
      .GroupId!;
    await ec2.send(
      new RevokeSecurityGroupEgressCommand({ GroupId: group, IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] }),
    );
    const rules = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [group] }))).SecurityGroups![0]!;
    assert.deepEqual([rules.IpPermissions, rules.IpPermissionsEgress], [[], []]);
    [bridgeTask, hostTask, vpcTask, otherVpcTask] = await Promise.all([
      runTask(`${CLUSTER}-bridge`, "EC2"),
      runTask(`${CLUSTER}-host`, "EC2"),
      runTask(`${CLUSTER}-vpc`, "FARGATE", { subnets: [vpc.subnets[0]!], securityGroups: [group] }),
      runTask(`${CLUSTER}-vpc`, "FARGATE", { subnets: [vpc.subnets[0]!], securityGroups: [group] }),
    ]);
  });

  after(async () => {
    await agent?.kill();
    await berth?.stop();
    await removeClusterContainers(CLUSTER);
    if (vpcId) await new DockerDriver().removeNetwork(vpcNetworkName(vpcId)).catch(() => undefined);
  });

  async function runTask(
    family: string,
    launchType: "EC2" | "FARGATE",
    awsvpc?: { subnets: string[]; securityGroups: string[] },
  ): Promise<Task> {
    const out = await ecs.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: family,
        launchType,
        ...(awsvpc ? { networkConfiguration: { awsvpcConfiguration: awsvpc } } : {}),
      }),
    );
    assert.deepEqual(out.failures, [], JSON.stringify(out.failures));
    const arn = out.tasks![0]!.taskArn!;
    const task = await waitFor(async () => (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))).tasks![0]!, {
      until: (t) => t.lastStatus === "RUNNING" || t.lastStatus === "STOPPED",
      message: `${family} running`,
      timeoutMs: 60_000,
    });
    assert.equal(task.lastStatus, "RUNNING", task.stoppedReason);
    return task;
  }

  const checkTask = (body: Json, task: Task) => {
    assert.equal(body.TaskARN, task.taskArn);
    assert.equal(body.KnownStatus, "RUNNING");
    const [c] = body.Containers as Json[];
    assert.equal(c!.DockerId, task.containers![0]!.runtimeId);
    assert.equal(c!.Name, "app");
    assert.equal(c!.ContainerARN, task.containers![0]!.containerArn);
    assert.equal(c!.Type, "NORMAL");
    return c!;
  };

  test("a bridge task reads v4 (task and container) and v3, with its Docker address", async () => {
    const v4 = await readInside(bridgeTask, "$ECS_CONTAINER_METADATA_URI_V4/task");
    assert.equal(v4.LaunchType, "EC2");
    assert.equal(v4.Cluster, CLUSTER);
    const c = checkTask(v4, bridgeTask);
    const [net] = c.Networks as Json[];
    const { stdout: ip } = await run("docker", ["inspect", "-f", "{{.NetworkSettings.IPAddress}}", bridgeTask.containers![0]!.runtimeId!]);
    assert.deepEqual(net, { NetworkMode: "bridge", IPv4Addresses: [ip.trim()] });
    const self = await readInside(bridgeTask, "$ECS_CONTAINER_METADATA_URI_V4");
    assert.equal(self.DockerId, bridgeTask.containers![0]!.runtimeId);
    assert.deepEqual(self.Limits, { CPU: 0, Memory: 64 });
    checkTask(await readInside(bridgeTask, "$ECS_CONTAINER_METADATA_URI/task"), bridgeTask);
    const stats = await readInside(bridgeTask, "$ECS_CONTAINER_METADATA_URI_V4/stats");
    assert.equal(stats.id, bridgeTask.containers![0]!.runtimeId);
  });

  test("taskWithTags adds the task's and its container instance's tags, asked of ECS", async () => {
    await ecs.send(new TagResourceCommand({ resourceArn: bridgeTask.taskArn!, tags: [{ key: "team", value: "web" }] }));
    await ecs.send(new TagResourceCommand({ resourceArn: bridgeTask.containerInstanceArn!, tags: [{ key: "rack", value: "r1" }] }));
    const withTags = await readInside(bridgeTask, "$ECS_CONTAINER_METADATA_URI_V4/taskWithTags");
    checkTask(withTags, bridgeTask);
    assert.deepEqual(withTags.TaskTags, { team: "web" });
    assert.deepEqual(withTags.ContainerInstanceTags, { rack: "r1" });
    assert.equal((await readInside(bridgeTask, "$ECS_CONTAINER_METADATA_URI_V4/task")).TaskTags, undefined, "/task has none");
  });

  test("a host-network task reads its metadata through the host's own redirect", async () => {
    const c = checkTask(await readInside(hostTask, "$ECS_CONTAINER_METADATA_URI_V4/task"), hostTask);
    assert.deepEqual(c.Networks, [{ NetworkMode: "host" }]);
  });

  test("an awsvpc task whose group admits nothing still reaches the endpoint, and sees its interface", async () => {
    const v4 = await readInside(vpcTask, "$ECS_CONTAINER_METADATA_URI_V4/task");
    assert.equal(v4.LaunchType, "FARGATE");
    assert.equal(v4.VPCID, vpcId);
    const c = checkTask(v4, vpcTask);
    const [net] = c.Networks as Json[];
    assert.equal(net!.NetworkMode, "awsvpc");
    assert.deepEqual(net!.IPv4Addresses, [addressOf(vpcTask)]);
    assert.equal(net!.AttachmentIndex, 0);
    assert.match(String(net!.MACAddress), /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    assert.match(String(net!.IPv4SubnetCIDRBlock), /^10\.\d+\.0\.0\/20$/);
    assert.equal(net!.PrivateDNSName, `ip-${addressOf(vpcTask).replaceAll(".", "-")}.us-east-1.compute.internal`);
    checkTask(await readInside(vpcTask, "$ECS_CONTAINER_METADATA_URI/task"), vpcTask);
  });

  test("another container cannot use a token it does not have: the agent's 404", async () => {
    const { stdout } = await run("docker", [
      "exec",
      bridgeTask.containers![0]!.runtimeId!,
      "sh",
      "-c",
      "wget -S -qO- http://169.254.170.2/v4/00000000-0000-0000-0000-000000000000/task 2>&1; true",
    ]);
    assert.match(stdout, /404 Not Found/);
  });

  const checkCredentials = (body: Json, networkMode: string) => {
    assert.equal(body.RoleArn, `${ROLE_PREFIX}${networkMode}`);
    assert.match(String(body.AccessKeyId), /^ASIA[A-Z2-7]{16}$/);
    assert.ok(String(body.SecretAccessKey).length >= 40 && String(body.Token).length > 40);
    assert.ok(Date.parse(String(body.Expiration)) > Date.now(), `expires later: ${String(body.Expiration)}`);
  };

  test("bridge and awsvpc tasks with a task role read its credentials at AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", async () => {
    checkCredentials(await readInside(bridgeTask, "http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"), "bridge");
    checkCredentials(await readInside(vpcTask, "http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"), "awsvpc");
    const { stdout: hostEnv } = await run("docker", ["exec", hostTask.containers![0]!.runtimeId!, "env"]);
    assert.doesNotMatch(hostEnv, /AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/, "no task role, no credentials path");
  });

  test("another awsvpc task given the same id gets the agent's InvalidIdInRequest, not the credentials", async () => {
    const { stdout: path } = await run("docker", [
      "exec",
      vpcTask.containers![0]!.runtimeId!,
      "sh",
      "-c",
      "echo $AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    ]);
    const { stdout } = await run("docker", [
      "exec",
      otherVpcTask.containers![0]!.runtimeId!,
      "sh",
      "-c",
      `wget -S -qO- http://169.254.170.2${path.trim()} 2>&1; true`,
    ]);
    assert.match(stdout, /400 Bad Request/);
    assert.doesNotMatch(stdout, /SecretAccessKey/);
  });

  test("the redirect: one table, kept through the agent's kill -9 and made again (not doubled) when it is back", async () => {
    const table = redirectTable(join(agent.dataDir, "agent"));
    const before = await nftTable(table);
    assert.ok(before, `table ${table} exists`);
    assert.equal(before.match(/dnat to/g)?.length, 4, before);
    assert.match(before, new RegExp(`ip saddr @tasks`));
    assert.ok(before.includes(addressOf(vpcTask)), "the awsvpc task's address is in the tasks set");
    const bridgeAddress = await bridgeAddressOf(bridgeTask);
    assert.ok(before.includes(bridgeAddress), `the bridge container's address ${bridgeAddress} is in the tasks set`);
    await agent.kill("SIGKILL");
    assert.ok(await nftTable(table), "kept through kill -9");
    const dataDir = agent.dataDir;
    agent = startAgent(berth.endpoint, {
      dataDir,
      args: ["--cluster", CLUSTER, "--capacity", "both", "--task-endpoint-port", "0"],
      registrations: 2,
    });
    await agent.registered;
    // Adopted, the tasks answer again, through a table made anew for the new port.
    checkTask(
      await waitFor(() => readInside(bridgeTask, "$ECS_CONTAINER_METADATA_URI_V4/task"), { retryErrors: true, timeoutMs: 30_000 }),
      bridgeTask,
    );
    checkTask(
      await waitFor(() => readInside(vpcTask, "$ECS_CONTAINER_METADATA_URI_V4/task"), { retryErrors: true, timeoutMs: 30_000 }),
      vpcTask,
    );
    // The adopted bridge container's address is routed again (the table was made anew).
    const again = await waitFor(async () => ((await nftTable(table)) ?? "").includes(bridgeAddress) && (await nftTable(table))!, {
      timeoutMs: 30_000,
    });
    assert.equal(again.match(/dnat to/g)?.length, 4, again);
    assert.equal((await run("nft", ["list", "tables"])).stdout.split("\n").filter((l) => l.includes(table)).length, 1);
  });

  test("with the control plane killed (-9), the endpoint still answers", async () => {
    await berth.kill9();
    checkTask(await readInside(bridgeTask, "$ECS_CONTAINER_METADATA_URI_V4/task"), bridgeTask);
    checkTask(await readInside(vpcTask, "$ECS_CONTAINER_METADATA_URI_V4/task"), vpcTask);
    const self = await readInside(hostTask, "$ECS_CONTAINER_METADATA_URI_V4");
    assert.equal(self.DockerId, hostTask.containers![0]!.runtimeId);
    // The agent holds the credentials it was given: they are served while the control plane is down.
    checkCredentials(await readInside(bridgeTask, "http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"), "bridge");
    checkCredentials(await readInside(vpcTask, "http://169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"), "awsvpc");
  });

  test("a clean stop removes the redirect table", async () => {
    const table = redirectTable(join(agent.dataDir, "agent"));
    await agent.kill("SIGTERM");
    assert.equal(await nftTable(table), undefined);
  });
});
