import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { ContainerDefinition, RegisterTaskDefinitionRequest } from "@aws-sdk/client-ecs";
import {
  buildTaskDefinition,
  isValidFargateSize,
  parseTaskCpu,
  parseTaskMemory,
  validateTaskDefinition,
} from "../../src/domain/task-definition/index.js";
import { FIXTURES_DIR } from "../support/fixtures.js";

const ctx = {
  region: "us-east-1",
  accountId: "123456789012",
  revision: 3,
  registeredAt: new Date("2024-06-21T16:15:12.669Z"),
  registeredBy: "arn:aws:sts::123456789012:assumed-role/demo-role/jane-doe",
};

const container = (over: Partial<ContainerDefinition> = {}): ContainerDefinition => ({
  name: "app",
  image: "busybox",
  memory: 128,
  ...over,
});
const td = (over: Partial<RegisterTaskDefinitionRequest> = {}): RegisterTaskDefinitionRequest => ({
  family: "web",
  containerDefinitions: [container()],
  ...over,
});
const fargate = (over: Partial<RegisterTaskDefinitionRequest> = {}): RegisterTaskDefinitionRequest =>
  td({ requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", cpu: "256", memory: "512", ...over });

function rejects(input: unknown, name: string, message: string | RegExp): void {
  assert.throws(
    () => validateTaskDefinition(input as RegisterTaskDefinitionRequest),
    (e: Error) => {
      assert.equal(e.name, name);
      if (typeof message === "string") assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    },
  );
}
const accepts = (input: RegisterTaskDefinitionRequest) => assert.doesNotThrow(() => validateTaskDefinition(input));
const C = "ClientException";
const P = "InvalidParameterException";

test("fargate sizes and unit parsing", () => {
  assert.equal(parseTaskCpu("1 vCPU"), 1024);
  assert.equal(parseTaskCpu("0.25 vcpu"), 256);
  assert.equal(parseTaskCpu("512"), 512);
  assert.equal(parseTaskCpu("0.3 vCPU"), undefined);
  assert.equal(parseTaskCpu("lots"), undefined);
  assert.equal(parseTaskMemory("2 GB"), 2048);
  assert.equal(parseTaskMemory("0.5GB"), 512);
  assert.equal(parseTaskMemory("1024"), 1024);
  assert.equal(parseTaskMemory(undefined), undefined);
  assert.ok(isValidFargateSize("256", "512"));
  assert.ok(isValidFargateSize(".25 vCPU", "2 GB"));
  assert.ok(!isValidFargateSize("256", "4096"));
  assert.ok(isValidFargateSize("4096", "30720"));
  assert.ok(!isValidFargateSize("4096", "30721"));
  assert.ok(isValidFargateSize("8192", "20480"));
  assert.ok(!isValidFargateSize("8192", "18432")); // 8 vCPU steps by 4 GiB
  assert.ok(isValidFargateSize("16384", "122880"));
  assert.ok(!isValidFargateSize("128", "512"));
  assert.ok(!isValidFargateSize(undefined, "512"));
});

test("family", () => {
  accepts(td({ family: "a-b_C9" }));
  accepts(td({ family: "f".repeat(255) }));
  rejects(td({ family: "" }), C, "Family can not be blank.");
  rejects(td({ family: undefined }), C, "Family can not be blank.");
  rejects(td({ family: "f".repeat(256) }), C, /255/);
  rejects(td({ family: "web.app" }), C, "Family contains invalid characters.");
});

test("container count", () => {
  rejects(td({ containerDefinitions: [] }), C, "Container list cannot be empty.");
  const many = (n: number) => Array.from({ length: n }, (_, i) => container({ name: `c${i}` }));
  accepts(td({ containerDefinitions: many(10) }));
  rejects(td({ containerDefinitions: many(11) }), C, /at most 10 containers/);
});

test("container names and image", () => {
  accepts(td({ containerDefinitions: [container({ name: "A_b-9" })] }));
  rejects(td({ containerDefinitions: [container({ name: "a.b" })] }), C, "Container.name contains invalid characters.");
  rejects(td({ containerDefinitions: [container({ name: "" })] }), C, "Container.name should not be null or empty.");
  rejects(td({ containerDefinitions: [container({ name: "n".repeat(256) })] }), C, "Container.name contains invalid characters.");
  rejects(td({ containerDefinitions: [container(), container()] }), C, /Duplicate container name 'app'/);
  rejects(td({ containerDefinitions: [container({ image: "" })] }), C, "Container.image should not be null or empty.");
  rejects(td({ containerDefinitions: [container({ image: undefined })] }), C, "Container.image should not be null or empty.");
  rejects(td({ containerDefinitions: [container({ image: "nginx latest" })] }), C, "Container.image contains invalid characters.");
});

test("essential container", () => {
  accepts(td({ containerDefinitions: [container({ essential: undefined })] }));
  rejects(td({ containerDefinitions: [container({ essential: false })] }), C, /does not have an essential container/);
});

test("memory rules", () => {
  rejects(
    td({ containerDefinitions: [container({ memory: undefined })] }),
    C,
    "Invalid setting for container 'app'. At least one of 'memory' or 'memoryReservation' must be specified.",
  );
  accepts(td({ containerDefinitions: [container({ memory: undefined, memoryReservation: 64 })] }));
  accepts(td({ memory: "512", containerDefinitions: [container({ memory: undefined })] }));
  rejects(
    td({ containerDefinitions: [container({ memory: 64, memoryReservation: 128 })] }),
    C,
    "Invalid setting for container 'app'. 'memory' must be greater than or equal to 'memoryReservation'.",
  );
  accepts(td({ containerDefinitions: [container({ memory: 128, memoryReservation: 128 })] }));
  rejects(td({ containerDefinitions: [container({ memory: 5 })] }), C, /minimum is 6 MiB/);
  accepts(td({ containerDefinitions: [container({ memory: 6 })] }));
  rejects(
    td({ memory: "512", containerDefinitions: [container({ memory: 1024 })] }),
    C,
    "The 'memory' setting for container 'app' is greater than for the task.",
  );
  rejects(td({ memory: "plenty" }), C, "Invalid 'memory' setting for task.");
  rejects(td({ cpu: "fast" }), C, "Invalid 'cpu' setting for task.");
  rejects(td({ cpu: "64" }), C, "Invalid 'cpu' setting for task.");
  accepts(td({ cpu: "1 vCPU", memory: "1 GB" }));
});

test("FARGATE rules", () => {
  accepts(fargate());
  accepts(fargate({ cpu: "1 vCPU", memory: "2 GB" }));
  rejects(fargate({ networkMode: "bridge" }), C, "Fargate only supports network mode \u2018awsvpc\u2019.");
  rejects(fargate({ networkMode: undefined }), C, "Fargate only supports network mode \u2018awsvpc\u2019.");
  rejects(fargate({ cpu: undefined }), C, "Fargate requires that 'cpu' be defined at the task level.");
  rejects(fargate({ memory: undefined }), C, "Fargate requires that 'memory' be defined at the task level.");
  rejects(
    fargate({ cpu: "1024", memory: "1024" }),
    C,
    "No Fargate configuration exists for given values: 1024 CPU, 1024 memory. See the Amazon ECS documentation for the valid values.",
  );
  rejects(fargate({ containerDefinitions: [container({ privileged: true })] }), C, /privileged/);
  rejects(fargate({ pidMode: "host" }), C, /pidMode/);
  rejects(fargate({ ipcMode: "task" }), C, /ipcMode/);
  rejects(fargate({ containerDefinitions: [container({ stopTimeout: 121 })] }), C, /120 seconds/);
  rejects(fargate({ containerDefinitions: [container({ logConfiguration: { logDriver: "syslog" } })] }), C, /not a valid log driver/);
});

test("port mappings", () => {
  const withPorts = (mode: string | undefined, ...portMappings: ContainerDefinition["portMappings"][]) =>
    td({
      networkMode: mode as "bridge",
      containerDefinitions: portMappings.map((pm, i) => container({ name: `c${i}`, portMappings: pm })),
    });
  accepts(withPorts("bridge", [{ containerPort: 80 }, { containerPort: 81, hostPort: 8081 }]));
  rejects(withPorts("bridge", [{ containerPort: 0 }]), C, /between 1 and 65535/);
  rejects(withPorts("bridge", [{ containerPort: 65536 }]), C, /between 1 and 65535/);
  rejects(withPorts("bridge", [{ containerPort: 80, hostPort: 70000 }]), C, /between 0 and 65535/);
  rejects(
    withPorts("awsvpc", [{ containerPort: 80, hostPort: 8080 }]),
    C,
    "When networkMode=awsvpc, the host ports and container ports in port mappings must match.",
  );
  rejects(
    withPorts("host", [{ containerPort: 80, hostPort: 8080 }]),
    C,
    "When networkMode=host, the host ports and container ports in port mappings must match.",
  );
  accepts(withPorts("awsvpc", [{ containerPort: 80, hostPort: 80 }, { containerPort: 443 }]));
  // Two containers of one task cannot bind the same host port and protocol...
  rejects(withPorts("bridge", [{ containerPort: 80, hostPort: 8080 }], [{ containerPort: 81, hostPort: 8080 }]), C, /Host port 8080\/tcp/);
  rejects(withPorts("awsvpc", [{ containerPort: 80 }], [{ containerPort: 80 }]), C, /Host port 80\/tcp/);
  // ...but may with different protocols, or with dynamic (0) host ports.
  accepts(withPorts("bridge", [{ containerPort: 53, hostPort: 53 }], [{ containerPort: 54, hostPort: 53, protocol: "udp" }]));
  accepts(withPorts("bridge", [{ containerPort: 80, hostPort: 0 }], [{ containerPort: 80 }]));
  rejects(withPorts("bridge", [{ containerPort: 80 }, { containerPort: 80, protocol: "udp" }]), C, /mapped more than once/);
  rejects(withPorts("bridge", [{ containerPort: 80, protocol: "sctp" as "tcp" }]), P, /Invalid protocol 'sctp'/);
  rejects(withPorts("none", [{ containerPort: 80 }]), C, /networkMode=none/);
});

test("network, pid and ipc modes", () => {
  for (const m of ["bridge", "host", "awsvpc", "none"] as const) accepts(td({ networkMode: m }));
  rejects(td({ networkMode: "nat" as "bridge" }), P, "Invalid value 'nat' for networkMode. Valid values: bridge, host, awsvpc, none.");
  accepts(td({ pidMode: "task", ipcMode: "none" }));
  rejects(td({ pidMode: "container" as "host" }), P, /pidMode/);
  rejects(td({ ipcMode: "shareable" as "host" }), P, /ipcMode/);
  rejects(td({ requiresCompatibilities: ["LAMBDA" as "EC2"] }), P, /requiresCompatibilities/);
  rejects(td({ requiresCompatibilities: ["MANAGED_INSTANCES"] }), C, /MANAGED_INSTANCES/);
  accepts(td({ requiresCompatibilities: ["MANAGED_INSTANCES"], networkMode: "host" }));
  rejects(td({ requiresCompatibilities: ["EXTERNAL"], networkMode: "awsvpc" }), C, /EXTERNAL/);
});

test("links only in bridge mode, to containers of the task", () => {
  const linked = (mode: "bridge" | "awsvpc" | undefined, link: string) =>
    td({ networkMode: mode, containerDefinitions: [container({ links: [link] }), container({ name: "db" })] });
  accepts(linked("bridge", "db"));
  accepts(linked(undefined, "db:database"));
  rejects(linked("awsvpc", "db"), C, "Links are not supported when networkMode=awsvpc.");
  rejects(linked("bridge", "cache"), C, /Invalid link 'cache'/);
  rejects(linked("bridge", "app"), C, /Invalid link 'app'/);
});

test("container secrets need an execution role", () => {
  const secrets = [{ name: "PW", valueFrom: "/app/db/password" }];
  rejects(
    td({ containerDefinitions: [container({ secrets })] }),
    C,
    "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
  );
  accepts(td({ executionRoleArn: "arn:aws:iam::123456789012:role/exec", containerDefinitions: [container({ secrets })] }));
  accepts(td({ containerDefinitions: [container({ secrets: [] })] }));
});

test("dependsOn", () => {
  const dep = (condition: string, target: Partial<ContainerDefinition> = {}) =>
    td({
      containerDefinitions: [
        container({ dependsOn: [{ containerName: "init", condition: condition as "START" }] }),
        container({ name: "init", ...target }),
      ],
    });
  accepts(dep("START"));
  accepts(dep("COMPLETE", { essential: false }));
  accepts(dep("SUCCESS", { essential: false }));
  rejects(dep("COMPLETE"), C, /COMPLETE dependency condition cannot be essential/);
  rejects(dep("SUCCESS", { essential: true }), C, /SUCCESS dependency condition cannot be essential/);
  accepts(dep("HEALTHY", { healthCheck: { command: ["CMD", "true"] } }));
  rejects(dep("HEALTHY"), C, /must have a health check/);
  rejects(dep("READY"), P, /Invalid dependsOn condition 'READY'/);
  rejects(
    td({ containerDefinitions: [container({ dependsOn: [{ containerName: "ghost", condition: "START" }] })] }),
    C,
    /'ghost' is not another container/,
  );
  rejects(
    td({
      containerDefinitions: [
        container({ dependsOn: [{ containerName: "b", condition: "START" }] }),
        container({ name: "b", dependsOn: [{ containerName: "app", condition: "START" }] }),
      ],
    }),
    C,
    /cycle/,
  );
});

test("volumes, mountPoints and volumesFrom", () => {
  const vol = { name: "data", host: { sourcePath: "/srv" } };
  accepts(td({ volumes: [vol], containerDefinitions: [container({ mountPoints: [{ sourceVolume: "data", containerPath: "/d" }] })] }));
  rejects(
    td({ containerDefinitions: [container({ mountPoints: [{ sourceVolume: "data", containerPath: "/d" }] })] }),
    C,
    /sourceVolume 'data' is not a volume/,
  );
  rejects(td({ volumes: [vol, vol] }), C, /Duplicate volume name 'data'/);
  rejects(td({ volumes: [{ name: "bad name" }] }), C, /Invalid volume name/);
  accepts(td({ containerDefinitions: [container({ volumesFrom: [{ sourceContainer: "b" }] }), container({ name: "b" })] }));
  rejects(
    td({ containerDefinitions: [container({ volumesFrom: [{ sourceContainer: "b" }] })] }),
    C,
    /sourceContainer 'b' is not another container/,
  );
  rejects(fargate({ volumes: [vol] }), C, /sourcePath/);
});

test("health check ranges", () => {
  const hc = (h: Partial<NonNullable<ContainerDefinition["healthCheck"]>>) =>
    td({ containerDefinitions: [container({ healthCheck: { command: ["CMD-SHELL", "curl -f localhost"], ...h } })] });
  accepts(hc({ interval: 5, timeout: 2, retries: 1, startPeriod: 0 }));
  accepts(hc({ interval: 300, timeout: 60, retries: 10, startPeriod: 300 }));
  rejects(hc({ interval: 4 }), C, "Health check interval must be greater than or equal to the minimum allowed value 5");
  rejects(hc({ interval: 301 }), C, "Health check interval must be less than or equal to the maximum allowed value 300");
  rejects(hc({ timeout: 1 }), C, /timeout .* minimum allowed value 2/);
  rejects(hc({ timeout: 61 }), C, /timeout .* maximum allowed value 60/);
  rejects(hc({ retries: 0 }), C, /retries .* minimum allowed value 1/);
  rejects(hc({ retries: 11 }), C, /retries .* maximum allowed value 10/);
  rejects(hc({ startPeriod: 301 }), C, "Health check startPeriod must be less than or equal to the maximum allowed value 300");
  rejects(hc({ command: ["curl", "localhost"] }), C, /must start with CMD/);
  rejects(hc({ command: [] }), C, /must not be empty/);
});

test("shape: null and wrongly typed members are refused", () => {
  rejects(
    td({ containerDefinitions: [container({ ulimits: null as unknown as [] })] }),
    P,
    /containerDefinitions\[0\]\.ulimits, value: null/,
  );
  rejects({ ...td(), cpu: 256 }, P, /parameter cpu, value: 256/);
  rejects(td({ containerDefinitions: [container({ memory: "128" as unknown as number })] }), P, /containerDefinitions\[0\]\.memory/);
  rejects(td({ containerDefinitions: [container({ dockerLabels: { a: 1 as unknown as string } })] }), P, /dockerLabels\.a/);
});

test("buildTaskDefinition: defaults and echo for a bridge task definition", () => {
  const out = buildTaskDefinition(
    td({
      containerDefinitions: [
        container({
          portMappings: [{ containerPort: 80 }, { containerPort: 53, hostPort: 5353, protocol: "udp" }],
          ulimits: [{ name: "nofile", softLimit: 1, hardLimit: 2 }],
        }),
      ],
      tags: [{ key: "k", value: "v" }],
    }),
    ctx,
  );
  assert.equal(out.taskDefinitionArn, "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3");
  assert.equal(out.revision, 3);
  assert.equal(out.status, "ACTIVE");
  assert.equal(out.networkMode, undefined); // ECS does not echo an omitted networkMode
  assert.deepEqual(out.volumes, []);
  assert.deepEqual(out.placementConstraints, []);
  assert.deepEqual(out.compatibilities, ["EXTERNAL", "EC2"]);
  assert.equal(out.requiresCompatibilities, undefined);
  assert.equal(out.registeredAt, ctx.registeredAt);
  assert.equal(out.registeredBy, ctx.registeredBy);
  assert.ok(!("tags" in out));
  const c = out.containerDefinitions![0]!;
  assert.equal(c.cpu, 0);
  assert.equal(c.essential, true);
  assert.deepEqual(c.environment, []);
  assert.deepEqual(c.mountPoints, []);
  assert.deepEqual(c.volumesFrom, []);
  assert.deepEqual(c.portMappings, [
    { containerPort: 80, hostPort: 0, protocol: "tcp" },
    { containerPort: 53, hostPort: 5353, protocol: "udp" },
  ]);
  assert.deepEqual(c.ulimits, [{ name: "nofile", softLimit: 1, hardLimit: 2 }]);
  assert.deepEqual(out.requiresAttributes, [{ name: "com.amazonaws.ecs.capability.docker-remote-api.1.18" }]);
});

test("buildTaskDefinition: awsvpc, Fargate sizes, health check and attributes", () => {
  const out = buildTaskDefinition(
    fargate({
      cpu: "0.25 vCPU",
      memory: "1 GB",
      taskRoleArn: "arn:aws:iam::123456789012:role/task",
      executionRoleArn: "arn:aws:iam::123456789012:role/exec",
      containerDefinitions: [
        container({
          image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1",
          portMappings: [{ containerPort: 8080 }],
          healthCheck: { command: ["CMD", "true"] },
          dependsOn: [{ containerName: "init", condition: "SUCCESS" }],
          secrets: [{ name: "PW", valueFrom: "arn:aws:secretsmanager:us-east-1:123456789012:secret:pw" }],
          logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "g", "awslogs-region": "us-east-1" } },
        }),
        container({ name: "init", essential: false }),
      ],
    }),
    ctx,
  );
  assert.equal(out.cpu, "256");
  assert.equal(out.memory, "1024");
  assert.equal(out.networkMode, "awsvpc");
  assert.deepEqual(out.requiresCompatibilities, ["FARGATE"]);
  assert.deepEqual(out.compatibilities, ["EC2", "MANAGED_INSTANCES", "FARGATE"]);
  const c = out.containerDefinitions![0]!;
  assert.deepEqual(c.portMappings, [{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }]);
  assert.deepEqual(c.healthCheck, { command: ["CMD", "true"], interval: 30, timeout: 5, retries: 3 });
  const names = out.requiresAttributes!.map((a) => a.name);
  for (const n of [
    "com.amazonaws.ecs.capability.logging-driver.awslogs",
    "ecs.capability.execution-role-awslogs",
    "com.amazonaws.ecs.capability.ecr-auth",
    "ecs.capability.execution-role-ecr-pull",
    "com.amazonaws.ecs.capability.docker-remote-api.1.19",
    "ecs.capability.container-health-check",
    "ecs.capability.container-ordering",
    "ecs.capability.secrets.asm.environment-variables",
    "com.amazonaws.ecs.capability.task-iam-role",
    "com.amazonaws.ecs.capability.docker-remote-api.1.18",
    "ecs.capability.task-eni",
  ]) {
    assert.ok(names.includes(n), `missing ${n}`);
  }
  assert.equal(new Set(names).size, names.length);
});

test("buildTaskDefinition does not alias the request", () => {
  const input = td();
  const out = buildTaskDefinition(input, ctx);
  out.containerDefinitions![0]!.name = "changed";
  assert.equal(input.containerDefinitions![0]!.name, "app");
});

const fixture = (file: string): RegisterTaskDefinitionRequest => JSON.parse(fs.readFileSync(path.join(FIXTURES_DIR, file), "utf8"));

// Real ECS refuses a hostPort that differs from containerPort under awsvpc
// ("When networkMode=awsvpc, the host ports and container ports in port mappings must match."),
// so these two samples, which only pass a model-shape check, are refused like ECS does today.
const AWSVPC_PORT_MISMATCH = ["kibana_kibana_ec2.json", "tomcat_tomcat_ec2.json"];

test("real-world fixtures", () => {
  const files = fs
    .readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith(".json"))
    .sort();
  assert.equal(files.length, 14);
  for (const file of files) {
    const input = fixture(file);
    if (file === "wildfly_wildfly_fargate.json") {
      // containerDefinitions[0].ulimits is JSON null: the SDKs refuse it and so does berth.
      rejects(input, P, /^Invalid type for parameter containerDefinitions\[0\]\.ulimits, value: null/);
      continue;
    }
    if (AWSVPC_PORT_MISMATCH.includes(file)) {
      rejects(input, C, "When networkMode=awsvpc, the host ports and container ports in port mappings must match.");
      continue;
    }
    accepts(input);
    const out = buildTaskDefinition(input, ctx);
    const mode = input.networkMode ?? "bridge";
    assert.equal(out.family, input.family, file);
    assert.equal(out.taskDefinitionArn, `arn:aws:ecs:us-east-1:123456789012:task-definition/${input.family}:3`);
    for (const [i, c] of out.containerDefinitions!.entries()) {
      const given = input.containerDefinitions![i]!;
      assert.equal(c.essential, given.essential ?? true, file);
      assert.equal(c.cpu, given.cpu ?? 0, file);
      assert.ok(Array.isArray(c.environment) && Array.isArray(c.mountPoints) && Array.isArray(c.volumesFrom), file);
      for (const p of c.portMappings!) {
        assert.equal(p.protocol, "tcp", file);
        if (mode === "bridge") assert.equal(typeof p.hostPort, "number", file);
        else assert.equal(p.hostPort, p.containerPort, file);
      }
      assert.deepEqual(c.logConfiguration, given.logConfiguration, file);
    }
    if (mode === "awsvpc") {
      assert.deepEqual(out.compatibilities, ["EC2", "MANAGED_INSTANCES", "FARGATE"], file);
      assert.ok(
        out.requiresAttributes!.some((a) => a.name === "ecs.capability.task-eni"),
        file,
      );
    } else if (mode === "host") {
      assert.deepEqual(out.compatibilities, ["EXTERNAL", "EC2", "MANAGED_INSTANCES"], file);
    } else {
      assert.deepEqual(out.compatibilities, ["EXTERNAL", "EC2"], file);
    }
    if (input.requiresCompatibilities?.includes("FARGATE")) assert.ok(out.compatibilities.includes("FARGATE"), file);
    assert.ok(
      out.requiresAttributes!.some((a) => a.name === "com.amazonaws.ecs.capability.logging-driver.awslogs"),
      file,
    );
  }
  // Spot checks against what ECS prints for these inputs.
  const nginx = buildTaskDefinition(fixture("nginx_nginx_ec2.json"), ctx);
  assert.deepEqual(nginx.containerDefinitions![0]!.portMappings, [{ containerPort: 80, hostPort: 0, protocol: "tcp" }]);
  assert.equal(nginx.networkMode, "bridge");
  const tomcat = buildTaskDefinition(fixture("tomcat_tomcat_fargate.json"), ctx);
  assert.deepEqual(tomcat.containerDefinitions![0]!.portMappings, [{ containerPort: 8080, hostPort: 8080, protocol: "tcp" }]);
  assert.equal(tomcat.cpu, "1024");
  assert.equal(tomcat.memory, "2048");
  const consul = buildTaskDefinition(fixture("consul_ConsulClient.json"), ctx);
  assert.equal(consul.containerDefinitions![0]!.essential, true);
  assert.deepEqual(consul.containerDefinitions![0]!.portMappings, []);
  assert.equal(consul.cpu, undefined);
});
