// Deployment strategies (deploymentConfiguration.strategy) through CreateService and
// UpdateService, in-process with the ELBv2 API making the load balancers, target groups,
// listeners and rules: the defaults DescribeServices shows, the settings each strategy takes,
// each load balancer's advancedConfiguration against ELBv2's state, the lifecycle hooks each
// strategy takes; every refusal leaves the service (or its absence) as it was.
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type CreateServiceCommandInput,
  type LoadBalancer,
  type Service,
  type UpdateServiceCommandInput,
} from "@aws-sdk/client-ecs";
import {
  CreateListenerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeRulesCommand,
  type Action,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { expectError } from "../support/assertions.js";
import { TEST_ACCOUNT } from "../support/berth-process.js";
import { createLoadBalancer, createTargetGroup } from "../support/elbv2.js";
import { inProcessBerth } from "../support/in-process.js";
import { defaultNetwork } from "../support/vpc.js";

const CLUSTER = "strategies";
const ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/ecsInfrastructureRoleForLoadBalancers`;
const FUNCTION = `arn:aws:lambda:us-east-1:${TEST_ACCOUNT}:function:check-green`;

describe("deployment strategies on CreateService and UpdateService (in-process)", () => {
  const berth = inProcessBerth();
  const { ecs, elb } = berth;
  after(() => berth.close());

  let td = "";
  let subnet = "";
  /** The ALB's groups: blue (primary), green (alternate), other (forwarded to by no rule of the service). */
  let blue = "";
  let green = "";
  let other = "";
  /** A group no load balancer uses, and one of instance targets. */
  let unattached = "";
  let instanceGroup = "";
  /** The ALB's production listener, its default rule and a path rule; the test listener's default rule. */
  let prodListener = "";
  let prodDefaultRule = "";
  let prodRule = "";
  let testRule = "";
  let redirectRule = "";
  let otherRule = "";
  let strayRule = "";
  /** The NLB's groups and listener. */
  let tcpBlue = "";
  let tcpGreen = "";
  let nlbListener = "";

  const forward = (...groups: string[]): Action[] => [
    { Type: "forward", ForwardConfig: { TargetGroups: groups.map((TargetGroupArn) => ({ TargetGroupArn, Weight: 1 })) } },
  ];
  const listener = async (LoadBalancerArn: string, Port: number, DefaultActions: Action[], Protocol: "HTTP" | "TCP" = "HTTP") =>
    (await elb.send(new CreateListenerCommand({ LoadBalancerArn, Port, Protocol, DefaultActions }))).Listeners![0]!.ListenerArn!;
  let priority = 0;
  const rule = async (ListenerArn: string, Actions: Action[]) =>
    (
      await elb.send(
        new CreateRuleCommand({
          ListenerArn,
          Priority: ++priority,
          Conditions: [{ Field: "path-pattern", PathPatternConfig: { Values: [`/p${priority}/*`] } }],
          Actions,
        }),
      )
    ).Rules![0]!.RuleArn!;
  const defaultRule = async (ListenerArn: string) =>
    (await elb.send(new DescribeRulesCommand({ ListenerArn }))).Rules!.find((r) => r.IsDefault)!.RuleArn!;

  before(async () => {
    subnet = (await defaultNetwork(berth)).subnetIds[0]!;
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    td = (
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: "web",
          networkMode: "awsvpc",
          requiresCompatibilities: ["FARGATE"],
          cpu: "256",
          memory: "512",
          containerDefinitions: [{ name: "app", image: "app:1", portMappings: [{ containerPort: 80 }] }],
        }),
      )
    ).taskDefinition!.taskDefinitionArn!;

    const alb = await createLoadBalancer(berth, { name: "strategies" });
    const groups = await Promise.all(["blue", "green", "other", "unattached"].map((name) => createTargetGroup(berth, { name })));
    [blue, green, other, unattached] = groups as [string, string, string, string];
    const { vpcId } = await defaultNetwork(berth);
    instanceGroup = (
      await elb.send(new CreateTargetGroupCommand({ Name: "instances", VpcId: vpcId, Protocol: "HTTP", Port: 80, TargetType: "instance" }))
    ).TargetGroups![0]!.TargetGroupArn!;
    prodListener = await listener(alb, 80, forward(blue));
    prodDefaultRule = await defaultRule(prodListener);
    prodRule = await rule(prodListener, forward(blue, green));
    redirectRule = await rule(prodListener, [{ Type: "redirect", RedirectConfig: { Path: "/elsewhere", StatusCode: "HTTP_302" } }]);
    otherRule = await rule(prodListener, forward(other));
    strayRule = await rule(prodListener, forward(blue, other));
    await rule(prodListener, forward(instanceGroup));
    testRule = await defaultRule(await listener(alb, 8080, forward(green)));

    const nlb = await createLoadBalancer(berth, { name: "strategies-net", type: "network" });
    const tcp = await Promise.all(["tcp-blue", "tcp-green"].map((name) => createTargetGroup(berth, { name, protocol: "TCP" })));
    [tcpBlue, tcpGreen] = tcp as [string, string];
    nlbListener = await listener(nlb, 80, forward(tcpBlue), "TCP");
    await listener(nlb, 81, forward(tcpGreen), "TCP");
  });

  const advanced = (extra: Partial<NonNullable<LoadBalancer["advancedConfiguration"]>> = {}) => ({
    alternateTargetGroupArn: green,
    productionListenerRule: prodRule,
    roleArn: ROLE,
    ...extra,
  });
  const lb = (extra: Partial<LoadBalancer> = {}): LoadBalancer => ({
    targetGroupArn: blue,
    containerName: "app",
    containerPort: 80,
    advancedConfiguration: advanced(),
    ...extra,
  });
  const create = async (serviceName: string, extra: Partial<CreateServiceCommandInput>) =>
    (
      await ecs.send(
        new CreateServiceCommand({
          cluster: CLUSTER,
          serviceName,
          taskDefinition: td,
          desiredCount: 0,
          launchType: "FARGATE",
          networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } },
          ...extra,
        }),
      )
    ).service!;
  const update = async (service: string, extra: Partial<UpdateServiceCommandInput>) =>
    (await ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service, ...extra }))).service!;
  const describe1 = async (name: string) =>
    (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }))).services![0]!;
  /** What a refused change must leave as it was. */
  const settings = (s: Service) => ({
    deploymentConfiguration: s.deploymentConfiguration,
    loadBalancers: s.loadBalancers,
    taskDefinition: s.taskDefinition,
    deployments: s.deployments!.map((d) => `${d.id} ${d.status}`),
  });
  const createRefused = async (serviceName: string, extra: Partial<CreateServiceCommandInput>, message: RegExp) => {
    await expectError(create(serviceName, extra), "InvalidParameterException", message);
    const described = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [serviceName] }));
    assert.deepEqual(
      described.failures!.map((f) => f.reason),
      ["MISSING"],
      `${serviceName} was not created`,
    );
  };
  const updateRefused = async (service: string, extra: Partial<UpdateServiceCommandInput>, message: RegExp) => {
    const before = settings(await describe1(service));
    await expectError(update(service, extra), "InvalidParameterException", message);
    assert.deepEqual(settings(await describe1(service)), before, `${service} is unchanged`);
  };

  test("ROLLING is the default, and DescribeServices shows it", async () => {
    const service = await create("rolling", {});
    assert.deepEqual(service.deploymentConfiguration, {
      strategy: "ROLLING",
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      deploymentCircuitBreaker: { enable: false, rollback: false },
    });
    assert.deepEqual((await describe1("rolling")).deploymentConfiguration, service.deploymentConfiguration);
  });

  test("BLUE_GREEN with an ALB's rules: the configuration and the advancedConfiguration as given", async () => {
    const loadBalancers = [lb({ advancedConfiguration: advanced({ testListenerRule: testRule }) })];
    const created = await create("bg", { deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 5 }, loadBalancers });
    const described = await describe1("bg");
    for (const service of [created, described]) {
      assert.deepEqual(service.deploymentConfiguration, {
        strategy: "BLUE_GREEN",
        bakeTimeInMinutes: 5,
        maximumPercent: 200,
        minimumHealthyPercent: 100,
        deploymentCircuitBreaker: { enable: false, rollback: false },
      });
      assert.deepEqual(service.loadBalancers, loadBalancers);
    }
  });

  test("BLUE_GREEN without load balancers, with a listener's default rule, or an NLB's listener", async () => {
    const headless = await create("bg-headless", { deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 0 } });
    assert.equal(headless.deploymentConfiguration!.strategy, "BLUE_GREEN");
    assert.equal(headless.deploymentConfiguration!.bakeTimeInMinutes, 0);
    const byDefault = [lb({ advancedConfiguration: advanced({ productionListenerRule: prodDefaultRule }) })];
    const service = await create("bg-default-rule", {
      deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 1 },
      loadBalancers: byDefault,
    });
    assert.deepEqual(service.loadBalancers, byDefault);
    const net = [
      lb({
        targetGroupArn: tcpBlue,
        advancedConfiguration: advanced({ alternateTargetGroupArn: tcpGreen, productionListenerRule: nlbListener }),
      }),
    ];
    assert.deepEqual(
      (await create("bg-nlb", { deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 1 }, loadBalancers: net }))
        .loadBalancers,
      net,
    );
  });

  test("LINEAR and CANARY: their defaults filled, or their settings as given", async () => {
    const linear = await create("linear", { deploymentConfiguration: { strategy: "LINEAR" }, loadBalancers: [lb()] });
    assert.deepEqual((await describe1("linear")).deploymentConfiguration, linear.deploymentConfiguration);
    assert.deepEqual(linear.deploymentConfiguration, {
      strategy: "LINEAR",
      bakeTimeInMinutes: 0,
      linearConfiguration: { stepPercent: 10, stepBakeTimeInMinutes: 6 },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      deploymentCircuitBreaker: { enable: false, rollback: false },
    });
    const canary = await create("canary", {
      deploymentConfiguration: { strategy: "CANARY", bakeTimeInMinutes: 15, canaryConfiguration: { canaryPercent: 12.5 } },
      loadBalancers: [lb()],
    });
    assert.deepEqual(canary.deploymentConfiguration!.canaryConfiguration, { canaryPercent: 12.5, canaryBakeTimeInMinutes: 10 });
    assert.equal(canary.deploymentConfiguration!.bakeTimeInMinutes, 15);
    assert.equal(canary.deploymentConfiguration!.linearConfiguration, undefined);
    const custom = await create("linear-custom", {
      deploymentConfiguration: { strategy: "LINEAR", linearConfiguration: { stepPercent: 33.3, stepBakeTimeInMinutes: 0 } },
      loadBalancers: [lb()],
    });
    assert.deepEqual(custom.deploymentConfiguration!.linearConfiguration, { stepPercent: 33.3, stepBakeTimeInMinutes: 0 });
  });

  test("the strategies' settings are checked", async () => {
    await createRefused(
      "r1",
      { deploymentConfiguration: { strategy: "BLUE_GREEN" } },
      /bakeTimeInMinutes must be provided when you use the BLUE_GREEN/,
    );
    await createRefused(
      "r2",
      { deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 1441 } },
      /bakeTimeInMinutes must be an integer between 0 and 1440/,
    );
    await createRefused(
      "r3",
      { deploymentConfiguration: { strategy: "CANARY", linearConfiguration: { stepPercent: 10 } }, loadBalancers: [lb()] },
      /linearConfiguration can only be specified with the LINEAR/,
    );
    await createRefused(
      "r4",
      { deploymentConfiguration: { canaryConfiguration: { canaryPercent: 5 } } },
      /canaryConfiguration can only be specified with the CANARY/,
    );
    await createRefused(
      "r5",
      { deploymentConfiguration: { strategy: "LINEAR", linearConfiguration: { stepPercent: 10.05 } }, loadBalancers: [lb()] },
      /stepPercent must be between 3.0 and 100.0, in multiples of 0.1/,
    );
    await createRefused(
      "r6",
      { deploymentConfiguration: { strategy: "LINEAR", linearConfiguration: { stepPercent: 2 } }, loadBalancers: [lb()] },
      /stepPercent must be between 3.0 and 100.0/,
    );
    await createRefused(
      "r7",
      { deploymentConfiguration: { strategy: "CANARY", canaryConfiguration: { canaryPercent: 0 } }, loadBalancers: [lb()] },
      /canaryPercent must be between 0.1 and 100.0/,
    );
    await createRefused(
      "r8",
      { deploymentConfiguration: { strategy: "CANARY", canaryConfiguration: { canaryBakeTimeInMinutes: 1441 } }, loadBalancers: [lb()] },
      /canaryBakeTimeInMinutes must be an integer between 0 and 1440/,
    );
  });

  test("the traffic-shifting strategies only for the ECS controller's REPLICA services", async () => {
    await createRefused(
      "r-daemon",
      {
        schedulingStrategy: "DAEMON",
        desiredCount: undefined,
        launchType: "EC2",
        deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 1 },
      },
      /REPLICA scheduling strategy/,
    );
    await createRefused(
      "r-external",
      {
        deploymentController: { type: "EXTERNAL" },
        taskDefinition: undefined,
        launchType: undefined,
        networkConfiguration: undefined,
        deploymentConfiguration: { strategy: "LINEAR" },
      },
      /ECS deployment controller/,
    );
  });

  test("the load balancers each strategy needs, and the shape of advancedConfiguration", async () => {
    await createRefused(
      "r-linear",
      { deploymentConfiguration: { strategy: "LINEAR" } },
      /LINEAR deployment strategy requires a load balancer/,
    );
    await createRefused(
      "r-canary",
      { deploymentConfiguration: { strategy: "CANARY" } },
      /CANARY deployment strategy requires a load balancer/,
    );
    await createRefused("r-rolling", { loadBalancers: [lb()] }, /advancedConfiguration can only be specified/);
    await createRefused(
      "r-rolling2",
      { deploymentConfiguration: { strategy: "ROLLING" }, loadBalancers: [lb()] },
      /advancedConfiguration can only be specified/,
    );
    await createRefused(
      "r-plain",
      {
        deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 1 },
        loadBalancers: [lb({ advancedConfiguration: undefined })],
      },
      /requires an advancedConfiguration/,
    );
    for (const field of ["alternateTargetGroupArn", "productionListenerRule", "roleArn"] as const) {
      const { [field]: _, ...rest } = advanced();
      await createRefused(
        `r-${field}`,
        { deploymentConfiguration: { strategy: "CANARY" }, loadBalancers: [lb({ advancedConfiguration: rest })] },
        new RegExp(`advancedConfiguration.${field} is required`),
      );
    }
    const canary = (advancedConfiguration: LoadBalancer["advancedConfiguration"]) => ({
      deploymentConfiguration: { strategy: "CANARY" as const },
      loadBalancers: [lb({ advancedConfiguration })],
    });
    await createRefused(
      "r-same",
      canary(advanced({ alternateTargetGroupArn: blue })),
      /must be different from the load balancer's targetGroupArn/,
    );
    await createRefused(
      "r-same-rule",
      canary(advanced({ testListenerRule: prodRule })),
      /testListenerRule must be different from productionListenerRule/,
    );
  });

  test("advancedConfiguration against ELBv2: the alternate group", async () => {
    const canary = (alternateTargetGroupArn: string) => ({
      deploymentConfiguration: { strategy: "CANARY" as const },
      loadBalancers: [lb({ advancedConfiguration: advanced({ alternateTargetGroupArn }) })],
    });
    await createRefused("r-missing-alt", canary(green.replace(/[0-9a-f]{16}$/, "0000000000000000")), /does not exist/);
    await createRefused("r-unattached-alt", canary(unattached), /does not have an associated load balancer/);
    await createRefused("r-instance-alt", canary(instanceGroup), /incompatible with the awsvpc network mode/);
  });

  test("advancedConfiguration against ELBv2: the production and test rules", async () => {
    const canary = (extra: Partial<NonNullable<LoadBalancer["advancedConfiguration"]>>) => ({
      deploymentConfiguration: { strategy: "CANARY" as const },
      loadBalancers: [lb({ advancedConfiguration: advanced(extra) })],
    });
    await createRefused(
      "r-no-rule",
      canary({ productionListenerRule: prodRule.replace(/[0-9a-f]{16}$/, "0000000000000000") }),
      /productionListenerRule .* does not exist/,
    );
    await createRefused("r-alb-listener", canary({ productionListenerRule: prodListener }), /listener of an Application Load Balancer/);
    await createRefused("r-redirect", canary({ productionListenerRule: redirectRule }), /must have a single forward action/);
    await createRefused("r-other", canary({ productionListenerRule: otherRule }), /forwards to target group .*other/);
    await createRefused(
      "r-stray",
      canary({ productionListenerRule: strayRule }),
      /neither the load balancer's targetGroupArn nor its alternateTargetGroupArn/,
    );
    await createRefused("r-test-other", canary({ testListenerRule: otherRule }), /testListenerRule .* forwards to target group/);
    await createRefused("r-test-missing", canary({ testListenerRule: `${testRule}0` }), /testListenerRule .* does not exist/);
  });

  test("lifecycle hooks: PAUSE at every stage and AWS_LAMBDA hooks for the traffic-shifting strategies", async () => {
    const lifecycleHooks = [
      { targetType: "PAUSE" as const, lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT" as const, "PRODUCTION_TRAFFIC_SHIFT" as const] },
      { hookTargetArn: FUNCTION, roleArn: ROLE, lifecycleStages: ["TEST_TRAFFIC_SHIFT" as const] },
    ];
    const service = await create("hooked", {
      deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 0, lifecycleHooks },
      loadBalancers: [lb()],
    });
    assert.deepEqual(service.deploymentConfiguration!.lifecycleHooks, lifecycleHooks);
    const rolling = await create("hooked-rolling", {
      deploymentConfiguration: {
        lifecycleHooks: [{ hookTargetArn: `${FUNCTION}:live`, roleArn: ROLE, lifecycleStages: ["PRE_SCALE_UP"] }],
      },
    });
    assert.equal(rolling.deploymentConfiguration!.lifecycleHooks!.length, 1);
    await createRefused(
      "r-hook-stage",
      { deploymentConfiguration: { lifecycleHooks: [{ targetType: "PAUSE", lifecycleStages: ["TEST_TRAFFIC_SHIFT"] }] } },
      /TEST_TRAFFIC_SHIFT is not supported for the ROLLING deployment strategy/,
    );
    await createRefused(
      "r-hook-role",
      { deploymentConfiguration: { lifecycleHooks: [{ hookTargetArn: FUNCTION, lifecycleStages: ["PRE_SCALE_UP"] }] } },
      /roleArn is required for a lifecycle hook with the AWS_LAMBDA target type/,
    );
    await createRefused(
      "r-hook-fn",
      { deploymentConfiguration: { lifecycleHooks: [{ roleArn: ROLE, lifecycleStages: ["PRE_SCALE_UP"] }] } },
      /hookTargetArn is required/,
    );
    await createRefused(
      "r-hook-pause-target",
      {
        deploymentConfiguration: { lifecycleHooks: [{ targetType: "PAUSE", hookTargetArn: FUNCTION, lifecycleStages: ["PRE_SCALE_UP"] }] },
      },
      /hookTargetArn cannot be specified for a lifecycle hook with the PAUSE target type/,
    );
  });

  test("UpdateService checks the configuration the service will have, with its load balancers after the change", async () => {
    await create("switch", { loadBalancers: [lb({ advancedConfiguration: undefined })] });
    // The stored load balancer has no advancedConfiguration.
    await updateRefused(
      "switch",
      { deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 3 } },
      /requires an advancedConfiguration/,
    );
    await updateRefused(
      "switch",
      { deploymentConfiguration: { strategy: "BLUE_GREEN" }, loadBalancers: [lb()] },
      /bakeTimeInMinutes must be provided/,
    );
    await updateRefused(
      "switch",
      {
        deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 3 },
        loadBalancers: [lb({ advancedConfiguration: advanced({ productionListenerRule: redirectRule }) })],
      },
      /single forward action/,
    );

    const blueGreen = await update("switch", {
      deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 3 },
      loadBalancers: [lb()],
    });
    assert.equal(blueGreen.deploymentConfiguration!.strategy, "BLUE_GREEN");
    assert.equal(blueGreen.deploymentConfiguration!.maximumPercent, 200, "the stored members stay");
    assert.deepEqual((await describe1("switch")).loadBalancers, [lb()]);

    // The bake time stays; LINEAR's settings come with it.
    const linear = await update("switch", { deploymentConfiguration: { strategy: "LINEAR" } });
    assert.deepEqual(
      {
        strategy: linear.deploymentConfiguration!.strategy,
        bake: linear.deploymentConfiguration!.bakeTimeInMinutes,
        linear: linear.deploymentConfiguration!.linearConfiguration,
      },
      { strategy: "LINEAR", bake: 3, linear: { stepPercent: 10, stepBakeTimeInMinutes: 6 } },
    );
    await updateRefused(
      "switch",
      { deploymentConfiguration: { canaryConfiguration: { canaryPercent: 5 } } },
      /canaryConfiguration can only be specified with the CANARY/,
    );
    await updateRefused("switch", { deploymentConfiguration: { strategy: "ROLLING" } }, /advancedConfiguration can only be specified/);
    await updateRefused("switch", { loadBalancers: [] }, /LINEAR deployment strategy requires a load balancer/);

    // A strategy's own settings do not outlive it.
    const canary = await update("switch", { deploymentConfiguration: { strategy: "CANARY" } });
    assert.equal(canary.deploymentConfiguration!.linearConfiguration, undefined);
    assert.deepEqual(canary.deploymentConfiguration!.canaryConfiguration, { canaryPercent: 5, canaryBakeTimeInMinutes: 10 });

    const rolling = await update("switch", {
      deploymentConfiguration: { strategy: "ROLLING" },
      loadBalancers: [lb({ advancedConfiguration: undefined })],
    });
    assert.equal(rolling.deploymentConfiguration!.strategy, "ROLLING");
    assert.equal(rolling.deploymentConfiguration!.canaryConfiguration, undefined);
    assert.equal((await describe1("switch")).loadBalancers![0]!.advancedConfiguration, undefined);
  });

  test("UpdateService: hooks are checked against the strategy the service keeps", async () => {
    await create("hooks-later", { deploymentConfiguration: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 0 } });
    const hooked = await update("hooks-later", {
      deploymentConfiguration: { lifecycleHooks: [{ targetType: "PAUSE", lifecycleStages: ["PRE_PRODUCTION_TRAFFIC_SHIFT"] }] },
    });
    assert.equal(hooked.deploymentConfiguration!.strategy, "BLUE_GREEN");
    assert.equal(hooked.deploymentConfiguration!.lifecycleHooks!.length, 1);
    await updateRefused(
      "hooks-later",
      { deploymentConfiguration: { strategy: "ROLLING" } },
      /PRE_PRODUCTION_TRAFFIC_SHIFT is not supported for the ROLLING/,
    );
    await updateRefused(
      "rolling",
      { deploymentConfiguration: { strategy: "LINEAR" } },
      /LINEAR deployment strategy requires a load balancer/,
    );
  });
});
