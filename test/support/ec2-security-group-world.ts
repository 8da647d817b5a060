// berth's EC2 service in-process for the security group tests: the real EC2 client (Query
// protocol, SigV4, paginators) against the service over a store of its own. The tests build
// the service rather than the whole control plane so that they can write what other parts
// make: a second VPC (as CreateVpc would), and live awsvpc tasks whose interfaces hold groups.
import { KeyedSerializer } from "../../src/keyed-serializer.js";
import {
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  type IpPermission,
  type SecurityGroup,
} from "@aws-sdk/client-ec2";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFrontDoor } from "../../src/aws/server.js";
import { rootPrincipal } from "../../src/domain/account-settings.js";
import { newVpc } from "../../src/domain/ec2/vpc.js";
import { ecsState, type EcsState } from "../../src/state/ecs-state.js";
import { openSqliteStore } from "../../src/state/sqlite/sqlite-store.js";
import { ec2Service } from "../../src/services/ec2/index.js";
import { TEST_ACCESS_KEY, TEST_ACCOUNT, TEST_SECRET_KEY } from "./berth-process.js";
import { inProcessHandler } from "./in-process.js";
import { silentLog } from "./log.js";

export const scope = { accountId: TEST_ACCOUNT, region: "us-east-1" };

export interface SecurityGroupWorld {
  ec2: EC2Client;
  state: EcsState;
  /** Known once start() has resolved: the default VPC and its default group as first described. */
  defaultVpcId: string;
  defaultGroup: SecurityGroup;
  /** A second VPC, written as CreateVpc would make it, and its default group. */
  otherVpcId: string;
  otherDefaultGroupId: string;
  start(): Promise<void>;
  close(): Promise<void>;
  describeGroup: (groupId: string) => Promise<SecurityGroup>;
  /** A new group named `name` (in the default VPC unless `vpcId`); its id. */
  create: (name: string, vpcId?: string) => Promise<string>;
}

export function securityGroupWorld(): SecurityGroupWorld {
  const dataDir = mkdtempSync(join(tmpdir(), "berth-ec2-sg-"));
  const store = openSqliteStore(join(dataDir, "berth.sqlite"), { synchronous: "NORMAL" });
  const state = ecsState(store);
  const service = ec2Service({
    state: state.ec2,
    interfaces: state.interfaces,
    occupiedCidrs: () => [],
    placementLock: new KeyedSerializer(),
  });
  const account = {
    secretAccessKey: TEST_SECRET_KEY,
    principal: { accountId: TEST_ACCOUNT, arn: rootPrincipal(TEST_ACCOUNT), userId: TEST_ACCOUNT },
  };
  const frontDoor = createFrontDoor({
    services: [service],
    credentialFor: (key) => (key === TEST_ACCESS_KEY ? account : undefined),
    log: silentLog,
  });
  const ec2 = new EC2Client({
    endpoint: "http://berth.in-process",
    region: scope.region,
    credentials: { accessKeyId: TEST_ACCESS_KEY, secretAccessKey: TEST_SECRET_KEY },
    maxAttempts: 1,
    requestHandler: inProcessHandler(frontDoor.handle),
  });
  const world: SecurityGroupWorld = {
    ec2,
    state,
    defaultVpcId: "",
    defaultGroup: {},
    otherVpcId: "",
    otherDefaultGroupId: "",
    async start() {
      const groups = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["default"] }] }));
      assert.equal(groups.SecurityGroups!.length, 1);
      world.defaultGroup = groups.SecurityGroups![0]!;
      world.defaultVpcId = world.defaultGroup.VpcId!;
      const made = newVpc({ scope, cidrBlock: "10.20.0.0/16", now: new Date() });
      await state.ec2.vpcs.putMany(scope, [{ id: made.vpc.vpc.VpcId!, doc: made.vpc }]);
      await state.ec2.securityGroups.putMany(scope, [{ id: made.defaultGroup.group.GroupId!, doc: made.defaultGroup }]);
      world.otherVpcId = made.vpc.vpc.VpcId!;
      world.otherDefaultGroupId = made.defaultGroup.group.GroupId!;
    },
    async close() {
      ec2.destroy();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
    describeGroup: async (groupId) => (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }))).SecurityGroups![0]!,
    create: async (name, vpcId) =>
      (await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: `${name} group`, VpcId: vpcId }))).GroupId!,
  };
  return world;
}

/** A TCP permission for one port from `cidrs`. */
export const tcp = (port: number, ...cidrs: string[]): IpPermission => ({
  IpProtocol: "tcp",
  FromPort: port,
  ToPort: port,
  IpRanges: cidrs.map((CidrIp) => ({ CidrIp })),
});

/** Asserts that `call` fails with EC2's `code` (and `message`, when given). */
export async function refused(call: Promise<unknown>, code: string, message?: string | RegExp): Promise<void> {
  await assert.rejects(call, (err: Error) => {
    assert.equal(err.name, code, err.message);
    if (typeof message === "string") assert.equal(err.message, message);
    else if (message) assert.match(err.message, message);
    return true;
  });
}
