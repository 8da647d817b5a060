// ECS's rules for launching tasks (domain/task/launch-rules.ts), with the errors ECS answers.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { NetworkConfiguration, RunTaskRequest, Tag, TaskDefinition, TaskOverride } from "@aws-sdk/client-ecs";
import { EcsError } from "../../src/domain/errors.js";
import {
  checkCompatibility,
  checkNetworkConfiguration,
  chooseLaunch,
  serviceTaskTags,
  taskTags,
  type LaunchChoice,
} from "../../src/domain/task/launch-rules.js";

type Refusal = [name: string, message: string];
const invalid = (message: string): Refusal => ["InvalidParameterException", message];

function refuses(run: () => unknown, [name, message]: Refusal, label: string): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof EcsError, `${label}: an EcsError`);
    assert.equal(e.name, name, label);
    assert.equal(e.message, message, label);
    return true;
  });
}

describe("chooseLaunch", () => {
  const cases: [
    string,
    Pick<RunTaskRequest, "launchType" | "capacityProviderStrategy">,
    RunTaskRequest["capacityProviderStrategy"],
    LaunchChoice,
  ][] = [
    ["nothing asked, no cluster default: EC2", {}, [], { launchType: "EC2" }],
    ["a launch type is taken as it is", { launchType: "FARGATE" }, [{ capacityProvider: "cp-ec2" }], { launchType: "FARGATE" }],
    ["EC2 as asked", { launchType: "EC2" }, [], { launchType: "EC2" }],
    [
      "the cluster's default strategy when the request has none",
      {},
      [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
      { launchType: "FARGATE", capacityProviderName: "FARGATE_SPOT" },
    ],
    [
      "an empty request strategy falls back to the cluster's",
      { capacityProviderStrategy: [] },
      [{ capacityProvider: "FARGATE" }],
      { launchType: "FARGATE", capacityProviderName: "FARGATE" },
    ],
    [
      "the request's strategy over the cluster's",
      { capacityProviderStrategy: [{ capacityProvider: "cp-ec2" }] },
      [{ capacityProvider: "FARGATE" }],
      { launchType: "EC2", capacityProviderName: "cp-ec2" },
    ],
    [
      "the provider with a base first",
      {
        capacityProviderStrategy: [
          { capacityProvider: "cp-ec2", weight: 9 },
          { capacityProvider: "FARGATE", base: 1, weight: 1 },
        ],
      },
      [],
      { launchType: "FARGATE", capacityProviderName: "FARGATE" },
    ],
    [
      "then the largest weight",
      {
        capacityProviderStrategy: [
          { capacityProvider: "FARGATE_SPOT", weight: 1 },
          { capacityProvider: "cp-ec2", weight: 3 },
        ],
      },
      [],
      { launchType: "EC2", capacityProviderName: "cp-ec2" },
    ],
  ];
  for (const [label, input, clusterStrategy, expected] of cases) {
    test(label, () => assert.deepEqual(chooseLaunch(input, clusterStrategy ?? []), expected));
  }

  test("refuses a launch type with a strategy, and EXTERNAL", () => {
    refuses(
      () => chooseLaunch({ launchType: "EC2", capacityProviderStrategy: [{ capacityProvider: "FARGATE" }] }, []),
      invalid("Specifying both a launch type and capacity provider strategy is not supported. Specify one or the other and try again."),
      "both",
    );
    refuses(
      () => chooseLaunch({ launchType: "EXTERNAL" }, []),
      invalid("berth has no EXTERNAL instances; use EC2 or FARGATE."),
      "EXTERNAL",
    );
  });
});

describe("checkCompatibility", () => {
  const td: TaskDefinition = {
    compatibilities: ["EC2", "FARGATE"],
    cpu: "256",
    memory: "512",
    containerDefinitions: [{ name: "app" }, { name: "sidecar" }],
  };
  const EC2: LaunchChoice = { launchType: "EC2" };
  const FARGATE: LaunchChoice = { launchType: "FARGATE" };

  const accepted: [string, TaskDefinition, LaunchChoice, TaskOverride | undefined][] = [
    ["no overrides", td, FARGATE, undefined],
    ["a valid Fargate size", td, FARGATE, { cpu: "512", memory: "1024" }],
    ["a memory override that fits the definition's cpu", td, FARGATE, { memory: "2048" }],
    ["any size on EC2", td, EC2, { cpu: "3", memory: "7" }],
    ["overrides of the definition's containers", td, EC2, { containerOverrides: [{ name: "app" }, { name: "sidecar" }] }],
  ];
  for (const [label, definition, launch, overrides] of accepted) {
    test(`accepts ${label}`, () => assert.doesNotThrow(() => checkCompatibility(definition, launch, overrides)));
  }

  const refused: [string, TaskDefinition, LaunchChoice, TaskOverride | undefined, Refusal][] = [
    [
      "a launch type the definition lacks",
      { ...td, compatibilities: ["EC2"] },
      FARGATE,
      undefined,
      invalid("Task definition does not support launch_type FARGATE."),
    ],
    [
      "a definition without compatibilities",
      { containerDefinitions: [] },
      EC2,
      undefined,
      invalid("Task definition does not support launch_type EC2."),
    ],
    [
      "a size Fargate does not offer",
      td,
      FARGATE,
      { memory: "4096" },
      ["ClientException", "No Fargate configuration exists for given values: 256 CPU, 4096 memory."],
    ],
    [
      "a cpu override without a memory to match",
      td,
      FARGATE,
      { cpu: "4096" },
      ["ClientException", "No Fargate configuration exists for given values: 4096 CPU, 512 memory."],
    ],
    [
      "an override of a container not in the definition",
      td,
      EC2,
      { containerOverrides: [{ name: "app" }, { name: "db" }] },
      invalid("Override for container named db is not a container in the TaskDefinition."),
    ],
  ];
  for (const [label, definition, launch, overrides, refusal] of refused) {
    test(`refuses ${label}`, () => refuses(() => checkCompatibility(definition, launch, overrides), refusal, label));
  }
});

describe("checkNetworkConfiguration", () => {
  const bridge: TaskDefinition = { networkMode: "bridge" };
  const awsvpc: TaskDefinition = { networkMode: "awsvpc" };
  const vpc = (subnets: string[], securityGroups?: string[]): NetworkConfiguration => ({
    awsvpcConfiguration: { subnets, ...(securityGroups ? { securityGroups } : {}) },
  });
  const many = (n: number, make: (i: number) => string) => Array.from({ length: n }, (_, i) => make(i));

  type Asked = { subnets: string[]; securityGroups: string[] } | undefined;
  const accepted: [string, TaskDefinition, NetworkConfiguration | undefined, Asked][] = [
    ["bridge without a configuration: nothing asked", bridge, undefined, undefined],
    ["a definition without a network mode", {}, {}, undefined],
    [
      "awsvpc: its subnets and groups, in order",
      awsvpc,
      vpc(["subnet-a1", "subnet-b2"], ["sg-1"]),
      { subnets: ["subnet-a1", "subnet-b2"], securityGroups: ["sg-1"] },
    ],
    [
      "awsvpc without groups: none asked (the VPC's default group, later)",
      awsvpc,
      vpc(["subnet-a1"]),
      { subnets: ["subnet-a1"], securityGroups: [] },
    ],
    [
      "16 subnets and 5 security groups",
      awsvpc,
      vpc(
        many(16, (i) => `subnet-${i}`),
        many(5, (i) => `sg-${i}`),
      ),
      { subnets: many(16, (i) => `subnet-${i}`), securityGroups: many(5, (i) => `sg-${i}`) },
    ],
  ];
  for (const [label, td, config, asked] of accepted) {
    test(`accepts ${label}`, () => assert.deepEqual(checkNetworkConfiguration(td, config), asked));
  }

  test("assignPublicIp ENABLED: FARGATE's alone, as ECS says", () => {
    const open: NetworkConfiguration = { awsvpcConfiguration: { subnets: ["subnet-a1"], assignPublicIp: "ENABLED" } };
    assert.deepEqual(checkNetworkConfiguration(awsvpc, open, "FARGATE"), { subnets: ["subnet-a1"], securityGroups: [] });
    refuses(
      () => checkNetworkConfiguration(awsvpc, open, "EC2"),
      invalid("Assign public IP is not supported for this launch type."),
      "EC2",
    );
    const closed: NetworkConfiguration = { awsvpcConfiguration: { subnets: ["subnet-a1"], assignPublicIp: "DISABLED" } };
    assert.ok(checkNetworkConfiguration(awsvpc, closed, "EC2"));
  });

  const refused: [string, TaskDefinition, NetworkConfiguration | undefined, Refusal][] = [
    [
      "an awsvpc configuration for bridge",
      bridge,
      vpc(["subnet-a1"]),
      invalid("Network Configuration is not valid for the given networkMode of this task definition."),
    ],
    [
      "awsvpc without a configuration",
      awsvpc,
      undefined,
      invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified."),
    ],
    ["awsvpc without subnets", awsvpc, vpc([]), invalid("subnets can have at least 1 and at most 16 items.")],
    ["17 subnets", awsvpc, vpc(many(17, (i) => `subnet-${i}`)), invalid("subnets can have at least 1 and at most 16 items.")],
    [
      "a malformed subnet",
      awsvpc,
      vpc(["subnet-a1", "net-1"]),
      invalid(
        "Error retrieving subnet information for [net-1]: The subnet ID 'net-1' does not exist (ErrorCode: InvalidSubnetID.NotFound)",
      ),
    ],
    [
      "6 security groups",
      awsvpc,
      vpc(
        ["subnet-a1"],
        many(6, (i) => `sg-${i}`),
      ),
      invalid("securityGroups can have at most 5 items."),
    ],
    [
      "a malformed security group",
      awsvpc,
      vpc(["subnet-a1"], ["group-1"]),
      invalid(
        "Error retrieving security group information for [group-1]: The security group 'group-1' does not exist (ErrorCode: InvalidGroup.NotFound)",
      ),
    ],
  ];
  for (const [label, td, config, refusal] of refused) {
    test(`refuses ${label}`, () => refuses(() => checkNetworkConfiguration(td, config), refusal, label));
  }
});

describe("taskTags", () => {
  const own: Tag[] = [{ key: "team", value: "web" }];
  const definition: Tag[] = [
    { key: "team", value: "platform" },
    { key: "cost", value: "42" },
  ];
  const cases: [string, Tag[] | undefined, string | undefined, Tag[]][] = [
    ["none", undefined, undefined, []],
    ["the task's own", own, undefined, own],
    ["NONE: the task's own", own, "NONE", own],
    [
      "TASK_DEFINITION: the definition's added, the task's own winning",
      own,
      "TASK_DEFINITION",
      [
        { key: "team", value: "web" },
        { key: "cost", value: "42" },
      ],
    ],
  ];
  for (const [label, tags, propagate, expected] of cases) {
    test(label, () => assert.deepEqual(taskTags(tags, propagate, definition), expected));
  }

  test("refuses SERVICE outside a service, and tags ECS refuses", () => {
    refuses(() => taskTags(own, "SERVICE", definition), invalid("propagateTags SERVICE is only valid for tasks of a service."), "SERVICE");
    refuses(
      () => taskTags([{ key: "aws:owner", value: "x" }], undefined, []),
      invalid("Tag keys beginning with the reserved prefix 'aws:' are not allowed."),
      "reserved",
    );
    refuses(() => taskTags([], "TASK_DEFINITION", many51()), invalid("The number of tags must be less than or equal to 50."), "too many");
    refuses(
      () =>
        taskTags(
          many51().slice(0, 30),
          "TASK_DEFINITION",
          many51()
            .map((t) => ({ ...t, key: `d${t.key}` }))
            .slice(0, 21),
        ),
      invalid("The number of tags must be less than or equal to 50."),
      "own and propagated together",
    );
  });

  test("enableECSManagedTags adds aws:ecs:clusterName, outside the limit of 50", () => {
    const fifty = many51().slice(0, 50);
    const tags = taskTags(fifty, undefined, [], { enableECSManagedTags: true, cluster: "prod" });
    assert.equal(tags.length, 51);
    assert.deepEqual(tags.at(-1), { key: "aws:ecs:clusterName", value: "prod" });
    assert.deepEqual(taskTags(own, undefined, [], { enableECSManagedTags: false, cluster: "prod" }), own);
  });
  const many51 = () => Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: "v" }));
});

describe("serviceTaskTags", () => {
  const service = { serviceName: "web", tags: [{ key: "svc", value: "1" }] };
  const definition = [{ key: "td", value: "2" }];
  test("as the service's propagateTags says", () => {
    assert.deepEqual(serviceTaskTags({ ...service, propagateTags: "SERVICE" }, definition, "c"), service.tags);
    assert.deepEqual(serviceTaskTags({ ...service, propagateTags: "TASK_DEFINITION" }, definition, "c"), definition);
    assert.deepEqual(serviceTaskTags({ ...service, propagateTags: "NONE" }, definition, "c"), []);
    assert.deepEqual(serviceTaskTags(service, definition, "c"), []);
  });
  test("enableECSManagedTags adds the cluster's and the service's names after the propagated tags", () => {
    assert.deepEqual(serviceTaskTags({ ...service, propagateTags: "SERVICE", enableECSManagedTags: true }, definition, "c"), [
      { key: "svc", value: "1" },
      { key: "aws:ecs:clusterName", value: "c" },
      { key: "aws:ecs:serviceName", value: "web" },
    ]);
    assert.deepEqual(serviceTaskTags({ ...service, enableECSManagedTags: true }, definition, "c"), [
      { key: "aws:ecs:clusterName", value: "c" },
      { key: "aws:ecs:serviceName", value: "web" },
    ]);
  });
});
