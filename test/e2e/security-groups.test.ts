// Security groups that really block traffic, end to end: the real binary, a real agent on
// Docker, the EC2 and ECS SDKs and the AWS CLI. Two FARGATE tasks in a VPC of their own, in two
// zones and two groups: task B reaches task A only while a rule of A's group admits B (by group,
// then by CIDR), never once it is revoked, nor when B's own egress is revoked; the default group
// admits its own members; the host reaches a task's published port only as its group allows;
// a group in use cannot be deleted; and the rules hold while the agent is killed (-9) and are
// the same, not doubled, once it is back. Traffic stays on this machine: container to container
// on berth's own network (probes run inside the client task's container), and from the host
// only to tasks' 127.x addresses.
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
} from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  waitUntilServicesStable,
  type ECSClient,
  type Task,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomInt } from "node:crypto";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { startAgent, type AgentProcess } from "../support/agent-process.js";
import { startBerth, type BerthProcess } from "../support/berth-process.js";
import { availableClis, ec2SdkClient, runCli, sdkClient } from "../support/clients.js";
import { ensureBusyboxImage, removeClusterContainers } from "../support/images.js";
import { waitFor } from "../support/wait.js";
import { withDefaultVpcRange } from "../support/vpc.js";
import { DockerDriver } from "../../src/runtime/docker/index.js";
import { vpcNetworkName } from "../../src/domain/ec2/vpc-network.js";
import { firewallTable } from "../../src/agent/firewall/firewall.js";

const run = promisify(execFile);
const CLUSTER = `sg-${process.pid}`;

const tcp = (port: number, source: { group?: string; cidr?: string }): IpPermission[] => [
  {
    IpProtocol: "tcp",
    FromPort: port,
    ToPort: port,
    ...(source.group ? { UserIdGroupPairs: [{ GroupId: source.group }] } : {}),
    ...(source.cidr ? { IpRanges: [{ CidrIp: source.cidr }] } : {}),
  },
];

const addressOf = (t: Task) => t.attachments![0]!.details!.find((d) => d.name === "privateIPv4Address")!.value!;
const eniOf = (t: Task) => t.attachments![0]!.details!.find((d) => d.name === "networkInterfaceId")!.value!;
const subnetOf = (t: Task) => t.attachments![0]!.details!.find((d) => d.name === "subnetId")!.value!;
const loopbackOf = (t: Task) => t.containers![0]!.networkBindings![0]!.bindIP!;

describe("security groups decide what reaches a task", () => {
  let berth: BerthProcess;
  let agent: AgentProcess;
  let agentArn: string | undefined;
  let ecs: ECSClient;
  let ec2: EC2Client;
  let image = "";
  let vpcId = "";
  const madeVpcs: string[] = [];
  const subnets: string[] = [];
  let groupA = "";
  let groupB = "";
  let server: Task;
  let client: Task;

  before(async () => {
    image = await ensureBusyboxImage();
    berth = await startBerth();
    agent = startAgent(berth.endpoint, { args: ["--cluster", CLUSTER, "--capacity", "fargate"] });
    ecs = sdkClient(berth.endpoint);
    ec2 = ec2SdkClient(berth.endpoint);
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    [agentArn] = await agent.registered;
    for (const [family, command, port] of [
      ["sg-web", "mkdir -p /www && hostname -i > /www/index.html && exec httpd -f -p 80 -h /www", 80],
      ["sg-probe", "exec sleep 3600", undefined],
    ] as const) {
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          networkMode: "awsvpc",
          requiresCompatibilities: ["FARGATE"],
          cpu: "256",
          memory: "512",
          containerDefinitions: [
            {
              name: "main",
              image,
              stopTimeout: 2,
              command: ["sh", "-c", command],
              ...(port ? { portMappings: [{ containerPort: port }] } : {}),
            },
          ],
        }),
      );
    }
    // A VPC of its own, on a block no network of this host holds: berth refuses one that
    // overlaps (InvalidVpc.Range), so another block is tried.
    vpcId = await waitFor(
      async () => {
        const block = `10.${randomInt(64, 250)}.0.0/16`;
        return ec2
          .send(new CreateVpcCommand({ CidrBlock: block }))
          .then((out) => out.Vpc!.VpcId!)
          .catch((err: Error) => {
            if (err.name === "InvalidVpc.Range") return undefined;
            throw err;
          });
      },
      { message: "a VPC on a free block", timeoutMs: 5_000 },
    );
    madeVpcs.push(vpcId);
    const block = (await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs![0]!.CidrBlock!;
    const prefix = block.split(".").slice(0, 2).join(".");
    for (const [i, zone] of ["us-east-1a", "us-east-1b"].entries()) {
      const out = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `${prefix}.${i * 16}.0/20`, AvailabilityZone: zone }));
      subnets.push(out.Subnet!.SubnetId!);
    }
    groupA = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "server", Description: "the server" }))).GroupId!;
    groupB = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "client", Description: "the client" }))).GroupId!;
    server = await runTask("sg-web", subnets[0]!, [groupA]);
    client = await runTask("sg-probe", subnets[1]!, [groupB]);
  });

  after(async () => {
    await agent?.kill();
    await berth?.stop();
    await removeClusterContainers(CLUSTER);
    // The VPCs' networks stay on the host when their tasks end (as agents keep them for the next): this test's go.
    for (const id of madeVpcs) await new DockerDriver().removeNetwork(vpcNetworkName(id)).catch(() => undefined);
  });

  async function runTask(family: string, subnet: string, groups?: string[]): Promise<Task> {
    const out = await ecs.send(
      new RunTaskCommand({
        cluster: CLUSTER,
        taskDefinition: family,
        launchType: "FARGATE",
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnet], ...(groups ? { securityGroups: groups } : {}) } },
      }),
    );
    assert.deepEqual(out.failures, [], JSON.stringify(out.failures));
    const arn = out.tasks![0]!.taskArn!;
    return waitFor(async () => (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))).tasks![0]!, {
      until: (t) => t.lastStatus === "RUNNING" || t.lastStatus === "STOPPED",
      message: `${family} running`,
      timeoutMs: 60_000,
    }).then((t) => {
      assert.equal(t.lastStatus, "RUNNING", t.stoppedReason);
      return t;
    });
  }

  /** Whether `from`'s container gets an answer from `to`'s server on port 80 (a new connection, 2 s at most). */
  async function reaches(from: Task, to: Task): Promise<boolean> {
    const id = from.containers![0]!.runtimeId!;
    try {
      const { stdout } = await run("docker", ["exec", id, "timeout", "2", "wget", "-q", "-O", "-", `http://${addressOf(to)}/`]);
      return stdout.trim() === addressOf(to);
    } catch {
      return false;
    }
  }

  /** Whether the host gets an answer on the task's own 127.x address. */
  async function hostReaches(task: Task): Promise<boolean> {
    try {
      const res = await fetch(`http://${loopbackOf(task)}/`, { signal: AbortSignal.timeout(1_500) });
      return (await res.text()).trim() === addressOf(task);
    } catch {
      return false;
    }
  }

  const becomes = (probe: () => Promise<boolean>, expected: boolean, message: string) =>
    waitFor(probe, { until: (v) => v === expected, message, timeoutMs: 5_000 });

  test("the tasks' interfaces are EC2's: in their subnets, zones and groups", async () => {
    assert.deepEqual([subnetOf(server), subnetOf(client)], subnets);
    assert.deepEqual([server.availabilityZone, client.availabilityZone], ["us-east-1a", "us-east-1b"]);
    const { NetworkInterfaces: enis } = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniOf(server)] }));
    assert.equal(enis![0]!.PrivateIpAddress, addressOf(server));
    assert.equal(enis![0]!.SubnetId, subnets[0]);
    assert.deepEqual(
      enis![0]!.Groups!.map((g) => g.GroupId),
      [groupA],
    );
    assert.match(enis![0]!.Description!, /^arn:aws:ecs:us-east-1:\d{12}:attachment\/[0-9a-f-]{36}$/);
  });

  test("B reaches A only while A's group admits B's group", async () => {
    assert.equal(await reaches(client, server), false, "nothing admits B yet");
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupA, IpPermissions: tcp(80, { group: groupB }) }));
    await becomes(() => reaches(client, server), true, "B reaches A once admitted");
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupA, IpPermissions: tcp(80, { group: groupB }) }));
    await becomes(() => reaches(client, server), false, "B no longer reaches A once revoked");
  });

  test("a CIDR rule admits B's subnet; revoking B's egress stops it again", async () => {
    const blockB = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnets[1]!] }))).Subnets![0]!.CidrBlock!;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupA, IpPermissions: tcp(80, { cidr: blockB }) }));
    await becomes(() => reaches(client, server), true, "B reaches A from an admitted CIDR");
    await ec2.send(
      new RevokeSecurityGroupEgressCommand({ GroupId: groupB, IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] }),
    );
    await becomes(() => reaches(client, server), false, "B's own group lets nothing out");
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupA, IpPermissions: tcp(80, { cidr: blockB }) }));
  });

  test("the host reaches a task's published port only as its group allows", async () => {
    assert.equal(await hostReaches(server), false);
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupA, IpPermissions: tcp(80, { cidr: "127.0.0.0/8" }) }));
    await becomes(() => hostReaches(server), true, "the host reaches A once 127.0.0.0/8 is admitted");
  });

  test("the default group admits its own members and no one else", async () => {
    const web = await runTask("sg-web", subnets[0]!);
    const probe = await runTask("sg-probe", subnets[1]!);
    const { NetworkInterfaces: enis } = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eniOf(web)] }));
    const { SecurityGroups: defaults } = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "group-name", Values: ["default"] },
        ],
      }),
    );
    assert.deepEqual(
      enis![0]!.Groups!.map((g) => g.GroupId),
      [defaults![0]!.GroupId],
    );
    await becomes(() => reaches(probe, web), true, "a member of the default group reaches another");
    assert.equal(await reaches(client, web), false, "a task of another group does not");
    for (const t of [web, probe]) await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: t.taskArn! }));
    await waitFor(
      async () => (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [web.taskArn!, probe.taskArn!] }))).tasks!,
      {
        until: (ts) => ts.every((t) => t.lastStatus === "STOPPED"),
        timeoutMs: 30_000,
      },
    );
  });

  test("a group in use cannot be deleted", async () => {
    await assert.rejects(ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupA })), { name: "DependencyViolation" });
    assert.equal((await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupA] }))).SecurityGroups!.length, 1);
  });

  test("the rules hold while the agent or the control plane is killed, and are the same once it is back", async () => {
    await ec2.send(
      new AuthorizeSecurityGroupEgressCommand({
        GroupId: groupB,
        IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      }),
    );
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupA, IpPermissions: tcp(80, { group: groupB }) }));
    await becomes(() => reaches(client, server), true, "B admitted");
    const before = await tableOf(agentArn!);
    const dataDir = agent.dataDir;
    await agent.kill("SIGKILL");
    assert.equal(await tableOf(agentArn!), before, "the table stays in force while the agent is down");
    assert.equal(await reaches(client, server), true, "what was allowed still is");
    const serverContainers = (
      await run("docker", ["ps", "-q", "--filter", `label=com.amazonaws.ecs.task-arn=${server.taskArn}`])
    ).stdout.trim();
    assert.ok(serverContainers, "the server's containers run on without their agent");
    agent = startAgent(berth.endpoint, { dataDir, args: ["--cluster", CLUSTER, "--capacity", "fargate"] });
    assert.deepEqual(await agent.registered, [agentArn], "the agent is back as the same container instance");
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupA, IpPermissions: tcp(80, { group: groupB }) }));
    await becomes(() => reaches(client, server), false, "the restarted agent applies a revoke");
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupA, IpPermissions: tcp(80, { group: groupB }) }));
    await becomes(() => reaches(client, server), true, "and the rule again");
    assert.equal(await tableOf(agentArn!), before, "the same table as before: rebuilt, not added to");

    // The control plane killed -9: the agent's table is the host's, and holds; a berth started
    // again on the same state and port takes the agent back, and a revoke still lands.
    await berth.kill9();
    assert.equal(await tableOf(agentArn!), before, "the table holds while the control plane is down");
    assert.equal(await reaches(client, server), true);
    berth = await startBerth({ dataDir: berth.dataDir, port: Number(new URL(berth.endpoint).port) });
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: groupA, IpPermissions: tcp(80, { group: groupB }) }));
    await becomes(() => reaches(client, server), false, "a revoke after the control plane's restart");
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupA, IpPermissions: tcp(80, { group: groupB }) }));
    await becomes(() => reaches(client, server), true, "and the rule again");
  });

  test("the path infrastructure tools take: default VPC and subnets, a group with a rule, a service in it", () =>
    withDefaultVpcRange(async () => {
      const cli = availableClis()[0]!;
      const aws = (...args: string[]) => {
        const r = runCli(cli, berth.endpoint, args);
        assert.equal(r.status, 0, r.stderr);
        return r.json as Record<string, unknown>;
      };
      const defaultVpc = (aws("ec2", "describe-vpcs", "--filters", "Name=isDefault,Values=true") as { Vpcs: { VpcId: string }[] }).Vpcs[0]!
        .VpcId;
      const found = aws("ec2", "describe-subnets", "--filters", `Name=vpc-id,Values=${defaultVpc}`) as {
        Subnets: { SubnetId: string; DefaultForAz: boolean }[];
      };
      assert.equal(found.Subnets.length, 3);
      assert.ok(found.Subnets.every((s) => s.DefaultForAz));
      const group = aws("ec2", "create-security-group", "--group-name", "web", "--description", "web", "--vpc-id", defaultVpc) as {
        GroupId: string;
      };
      aws(
        "ec2",
        "authorize-security-group-ingress",
        "--group-id",
        group.GroupId,
        "--protocol",
        "tcp",
        "--port",
        "80",
        "--cidr",
        "0.0.0.0/0",
      );
      await ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName: "web",
          taskDefinition: "sg-web",
          desiredCount: 1,
          launchType: "FARGATE",
          networkConfiguration: { awsvpcConfiguration: { subnets: found.Subnets.map((s) => s.SubnetId), securityGroups: [group.GroupId] } },
        }),
      );
      await waitUntilServicesStable({ client: ecs, maxWaitTime: 120 }, { cluster: CLUSTER, services: ["web"] });
      const [arn] = (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: "web" }))).taskArns!;
      const [task] = (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn!] }))).tasks!;
      await becomes(() => hostReaches(task!), true, "the service's task answers on its published port");
      await ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: "web", force: true }));
      await waitFor(async () => (await ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: "web" }))).taskArns!, {
        until: (arns) => arns.length === 0,
        timeoutMs: 30_000,
      });
      await removeClusterContainers(CLUSTER);
      madeVpcs.push(defaultVpc);
    }));

  test("a VPC whose subnets and groups are gone can be deleted", async () => {
    for (const t of [server, client]) await ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: t.taskArn! }));
    await waitFor(
      async () => (await ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [server.taskArn!, client.taskArn!] }))).tasks!,
      { until: (ts) => ts.every((t) => t.lastStatus === "STOPPED"), timeoutMs: 30_000 },
    );
    await waitFor(
      () =>
        ec2
          .send(new DeleteSecurityGroupCommand({ GroupId: groupA }))
          .then(() => true)
          .catch(() => false),
      { message: "group A deletable once its tasks stopped" },
    );
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupB }));
    for (const s of subnets) await ec2.send(new DeleteSubnetCommand({ SubnetId: s }));
    await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));
  });
});

/** The agent's table in the kernel now, as nft lists it, less the owner's pid (a restarted agent's is new). */
async function tableOf(containerInstanceArn: string): Promise<string> {
  const listed = (await run("nft", ["list", "table", "inet", firewallTable(containerInstanceArn)])).stdout;
  return listed.replace(/comment "berth agent pid \d+"/, 'comment "berth agent pid …"');
}
