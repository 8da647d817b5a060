// The default VPC's subnets and group for tests that run awsvpc tasks, from an in-process
// berth (its control plane) or a berth process (its ready banner); the ingress rule a test
// that reaches a task from the host needs once security groups are enforced (a VPC's default
// group admits only its own members, as on AWS); and a host-wide turn at the default VPC's
// address range for tests that run its tasks on Docker.
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { randomInt } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { DefaultNetwork } from "../../src/cli/control-plane.js";
import { newEc2Id } from "../../src/domain/ec2/ids.js";
import type { Scope } from "../../src/domain/scope.js";
import type { Ec2State } from "../../src/state/ec2-state.js";
import { TEST_ACCESS_KEY, TEST_ACCOUNT, TEST_SECRET_KEY, type BerthProcess } from "./berth-process.js";
import { ec2SdkClient } from "./clients.js";
import type { InProcessBerth } from "./in-process.js";
import { waitFor } from "./wait.js";

export type { DefaultNetwork };

/** The default VPC of the test account in `region` of an in-process berth. */
export async function defaultNetwork(berth: InProcessBerth, region = "us-east-1"): Promise<DefaultNetwork> {
  const network = await berth.plane.defaultNetwork(region);
  if (!network) throw new Error(`no default VPC in ${region}`);
  return network;
}

const BANNER = /network\s+subnets (\S+)\s+security group (\S+)\s+\(default VPC (\S+)\)/;

/** The default VPC of a berth process's region, as its ready banner shows it. */
export async function bannerNetwork(berth: BerthProcess): Promise<DefaultNetwork> {
  const [, subnets, securityGroupId, vpcId] = await waitFor(() => BANNER.exec(berth.output()));
  return { vpcId: vpcId!, subnetIds: subnets!.split(","), securityGroupId: securityGroupId! };
}

/** A rule admitting TCP `port` from anywhere, as AuthorizeSecurityGroupIngress stores it. */
function tcpFromAnywhere(groupId: string, port: number, accountId: string) {
  return {
    SecurityGroupRuleId: newEc2Id("sgr"),
    GroupId: groupId,
    GroupOwnerId: accountId,
    IsEgress: false,
    IpProtocol: "tcp",
    FromPort: port,
    ToPort: port,
    CidrIpv4: "0.0.0.0/0",
    Tags: [],
  };
}

/** Admits TCP `port` from anywhere into `groupId`, written straight into an in-process berth's store. */
export async function allowIngressInProcess(
  berth: { plane: { state: { ec2: Ec2State } } },
  groupId: string,
  port: number,
  scope?: Scope,
): Promise<void> {
  const at = scope ?? { accountId: TEST_ACCOUNT, region: "us-east-1" };
  const written = await berth.plane.state.ec2.securityGroups.write(at, groupId, (cur) =>
    cur ? { ...cur, rules: [...cur.rules, tcpFromAnywhere(groupId, port, at.accountId)] } : undefined,
  );
  if (!written) throw new Error(`no security group ${groupId}`);
}

/**
 * Admits TCP `port` from anywhere into `groupId` of a berth process, through EC2's API. Until
 * berth serves AuthorizeSecurityGroupIngress (UnsupportedOperation) it enforces no group
 * either, and there is nothing to admit.
 */
export async function allowIngress(endpoint: string, groupId: string, port: number, region = "us-east-1"): Promise<void> {
  const ec2 = new EC2Client({
    endpoint,
    region,
    credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
    maxAttempts: 1,
  });
  try {
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [{ IpProtocol: "tcp", FromPort: port, ToPort: port, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      }),
    );
  } catch (err) {
    if ((err as { name?: string }).name !== "UnsupportedOperation") throw err;
  } finally {
    ec2.destroy();
  }
}

const DEFAULT_VPC_LOCK = join(tmpdir(), "berth-test-default-vpc.lock");

/**
 * Runs `work` while no other test process on this host runs tasks in a default VPC: every
 * berth's default VPC is 172.31.0.0/16, and Docker gives a pool to one network at a time, so two
 * berths' awsvpc tasks on one engine at once would fail each other's. A lock left by a process
 * that is gone is taken over.
 */
export async function withDefaultVpcRange<T>(work: () => Promise<T>, timeoutMs = 600_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(DEFAULT_VPC_LOCK);
      writeFileSync(join(DEFAULT_VPC_LOCK, "pid"), String(process.pid));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      if (lockOwnerGone()) rmSync(DEFAULT_VPC_LOCK, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`${DEFAULT_VPC_LOCK} held for ${timeoutMs} ms`, { cause: err });
      else await sleep(200);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(DEFAULT_VPC_LOCK, { recursive: true, force: true });
  }
}

function lockOwnerGone(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(DEFAULT_VPC_LOCK, "pid"), "utf8"));
  } catch {
    // Made but not yet written by its owner, or just removed: look again later.
    return false;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * A VPC of a test's own on a free 10.x.0.0/16 block (berth refuses one that overlaps a network
 * of this host: another block is tried), with a /20 subnet in each of `zones`: such tests need
 * not wait for the host-wide default VPC range. Remove its Docker network when done.
 */
export async function vpcOfItsOwn(ec2: EC2Client, zones = ["us-east-1a", "us-east-1b"]): Promise<{ vpcId: string; subnets: string[] }> {
  const vpcId = await waitFor(
    async () =>
      ec2
        .send(new CreateVpcCommand({ CidrBlock: `10.${randomInt(64, 250)}.0.0/16` }))
        .then((out) => out.Vpc!.VpcId!)
        .catch((err: Error) => {
          if (err.name === "InvalidVpc.Range") return undefined;
          throw err;
        }),
    { message: "a VPC on a free block", timeoutMs: 5_000 },
  );
  const block = (await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }))).Vpcs![0]!.CidrBlock!;
  const prefix = block.split(".").slice(0, 2).join(".");
  const subnets: string[] = [];
  for (const [i, zone] of zones.entries()) {
    const out = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `${prefix}.${i * 16}.0/20`, AvailabilityZone: zone }));
    subnets.push(out.Subnet!.SubnetId!);
  }
  return { vpcId, subnets };
}

/** The first subnet berth's default VPC has in `zone`, and that VPC (for in-process tests on loopback). */
export async function defaultSubnetIn(endpoint: string, zone = "us-east-1a"): Promise<{ subnetId: string; vpcId: string }> {
  const ec2 = ec2SdkClient(endpoint);
  try {
    const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: "availability-zone", Values: [zone] }] }))).Subnets!;
    return { subnetId: subnets[0]!.SubnetId!, vpcId: subnets[0]!.VpcId! };
  } finally {
    ec2.destroy();
  }
}
