// Service fields and service history in-process, with the real SDK: what CreateService and
// UpdateService echo, the service deployments and revisions they record, rolling a
// deployment back with StopServiceDeployment or a PAUSE hook's ContinueServiceDeployment,
// pagination and ECS's errors. No agents run here, so deployments with tasks stay IN_PROGRESS
// (those of desired count 0 complete); their completion is test/e2e/service-deployments and
// test/e2e/pause-hooks.
import {
  ContinueServiceDeploymentCommand,
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  ListServiceDeploymentsCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type Service,
} from "@aws-sdk/client-ecs";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { putTargetGroup } from "../support/elbv2-ecs-docs.js";
import { inProcessBerth } from "../support/in-process.js";
import { defaultNetwork } from "../support/vpc.js";
import { waitFor } from "../support/wait.js";

const CLUSTER = "hist";
const ARN = `arn:aws:ecs:us-east-1:${TEST_ACCOUNT}`;

describe("service fields and history in-process", () => {
  const berth = inProcessBerth();
  const { ecs } = berth;
  after(() => berth.close());
  let td1 = "";
  let td2 = "";
  let fargateTd = "";
  let ebsTd = "";
  /** A subnet of the default VPC. */
  let subnet = "";

  const describeService = async (name: string): Promise<Service> =>
    (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }))).services![0]!;
  const list = (service: string, extra: object = {}) =>
    ecs.send(new ListServiceDeploymentsCommand({ cluster: CLUSTER, service, ...extra }));

  before(async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    subnet = (await defaultNetwork(berth)).subnetIds[0]!;
    const register = async (image: string, extra: object = {}) =>
      (
        await ecs.send(
          new RegisterTaskDefinitionCommand({
            family: "hist",
            containerDefinitions: [{ name: "app", image, memory: 64, portMappings: [{ containerPort: 80 }] }],
            ...extra,
          }),
        )
      ).taskDefinition!.taskDefinitionArn!;
    td1 = await register("app:1");
    td2 = await register("app:2");
    ebsTd = await register("app:3", { volumes: [{ name: "data", configuredAtLaunch: true }] });
    fargateTd = (
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "hist-fargate",
          requiresCompatibilities: ["FARGATE"],
          networkMode: "awsvpc",
          cpu: "256",
          memory: "512",
          containerDefinitions: [{ name: "app", image: "app:1", portMappings: [{ containerPort: 80 }] }],
        }),
      )
    ).taskDefinition!.taskDefinitionArn!;
  });

  test("CreateService echoes the fields ECS has grown", async () => {
    const { service } = await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: "fields",
        taskDefinition: td1,
        desiredCount: 0,
        propagateTags: "SERVICE",
        enableECSManagedTags: true,
        enableExecuteCommand: true,
        healthCheckGracePeriodSeconds: 30,
        serviceRegistries: [{ registryArn: `arn:aws:servicediscovery:us-east-1:${TEST_ACCOUNT}:service/srv-1` }],
      }),
    );
    assert.equal(service!.roleArn, `arn:aws:iam::${TEST_ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`);
    assert.equal(service!.availabilityZoneRebalancing, "ENABLED");
    assert.equal(service!.platformVersion, undefined);
    assert.equal(service!.propagateTags, "SERVICE");
    assert.equal(service!.enableECSManagedTags, true);
    assert.equal(service!.enableExecuteCommand, true);
    assert.equal(service!.healthCheckGracePeriodSeconds, 30);
    assert.equal(service!.serviceRegistries!.length, 1);

    const binpack = await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: "binpack",
        taskDefinition: td1,
        desiredCount: 0,
        placementStrategy: [{ type: "binpack", field: "memory" }],
      }),
    );
    assert.equal(binpack.service!.availabilityZoneRebalancing, "DISABLED");
    const daemon = await ecs.send(
      new CreateServiceCommand({ cluster: CLUSTER, serviceName: "daemon", taskDefinition: td1, schedulingStrategy: "DAEMON" }),
    );
    assert.equal(daemon.service!.availabilityZoneRebalancing, "DISABLED");

    const fargate = await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: "fargate",
        taskDefinition: fargateTd,
        desiredCount: 0,
        launchType: "FARGATE",
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } },
      }),
    );
    assert.equal(fargate.service!.platformVersion, "LATEST");
    assert.equal(fargate.service!.platformFamily, "Linux");
  });

  test("role: a name becomes an ARN; refused without a load balancer or with awsvpc, and nothing is created", async () => {
    const lb = [
      {
        targetGroupArn: await putTargetGroup(berth.plane.state, { name: "tg", targetType: "instance" }),
        containerName: "app",
        containerPort: 80,
      },
    ];
    const named = await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: "role",
        taskDefinition: td1,
        desiredCount: 0,
        role: "/lb/ecsServiceRole",
        loadBalancers: lb,
      }),
    );
    assert.equal(named.service!.roleArn, `arn:aws:iam::${TEST_ACCOUNT}:role/lb/ecsServiceRole`);
    const arn = `arn:aws:iam::${TEST_ACCOUNT}:role/other`;
    const given = await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: "role-arn",
        taskDefinition: td1,
        desiredCount: 0,
        role: arn,
        loadBalancers: lb,
      }),
    );
    assert.equal(given.service!.roleArn, arn);
    await assert.rejects(
      ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: "role-nolb", taskDefinition: td1, desiredCount: 0, role: "r" })),
      { name: "InvalidParameterException", message: "A role was passed, but no load balancers were present." },
    );
    await assert.rejects(
      ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName: "role-vpc",
          taskDefinition: fargateTd,
          desiredCount: 0,
          launchType: "FARGATE",
          role: "r",
          loadBalancers: lb,
          networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } },
        }),
      ),
      { name: "InvalidParameterException", message: "You cannot specify an IAM role for services that require a service linked role." },
    );
    const { failures } = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ["role-nolb", "role-vpc"] }));
    assert.equal(failures!.length, 2);
  });

  test("volumeConfigurations are checked against the task definition and echoed in the deployment", async () => {
    const volume = { name: "data", managedEBSVolume: { roleArn: `arn:aws:iam::${TEST_ACCOUNT}:role/infra`, sizeInGiB: 10 } };
    await assert.rejects(
      ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName: "ebs",
          taskDefinition: td1,
          desiredCount: 0,
          volumeConfigurations: [volume],
        }),
      ),
      { name: "InvalidParameterException" },
    );
    const { service } = await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: "ebs",
        taskDefinition: ebsTd,
        desiredCount: 0,
        volumeConfigurations: [volume],
      }),
    );
    assert.deepEqual(service!.deployments![0]!.volumeConfigurations, [volume]);
    const bigger = { ...volume, managedEBSVolume: { ...volume.managedEBSVolume, sizeInGiB: 20 } };
    const updated = await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "ebs", volumeConfigurations: [bigger] }));
    assert.equal(updated.service!.deployments!.length, 2, "a new volume configuration starts a deployment");
    assert.deepEqual(updated.service!.deployments![0]!.volumeConfigurations, [bigger]);
    const [revision] = (
      await ecs.send(
        new DescribeServiceRevisionsCommand({ serviceRevisionArns: updated.service!.currentServiceRevisions!.map((r) => r.arn!) }),
      )
    ).serviceRevisions!;
    assert.deepEqual(revision!.volumeConfigurations, [bigger]);
  });

  test("UpdateService: AZ rebalancing and service registries", async () => {
    const off = await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "fields", availabilityZoneRebalancing: "DISABLED" }));
    assert.equal(off.service!.availabilityZoneRebalancing, "DISABLED");
    assert.equal(off.service!.deployments!.length, 1, "rebalancing does not start a deployment");
    const kept = await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "fields", desiredCount: 0 }));
    assert.equal(kept.service!.availabilityZoneRebalancing, "DISABLED");
    await assert.rejects(
      ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "daemon", availabilityZoneRebalancing: "ENABLED" })),
      { name: "InvalidParameterException" },
    );
    const cleared = await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "fields", serviceRegistries: [] }));
    assert.deepEqual(cleared.service!.serviceRegistries, []);
    assert.equal(cleared.service!.deployments!.length, 2, "a new service registry configuration starts a deployment");
  });

  test("history: CreateService and each deploying UpdateService record a revision and a service deployment", async () => {
    const created = (
      await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: "web", taskDefinition: td1, desiredCount: 2 }))
    ).service!;
    const first = created.currentServiceDeployment!;
    assert.match(first, new RegExp(`^${ARN}:service-deployment/${CLUSTER}/web/[A-Za-z0-9]{21}$`));
    const firstRevision = created.currentServiceRevisions![0]!.arn!;
    // The revision is numbered after the deployment that introduced it, as ECS numbers them.
    assert.equal(firstRevision, `${ARN}:service-revision/${CLUSTER}/web/${created.deployments![0]!.id!.replace("ecs-svc/", "")}`);

    await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", desiredCount: 3 }));
    assert.equal((await list("web")).serviceDeployments!.length, 1, "a scaling does not start a service deployment");

    const updated = (await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", taskDefinition: td2 }))).service!;
    const second = updated.currentServiceDeployment!;
    assert.notEqual(second, first);
    const { serviceDeployments } = await list("web");
    assert.deepEqual(
      serviceDeployments!.map((d) => [d.serviceDeploymentArn, d.status]),
      [
        [second, "IN_PROGRESS"],
        [first, "STOPPED"],
      ],
    );
    assert.equal(serviceDeployments![0]!.serviceArn, `${ARN}:service/${CLUSTER}/web`);
    assert.equal(serviceDeployments![0]!.clusterArn, `${ARN}:cluster/${CLUSTER}`);

    const described = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [second, first, `${first}x`] }));
    const [now, before] = described.serviceDeployments!;
    assert.equal(now!.status, "IN_PROGRESS");
    assert.deepEqual(
      now!.sourceServiceRevisions!.map((r) => r.arn),
      [firstRevision],
    );
    assert.equal(now!.targetServiceRevision!.requestedTaskCount, 3);
    assert.deepEqual(now!.deploymentCircuitBreaker, { status: "DISABLED", failureCount: 0, threshold: 3 });
    assert.deepEqual(now!.alarms, { status: "DISABLED" });
    assert.equal(now!.deploymentConfiguration!.maximumPercent, 200);
    assert.equal(before!.status, "STOPPED");
    assert.ok(before!.stoppedAt && before!.finishedAt);
    assert.deepEqual(described.failures, [{ arn: `${first}x`, reason: "MISSING" }]);

    const revisions = await ecs.send(
      new DescribeServiceRevisionsCommand({ serviceRevisionArns: [now!.targetServiceRevision!.arn!, firstRevision, `${firstRevision}9`] }),
    );
    assert.deepEqual(
      revisions.serviceRevisions!.map((r) => r.taskDefinition),
      [td2, td1],
    );
    assert.deepEqual(revisions.serviceRevisions![0]!.containerImages, [{ containerName: "app", image: "app:2" }]);
    assert.equal(revisions.serviceRevisions![0]!.launchType, "EC2");
    assert.deepEqual(revisions.failures, [{ arn: `${firstRevision}9`, reason: "MISSING" }]);
  });

  test("ListServiceDeployments: filters and pages", async () => {
    for (const td of [td1, td2, td1]) await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", taskDefinition: td }));
    const all = (await list("web")).serviceDeployments!.map((d) => d.serviceDeploymentArn);
    assert.equal(all.length, 5);
    const paged: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await list(`${ARN}:service/${CLUSTER}/web`, { maxResults: 2, ...(nextToken ? { nextToken } : {}) });
      assert.ok(page.serviceDeployments!.length <= 2);
      paged.push(...page.serviceDeployments!.map((d) => d.serviceDeploymentArn!));
      nextToken = page.nextToken;
    } while (nextToken);
    assert.deepEqual(paged, all);
    assert.deepEqual(
      (await list("web", { status: ["IN_PROGRESS"] })).serviceDeployments!.map((d) => d.serviceDeploymentArn),
      [all[0]],
    );
    assert.equal((await list("web", { status: ["SUCCESSFUL"] })).serviceDeployments!.length, 0);
    assert.equal((await list("web", { createdAt: { before: new Date(0) } })).serviceDeployments!.length, 0);
    assert.equal(
      (await list("web", { createdAt: { after: new Date(0), before: new Date(Date.now() + 60_000) } })).serviceDeployments!.length,
      5,
    );
    await assert.rejects(list("web", { maxResults: 101 }), { name: "InvalidParameterException" });
    await assert.rejects(list("nope"), { name: "ServiceNotFoundException" });
    await assert.rejects(ecs.send(new ListServiceDeploymentsCommand({ cluster: "nope", service: "web" })), {
      name: "ClusterNotFoundException",
    });
  });

  test("StopServiceDeployment rolls an ongoing deployment back to the previous revision", async () => {
    await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: "rb", taskDefinition: td1, desiredCount: 1 }));
    const first = (await describeService("rb")).currentServiceDeployment!;
    await assert.rejects(ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: first })), {
      name: "InvalidParameterException",
    });
    const updated = (await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "rb", taskDefinition: td2 }))).service!;
    const target = updated.currentServiceDeployment!;
    const { serviceDeploymentArn } = await ecs.send(
      new StopServiceDeploymentCommand({ serviceDeploymentArn: target, stopType: "ROLLBACK" }),
    );
    assert.equal(serviceDeploymentArn, target);

    const [stopped] = (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [target] }))).serviceDeployments!;
    assert.ok(["ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"].includes(stopped!.status!), stopped!.status);
    assert.equal(
      stopped!.rollback!.serviceRevisionArn,
      updated.deployments![1]!.id!.replace("ecs-svc/", `${ARN}:service-revision/${CLUSTER}/rb/`),
    );
    const service = await describeService("rb");
    assert.equal(service.taskDefinition, td1);
    assert.equal(service.deployments![0]!.taskDefinition, td1);
    assert.equal(service.deployments![0]!.status, "PRIMARY");
    assert.equal(service.currentServiceDeployment, target, "a rollback is not a new service deployment");

    // Asked again while it rolls back: it carries on.
    await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: target }));
    await assert.rejects(ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: first })), { name: "ConflictException" });
    await assert.rejects(ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: `${target}x` })), {
      name: "ServiceDeploymentNotFoundException",
    });
    await assert.rejects(ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: target, stopType: "ABORT" })), {
      name: "InvalidParameterException",
    });
  });

  test("lifecycle hooks: PAUSE at a rolling stage is accepted, Lambda hooks need a role; other stages are refused", async () => {
    const lambda = [{ hookTargetArn: `arn:aws:lambda:us-east-1:${TEST_ACCOUNT}:function:f`, lifecycleStages: ["PRE_SCALE_UP" as const] }];
    await assert.rejects(
      ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "web", deploymentConfiguration: { lifecycleHooks: lambda } })),
      (err: Error) => err.name === "InvalidParameterException" && /roleArn is required/.test(err.message),
    );
    const blueGreenStage = [{ targetType: "PAUSE" as const, lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT" as const] }];
    await assert.rejects(
      ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName: "hooked-bad",
          taskDefinition: td1,
          desiredCount: 0,
          deploymentConfiguration: { lifecycleHooks: blueGreenStage },
        }),
      ),
      { name: "InvalidParameterException" },
    );
    assert.equal((await list("hooked-bad").catch(() => undefined))?.serviceDeployments?.length ?? 0, 0, "nothing was created");
    const hooks = [{ targetType: "PAUSE" as const, lifecycleStages: ["PRE_SCALE_UP" as const, "POST_SCALE_UP" as const] }];
    const { service } = await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: "hooked",
        taskDefinition: td1,
        desiredCount: 0,
        deploymentConfiguration: { lifecycleHooks: hooks },
      }),
    );
    assert.deepEqual(service!.deploymentConfiguration!.lifecycleHooks, hooks);
  });

  test("ContinueServiceDeployment continues a paused deployment, or rolls it back; errors as ECS answers them", async () => {
    const hooks = [
      {
        targetType: "PAUSE" as const,
        lifecycleStages: ["PRE_SCALE_UP" as const],
        timeoutConfiguration: { timeoutInMinutes: 5, action: "CONTINUE" as const },
      },
    ];
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName: "paused",
        taskDefinition: td1,
        desiredCount: 0,
        deploymentConfiguration: { lifecycleHooks: hooks },
      }),
    );
    const describe = async (arn: string) =>
      (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments![0]!;
    const first = (await describeService("paused")).currentServiceDeployment!;
    // The first deployment replaces nothing and runs no hooks.
    const done = await waitFor(() => describe(first), { until: (d) => d.status === "SUCCESSFUL", message: "first deployment SUCCESSFUL" });
    assert.equal(done.lifecycleHookDetails, undefined);

    const pauseAt = async (taskDefinition: string) => {
      const startedAt = Date.now();
      const { service } = await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: "paused", taskDefinition }));
      const arn = service!.currentServiceDeployment!;
      const entry = await waitFor(() => describe(arn), {
        until: (d) => d.lifecycleHookDetails?.length === 1,
        message: "paused at PRE_SCALE_UP",
      });
      return { arn, entry, startedAt };
    };
    const { arn, entry, startedAt } = await pauseAt(td2);
    assert.equal(entry.status, "IN_PROGRESS");
    assert.equal(entry.lifecycleStage, "PRE_SCALE_UP");
    const hook = entry.lifecycleHookDetails![0]!;
    assert.match(hook.hookId!, /^ecs-pause-[A-Za-z0-9_-]{43}$/);
    assert.equal(hook.targetType, "PAUSE");
    assert.equal(hook.status, "AWAITING_ACTION");
    assert.equal(hook.timeoutAction, "CONTINUE");
    const expires = hook.expiresAt!.getTime();
    assert.ok(
      expires >= startedAt + 5 * 60_000 - 1000 && expires <= Date.now() + 5 * 60_000 + 1000,
      `expiresAt ${hook.expiresAt!.toISOString()}`,
    );

    await assert.rejects(ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: "ecs-pause-nope" })), {
      name: "InvalidParameterException",
    });
    await assert.rejects(ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: `${arn}x`, hookId: hook.hookId! })), {
      name: "ServiceDeploymentNotFoundException",
    });
    assert.equal((await describe(arn)).lifecycleHookDetails![0]!.status, "AWAITING_ACTION", "a refused call changes nothing");

    const continued = await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: hook.hookId! }));
    assert.equal(continued.serviceDeploymentArn, arn);
    const finished = await waitFor(() => describe(arn), {
      until: (d) => d.status === "SUCCESSFUL",
      message: "continued deployment SUCCESSFUL",
    });
    assert.equal(finished.lifecycleHookDetails![0]!.status, "SUCCEEDED");
    assert.equal((await describeService("paused")).taskDefinition, td2);
    // Neither awaiting an action nor IN_PROGRESS any more.
    await assert.rejects(ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: arn, hookId: hook.hookId! })), {
      name: "InvalidParameterException",
    });

    // ROLLBACK goes back to the revision before, as StopServiceDeployment does.
    const back = await pauseAt(td1);
    const backHook = back.entry.lifecycleHookDetails![0]!.hookId!;
    await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn: back.arn, hookId: backHook, action: "ROLLBACK" }));
    const rolled = await waitFor(() => describe(back.arn), { until: (d) => d.status === "ROLLBACK_SUCCESSFUL", message: "rolled back" });
    assert.equal(rolled.lifecycleHookDetails![0]!.status, "FAILED");
    assert.ok(rolled.rollback?.serviceRevisionArn);
    assert.equal((await describeService("paused")).taskDefinition, td2);
  });

  test("DeleteService stops the service deployments still rolling out; the history stays readable", async () => {
    await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: "gone", taskDefinition: td1, desiredCount: 1 }));
    const arn = (await describeService("gone")).currentServiceDeployment!;
    await ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: "gone", force: true }));
    const [entry] = (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments!;
    assert.equal(entry!.status, "STOPPED");
    assert.ok(entry!.stoppedAt);
    assert.deepEqual(
      (await list("gone")).serviceDeployments!.map((d) => d.serviceDeploymentArn),
      [arn],
    );
  });

  test("DescribeServiceDeployments and DescribeServiceRevisions take 1 to 20 ARNs", async () => {
    const arns = Array.from({ length: 21 }, (_, i) => `${ARN}:service-deployment/${CLUSTER}/web/${i}`);
    await assert.rejects(ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: arns })), {
      name: "InvalidParameterException",
    });
    await assert.rejects(ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [] })), { name: "InvalidParameterException" });
    const { failures } = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: ["bogus"] }));
    assert.deepEqual(failures, [{ arn: "bogus", reason: "MISSING" }]);
  });
});
