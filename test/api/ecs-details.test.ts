// Details where berth answers as ECS does, found by driving it with other clients: ECS's own
// words for empty and oversized lists, the default cluster that does not exist, failures'
// ARNs, enum values, settings that can no longer be changed, and the operations berth
// leaves out. In-process: the real SDK, no port.
import {
  CreateCapacityProviderCommand,
  CreateClusterCommand,
  DeleteAttributesCommand,
  DeleteServiceCommand,
  DeleteTaskDefinitionsCommand,
  DeregisterContainerInstanceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeCapacityProvidersCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListAccountSettingsCommand,
  ListAttributesCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  ListTasksCommand,
  PutAccountSettingCommand,
  PutAccountSettingDefaultCommand,
  PutAttributesCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StartTaskCommand,
  StopTaskCommand,
  UpdateCapacityProviderCommand,
  UpdateContainerInstancesStateCommand,
  UpdateServiceCommand,
  CreateServiceCommand,
} from "@aws-sdk/client-ecs";
import * as EcsSdk from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { ecsOperations } from "../../src/services/ecs/index.js";
import type { ServiceModel } from "../../src/aws/model.js";
import { ecsModel } from "../../src/services/ecs/model.js";
import { UNSUPPORTED_OPERATIONS } from "../../src/services/ecs/unsupported.js";
import { inProcessBerth } from "../support/in-process.js";

const ARN = `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}`;

/** The least input the model accepts for a shape: its required members, each the least its own shape accepts. */
function minimalInput(model: ServiceModel, shapeName: string | undefined): Record<string, unknown> {
  const value = (name: string): unknown => {
    const shape = model.shapes[name]!;
    switch (shape.type) {
      case "structure":
        return minimalInput(model, name);
      case "list":
        return Array.from({ length: shape.min ?? 0 }, () => value(shape.member!.shape));
      case "map":
        return {};
      case "string":
        return shape.enum?.[0] ?? "x".repeat(Math.max(shape.min ?? 1, 1));
      case "boolean":
        return true;
      case "timestamp":
        return new Date(0);
      default:
        return shape.min ?? 1;
    }
  };
  const shape = shapeName ? model.shapes[shapeName]! : undefined;
  return Object.fromEntries((shape?.required ?? []).map((member) => [member, value(shape!.members![member]!.shape)]));
}

async function refused(call: Promise<unknown>, name: string, message: string | RegExp): Promise<void> {
  await assert.rejects(call, (err: Error) => {
    assert.equal(err.name, name);
    if (typeof message === "string") assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

describe("ECS details, in-process", () => {
  const berth = inProcessBerth();
  const { ecs } = berth;
  before(async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: "c" }));
  });
  after(() => berth.close());

  test("empty and oversized lists get ECS's own words", async () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `id${i}`);
    const P = "InvalidParameterException";
    await refused(ecs.send(new DescribeTasksCommand({ cluster: "c", tasks: [] })), P, "Tasks cannot be empty.");
    await refused(ecs.send(new DescribeTasksCommand({ cluster: "c", tasks: many(101) })), P, "taskIds can have at most 100 items.");
    await refused(
      ecs.send(new DescribeContainerInstancesCommand({ cluster: "c", containerInstances: [] })),
      P,
      "Container instance cannot be empty.",
    );
    await refused(
      ecs.send(new DescribeContainerInstancesCommand({ cluster: "c", containerInstances: many(101) })),
      P,
      "instanceIds can have at most 100 items.",
    );
    await refused(ecs.send(new DescribeServicesCommand({ cluster: "c", services: [] })), P, "Services cannot be empty.");
    await refused(
      ecs.send(new DescribeServicesCommand({ cluster: "c", services: many(11) })),
      P,
      "service names can have at most 10 items.",
    );
    // At the limits, unknown items are failures.
    assert.equal((await ecs.send(new DescribeTasksCommand({ cluster: "c", tasks: many(100) }))).failures!.length, 100);
    assert.equal((await ecs.send(new DescribeServicesCommand({ cluster: "c", services: many(10) }))).failures!.length, 10);
  });

  test("a call naming no cluster, when there is no default cluster: ClusterNotFoundException", async () => {
    const calls: (() => Promise<unknown>)[] = [
      () => ecs.send(new ListTasksCommand({})),
      () => ecs.send(new ListServicesCommand({})),
      () => ecs.send(new ListContainerInstancesCommand({})),
      () => ecs.send(new DescribeTasksCommand({ tasks: ["0123456789abcdef0123456789abcdef"] })),
      () => ecs.send(new DescribeContainerInstancesCommand({ containerInstances: ["0123456789abcdef0123456789abcdef"] })),
      () => ecs.send(new DescribeServicesCommand({ services: ["web"] })),
      () => ecs.send(new RunTaskCommand({ taskDefinition: "web" })),
      () => ecs.send(new StartTaskCommand({ taskDefinition: "web", containerInstances: ["0123456789abcdef0123456789abcdef"] })),
      () => ecs.send(new StopTaskCommand({ task: "0123456789abcdef0123456789abcdef" })),
      () => ecs.send(new CreateServiceCommand({ serviceName: "web", taskDefinition: "web", desiredCount: 1 })),
      () => ecs.send(new UpdateServiceCommand({ service: "web", desiredCount: 1 })),
      () => ecs.send(new DeleteServiceCommand({ service: "web" })),
      () => ecs.send(new ListAttributesCommand({ targetType: "container-instance" })),
      () => ecs.send(new PutAttributesCommand({ attributes: [{ name: "a", targetId: "0123456789abcdef0123456789abcdef" }] })),
      () => ecs.send(new DeleteAttributesCommand({ attributes: [{ name: "a", targetId: "0123456789abcdef0123456789abcdef" }] })),
      () =>
        ecs.send(
          new UpdateContainerInstancesStateCommand({ containerInstances: ["0123456789abcdef0123456789abcdef"], status: "DRAINING" }),
        ),
      () => ecs.send(new DeregisterContainerInstanceCommand({ containerInstance: "0123456789abcdef0123456789abcdef" })),
    ];
    for (const call of calls) await refused(call(), "ClusterNotFoundException", "Cluster not found.");
  });

  test("an agent registering in a cluster that does not exist, even default: ClientException, and no cluster is made", async () => {
    const resources = [
      { name: "CPU", type: "INTEGER", integerValue: 1024 },
      { name: "MEMORY", type: "INTEGER", integerValue: 2048 },
    ];
    for (const cluster of [undefined, "default", "nowhere"]) {
      await refused(
        ecs.send(new RegisterContainerInstanceCommand({ cluster, totalResources: resources })),
        "ClientException",
        "Cluster not found.",
      );
    }
    const { failures } = await ecs.send(new DescribeClustersCommand({ clusters: ["default", "nowhere"] }));
    assert.deepEqual(
      failures!.map((f) => f.reason),
      ["MISSING", "MISSING"],
    );
  });

  test("enum values ECS does not know: '<member> should be one of [...]', and nothing changes", async () => {
    const P = "InvalidParameterException";
    await refused(
      ecs.send(new RunTaskCommand({ cluster: "c", taskDefinition: "web", launchType: "FOO" as never })),
      P,
      "launch type should be one of [EC2,FARGATE,EXTERNAL,MANAGED_INSTANCES]",
    );
    await refused(
      ecs.send(new DescribeClustersCommand({ clusters: ["c"], include: ["TAGS", "EVERYTHING" as never] })),
      P,
      "include should be one of [ATTACHMENTS,CONFIGURATIONS,SETTINGS,STATISTICS,TAGS]",
    );
    await refused(
      ecs.send(new CreateClusterCommand({ clusterName: "d", settings: [{ name: "bogus" as never, value: "x" }] })),
      P,
      "settings[0].name should be one of [containerInsights]",
    );
    assert.equal((await ecs.send(new DescribeClustersCommand({ clusters: ["d"] }))).failures![0]!.reason, "MISSING");
  });

  test("the long ARN formats can no longer be disabled, for a principal or as the default; enabling them is fine", async () => {
    for (const name of ["serviceLongArnFormat", "taskLongArnFormat", "containerInstanceLongArnFormat"] as const) {
      const message = "You can no longer disable Long Arn settings";
      await refused(ecs.send(new PutAccountSettingCommand({ name, value: "disabled" })), "InvalidParameterException", message);
      await refused(ecs.send(new PutAccountSettingDefaultCommand({ name, value: "disabled" })), "InvalidParameterException", message);
      const { settings } = await ecs.send(new ListAccountSettingsCommand({ name, effectiveSettings: true }));
      assert.deepEqual(
        settings!.map((s) => s.value),
        ["enabled"],
      );
      assert.equal((await ecs.send(new PutAccountSettingCommand({ name, value: "enabled" }))).setting!.value, "enabled");
    }
  });

  test("CreateService with a role but no load balancers is refused, and creates nothing", async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({ family: "web", containerDefinitions: [{ name: "web", image: "busybox", memory: 64 }] }),
    );
    await refused(
      ecs.send(
        new CreateServiceCommand({ cluster: "c", serviceName: "svc", taskDefinition: "web", desiredCount: 0, role: "ecsServiceRole" }),
      ),
      "InvalidParameterException",
      "A role was passed, but no load balancers were present.",
    );
    assert.equal((await ecs.send(new DescribeServicesCommand({ cluster: "c", services: ["svc"] }))).failures![0]!.reason, "MISSING");
    const created = await ecs.send(new CreateServiceCommand({ cluster: "c", serviceName: "svc", taskDefinition: "web", desiredCount: 0 }));
    assert.equal(created.service!.status, "ACTIVE");
  });

  test("FARGATE task definitions with pidMode host or an ipcMode: ECS's ClientException wording", async () => {
    const fargate = {
      family: "fg",
      requiresCompatibilities: ["FARGATE" as const],
      networkMode: "awsvpc" as const,
      cpu: "256",
      memory: "512",
      containerDefinitions: [{ name: "app", image: "busybox" }],
    };
    await refused(
      ecs.send(new RegisterTaskDefinitionCommand({ ...fargate, pidMode: "host" })),
      "ClientException",
      "Tasks using the Fargate launch type do not support pidMode 'host'. The supported value for pidMode is 'task'.",
    );
    await refused(
      ecs.send(new RegisterTaskDefinitionCommand({ ...fargate, ipcMode: "task" })),
      "ClientException",
      "Tasks using the Fargate launch type do not support ipcMode.",
    );
    assert.equal((await ecs.send(new RegisterTaskDefinitionCommand({ ...fargate, pidMode: "task" }))).taskDefinition!.revision, 1);
  });

  test("DeleteTaskDefinitions: unknown revisions and identifiers without one are failures in ECS's words", async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({ family: "gone", containerDefinitions: [{ name: "a", image: "busybox", memory: 64 }] }),
    );
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "gone:1" }));
    const out = await ecs.send(new DeleteTaskDefinitionsCommand({ taskDefinitions: ["gone:1", "gone:7", "gone"] }));
    assert.deepEqual(
      out.taskDefinitions!.map((t) => [t.taskDefinitionArn, t.status]),
      [[`${ARN}:task-definition/gone:1`, "DELETE_IN_PROGRESS"]],
    );
    assert.deepEqual(out.failures, [
      { arn: "gone:7", reason: "The specified task definition does not exist. Specify a valid account, family, revision and try again." },
      { arn: "gone", reason: "The specified task definition identifier is invalid. Specify a valid name or ARN and try again." },
    ]);
  });

  test("an id that cannot name a subnet or security group: ECS's not-found wording, and no task", async () => {
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "vpc",
        networkMode: "awsvpc",
        containerDefinitions: [{ name: "a", image: "busybox", memory: 64 }],
      }),
    );
    const run = (subnets: string[], securityGroups?: string[]) =>
      ecs.send(
        new RunTaskCommand({
          cluster: "c",
          taskDefinition: "vpc",
          networkConfiguration: { awsvpcConfiguration: { subnets, ...(securityGroups && { securityGroups }) } },
        }),
      );
    await refused(
      run(["subnet-0abc", "private-a"]),
      "InvalidParameterException",
      "Error retrieving subnet information for [private-a]: The subnet ID 'private-a' does not exist (ErrorCode: InvalidSubnetID.NotFound)",
    );
    await refused(
      run(["subnet-0abc"], ["web"]),
      "InvalidParameterException",
      "Error retrieving security group information for [web]: The security group 'web' does not exist (ErrorCode: InvalidGroup.NotFound)",
    );
    assert.deepEqual((await ecs.send(new ListTasksCommand({ cluster: "c" }))).taskArns, []);
  });

  test("every container instance carries ecs.ami-id, the same across a re-registration", async () => {
    const register = (containerInstanceArn?: string) =>
      ecs.send(
        new RegisterContainerInstanceCommand({
          cluster: "c",
          ...(containerInstanceArn && { containerInstanceArn }),
          totalResources: [
            { name: "CPU", type: "INTEGER", integerValue: 1024 },
            { name: "MEMORY", type: "INTEGER", integerValue: 2048 },
          ],
          versionInfo: { agentVersion: "1.0.0" },
        }),
      );
    const amiOf = async (arn: string) => {
      const { containerInstances } = await ecs.send(new DescribeContainerInstancesCommand({ cluster: "c", containerInstances: [arn] }));
      return containerInstances![0]!.attributes!.find((a) => a.name === "ecs.ami-id")?.value;
    };
    const arn = (await register()).containerInstance!.containerInstanceArn!;
    const ami = await amiOf(arn);
    assert.match(ami ?? "", /^ami-[0-9a-f]{17}$/);
    await register(arn);
    assert.equal(await amiOf(arn), ami);
    const { attributes } = await ecs.send(
      new ListAttributesCommand({ cluster: "c", targetType: "container-instance", attributeName: "ecs.ami-id" }),
    );
    assert.deepEqual(
      attributes!.map((a) => [a.targetId, a.value]),
      [[arn, ami]],
    );
    await ecs.send(new DeregisterContainerInstanceCommand({ cluster: "c", containerInstance: arn, force: true }));
  });

  test("every operation of the model has a handler, or answers UnsupportedFeatureException naming it", async () => {
    const model = ecsModel();
    const operations = Object.keys(model.operations);
    assert.equal(operations.length, 77);
    for (const op of Object.keys(UNSUPPORTED_OPERATIONS)) {
      assert.ok(operations.includes(op), `${op} is an operation of the model`);
      assert.ok(!(op in ecsOperations), `${op} is left out, and so has no handler`);
    }
    for (const op of operations) {
      if (op in ecsOperations) {
        assert.equal(typeof (ecsOperations as Record<string, unknown>)[op], "function");
        continue;
      }
      const Command = (EcsSdk as unknown as Record<string, new (input: object) => never>)[`${op}Command`]!;
      await refused(
        ecs.send(new Command(minimalInput(model, model.operations[op]!.input?.shape))),
        "UnsupportedFeatureException",
        op in UNSUPPORTED_OPERATIONS
          ? `${op} is not supported by berth. ${UNSUPPORTED_OPERATIONS[op]}`
          : `${op} is part of the ECS API but is not implemented by berth yet.`,
      );
    }
    await refused(
      ecs.send(new EcsSdk.UpdateContainerAgentCommand({ containerInstance: "0123456789abcdef0123456789abcdef" })),
      "UnsupportedFeatureException",
      /^UpdateContainerAgent is not supported by berth\. berth's agent is part of berth/,
    );
  });

  test("managed scaling ENABLED is recorded, and the capacity provider says berth does not perform it", async () => {
    const asg = `arn:aws:autoscaling:us-east-1:${TEST_ACCOUNT}:autoScalingGroup:1:autoScalingGroupName/scaled`;
    const note = /^Managed scaling is recorded but not performed: berth runs no Auto Scaling groups/;
    const created = await ecs.send(
      new CreateCapacityProviderCommand({
        name: "scaled",
        autoScalingGroupProvider: { autoScalingGroupArn: asg, managedScaling: { status: "ENABLED", targetCapacity: 80 } },
      }),
    );
    assert.equal(created.capacityProvider!.autoScalingGroupProvider!.managedScaling!.status, "ENABLED");
    assert.match(created.capacityProvider!.updateStatusReason ?? "", note);
    const describe = async () =>
      (await ecs.send(new DescribeCapacityProvidersCommand({ capacityProviders: ["scaled"] }))).capacityProviders![0]!;
    assert.match((await describe()).updateStatusReason ?? "", note);
    await ecs.send(
      new UpdateCapacityProviderCommand({ name: "scaled", autoScalingGroupProvider: { managedScaling: { status: "DISABLED" } } }),
    );
    assert.equal((await describe()).updateStatusReason, undefined);
    await ecs.send(
      new UpdateCapacityProviderCommand({ name: "scaled", autoScalingGroupProvider: { managedScaling: { status: "ENABLED" } } }),
    );
    assert.match((await describe()).updateStatusReason ?? "", note);
    const plain = await ecs.send(
      new CreateCapacityProviderCommand({
        name: "plain",
        autoScalingGroupProvider: { autoScalingGroupArn: asg.replace("scaled", "plain") },
      }),
    );
    assert.equal(plain.capacityProvider!.updateStatusReason, undefined);
  });

  test("DescribeServices: a missing service is a failure with its long ARN", async () => {
    const { services, failures } = await ecs.send(
      new DescribeServicesCommand({ cluster: `${ARN}:cluster/c`, services: ["nope", `${ARN}:service/c/gone`] }),
    );
    assert.deepEqual(services, []);
    assert.deepEqual(failures, [
      { arn: `${ARN}:service/c/nope`, reason: "MISSING" },
      { arn: `${ARN}:service/c/gone`, reason: "MISSING" },
    ]);
  });
});
